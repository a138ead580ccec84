//! `credentials expiring [--within 14d]`: what will stop working and when, from the expiry
//! radar, soonest first, with the dataflows that depend on each. Exits 10 when anything ends
//! inside the window, so a CI job or a cron entry can alert on it without reading the output.
//! `credentials renew --due`: renews what needs no person, and lists the rest with what to run.

use std::process::ExitCode;

use flow_connect_core::dates::{civil_date, now_ms};
use flow_connect_core::expiry::{Expiring, ExpiringWhat, RenewedBy};
use flow_connect_core::operations::failure::{ErrorCode, Failure};
use flow_connect_core::operations::RenewalResult;

use super::Ctx;
use crate::args::CredentialsCommand;

/// The exit code when something ends inside the window (args::EXIT_CODES).
const EXPIRING: u8 = 10;
const DAY_MS: i64 = 86_400_000;

pub async fn run(ctx: &Ctx, command: CredentialsCommand) -> Result<ExitCode, Failure> {
    match command {
        CredentialsCommand::Expiring { within } => {
            let found = ctx.ops.credentials().expiring_with_dataflows(Some(within.ms)).await;
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
                            flows(e),
                            e.reason.clone(),
                        ]
                    })
                    .collect();
                out.table(
                    &["ENDS (UTC)", "LEFT", "WHAT", "CONNECTION", "SANDBOX", "RENEW BY", "DATAFLOWS", "WHY"],
                    &rows,
                )
            });
            Ok(if found.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(EXPIRING) })
        }
        CredentialsCommand::Renew { due: _, within } => {
            let reports = ctx.ops.credentials().renew_due(within.ms).await;
            for report in &reports {
                if let RenewalResult::Renewed { .. } = report.result {
                    ctx.out.progress(&format!(
                        "Renewed {} ({}).",
                        report.item.connection_id,
                        what(report.item.what)
                    ));
                }
            }
            ctx.out.result(&serde_json::json!({ "within": within.text, "renewals": reports }), |out| {
                if reports.is_empty() {
                    return format!("Nothing Flow Connect made ends within {}.", within.text);
                }
                let rows: Vec<Vec<String>> = reports
                    .iter()
                    .map(|r| {
                        let (state, next) = match &r.result {
                            RenewalResult::Renewed { expires_at, test, note } => (
                                "renewed".to_owned(),
                                format!(
                                    "ends {}; test {}{}",
                                    civil_date(u64::try_from(expires_at.div_euclid(DAY_MS)).unwrap_or(0)),
                                    test.as_ref()
                                        .map_or("not run".to_owned(), |t| format!("{t:?}").to_lowercase()),
                                    note.as_ref().map(|n| format!(" ({n})")).unwrap_or_default()
                                ),
                            ),
                            RenewalResult::NeedsPerson { next } => ("left".to_owned(), next.clone()),
                            RenewalResult::Failed { message } => ("failed".to_owned(), message.clone()),
                        };
                        vec![r.item.connection_id.clone(), what(r.item.what).into(), state, next]
                    })
                    .collect();
                out.table(&["CONNECTION", "WHAT", "RESULT", "NEXT"], &rows)
            });
            if reports.iter().any(|r| matches!(r.result, RenewalResult::Failed { .. })) {
                return Err(Failure::new(
                    ErrorCode::AdobeRejected,
                    "A renewal failed: see its message above; the others ran.",
                ));
            }
            let left = reports.iter().any(|r| matches!(r.result, RenewalResult::NeedsPerson { .. }));
            Ok(if left { ExitCode::from(EXPIRING) } else { ExitCode::SUCCESS })
        }
    }
}

fn flows(item: &Expiring) -> String {
    match &item.dataflows {
        None => "?".into(),
        Some(flows) if flows.is_empty() => "none".into(),
        Some(flows) => flows.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", "),
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
        ExpiringWhat::SignedJwt => "signed JWT",
        ExpiringWhat::ClientSecret => "client secret",
    }
}

fn renewal(renewal: RenewedBy) -> &'static str {
    match renewal {
        RenewedBy::Consent => "signing in again",
        RenewedBy::AtTheProvider => "the provider",
        RenewedBy::Unattended => "Flow Connect (renew --due)",
    }
}
