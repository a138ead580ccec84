//! The expiry radar for the window: what will stop working and when, soonest first, and the
//! renewal that needs no person.

use flow_connect_core::expiry::Expiring;
use flow_connect_core::operations::Operations;
use flow_connect_core::operations::RenewalResult;
use tauri::State;

use crate::error::CommandError;

/// What ends within `within_days` from now (everything when `None`), or has ended; with the
/// dataflows of each connection when `with_dataflows` (the Credentials screen), from local
/// records only otherwise (the check at start and daily).
#[tauri::command]
pub async fn expiring_credentials(
    ops: State<'_, Operations>,
    within_days: Option<u32>,
    with_dataflows: Option<bool>,
) -> Result<Vec<Expiring>, CommandError> {
    let within = within_days.map(|d| i64::from(d) * 86_400_000);
    Ok(if with_dataflows == Some(true) {
        ops.credentials().expiring_with_dataflows(within).await
    } else {
        ops.credentials().expiring(within).await
    })
}

/// Signs the connection's JWT again with the key kept for it (for `lifetime_days`, or as long
/// as last time), sends it and tests.
#[tauri::command]
pub async fn renew_signed_credential(
    ops: State<'_, Operations>,
    connection_id: String,
    lifetime_days: Option<u32>,
) -> Result<RenewalResult, CommandError> {
    ops.credentials().renew_unattended(&connection_id, lifetime_days).await
}
