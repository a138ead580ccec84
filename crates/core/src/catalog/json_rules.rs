//! The form engine's check of a whole JSON value against a spec's JSON Schema (draft-07):
//! what flow specs use for `scheduleSpec`, `optionSpec` and their transformations, including
//! the object-level `if`/`then`/`else` that makes `interval` required except for `once`.
//! Auth forms are built field by field (`schema.rs`); these bodies are checked whole.
//!
//! The subset: `type`, `enum`, `const`, `minimum`, `maximum`, `exclusiveMinimum`,
//! `exclusiveMaximum`, `minLength`, `maxLength`, `required`, `properties`,
//! `additionalProperties: false`, `items`, `allOf`, `anyOf`, `oneOf`, `not`, and
//! `if`/`then`/`else`. Anything else is not checked here: Adobe checks it again on create.

use serde_json::{Map, Value};

/// The deepest nesting followed: a spec is small; a cycle or a hostile one stops here.
const MAX_DEPTH: usize = 32;

/// One reason the value does not fit, with the field's path (`/interval`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub path: String,
    pub message: String,
}

/// Every reason `value` does not fit `schema`; empty when it does.
pub fn check(schema: &Value, value: &Value) -> Vec<RuleError> {
    let mut errors = Vec::new();
    walk(schema, value, "", 0, &mut errors);
    errors
}

fn fits(schema: &Value, value: &Value, path: &str, depth: usize) -> bool {
    let mut errors = Vec::new();
    walk(schema, value, path, depth, &mut errors);
    errors.is_empty()
}

fn walk(schema: &Value, value: &Value, path: &str, depth: usize, errors: &mut Vec<RuleError>) {
    let Some(schema) = schema.as_object() else { return };
    if depth >= MAX_DEPTH {
        return;
    }
    let mut fail = |message: String| errors.push(RuleError { path: path.to_owned(), message });
    if let Some(kind) = schema.get("type") {
        let kinds: Vec<&str> = match kind {
            Value::String(k) => vec![k.as_str()],
            Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !kinds.is_empty() && !kinds.iter().any(|k| is_type(k, value)) {
            fail(format!("must be {}", kinds.iter().map(|k| article(k)).collect::<Vec<_>>().join(" or ")));
            return;
        }
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array) {
        if !options.contains(value) {
            let shown: Vec<String> = options.iter().map(shown).collect();
            fail(format!("must be one of {}", shown.join(", ")));
        }
    }
    if let Some(only) = schema.get("const") {
        if only != value {
            fail(format!("must be {}", shown(only)));
        }
    }
    if let Some(number) = value.as_f64() {
        let limit = |key: &str| schema.get(key).and_then(Value::as_f64);
        if let Some(min) = limit("minimum").filter(|m| number < *m) {
            fail(format!("must be at least {}", trim(min)));
        }
        if let Some(max) = limit("maximum").filter(|m| number > *m) {
            fail(format!("must be at most {}", trim(max)));
        }
        if let Some(min) = limit("exclusiveMinimum").filter(|m| number <= *m) {
            fail(format!("must be more than {}", trim(min)));
        }
        if let Some(max) = limit("exclusiveMaximum").filter(|m| number >= *m) {
            fail(format!("must be less than {}", trim(max)));
        }
    }
    if let Some(text) = value.as_str() {
        let length = text.chars().count() as u64;
        if let Some(min) = schema.get("minLength").and_then(Value::as_u64).filter(|m| length < *m) {
            fail(format!("must be at least {min} characters long"));
        }
        if let Some(max) = schema.get("maxLength").and_then(Value::as_u64).filter(|m| length > *m) {
            fail(format!("must be at most {max} characters long"));
        }
    }
    if let Some(object) = value.as_object() {
        object_rules(schema, object, path, depth, errors);
    }
    if let (Some(items), Some(list)) = (schema.get("items"), value.as_array()) {
        for (i, item) in list.iter().enumerate() {
            walk(items, item, &format!("{path}/{i}"), depth + 1, errors);
        }
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for part in all {
            walk(part, value, path, depth + 1, errors);
        }
    }
    let push = |errors: &mut Vec<RuleError>, message: &str| {
        errors.push(RuleError { path: path.to_owned(), message: message.to_owned() })
    };
    if let Some(any) = schema.get("anyOf").and_then(Value::as_array) {
        if !any.iter().any(|part| fits(part, value, path, depth + 1)) {
            push(errors, "does not fit any of the allowed forms");
        }
    }
    if let Some(one) = schema.get("oneOf").and_then(Value::as_array) {
        if one.iter().filter(|part| fits(part, value, path, depth + 1)).count() != 1 {
            push(errors, "must fit exactly one of the allowed forms");
        }
    }
    if let Some(not) = schema.get("not") {
        if fits(not, value, path, depth + 1) {
            push(errors, &not_message(not));
        }
    }
    if let Some(condition) = schema.get("if") {
        let branch = if fits(condition, value, path, depth + 1) { "then" } else { "else" };
        if let Some(branch) = schema.get(branch) {
            walk(branch, value, path, depth + 1, errors);
        }
    }
}

fn object_rules(
    schema: &Map<String, Value>,
    object: &Map<String, Value>,
    path: &str,
    depth: usize,
    errors: &mut Vec<RuleError>,
) {
    for key in
        schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str)
    {
        if !object.contains_key(key) {
            errors.push(RuleError { path: format!("{path}/{key}"), message: "is required".into() });
        }
    }
    let properties = schema.get("properties").and_then(Value::as_object);
    for (key, child) in object {
        match properties.and_then(|p| p.get(key)) {
            Some(rule) => walk(rule, child, &format!("{path}/{key}"), depth + 1, errors),
            None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => errors
                .push(RuleError { path: format!("{path}/{key}"), message: "is not allowed here".into() }),
            None => {}
        }
    }
}

/// What a failed `not` means; the common one is "these may not be present" (`not` of an
/// `anyOf` of `required`, as the schedule's `once` branch says).
fn not_message(not: &Value) -> String {
    let required: Vec<&str> = not
        .get("anyOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .chain(std::iter::once(not))
        .filter_map(|part| part.get("required").and_then(Value::as_array))
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if required.is_empty() {
        "is not allowed in this form".into()
    } else {
        format!("may not have {}", required.join(" or "))
    }
}

fn is_type(kind: &str, value: &Value) -> bool {
    match kind {
        "string" => value.is_string(),
        "integer" => value.as_f64().is_some_and(|n| n.fract() == 0.0),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "null" => value.is_null(),
        _ => true,
    }
}

fn article(kind: &str) -> &'static str {
    match kind {
        "string" => "text",
        "integer" => "a whole number",
        "number" => "a number",
        "boolean" => "true or false",
        "object" => "an object",
        "array" => "a list",
        "null" => "empty",
        _ => "of another type",
    }
}

fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => format!("“{s}”"),
        other => other.to_string(),
    }
}

fn trim(number: f64) -> String {
    if number.fract() == 0.0 {
        format!("{}", number as i64)
    } else {
        number.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The schedule schema flow specs publish (reference §6.1).
    fn schedule() -> Value {
        json!({
            "$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
            "properties": {
                "startTime": { "type": "integer" },
                "frequency": { "type": "string", "enum": ["once", "minute", "hour", "day", "week"] },
                "interval": { "type": "integer" },
                "backfill": { "type": "boolean", "default": true },
            },
            "required": ["startTime", "frequency"],
            "if": { "properties": { "frequency": { "const": "once" } } },
            "then": { "allOf": [ { "not": { "required": ["interval"] } }, { "not": { "required": ["backfill"] } } ] },
            "else": {
                "required": ["interval"],
                "if": { "properties": { "frequency": { "const": "minute" } } },
                "then": { "properties": { "interval": { "minimum": 15 } } },
                "else": { "properties": { "interval": { "minimum": 1 } } },
            },
        })
    }

    fn messages(value: Value) -> Vec<String> {
        check(&schedule(), &value).into_iter().map(|e| format!("{} {}", e.path, e.message)).collect()
    }

    #[test]
    fn the_schedule_rules_hold() {
        assert!(messages(json!({ "startTime": 1, "frequency": "hour", "interval": 1 })).is_empty());
        assert!(messages(json!({ "startTime": 1, "frequency": "once" })).is_empty());
        assert_eq!(
            messages(json!({ "startTime": 1, "frequency": "minute", "interval": 5 })),
            ["/interval must be at least 15"]
        );
        assert_eq!(
            messages(json!({ "startTime": 1, "frequency": "once", "interval": 5 })),
            [" may not have interval"]
        );
        assert_eq!(messages(json!({ "startTime": 1, "frequency": "day" })), ["/interval is required"]);
        assert_eq!(
            messages(json!({ "frequency": "fortnight" })),
            [
                "/startTime is required",
                "/frequency must be one of “once”, “minute”, “hour”, “day”, “week”",
                "/interval is required"
            ]
        );
    }

    #[test]
    fn it_agrees_with_a_full_validator_on_the_schedule() {
        let validator = jsonschema::draft7::new(&schedule()).expect("a valid schema");
        for frequency in ["once", "minute", "hour", "day", "week", "year"] {
            for interval in [None, Some(0), Some(1), Some(14), Some(15), Some(60)] {
                for backfill in [None, Some(true)] {
                    let mut value = json!({ "startTime": 1_700_000_000, "frequency": frequency });
                    if let Some(i) = interval {
                        value["interval"] = json!(i);
                    }
                    if let Some(b) = backfill {
                        value["backfill"] = json!(b);
                    }
                    assert_eq!(check(&schedule(), &value).is_empty(), validator.is_valid(&value), "{value}");
                }
            }
        }
    }
}
