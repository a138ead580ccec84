//! The commands the UI invokes. Each one is an adapter: it unpacks its arguments, calls the
//! core, and turns the outcome into data or a `{code, message}` error.

use std::collections::BTreeMap;

use flow_connect_core::catalog::{
    self, builtin_source, builtin_sources, AuthMethod, FieldError, FormValues, Param, ParamKind, Source,
};
use flow_connect_core::Secret;

use crate::error::{CommandError, ErrorCode};

/// The source catalog as built in; signed-in views refine it with the live specs.
#[tauri::command]
pub fn list_sources() -> Result<Vec<Source>, CommandError> {
    Ok(builtin_sources().to_vec())
}

/// Checks a form as the user types; an empty list means every value is accepted.
#[tauri::command]
pub fn validate_form(
    spec_id: String,
    spec_name: String,
    values: FormValues,
) -> Result<Vec<FieldError>, CommandError> {
    Ok(catalog::validate(auth_method(&spec_id, &spec_name)?, &values))
}

/// The connection string composed from its part fields, secret parts masked.
#[tauri::command]
pub fn compose_connection_string(
    spec_id: String,
    spec_name: String,
    param: String,
    values: FormValues,
) -> Result<String, CommandError> {
    let parts = connection_string_parts(&spec_id, &spec_name, &param)?;
    Ok(catalog::masked_connection_string(parts, &values))
}

/// Raw mode: a pasted connection string split into the part fields.
#[tauri::command]
pub fn split_connection_string(
    spec_id: String,
    spec_name: String,
    param: String,
    raw: Secret,
) -> Result<BTreeMap<String, String>, CommandError> {
    let parts = connection_string_parts(&spec_id, &spec_name, &param)?;
    catalog::split_connection_string(parts, raw.expose())
        .map_err(|message| CommandError::new(ErrorCode::Validation, message))
}

fn auth_method(spec_id: &str, spec_name: &str) -> Result<&'static AuthMethod, CommandError> {
    builtin_source(spec_id).and_then(|source| source.auth_method(spec_name)).ok_or_else(|| {
        CommandError::new(
            ErrorCode::UnknownSource,
            "This source or sign-in method is not in the catalog: pick it again from the list.",
        )
    })
}

fn connection_string_parts(
    spec_id: &str,
    spec_name: &str,
    param: &str,
) -> Result<&'static [catalog::ConnectionStringPart], CommandError> {
    let method = auth_method(spec_id, spec_name)?;
    match method.params.iter().find(|p| p.name == param).map(|p: &Param| &p.kind) {
        Some(ParamKind::ConnectionString { parts }) => Ok(parts),
        _ => Err(CommandError::new(
            ErrorCode::UnknownSource,
            format!("{param} is not a connection string of this source."),
        )),
    }
}
