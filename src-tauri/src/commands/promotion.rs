//! Promotion from the window: a connection exported as code to a file the user picks, and a
//! connection with its dataflows planned and applied in another sandbox or org.

use flow_connect_core::operations::failure::ErrorCode;
use flow_connect_core::operations::{
    AppliedItem, ApplyReport, Drifted, ExportRequest, Operations, PromoteConsentRequest, PromoteRequest,
    PromotionPreview,
};
use flow_connect_core::promotion::{ConsentedSecrets, FinishPromotionConsent};
use tauri::{AppHandle, Emitter, Manager, State};

use super::consent::{opened, ConsentStarted};
use crate::error::CommandError;
use crate::file_dialog;

/// Writes the connection (with its dataflows) as a manifest where the user says; `None`
/// when they cancelled the dialog.
#[tauri::command]
pub async fn export_connection(
    app: AppHandle,
    ops: State<'_, Operations>,
    request: ExportRequest,
) -> Result<Option<String>, CommandError> {
    let exported = ops.promotion().export(&request).await?;
    let folder =
        app.path().download_dir().or_else(|_| app.path().app_data_dir()).map_err(|e| {
            CommandError::new(ErrorCode::Storage, format!("Found no folder to export to ({e})."))
        })?;
    let suggested = folder.join("flow-connect-manifest.yaml");
    let Some(path) = file_dialog::pick_export_target(&app, &suggested, file_dialog::SaveKind::Manifest).await
    else {
        return Ok(None);
    };
    flow_connect_core::store::data_file::write_atomically(&path, exported.manifest.as_bytes()).map_err(
        |e| CommandError::new(ErrorCode::Storage, format!("{} could not be written ({e}).", path.display())),
    )?;
    Ok(Some(path.display().to_string()))
}

/// The connections of a sandbox that drifted from what a manifest applied there.
#[tauri::command]
pub async fn drifted_connections(
    ops: State<'_, Operations>,
    account_id: String,
    sandbox: String,
) -> Result<Vec<Drifted>, CommandError> {
    ops.promotion().drifted(&account_id, &sandbox).await
}

/// What promoting the connection would do in the target sandbox.
#[tauri::command]
pub async fn plan_promotion(
    ops: State<'_, Operations>,
    request: PromoteRequest,
) -> Result<PromotionPreview, CommandError> {
    ops.promotion().plan_promotion(&request).await
}

/// Promotes the connection with its dataflows, step by step: each object's outcome is sent
/// to the window as `promotion-step` as soon as it is known.
#[tauri::command]
pub async fn apply_promotion(
    app: AppHandle,
    ops: State<'_, Operations>,
    request: PromoteRequest,
) -> Result<ApplyReport, CommandError> {
    let step = |item: &AppliedItem| {
        if let Err(e) = app.emit(PROMOTION_STEP, item) {
            tracing::warn!(error = %e, "a promotion step was not shown");
        }
    };
    ops.promotion().apply_promotion(&request, &step).await
}

/// Starts a consent the promotion's plan names (`{consent: true}` fields) and opens its page
/// in the system browser.
#[tauri::command]
pub async fn begin_promotion_consent(
    ops: State<'_, Operations>,
    request: PromoteConsentRequest,
) -> Result<ConsentStarted, CommandError> {
    Ok(opened(ops.promotion().begin_promote_consent(&request).await?))
}

/// Waits for that consent; its tokens stay in the keychain, the window learns where.
#[tauri::command]
pub async fn finish_promotion_consent(
    ops: State<'_, Operations>,
    request: FinishPromotionConsent,
) -> Result<ConsentedSecrets, CommandError> {
    ops.promotion().finish_consent(&request.connection).await
}

/// The event each promotion step is sent as.
const PROMOTION_STEP: &str = "promotion-step";
