//! The rules a plan meets before anything is sent: the flow spec that fits the connection
//! (never guessed), the schedule, options and transformations against that spec's own JSON
//! Schemas, and the choices that cannot be taken back (Profile) confirmed.

use serde_json::{json, Value};

use super::plan::{DataflowPlan, SchedulePlan, SourcePlan, TargetPlan};
use crate::adobe::flow::{FlowSpec, DATA_LAKE_SPEC};
use crate::catalog::json_rules;

/// Why a plan cannot be made as it is, for the user, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("No flow spec of this org reads from this source into the data lake, so Experience Platform offers no batch dataflow for it. Flow Connect does not guess one.")]
    NoFlowSpec,
    #[error("Several flow specs fit this source ({}): choose the one to use (in a plan file: flowSpecId).", .names.join(", "))]
    SeveralFlowSpecs { names: Vec<String>, ids: Vec<String> },
    #[error("The flow spec {0} is not one of those that read from this source into the data lake: choose one of the listed ones.")]
    WrongFlowSpec(String),
}

fn invalid(field: &str, message: impl Into<String>) -> PlanError {
    PlanError::Invalid { field: field.to_owned(), message: message.into() }
}

/// The flow specs that read from `source_spec_id` into the data lake, batch ones first.
pub fn fitting_specs<'a>(specs: &'a [FlowSpec], source_spec_id: &str) -> Vec<&'a FlowSpec> {
    let fits = |s: &&FlowSpec| {
        s.source_spec_ids.iter().any(|id| id.eq_ignore_ascii_case(source_spec_id))
            && s.target_spec_ids.iter().any(|id| id == DATA_LAKE_SPEC)
    };
    let all: Vec<&FlowSpec> = specs.iter().filter(fits).collect();
    let batch: Vec<&FlowSpec> = all
        .iter()
        .copied()
        .filter(|s| s.is_source_flow && s.frequency.eq_ignore_ascii_case("batch"))
        .collect();
    if batch.is_empty() {
        all
    } else {
        batch
    }
}

/// The flow spec of the plan: the one asked for when it fits, the only one that fits, or why
/// not.
pub fn choose_spec<'a>(
    specs: &'a [FlowSpec],
    source_spec_id: &str,
    asked: Option<&str>,
) -> Result<&'a FlowSpec, PlanError> {
    let fitting = fitting_specs(specs, source_spec_id);
    match (asked, fitting.as_slice()) {
        (Some(id), _) => fitting
            .iter()
            .copied()
            .find(|s| s.id == id)
            .ok_or_else(|| PlanError::WrongFlowSpec(id.to_owned())),
        (None, []) => Err(PlanError::NoFlowSpec),
        (None, [only]) => Ok(only),
        (None, several) => Err(PlanError::SeveralFlowSpecs {
            names: several.iter().map(|s| s.name.clone()).collect(),
            ids: several.iter().map(|s| s.id.clone()).collect(),
        }),
    }
}

/// `scheduleParams` as the flow spec's schema types them, checked against it.
pub fn schedule_params(schedule: &SchedulePlan, spec: &FlowSpec, now_s: i64) -> Result<Value, PlanError> {
    let mut params = json!({
        "startTime": schedule.start_time.unwrap_or(now_s),
        "frequency": schedule.frequency,
    });
    if let Some(interval) = schedule.interval {
        params["interval"] = json!(interval);
    }
    if let Some(backfill) = schedule.backfill {
        params["backfill"] = json!(backfill);
    }
    check_against(&spec.schedule_schema, &params, "schedule")?;
    Ok(params)
}

/// The flow's `options`, checked against the spec's `optionSpec`.
pub fn options(plan: &DataflowPlan, spec: &FlowSpec) -> Result<Value, PlanError> {
    let mut options = json!({ "errorDiagnosticsEnabled": plan.error_diagnostics });
    if let Some(percent) = plan.partial_ingestion_percent {
        options["partialIngestionPercent"] = json!(percent);
    }
    check_against(&spec.option_schema, &options, "options")?;
    Ok(options)
}

/// The delta column's transformation params, when the spec has a `Copy` transformation.
pub fn delta_column(plan: &DataflowPlan, spec: &FlowSpec) -> Result<Option<Value>, PlanError> {
    if !spec.needs_delta_column {
        return Ok(None);
    }
    let Some(name) = plan.delta_column.as_deref().filter(|n| !n.is_empty()) else {
        return Err(invalid("deltaColumn", "This flow spec reads new rows by a delta column: pick a timestamp column (one whose values grow as rows change)."));
    };
    if !plan.columns().iter().any(|c| c.name == name) {
        return Err(invalid("deltaColumn", format!("“{name}” is not a column of the source.")));
    }
    let params =
        json!({ "deltaColumn": { "name": name, "dateFormat": "yyyy-MM-dd HH:mm:ss", "timezone": "UTC" } });
    if let Some(schema) = spec
        .transformation_schemas
        .as_array()
        .and_then(|list| list.iter().find(|t| t.get("name").and_then(Value::as_str) == Some("Copy")))
        .and_then(|copy| copy.get("spec"))
    {
        check_against(schema, &params, "deltaColumn")?;
    }
    Ok(Some(params))
}

/// A timestamp column to propose as the delta column: a date-time one whose name says it
/// changes with the row, else the first date-time one.
pub fn proposed_delta_column(plan: &DataflowPlan) -> Option<String> {
    let timestamps: Vec<&str> = plan
        .columns()
        .iter()
        .filter(|c| super::mapping::xdm_kind(c) == "date-time")
        .map(|c| c.name.as_str())
        .collect();
    let telling = ["modif", "updat", "changed", "systemmodstamp", "lastmodified"];
    timestamps
        .iter()
        .find(|name| telling.iter().any(|t| name.to_ascii_lowercase().replace('_', "").contains(t)))
        .or(timestamps.first())
        .map(|s| (*s).to_owned())
}

/// What must hold whatever the flow spec: names, columns, files, the target, the mappings.
pub fn check_plan(plan: &DataflowPlan) -> Result<(), PlanError> {
    if plan.name.trim().is_empty() {
        return Err(invalid("name", "Give the dataflow a name."));
    }
    match &plan.source {
        SourcePlan::Table { path, columns } => {
            if path.trim().is_empty() {
                return Err(invalid("source.path", "Pick a table."));
            }
            if columns.is_empty() {
                return Err(invalid("source.columns", "Keep at least one column."));
            }
        }
        SourcePlan::Files { path, object_type, format, columns, .. } => {
            if path.trim().is_empty() {
                return Err(invalid("source.path", "Pick a file or a folder."));
            }
            if columns.is_empty() {
                return Err(invalid(
                    "source.columns",
                    "Explore one of the files first, so its columns are known.",
                ));
            }
            if !matches!(object_type.as_str(), "file" | "folder") {
                return Err(invalid("source.objectType", "Choose file or folder."));
            }
            if !matches!(format.format.as_str(), "delimited" | "json" | "parquet") {
                return Err(invalid("source.format", "Choose delimited, json or parquet."));
            }
            if format.delimiter.as_ref().is_some_and(|d| d.chars().count() != 1) {
                return Err(invalid(
                    "source.format.delimiter",
                    "A delimiter is one character, such as , or ;.",
                ));
            }
            if format.encoding.as_ref().is_some_and(|e| !matches!(e.as_str(), "UTF-8" | "ISO-8859-1")) {
                return Err(invalid("source.format.encoding", "Choose UTF-8 or ISO-8859-1."));
            }
            let compressions = ["bzip2", "gzip", "deflate", "zipDeflate", "tarGzip", "tar"];
            if format.compression.as_ref().is_some_and(|c| !compressions.contains(&c.as_str())) {
                return Err(invalid(
                    "source.format.compression",
                    format!("Choose one of {}.", compressions.join(", ")),
                ));
            }
        }
    }
    if let TargetPlan::New { dataset_name, schema_title, class_id, identity, profile, profile_confirmed } =
        &plan.target
    {
        if dataset_name.trim().is_empty() {
            return Err(invalid("target.datasetName", "Name the new dataset."));
        }
        if schema_title.trim().is_empty() {
            return Err(invalid("target.schemaTitle", "Name the new schema."));
        }
        if class_id.trim().is_empty() {
            return Err(invalid(
                "target.classId",
                "Pick a class: a record (such as XDM Individual Profile) or a time series.",
            ));
        }
        if let Some(identity) = identity {
            if !plan.columns().iter().any(|c| c.name == identity.column) {
                return Err(invalid(
                    "target.identity.column",
                    format!("“{}” is not a column of the source.", identity.column),
                ));
            }
        }
        if *profile && identity.is_none() {
            return Err(invalid(
                "target.profile",
                "Profile needs a primary identity: pick the column and its namespace.",
            ));
        }
        if *profile && !profile_confirmed {
            return Err(invalid(
                "target.profileConfirmed",
                "Enabling the schema for Profile can never be undone: confirm it (profileConfirmed) to go on.",
            ));
        }
    }
    if let Some(mappings) = &plan.mappings {
        if mappings.is_empty() {
            return Err(invalid("mappings", "Map at least one column."));
        }
        for (i, row) in mappings.iter().enumerate() {
            if row.destination.trim().is_empty() || row.source.trim().is_empty() {
                return Err(invalid(
                    &format!("mappings[{i}]"),
                    "Each mapping needs a source and a target field.",
                ));
            }
        }
    }
    Ok(())
}

fn check_against(schema: &Value, value: &Value, field: &str) -> Result<(), PlanError> {
    if !schema.is_object() {
        return Ok(());
    }
    match json_rules::check(schema, value).into_iter().next() {
        None => Ok(()),
        Some(error) => {
            let at = error.path.trim_start_matches('/');
            let (field, name) = if at.is_empty() {
                (field.to_owned(), field.to_owned())
            } else {
                (format!("{field}.{at}"), at.to_owned())
            };
            Err(PlanError::Invalid { field, message: format!("{name} {}.", error.message) })
        }
    }
}
