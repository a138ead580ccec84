//! The connections of a sandbox: preview, create, test, list, rename, delete. Each command
//! reads its request and calls core's connections door.

use flow_connect_core::adobe::flow::{ConnectionPage, Created, RequestPreview, TestOutcome};
use flow_connect_core::operations::{
    ConnectionRequest, ConnectionTarget, CredentialsChecked, JwtRequest, JwtSigned, KeyFormRequest,
    KeyPairMade, ListRequest, ListSize, MintRequest, RenameRequest, TokenMinted,
};
use tauri::State;

use crate::error::CommandError;
use flow_connect_core::operations::Operations;

/// The exact body and a curl command, secrets masked.
#[tauri::command]
pub async fn preview_connection(
    ops: State<'_, Operations>,
    request: ConnectionRequest,
) -> Result<RequestPreview, CommandError> {
    ops.connections().preview(&request).await
}

#[tauri::command]
pub async fn create_connection(
    ops: State<'_, Operations>,
    request: ConnectionRequest,
) -> Result<Created, CommandError> {
    ops.connections().create(&request).await
}

/// The form's client credentials tried at their own provider, before anything goes to Adobe.
#[tauri::command]
pub async fn check_credentials(
    ops: State<'_, Operations>,
    request: ConnectionRequest,
) -> Result<CredentialsChecked, CommandError> {
    ops.connections().check_credentials(&request).await
}

/// A key pair for the form's key-pair sign-in: the private key into the keychain.
#[tauri::command]
pub async fn make_key_pair(
    ops: State<'_, Operations>,
    request: KeyFormRequest,
) -> Result<KeyPairMade, CommandError> {
    ops.connections().make_key_pair(&request).await
}

/// An access token minted with the client's credentials for the form.
#[tauri::command]
pub async fn mint_token(
    ops: State<'_, Operations>,
    request: MintRequest,
) -> Result<TokenMinted, CommandError> {
    ops.connections().mint_token(&request).await
}

/// The form's JWT credential, signed here.
#[tauri::command]
pub async fn sign_jwt(ops: State<'_, Operations>, request: JwtRequest) -> Result<JwtSigned, CommandError> {
    ops.connections().sign_jwt(&request).await
}

#[tauri::command]
pub async fn test_connection(
    ops: State<'_, Operations>,
    request: ConnectionTarget,
) -> Result<TestOutcome, CommandError> {
    ops.connections().test(&request).await
}

/// One page of the connections in a sandbox, optionally of one source only.
#[tauri::command]
pub async fn list_connections(
    ops: State<'_, Operations>,
    request: ListRequest,
) -> Result<ConnectionPage, CommandError> {
    ops.connections().list(&request, ListSize::Page).await
}

/// Renames with the etag as listed; a stale one is refreshed and the rename tried once more.
#[tauri::command]
pub async fn rename_connection(
    ops: State<'_, Operations>,
    request: RenameRequest,
) -> Result<Created, CommandError> {
    ops.connections().rename(&request).await
}

#[tauri::command]
pub async fn delete_connection(
    ops: State<'_, Operations>,
    request: ConnectionTarget,
) -> Result<(), CommandError> {
    ops.connections().delete(&request).await
}
