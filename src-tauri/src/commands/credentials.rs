//! The expiry radar for the window: what will stop working and when, soonest first.

use flow_connect_core::expiry::Expiring;
use flow_connect_core::operations::Operations;
use tauri::State;

use crate::error::CommandError;

/// What ends within `within_days` from now (everything when `None`), or has ended.
#[tauri::command]
pub async fn expiring_credentials(
    ops: State<'_, Operations>,
    within_days: Option<u32>,
) -> Result<Vec<Expiring>, CommandError> {
    Ok(ops.credentials().expiring(within_days.map(|d| i64::from(d) * 86_400_000)).await)
}
