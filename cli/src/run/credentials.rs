//! `credentials expiring [--within 14d]`: what will stop working and when, from the expiry
//! radar, soonest first. Exits 10 when anything ends inside the window, so a CI job or a cron
//! entry can alert on it without reading the output.

use std::process::ExitCode;

use flow_connect_core::dates::{civil_date, now_ms};
use flow_connect_core::expiry::{ExpiringWhat, RenewedBy};
use flow_connect_core::operations::failure::Failure;

use super::Ctx;
use crate::args::CredentialsCommand;

/// The exit code when something ends inside the window (args::EXIT_CODES).
const EXPIRING: u8 = 10;
const DAY_MS: i64 = 86_400_000;

pub async fn run(ctx: &Ctx, command: CredentialsCommand) -> Result<ExitCode, Failure> {
    match command {
        CredentialsCommand::Expiring { within } => {
            let found = ctx.ops.credentials().expiring(Some(within.ms)).await;
            ctx.out.result(&serde_json::json!({ "within": within.text, "expiring": found }), |out| {
                if found.is_empty() {
                    return format!("Nothing Flow Connect made ends within {}.", within.text);
                }
                let now = now_ms();
                let rows: Vec<Vec<String>> = found
                    .iter()
                    .map(|e| {
                        vec![
                            civil_date(u64::try_from(e.expires_at.div_euclid(DAY_MS)).unwrap_or(0)),
                            left(e.expires_at, now),
                            what(e.what).into(),
                            e.connection_id.clone(),
                            e.sandbox.clone(),
                            renewal(e.renewal).into(),
                            e.reason.clone(),
                        ]
                    })
                    .collect();
                out.table(&["ENDS (UTC)", "LEFT", "WHAT", "CONNECTION", "SANDBOX", "RENEW BY", "WHY"], &rows)
            });
            Ok(if found.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(EXPIRING) })
        }
    }
}

fn left(at: i64, now: i64) -> String {
    match at - now {
        ms if ms <= 0 => "ended".into(),
        ms if ms < DAY_MS => format!("{} h", (ms + 3_599_999) / 3_600_000),
        ms => format!("{} d", ms / DAY_MS),
    }
}

fn what(what: ExpiringWhat) -> &'static str {
    match what {
        ExpiringWhat::RefreshToken => "refresh token",
        ExpiringWhat::AccessToken => "access token",
        ExpiringWhat::ProviderDeadline => "provider deadline",
    }
}

fn renewal(renewal: RenewedBy) -> &'static str {
    match renewal {
        RenewedBy::Consent => "signing in again",
        RenewedBy::AtTheProvider => "the provider",
    }
}
