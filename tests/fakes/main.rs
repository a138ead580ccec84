//! `fake-services [PORT]`: serves the fake Adobe IMS, Flow Service and sandbox management on
//! 127.0.0.1 (port 0 picks a free one), a fake Google and the fake OAuth providers (HubSpot,
//! Zendesk, Square, Mailchimp, Salesforce, Entra ID, OneTrust) on free ports, until
//! interrupted. Standard output is five lines, in this order; readers should match them by
//! their start, not by their position:
//!
//! ```text
//! http://127.0.0.1:PORT
//! google: AUTH_URL TOKEN_URL REVOKE_URL
//! google client id: ID  client secret: SECRET
//! client id: ID  client secret: SECRET  org: ORG
//! providers: hubspot=http://127.0.0.1:PORT/hubspot,zendesk=…,square=…,mailchimp=…,salesforce=…,entra=…,onetrust=…
//! ```
//!
//! The last line is the value of `FLOW_CONNECT_PROVIDER_BASES` that sends the app's consents
//! and token requests to the fake providers, whose clients are `{provider}-client` /
//! `{provider}-secret` (`ProvidersConfig::default()`), except Entra's app registration, whose
//! tenant and client ids are GUIDs (`EntraConfig::default()`).

use std::io::Write;
use std::net::SocketAddr;

use fakes::{FakeConfig, FakeGoogle, FakePlatform, FakeProviders, GoogleConfig, ProvidersConfig};

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let port =
        std::env::args().nth(1).map(|p| p.parse::<u16>()).transpose().map_err(std::io::Error::other)?;
    // Benchmarks also ask for a catalog of this many large generated source specs.
    let extra_specs = std::env::var("FAKE_EXTRA_SPECS").ok().and_then(|n| n.parse().ok()).unwrap_or(0);
    // … and a seeded `Wide events` schema of this many fields.
    let wide_schema_fields =
        std::env::var("FAKE_WIDE_SCHEMA_FIELDS").ok().and_then(|n| n.parse().ok()).unwrap_or(0);
    let config = FakeConfig { extra_specs, wide_schema_fields, ..FakeConfig::default() };
    let fake = FakePlatform::start_on(SocketAddr::from(([127, 0, 0, 1], port.unwrap_or(0))), config).await?;
    // Benchmarks fill the production sandbox with this many ServiceNow connections.
    if let Some(count) = std::env::var("FAKE_SEED_CONNECTIONS").ok().and_then(|n| n.parse().ok()) {
        fake.seed_connections(fakes::specs::SERVICENOW, "prod", "Seeded", count);
    }
    let google = FakeGoogle::start(GoogleConfig::default()).await?;
    let google_config = GoogleConfig::default();
    let providers = FakeProviders::start(ProvidersConfig::default()).await?;
    let config = fake.config();
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", fake.url())?;
    writeln!(out, "google: {} {} {}", google.auth_url(), google.token_url(), google.revoke_url())?;
    writeln!(
        out,
        "google client id: {}  client secret: {}",
        google_config.client_id, google_config.client_secret
    )?;
    writeln!(
        out,
        "client id: {}  client secret: {}  org: {}",
        config.client_id, config.client_secret, config.org_id
    )?;
    writeln!(out, "providers: {}", providers.bases_var())?;
    out.flush()?;
    drop(out);
    tokio::signal::ctrl_c().await?;
    Ok(())
}
