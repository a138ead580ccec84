//! From columns to XDM: the field names and types of a new schema built from the source's
//! columns (under the tenant's namespace), and the mappings proposed, one to one for a new
//! schema, by name and type for an existing one, each proposal scored.

use serde::Serialize;
use ts_rs::TS;

use super::plan::{MappingRow, PlanColumn, SourceType};
use crate::adobe::flow::SchemaField;

/// A proposal below this score is not made: the row is left for the user.
const MIN_SCORE: f64 = 0.5;

/// A mapping proposed, with how sure the proposal is.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ProposedMapping {
    pub row: MappingRow,
    /// 1 for the same name and type; lower as the match loosens.
    pub score: f64,
    /// Why, in words: "same name", "same name apart from case", "similar name".
    pub reason: String,
}

/// The XDM type of a column: its explored XDM type, else its source type.
pub fn xdm_kind(column: &PlanColumn) -> &'static str {
    let hint = column.xdm_type.as_deref().unwrap_or(&column.column_type).to_ascii_lowercase();
    match hint.as_str() {
        "date-time" | "datetime" | "timestamp" => "date-time",
        "date" => "date",
        "integer" | "int" | "long" | "short" | "byte" | "bigint" => "integer",
        "number" | "double" | "float" | "decimal" | "numeric" => "number",
        "boolean" | "bool" => "boolean",
        _ => "string",
    }
}

/// A column name as an XDM field name: letters, digits and underscores, starting with a
/// letter; empty when nothing is left of it.
pub fn field_name(column: &str) -> String {
    let mut name: String =
        column.trim().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    while name.contains("__") {
        name = name.replace("__", "_");
    }
    let name = name.trim_matches('_').to_owned();
    match name.chars().next() {
        Some(first) if first.is_ascii_digit() => format!("f_{name}"),
        _ => name,
    }
}

/// The custom fields of a new schema: one per column, under `_{tenant}`, with unique names.
pub fn new_fields(tenant: &str, columns: &[PlanColumn]) -> Vec<(PlanColumn, SchemaField)> {
    let mut taken: Vec<String> = Vec::new();
    columns
        .iter()
        .filter_map(|column| {
            let base = field_name(&column.name);
            if base.is_empty() {
                return None;
            }
            let mut name = base.clone();
            let mut n = 2;
            while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
                name = format!("{base}_{n}");
                n += 1;
            }
            taken.push(name.clone());
            let field = SchemaField {
                path: format!("_{tenant}.{name}"),
                kind: xdm_kind(column).into(),
                title: column.name.clone(),
            };
            Some((column.clone(), field))
        })
        .collect()
}

/// One to one, for a schema made from these columns.
pub fn one_to_one(fields: &[(PlanColumn, SchemaField)]) -> Vec<ProposedMapping> {
    fields
        .iter()
        .map(|(column, field)| ProposedMapping {
            row: MappingRow {
                source_type: SourceType::Attribute,
                source: column.name.clone(),
                destination: field.path.clone(),
            },
            score: 1.0,
            reason: "made from this column".into(),
        })
        .collect()
}

/// For an existing schema: each column to the leaf field whose name and type fit it best,
/// no field taken twice. Columns without a good enough match are left out.
pub fn by_similarity(columns: &[PlanColumn], fields: &[SchemaField]) -> Vec<ProposedMapping> {
    let leaves: Vec<&SchemaField> =
        fields.iter().filter(|f| !matches!(f.kind.as_str(), "object" | "array")).collect();
    // Each name prepared once: 500 columns against 5,000 fields compare 2.5 million pairs.
    let sources: Vec<Named> = columns.iter().map(|c| Named::new(&c.name, xdm_kind(c))).collect();
    let targets: Vec<Named> = leaves
        .iter()
        .map(|f| Named::new(f.path.rsplit('.').next().unwrap_or(&f.path), f.kind.as_str()))
        .collect();
    let mut candidates: Vec<(f64, usize, usize, &'static str)> = Vec::new();
    for (c, source) in sources.iter().enumerate() {
        for (f, target) in targets.iter().enumerate() {
            if let Some((score, reason)) = score(source, target) {
                candidates.push((score, c, f, reason));
            }
        }
    }
    // Best first; ties keep the schema's order, so the result does not depend on hashing.
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let (mut used_columns, mut used_fields) = (vec![false; columns.len()], vec![false; leaves.len()]);
    let mut chosen: Vec<(usize, ProposedMapping)> = Vec::new();
    for (score, c, f, reason) in candidates {
        if score < MIN_SCORE || used_columns[c] || used_fields[f] {
            continue;
        }
        used_columns[c] = true;
        used_fields[f] = true;
        let row = MappingRow {
            source_type: SourceType::Attribute,
            source: columns[c].name.clone(),
            destination: leaves[f].path.clone(),
        };
        chosen.push((
            c,
            ProposedMapping { row, score: (score * 100.0).round() / 100.0, reason: reason.into() },
        ));
    }
    chosen.sort_by_key(|(c, _)| *c);
    chosen.into_iter().map(|(_, p)| p).collect()
}

/// A column's or a field's name as the scoring compares it, and its XDM type.
struct Named<'a> {
    name: &'a str,
    squashed: String,
    kind: &'a str,
}

impl<'a> Named<'a> {
    fn new(name: &'a str, kind: &'a str) -> Self {
        Self { name, squashed: squash(name), kind }
    }
}

fn score(source: &Named<'_>, target: &Named<'_>) -> Option<(f64, &'static str)> {
    let by_type = match (source.kind, target.kind) {
        (a, b) if a == b => 1.0,
        ("integer", "number") | ("date", "date-time") => 0.9,
        (_, "string") => 0.8,
        _ => return None,
    };
    let (a, b) = (&source.squashed, &target.squashed);
    let (by_name, reason) = if source.name == target.name {
        (1.0, "same name")
    } else if source.name.eq_ignore_ascii_case(target.name) {
        (0.95, "same name apart from case")
    } else if a == b {
        (0.9, "same name apart from case and underscores")
    } else if !b.is_empty() && a.len().min(b.len()) >= 3 && (a.contains(b.as_str()) || b.contains(a.as_str()))
    {
        (0.6, "similar name")
    } else {
        return None;
    };
    Some((by_name * by_type, reason))
}

/// Lower case without separators: `signed_up`, `signedUp` and `Signed Up` compare equal.
fn squash(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, kind: &str) -> PlanColumn {
        PlanColumn { name: name.into(), column_type: kind.into(), xdm_type: None }
    }

    fn field(path: &str, kind: &str) -> SchemaField {
        SchemaField { path: path.into(), kind: kind.into(), title: String::new() }
    }

    #[test]
    fn column_names_become_xdm_names() {
        assert_eq!(field_name("signed up"), "signed_up");
        assert_eq!(field_name("2024 total"), "f_2024_total");
        assert_eq!(field_name("--"), "");
        let fields = new_fields(
            "acme",
            &[column("Email", "string"), column("email", "string"), column("id", "integer")],
        );
        let paths: Vec<&str> = fields.iter().map(|(_, f)| f.path.as_str()).collect();
        assert_eq!(paths, ["_acme.Email", "_acme.email_2", "_acme.id"]);
        assert_eq!(fields[2].1.kind, "integer");
    }

    #[test]
    fn existing_schemas_are_matched_by_name_then_type() {
        let columns = [
            column("memberId", "string"),
            column("TIER", "string"),
            column("points", "integer"),
            column("joined_at", "string"),
            column("unrelated", "boolean"),
        ];
        let fields = [
            field("_acme", "object"),
            field("_acme.loyalty.memberId", "string"),
            field("_acme.loyalty.tier", "string"),
            field("_acme.loyalty.points", "integer"),
            field("_acme.loyalty.joined", "date-time"),
        ];
        let proposed = by_similarity(&columns, &fields);
        let pairs: Vec<(&str, &str, f64)> =
            proposed.iter().map(|p| (p.row.source.as_str(), p.row.destination.as_str(), p.score)).collect();
        assert_eq!(
            pairs,
            [
                ("memberId", "_acme.loyalty.memberId", 1.0),
                ("TIER", "_acme.loyalty.tier", 0.95),
                ("points", "_acme.loyalty.points", 1.0),
            ]
        );
    }
}
