//! What a form holds: the values typed, keyed by field, and the connection string composed
//! from (or split into) its part fields. The body builder and the request both read these.

use std::collections::BTreeMap;

use super::connection_string;
use super::model::{ConnectionStringPart, FieldError, Param};
use super::validate::check_part;
use crate::adobe::flow::MASK;
use crate::secret::Secret;

/// What the user typed, keyed by param name; for a composed connection string, by part field
/// (`host`, `port`, …), or by the param's own name in raw mode. Every value is treated as
/// possibly secret.
pub type FormValues = BTreeMap<String, Secret>;

/// Whether `field` holds more than blanks.
pub(super) fn has_value(values: &FormValues, field: &str) -> bool {
    values.get(field).is_some_and(|v| !v.expose().trim().is_empty())
}

/// The longest value a field takes: a service account key is a few KiB, a pasted page is not.
pub const MAX_VALUE_BYTES: usize = 64 * 1024;

/// Raw mode (the param's own name holds a pasted string) wins over the parts.
pub(super) fn connection_string_value(
    param: &Param,
    parts: &[ConnectionStringPart],
    values: &FormValues,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    if has_value(values, &param.field) {
        let raw = values.get(&param.field).map(Secret::expose).unwrap_or_default();
        return match split_connection_string(parts, raw) {
            Ok(_) => Some(raw.trim().to_owned()),
            Err(message) => {
                errors.push(FieldError { field: param.field.clone(), message });
                None
            }
        };
    }
    let before = errors.len();
    let mut pairs = Vec::with_capacity(parts.len());
    for part in parts {
        let raw = values.get(&part.field).map(Secret::expose).unwrap_or_default();
        let value = if part.secret { raw } else { raw.trim() };
        if value.is_empty() {
            errors.push(FieldError {
                field: part.field.clone(),
                message: format!("{} is required.", part.label),
            });
        } else if let Some(reason) = check_part(part.kind, value) {
            errors
                .push(FieldError { field: part.field.clone(), message: format!("{}: {reason}", part.label) });
        }
        pairs.push((part.key.as_str(), value));
    }
    (errors.len() == before).then(|| connection_string::compose(pairs))
}

/// Raw mode: splits a pasted connection string into the form's part fields, so the user can
/// switch back to the fields and see what they pasted. The message names positions and known
/// keys only, never text from the string (see [`connection_string::split`]).
pub fn split_connection_string(
    parts: &[ConnectionStringPart],
    raw: &str,
) -> Result<BTreeMap<String, String>, String> {
    connection_string::split(parts, raw).map_err(|e| e.to_string())
}

/// The composed connection string as the form shows it while the user types: every part as
/// it will be sent, except secret parts, which are masked.
pub fn masked_connection_string(parts: &[ConnectionStringPart], values: &FormValues) -> String {
    let shown: Vec<(&str, String)> = parts
        .iter()
        .map(|part| {
            let value = values.get(&part.field).map(Secret::expose).unwrap_or_default();
            let shown = match (part.secret, value.is_empty()) {
                (true, false) => MASK.to_owned(),
                (true, true) => String::new(),
                (false, _) => value.trim().to_owned(),
            };
            (part.key.as_str(), shown)
        })
        .collect();
    connection_string::compose(shown.iter().map(|(key, value)| (*key, value.as_str())))
}
