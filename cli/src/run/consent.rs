//! `consent --profile NAME`: Google's consent for a BigQuery profile, or a REST API
//! provider's for an OAuth 2 profile, from a terminal. The browser opens on the consent page
//! (or, with `--no-browser`, the address is printed and the address the browser ended on is
//! pasted back); the tokens go to the profile's keychain entries and are never shown.

use std::io::IsTerminal as _;
use std::process::ExitCode;

use flow_connect_core::config;
use flow_connect_core::oauth::google::MAX_PASTED_LEN;
use flow_connect_core::operations::failure::{ErrorCode, Failure};
use flow_connect_core::operations::form_consent::{ProfileConsentRequest, Started};
use flow_connect_core::Secret;

use super::Ctx;
use crate::args::ConsentArgs;
use crate::{output, secrets};

pub async fn run(ctx: &Ctx, args: ConsentArgs) -> Result<ExitCode, Failure> {
    let door = ctx.ops.consent();
    let asked = ProfileConsentRequest {
        profile: args.profile.clone(),
        scopes: args.scopes.clone(),
        authorization_url: args.authorization_url.clone(),
        redirect_uri: args.redirect_uri.clone(),
    };
    let mut consent = door.for_profile(asked).await?;
    consent.given = secrets::read_all(&args.secrets.secrets, Some(&consent.source))?.into_iter().collect();
    say_where_the_secret_goes(ctx, &consent.token_url);
    let started = door.begin_for_profile(&consent).await?;
    hand_over(ctx, &started, args.no_browser).await?;
    let (kept, finished) = door.finish_for_profile(&consent).await?;
    let fields = finished.stored.fields;
    ctx.out.result(
        &serde_json::json!({ "profile": kept.id, "stored": fields, "scopes": finished.scopes, "expirationDate": finished.expiration_date }),
        |_| format!("Signed in. The profile “{}” now holds {} in the keychain.", kept.name, fields.join(", ")),
    );
    Ok(ExitCode::SUCCESS)
}

/// The profile may come from someone else's export: say where its client secret will go
/// before anything is sent, also with --json.
fn say_where_the_secret_goes(ctx: &Ctx, token_url: &str) {
    if !token_url.is_empty() {
        ctx.out.notice(&format!(
            "The client secret and the consent's code go to the token address {}. Stop here (Ctrl-C) if that is not your provider's.",
            output::clean(&config::shown_text(token_url))
        ));
    }
}

/// The user's part of a consent just begun: the page opened in a browser (the answer then
/// comes to the loopback listener), or its address printed and the one the browser ended on
/// read from standard input and handed to the waiting consent.
pub(super) async fn hand_over(ctx: &Ctx, started: &Started, no_browser: bool) -> Result<(), Failure> {
    if show_address(started, no_browser) {
        ctx.out.progress("The consent page is open in your browser; waiting for you to allow access…");
        return Ok(());
    }
    let pasted = tokio::task::spawn_blocking(read_pasted);
    let pasted = pasted.await.map_err(|e| Failure::new(ErrorCode::Validation, e.to_string()))??;
    ctx.ops.consent().paste(&pasted)
}

/// Opens the consent page in a browser unless told not to (or nothing can listen), and prints
/// its address either way: over SSH, or without a desktop, the browser may open nowhere the
/// user can see. Returns whether a browser was asked to open it; else the user pastes.
fn show_address(started: &Started, no_browser: bool) -> bool {
    let opened = !no_browser && started.paste_only.is_none() && open::that_detached(&started.url).is_ok();
    output::write_err(&format!(
        "Open this address in a browser and allow access{}:\n\n{}\n",
        if opened { " (your browser should show it already)" } else { "" },
        output::clean(&started.url)
    ));
    if !opened {
        if let Some(why) = &started.paste_only {
            output::write_err(&output::clean_lines(why));
        }
        output::write_err("Then paste the address the browser ended on:");
    }
    opened
}

/// One line from standard input: without echo on a terminal (it carries a one-time code).
fn read_pasted() -> Result<Secret, Failure> {
    let line = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Address: ")
            .map_err(|e| Failure::new(ErrorCode::Validation, e.to_string()))?
    } else {
        // At most one byte over the cap is read: core refuses the paste as too long.
        let mut line = String::new();
        let mut limited = std::io::Read::take(std::io::stdin().lock(), MAX_PASTED_LEN as u64 + 1);
        std::io::BufRead::read_line(&mut limited, &mut line)
            .map_err(|e| Failure::new(ErrorCode::Validation, e.to_string()))?;
        line
    };
    let line = line.trim().to_owned();
    if line.is_empty() {
        return Err(Failure::new(
            ErrorCode::Cancelled,
            "Nothing was pasted, so the consent was not finished.",
        ));
    }
    Ok(Secret::new(line))
}
