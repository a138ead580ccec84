//! What the user is told about the process's files and endpoints: the data files' notices (each
//! said once) and the endpoints a `FLOW_CONNECT_*_URL` moved away from Adobe's and Google's.

use serde::Serialize;
use ts_rs::TS;

use super::Operations;
use crate::config;

/// What the window tells the user: the data files' notices, and the endpoints moved away from
/// Adobe's and Google's own addresses.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Notices {
    /// Each said once: what happened at start-up, and any file another process made unreadable
    /// since (a newer flow-connect-cli rewrote it); asking again later finds the new ones.
    pub notice: Option<String>,
    /// Every `FLOW_CONNECT_*_URL` in force that differs from the default (the window keeps
    /// them in a banner, since the account's secret goes there). Sent with the notices, which
    /// the window asks for at start anyway, so the banner costs no IPC round trip of its own.
    pub moved_endpoints: Vec<MovedEndpoint>,
}

/// One endpoint a `FLOW_CONNECT_*_URL` variable moved.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MovedEndpoint {
    /// The variable that set it, such as `FLOW_CONNECT_IMS_URL`.
    pub var: String,
    pub url: String,
    /// What Flow Connect asks there, in the user's words.
    pub what: String,
}

impl Operations {
    /// What the user should be told about the data files, each said once: what happened at
    /// start-up, then any file another process made unreadable since (a newer Flow Connect
    /// wrote it: changes to it are refused until this one is updated).
    pub fn take_notices(&self) -> Vec<String> {
        let mut notices =
            std::mem::take(&mut *self.notices.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        let refused = [
            ("Your Adobe accounts", self.accounts.take_notice()),
            ("Your saved profiles", self.profiles.take_notice()),
            ("Where your connections came from", self.origins.take_notice()),
        ];
        for (what, refused) in refused {
            if let Some(refused) = refused {
                notices.push(format!("{what}: {refused}"));
            }
        }
        notices
    }

    /// The notices not said yet, and the endpoints in force that differ from the defaults.
    pub fn notices(&self) -> Notices {
        let text = self.take_notices().join(" ");
        let moved_endpoints = self
            .endpoints
            .overridden()
            .into_iter()
            .map(|(var, url)| MovedEndpoint {
                var: var.to_owned(),
                url,
                what: config::purpose(var).to_owned(),
            })
            .collect();
        Notices { notice: (!text.is_empty()).then_some(text), moved_endpoints }
    }
}
