//! What the commands share: the core's services (data files, keychain, catalog, HTTP client,
//! per-account tokens) and what only the window needs, the start-up notices it shows once.

use std::path::Path;
use std::sync::Mutex;

use flow_connect_core::config::Endpoints;
use flow_connect_core::services::Services;

use crate::error::CommandError;

pub struct AppState {
    services: Services,
    /// What happened to the data files at start-up, until the UI has shown it.
    pub notices: Mutex<Vec<String>>,
}

impl AppState {
    /// `keychain_service` names the app's keychain entries (the app identifier); the data
    /// files live in `data_dir`, shared with flow-connect-cli. Opening reads those small files
    /// and makes no keychain call.
    pub fn new(endpoints: Endpoints, keychain_service: &str, data_dir: &Path) -> Result<Self, CommandError> {
        let (services, notices) = Services::open(endpoints, keychain_service, data_dir)?;
        Ok(Self { services, notices: Mutex::new(notices) })
    }

    /// Builds the HTTP client in the background while the window loads, so the first request
    /// does not pay for it.
    pub async fn warm_up(&self) {
        // A failure is reported again, with its advice, to the first command that needs HTTP.
        let _ = self.services.http().await;
    }
}

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.services
    }
}
