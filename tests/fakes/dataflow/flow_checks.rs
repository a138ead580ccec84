//! The checks a flow's parts go through, on create and on every `PATCH`: `scheduleParams`
//! against the flow spec's periodic schedule (values as numbers or as the decimal strings the
//! tutorials send), `options` against its option spec, and `transformations` against its
//! transformation specs and the objects they name.

use serde_json::{json, Value};

use super::{boolean, integer, number, text, Dataflow};

const FREQUENCIES: [&str; 5] = ["once", "minute", "hour", "day", "week"];

/// `scheduleParams`: `startTime` and `frequency` required; `once` takes neither `interval`
/// nor `backfill`; otherwise `interval` is required, at least 15 for `minute` and 1 else.
pub(super) fn check_schedule(params: &Value) -> Result<(), String> {
    let params = params.as_object().ok_or("scheduleParams must be an object")?;
    let start = params.get("startTime").ok_or("scheduleParams.startTime is required")?;
    integer(start).ok_or("scheduleParams.startTime must be an integer (epoch seconds)")?;
    let frequency = params.get("frequency").ok_or("scheduleParams.frequency is required")?;
    let frequency = frequency.as_str().filter(|f| FREQUENCIES.contains(f)).ok_or_else(|| {
        format!("scheduleParams.frequency must be one of {}, not {frequency}", FREQUENCIES.join(", "))
    })?;
    if frequency == "once" {
        if params.contains_key("interval") || params.contains_key("backfill") {
            return Err("A schedule of frequency once takes neither interval nor backfill".into());
        }
        return Ok(());
    }
    let interval =
        params.get("interval").ok_or("scheduleParams.interval is required unless frequency is once")?;
    let interval = integer(interval).ok_or("scheduleParams.interval must be an integer")?;
    let minimum = if frequency == "minute" { 15 } else { 1 };
    if interval < minimum {
        return Err(format!("scheduleParams.interval must be at least {minimum} for frequency {frequency}"));
    }
    if let Some(backfill) = params.get("backfill") {
        boolean(backfill).ok_or("scheduleParams.backfill must be a boolean")?;
    }
    Ok(())
}

/// `startTime` in epoch seconds, when the schedule has one.
pub(super) fn start_time(params: &Value) -> Option<i64> {
    params.get("startTime").and_then(integer)
}

/// `options` checked and normalised as Flow Service stores them (`"10"` becomes `10`).
pub(super) fn check_options(options: &Value) -> Result<Value, String> {
    let mut options = options.as_object().cloned().ok_or("options must be an object")?;
    if let Some(percent) = options.get("partialIngestionPercent") {
        let percent = number(percent)
            .filter(|p| *p > 0.0)
            .ok_or("options.partialIngestionPercent must be a number greater than 0")?;
        options.insert("partialIngestionPercent".into(), json!(percent));
    }
    if options.get("errorDiagnosticsEnabled").is_some_and(|e| !e.is_boolean()) {
        return Err("options.errorDiagnosticsEnabled must be a boolean".into());
    }
    Ok(Value::Object(options))
}

/// The names of the transformations the flow spec describes.
fn spec_names(spec: &Value) -> Vec<&str> {
    spec["transformationSpecs"].as_array().into_iter().flatten().filter_map(|t| t["name"].as_str()).collect()
}

/// `transformations` against the flow spec and the sandbox's mapping sets; `complete` when the
/// flow is not a draft, so that each transformation its spec describes must be there.
pub(super) fn check_transformations(
    df: &Dataflow,
    sandbox: &str,
    spec: &Value,
    transformations: &Value,
    sources: &[&Value],
    complete: bool,
) -> Result<(), String> {
    let list = transformations.as_array().ok_or("transformations must be an array")?;
    let names = spec_names(spec);
    for (i, transformation) in list.iter().enumerate() {
        let name = transformation["name"].as_str().unwrap_or_default();
        if !names.contains(&name) {
            return Err(format!(
                "transformations[{i}]: '{name}' is not a transformation of flow spec {} ({})",
                spec["name"],
                names.join(", ")
            ));
        }
        let params = &transformation["params"];
        match name {
            "Mapping" => {
                check_mapping(df, sandbox, params).map_err(|e| format!("transformations[{i}]: {e}"))?
            }
            "Copy" => check_copy(params, sources).map_err(|e| format!("transformations[{i}]: {e}"))?,
            _ => {}
        }
    }
    if complete {
        for needed in names {
            if !list.iter().any(|t| t["name"] == needed) {
                return Err(format!("transformations must include {needed} for flow spec {}", spec["name"]));
            }
        }
    }
    Ok(())
}

fn check_mapping(df: &Dataflow, sandbox: &str, params: &Value) -> Result<(), String> {
    let id = text(params, "/mappingId").ok_or("Mapping needs params.mappingId")?;
    if !df.mapping_sets.iter().any(|m| m["id"] == id && m["sandboxName"] == sandbox) {
        return Err(format!("mappingId {id} is not a mapping set of this sandbox"));
    }
    if let Some(version) = params.get("mappingVersion") {
        let version = integer(version).ok_or("mappingVersion must be a whole number")?;
        if !df.mapping_versions.iter().any(|m| m["id"] == id && m["version"] == version) {
            return Err(format!("mapping set {id} has no version {version}"));
        }
    }
    Ok(())
}

fn check_copy(params: &Value, sources: &[&Value]) -> Result<(), String> {
    let column = text(params, "/deltaColumn/name").ok_or("Copy needs params.deltaColumn.name")?;
    for source in sources.iter().filter(|s| s["data"]["format"] == "tabular") {
        let columns = source["params"]["columns"].as_array().into_iter().flatten();
        if !columns.clone().any(|c| c["name"] == column) {
            let known: Vec<&str> = columns.filter_map(|c| c["name"].as_str()).collect();
            return Err(format!(
                "deltaColumn '{column}' is not a column of source connection {} ({})",
                source["id"],
                known.join(", ")
            ));
        }
    }
    Ok(())
}
