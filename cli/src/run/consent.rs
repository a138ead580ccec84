//! `consent --profile NAME`: Google's consent for a BigQuery profile, or a REST API
//! provider's for an OAuth 2 profile, from a terminal. The browser opens on the consent page
//! (or, with `--no-browser`, the address is printed and the address the browser ended on is
//! pasted back); the tokens go to the profile's keychain entries and are never shown.

use std::io::IsTerminal as _;
use std::process::ExitCode;

use flow_connect_core::catalog::{ConsentKind, FormValues};
use flow_connect_core::config;
use flow_connect_core::oauth::google::MAX_PASTED_LEN;
use flow_connect_core::operations::failure::{ErrorCode, Failure};
use flow_connect_core::operations::form_consent::{self, ConsentRequest};
use flow_connect_core::operations::renew;
use flow_connect_core::Secret;

use super::Ctx;
use crate::args::ConsentArgs;
use crate::{output, secrets};

pub async fn run(ctx: &Ctx, args: ConsentArgs) -> Result<ExitCode, Failure> {
    let services = &ctx.services;
    let profile = services.profiles.find(&args.profile).await?;
    let source = services.source(None, &profile.spec_id)?;
    // Which consent fills the tokens is the catalog's rule, the window's too.
    let kind = source.auth_method(&profile.spec_name).map_or(ConsentKind::None, |m| m.consent.clone());
    let google_scope = match kind {
        ConsentKind::Google { scope } => Some(scope),
        ConsentKind::Rest => None,
        ConsentKind::None => {
            return Err(Failure::new(
                ErrorCode::Validation,
                format!(
                    "The profile “{}” signs in with “{}” of {}, which takes its tokens as typed values, not from a consent. Give them with `create --profile … --secret FIELD=env:VARIABLE`.",
                    output::clean(&profile.name),
                    output::clean(&profile.spec_name),
                    source.display_name
                ),
            ))
        }
    };
    let google = google_scope.is_some();
    let token_url = if google {
        services.google_endpoints().token.to_string()
    } else {
        profile.values.get("accessTokenUrl").cloned().unwrap_or_default()
    };
    let provider = if google {
        None
    } else {
        let authorization = args.authorization_url.clone().ok_or_else(|| {
            Failure::new(
                ErrorCode::Validation,
                "Give the provider's authorization URL with --authorization-url.",
            )
        })?;
        Some((authorization, token_url.clone()))
    };
    let given = secrets::read_all(&args.secrets.secrets, Some(&source))?;
    let given: FormValues = given.into_iter().collect();
    let client_secret = given.get("clientSecret").cloned().unwrap_or_else(|| Secret::new(String::new()));
    let (stored, _) = services.profiles.stored_secrets(&profile).await?;
    let scopes = args.scopes.clone().or(google_scope).unwrap_or_default();
    // The profile may come from someone else's export: say where its client secret will go
    // before anything is sent, also with --json.
    if !token_url.is_empty() {
        ctx.out.notice(&format!(
            "The client secret and the consent's code go to the token address {}. Stop here (Ctrl-C) if that is not your provider's.",
            output::clean(&config::shown_text(&token_url))
        ));
    }
    let request = ConsentRequest {
        source: source.clone(),
        provider,
        client_id: profile.values.get("clientId").cloned().unwrap_or_default(),
        client_secret,
        scopes,
        redirect_uri: args.redirect_uri.clone(),
        stored: Some(stored),
    };
    let started =
        form_consent::begin(&services.consent, request, services.google_endpoints(), services.keychain())
            .await?;
    let opened =
        !args.no_browser && started.paste_only.is_none() && open::that_detached(&started.url).is_ok();
    // The address is always printed, also when a browser was asked to open it: over SSH, or
    // without a desktop, the browser may open nowhere the user can see.
    output::write_err(&format!(
        "Open this address in a browser and allow access{}:\n\n{}\n",
        if opened { " (your browser should show it already)" } else { "" },
        output::clean(&started.url)
    ));
    let paste = !opened;
    if paste {
        if let Some(why) = &started.paste_only {
            output::write_err(&output::clean_lines(why));
        }
        output::write_err("Then paste the address the browser ended on:");
        let reader = tokio::task::spawn_blocking(read_pasted);
        let pasted = reader.await.map_err(|e| Failure::new(ErrorCode::Validation, e.to_string()))??;
        form_consent::paste(&services.consent, pasted.expose())?;
    } else {
        ctx.out.progress("The consent page is open in your browser; waiting for you to allow access…");
    }
    let http = services.http().await?;
    let finished =
        form_consent::finish(&services.consent, &http, &services.google_endpoints(), services.keychain())
            .await?;
    // A client secret given on the command line is kept with the tokens: the profile needs
    // both to create the connection.
    let kept = match renew::update_profile(
        &services.profiles,
        &source,
        &profile.id,
        &given,
        Some(finished.stored.clone()),
    )
    .await
    {
        Ok(kept) => kept,
        Err(e) => {
            // Nobody would hold the new refresh token: revoke it.
            form_consent::abandon(&finished, &http, &services.google_endpoints(), services.keychain()).await;
            return Err(e.into());
        }
    };
    // The profile holds copies now; the consent's own set is no longer needed.
    if !finished.stored.is_profile_set() {
        if let Err(e) = services.sets.discard(&finished.stored.set).await {
            tracing::warn!(error = %e, "the consent's secret set is left for the app's start-up sweep");
        }
    }
    if let Some(issue) = &finished.issued {
        if let Err(e) = services.origins.set_profile_token(&profile.id, issue.clone()).await {
            tracing::warn!(error = %e, "the profile's token date was not recorded");
        }
    }
    let fields = finished.stored.fields.clone();
    ctx.out.result(
        &serde_json::json!({ "profile": kept.id, "stored": fields, "scopes": finished.scopes, "expirationDate": finished.expiration_date }),
        |_| format!("Signed in. The profile “{}” now holds {} in the keychain.", kept.name, fields.join(", ")),
    );
    Ok(ExitCode::SUCCESS)
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
