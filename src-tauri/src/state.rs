//! What the commands share: the core's services (data files, keychain, catalog, HTTP client,
//! per-account tokens). The notices the window shows once (start-up, and files another
//! process made unreadable since) come from `Operations::take_notices`.

use std::path::Path;

use flow_connect_core::config::Endpoints;
use flow_connect_core::operations::Operations;

use crate::error::CommandError;

pub struct AppState {
    services: Operations,
}

impl AppState {
    /// `keychain_service` names the app's keychain entries (the app identifier); the data
    /// files live in `data_dir`, shared with flow-connect-cli. Opening reads those small files
    /// and makes no keychain call.
    pub fn new(endpoints: Endpoints, keychain_service: &str, data_dir: &Path) -> Result<Self, CommandError> {
        // The start-up notices are handed out again by `take_notices`, with later ones.
        let (services, _) = Operations::open(endpoints, keychain_service, data_dir)?;
        Ok(Self { services })
    }

    /// Builds the HTTP client in the background while the window loads, so the first request
    /// does not pay for it.
    pub async fn warm_up(&self) {
        // A failure is reported again, with its advice, to the first command that needs HTTP.
        let _ = self.services.http().await;
    }
}

impl std::ops::Deref for AppState {
    type Target = Operations;

    fn deref(&self) -> &Operations {
        &self.services
    }
}
