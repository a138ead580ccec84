//! Builds `auth.params` from a filled form, typed as the schema says: an integer goes out as
//! a number, a boolean as a boolean, a group as a nested object, a list as an array. Every
//! value is checked on the way; each refusal names its field.

use serde_json::{Map, Value};

use super::model::{AuthMethod, FieldError, Param, ParamKind, VARIANT_FIELD};
use super::validate::{check_kind, check_rules};
use super::values::{connection_string_value, has_value, FormValues, MAX_VALUE_BYTES};
use crate::adobe::flow::AuthParams;
use crate::secret::Secret;

/// The params of `method` from `values`, or nothing where a value was refused (the refusal
/// is pushed onto `errors`).
pub(super) fn build(method: &AuthMethod, values: &FormValues, errors: &mut Vec<FieldError>) -> AuthParams {
    let mut out = AuthParams::default();
    members(&method.params, values, &[], true, errors, &mut out);
    out
}

/// Writes the members `params` of the object at `path` into `out`. `enforce` is false for an
/// optional group the user left empty: its required members are not asked for then.
fn members(
    params: &[Param],
    values: &FormValues,
    path: &[String],
    enforce: bool,
    errors: &mut Vec<FieldError>,
    out: &mut AuthParams,
) {
    for param in params.iter().filter(|p| !p.hidden || has_value(values, &p.field)) {
        let mut here = path.to_vec();
        here.push(param.name.clone());
        match &param.kind {
            ParamKind::Group { params: inner } => {
                let used = param.required || any_value(inner, values);
                if used && enforce {
                    // A required group is sent even when none of its members is filled in.
                    out.insert_at(&here, Value::Object(Map::new()), false);
                    members(inner, values, &here, true, errors, out);
                }
            }
            ParamKind::Variants { variants } => {
                let picked = values.get(&param.field).map(|v| v.expose().trim()).unwrap_or_default();
                let index = if picked.is_empty() { Some(0) } else { picked.parse::<usize>().ok() };
                let Some(variant) = index.and_then(|i| variants.get(i)) else {
                    errors.push(FieldError {
                        field: param.field.clone(),
                        message: format!("{}: pick one of the listed kinds.", param.label),
                    });
                    continue;
                };
                // A whole-spec choice (no name) puts its members beside the spec's own.
                let at = if param.name.is_empty() { path.to_vec() } else { here };
                let used = param.required || any_value(&variant.params, values);
                if used && enforce {
                    if !param.name.is_empty() {
                        out.insert_at(&at, Value::Object(Map::new()), false);
                    }
                    members(&variant.params, values, &at, true, errors, out);
                }
            }
            ParamKind::ConnectionString { parts } => {
                if let Some(value) = connection_string_value(param, parts, values, errors) {
                    out.insert_at(&here, Value::String(value), param.secret);
                }
            }
            _ => {
                if let Some(value) = leaf_value(param, values, enforce, errors) {
                    out.insert_at(&here, value, param.secret);
                }
            }
        }
    }
}

/// Whether the user typed anything below these params (a choice left at its first variant
/// does not count).
fn any_value(params: &[Param], values: &FormValues) -> bool {
    params.iter().any(|p| match &p.kind {
        ParamKind::Group { params } => any_value(params, values),
        ParamKind::Variants { variants } => variants.iter().any(|v| any_value(&v.params, values)),
        _ => has_value(values, &p.field) && p.field != VARIANT_FIELD,
    })
}

/// The typed value of one leaf param, `None` when it is empty or refused.
fn leaf_value(
    param: &Param,
    values: &FormValues,
    enforce: bool,
    errors: &mut Vec<FieldError>,
) -> Option<Value> {
    let raw = values.get(&param.field).map(Secret::expose).unwrap_or_default();
    let refuse = |errors: &mut Vec<FieldError>, reason: String| {
        errors.push(FieldError { field: param.field.clone(), message: format!("{}: {reason}", param.label) });
    };
    if raw.len() > MAX_VALUE_BYTES {
        refuse(errors, format!("it is longer than {} KiB: enter only its value.", MAX_VALUE_BYTES / 1024));
        return None;
    }
    // Secrets are taken exactly as typed: a password may well begin with a space.
    let value = if param.secret { raw } else { raw.trim() };
    if value.trim().is_empty() {
        if param.kind == ParamKind::Boolean && param.required {
            // A check box left alone is a "no", and a required one must still be sent.
            return Some(Value::Bool(false));
        }
        if param.required && enforce {
            errors.push(FieldError {
                field: param.field.clone(),
                message: format!("{} is required.", param.label),
            });
        }
        return None;
    }
    if let Some(reason) = check_kind(&param.kind, value).or_else(|| check_rules(param, value)) {
        refuse(errors, reason);
        return None;
    }
    match typed(&param.kind, value) {
        Ok(typed) => Some(typed),
        Err(reason) => {
            refuse(errors, reason);
            None
        }
    }
}

/// The JSON value of a checked text.
fn typed(kind: &ParamKind, value: &str) -> Result<Value, String> {
    use base64::Engine as _;
    Ok(match kind {
        ParamKind::Integer => {
            Value::from(value.parse::<i64>().map_err(|_| "enter a whole number.".to_owned())?)
        }
        ParamKind::Number => {
            let number = value.parse::<f64>().ok().and_then(serde_json::Number::from_f64);
            Value::Number(number.ok_or_else(|| "enter a number.".to_owned())?)
        }
        ParamKind::Boolean => Value::Bool(value == "true"),
        ParamKind::Choice { json: true, .. } | ParamKind::Json { .. } => {
            serde_json::from_str(value).map_err(|_| "enter valid JSON.".to_owned())?
        }
        ParamKind::List => Value::Array(
            value
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(|l| Value::String(l.to_owned()))
                .collect(),
        ),
        ParamKind::FileBase64 { .. } => {
            Value::String(base64::engine::general_purpose::STANDARD.encode(value))
        }
        _ => Value::String(value.to_owned()),
    })
}
