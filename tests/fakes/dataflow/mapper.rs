//! How the fake Data Prep maps a source row to XDM: each mapping is checked against the
//! resolved target schema (the destination path must exist, the source must be usable), then
//! each row's value is converted to the destination field's type. Validate, preview and the
//! record counts of a run all go through here, so they agree.

use serde_json::{json, Map, Value};

use super::expression::{self, Expr};
use super::xdm::{field_at, resolve, schema_index};
use super::Dataflow;

/// The code Data Prep gives a value it cannot convert.
pub(crate) const TRANSFORM_ERROR: &str = "MAPPER-3700-400";

#[derive(Debug, Clone)]
enum Source {
    Attribute(String),
    Expression(Expr),
    Static(Value),
}

/// A mapping ready to run: where its value comes from and the field it lands in.
#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    source: Source,
    destination: String,
    field: Value,
}

/// A mapping set's target schema, resolved; `Err` says why there is none.
pub(crate) fn target_properties(df: &Dataflow, sandbox: &str, set: &Value) -> Result<Value, String> {
    let id = set.pointer("/outputSchema/schemaRef/id").and_then(Value::as_str).unwrap_or_default();
    if id.is_empty() {
        return Err("outputSchema.schemaRef.id is required".into());
    }
    let index =
        schema_index(df, sandbox, id).ok_or_else(|| format!("Schema {id} was not found in this sandbox"))?;
    Ok(resolve(df, &df.schemas[index])?["properties"].take())
}

/// One mapping checked against the schema's `properties`: `Err((code, message))` when Data
/// Prep would refuse it.
pub(crate) fn compile(mapping: &Value, properties: &Value) -> Result<Compiled, (String, String)> {
    let fail = |code: &str, message: String| Err((code.to_owned(), message));
    let destination = mapping["destination"].as_str().unwrap_or_default();
    let Some(field) = field_at(properties, destination.split('.')).filter(|_| !destination.is_empty()) else {
        return fail(
            "MAPPER-1207-400",
            format!("Destination '{destination}' is not a field of the target schema"),
        );
    };
    let source = &mapping["source"];
    let source = match mapping["sourceType"].as_str() {
        Some("ATTRIBUTE") => match source.as_str().map(str::trim).filter(|s| !s.is_empty()) {
            Some(column) => Source::Attribute(column.to_owned()),
            None => return fail("MAPPER-1203-400", "An ATTRIBUTE mapping needs a source column".into()),
        },
        Some("EXPRESSION") => match expression::parse(source.as_str().unwrap_or_default()) {
            Ok(expr) => Source::Expression(expr),
            Err(reason) => {
                return fail("MAPPER-1400-400", format!("The expression does not parse: {reason}"))
            }
        },
        Some("STATIC") => Source::Static(source.clone()),
        other => {
            return fail(
                "MAPPER-1304-400",
                format!(
                    "sourceType must be ATTRIBUTE, EXPRESSION or STATIC, not {}",
                    other.unwrap_or("missing")
                ),
            )
        }
    };
    Ok(Compiled { source, destination: destination.to_owned(), field: field.clone() })
}

/// The nested XDM object a row maps to, and the errors of the values that did not convert.
pub(crate) fn map_row(mappings: &[Compiled], row: &Value) -> (Value, Vec<Value>) {
    let mut data = Map::new();
    let mut errors = Vec::new();
    for mapping in mappings {
        let value = match &mapping.source {
            Source::Attribute(column) => row
                .get(column)
                .or_else(|| row.pointer(&format!("/{}", column.replace('.', "/"))))
                .cloned()
                .unwrap_or(Value::Null),
            Source::Expression(expr) => match expression::eval(expr, row) {
                Ok(value) => value,
                Err(reason) => {
                    errors.push(error(&format!("{reason} for {}", mapping.destination)));
                    continue;
                }
            },
            Source::Static(value) => value.clone(),
        };
        if value.is_null() {
            continue;
        }
        match convert(&value, &mapping.field) {
            Ok(converted) => set(&mut data, &mapping.destination, converted),
            Err(kind) => {
                let shown = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
                let from = match &mapping.source {
                    Source::Attribute(column) => format!(" of column {column}"),
                    _ => String::new(),
                };
                errors.push(error(&format!(
                    "Mapper Transform Error: cannot convert “{shown}”{from} to {kind} for {}",
                    mapping.destination
                )));
            }
        }
    }
    (Value::Object(data), errors)
}

fn error(message: &str) -> Value {
    json!({ "code": TRANSFORM_ERROR, "message": message })
}

fn set(data: &mut Map<String, Value>, path: &str, value: Value) {
    let mut keys = path.split('.').peekable();
    let mut here = data;
    while let Some(key) = keys.next() {
        if keys.peek().is_none() {
            here.insert(key.to_owned(), value);
            return;
        }
        let next = here.entry(key.to_owned()).or_insert_with(|| json!({}));
        if !next.is_object() {
            *next = json!({});
        }
        let Some(map) = next.as_object_mut() else { return };
        here = map;
    }
}

/// The value as the destination field's type, or the type's name when it does not convert.
fn convert(value: &Value, field: &Value) -> Result<Value, String> {
    let kind = field["type"].as_str().unwrap_or("string");
    let format = field["format"].as_str().unwrap_or_default();
    let fails = || Err(if format.is_empty() { kind.to_owned() } else { format!("{kind} ({format})") });
    match (kind, value) {
        ("integer", Value::Number(n)) => match n.as_i64() {
            Some(i) => Ok(json!(i)),
            None => match n.as_f64().filter(|f| f.fract() == 0.0) {
                Some(f) => Ok(json!(f as i64)),
                None => fails(),
            },
        },
        ("integer", Value::String(s)) => s.trim().parse::<i64>().map(|i| json!(i)).or_else(|_| fails()),
        ("number", Value::Number(_)) => Ok(value.clone()),
        ("number", Value::String(s)) => match s.trim().parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(json!(f)),
            _ => fails(),
        },
        ("boolean", Value::Bool(_)) => Ok(value.clone()),
        ("boolean", Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(json!(true)),
        ("boolean", Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(json!(false)),
        ("string", Value::String(s)) if format == "date-time" => {
            if is_date_time(s) {
                Ok(value.clone())
            } else {
                fails()
            }
        }
        ("string", Value::String(s)) if format == "date" => {
            if is_date(s) {
                Ok(value.clone())
            } else {
                fails()
            }
        }
        ("string", _) if matches!(format, "date-time" | "date") => fails(),
        ("string", Value::String(_)) => Ok(value.clone()),
        ("string", other) => Ok(json!(other.to_string())),
        ("object", Value::Object(_)) | ("array", Value::Array(_)) => Ok(value.clone()),
        _ => fails(),
    }
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn in_range(s: &str, low: u32, high: u32) -> bool {
    digits(s) && s.parse::<u32>().is_ok_and(|n| (low..=high).contains(&n))
}

fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    matches!(parts.as_slice(), [y, m, d] if y.len() == 4 && digits(y) && m.len() == 2 && in_range(m, 1, 12)
        && d.len() == 2 && in_range(d, 1, 31))
}

/// RFC 3339: `2026-11-01T10:00:00Z`, with optional fractions and a `±hh:mm` offset.
fn is_date_time(s: &str) -> bool {
    let Some((date, time)) = s.split_once(['T', 't']) else { return false };
    let (clock, zone) = match time.find(['Z', 'z', '+', '-']) {
        Some(at) => time.split_at(at),
        None => return false,
    };
    let zone_ok = matches!(zone, "Z" | "z")
        || matches!(zone.split_at(1), ("+" | "-", offset) if matches!(offset.split_once(':'),
            Some((h, m)) if h.len() == 2 && in_range(h, 0, 23) && m.len() == 2 && in_range(m, 0, 59)));
    let (whole, fraction) = clock.split_once('.').unwrap_or((clock, "0"));
    let hms: Vec<&str> = whole.split(':').collect();
    let clock_ok = matches!(hms.as_slice(), [h, m, s] if h.len() == 2 && in_range(h, 0, 23)
        && m.len() == 2 && in_range(m, 0, 59) && s.len() == 2 && in_range(s, 0, 60))
        && digits(fraction);
    is_date(date) && clock_ok && zone_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_convert_to_the_field_type_or_say_why_not() {
        let number = json!({ "type": "number" });
        assert_eq!(convert(&json!("12.5"), &number), Ok(json!(12.5)));
        assert_eq!(convert(&json!("n/a"), &number), Err("number".to_owned()));
        let integer = json!({ "type": "integer" });
        assert_eq!(convert(&json!(4.0), &integer), Ok(json!(4)));
        assert!(convert(&json!("4.5"), &integer).is_err());
        let when = json!({ "type": "string", "format": "date-time" });
        assert!(convert(&json!("2026-11-01T10:00:00Z"), &when).is_ok());
        assert!(convert(&json!("2026-11-01T10:00:00.123+01:00"), &when).is_ok());
        assert!(convert(&json!("2026-11-01 10:00"), &when).is_err());
        assert_eq!(convert(&json!(7), &json!({ "type": "string" })), Ok(json!("7")));
        assert_eq!(convert(&json!("TRUE"), &json!({ "type": "boolean" })), Ok(json!(true)));
    }
}
