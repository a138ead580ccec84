//! Fakes of the OAuth providers the core talks to besides Google: HubSpot, Zendesk, Square
//! and Mailchimp, whose consent the engine runs (`oauth-sources.md` §2.1, §2.2 and §3);
//! Salesforce, whose client-credentials token the check before create mints and whose JWT
//! bearer grant takes a signed assertion (§2.3); Microsoft Entra ID, whose client credentials
//! a Dynamics service principal signs in with (§2.3); and OneTrust, whose client credentials
//! mint the access token its source holds (§2.2), each after the provider's documentation.
//! One loopback server serves them all, each under a path prefix equal to its core provider id
//! and with the provider's real paths below it, because the core moves only a provider's
//! origin (`FLOW_CONNECT_PROVIDER_BASES="hubspot=http://…/hubspot"`) and keeps the path.
//! Salesforce's token path is also answered at the root, since a form names a Salesforce
//! instance by its origin alone.
//!
//! Every request is recorded with its method, path, query and the names of its body fields,
//! never their values, so a test can assert what was sent without the fake keeping secrets.
//! Control calls (`/salesforce/__fake/certificate`) are not recorded.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use openssl::pkey::{PKey, Public};
use serde_json::json;
use tokio::task::JoinHandle;

use crate::http::{self, Outcome, Request, Response};
use crate::keys::{public_key_from_pem, KeyError};

mod entra;
mod hubspot;
mod ledger;
mod mailchimp;
mod onetrust;
mod salesforce;
mod salesforce_jwt;
mod square;
mod zendesk;

#[cfg(test)]
mod test_support;

pub use entra::EntraConfig;
use ledger::Ledger;
pub use ledger::ProviderClient;
pub use onetrust::OneTrustConfig;
pub use salesforce::{JwtUsers, SalesforceConfig};
pub use salesforce_jwt::JWT_USER_ID;
pub(crate) use square::iso8601_utc;

/// The core's ids of the providers served, which are also their path prefixes.
pub const PROVIDER_IDS: [&str; 7] =
    ["hubspot", "zendesk", "square", "mailchimp", "salesforce", "entra", "onetrust"];

/// Query names whose values are credentials; the request log redacts them.
const SECRET_NAMES: [&str; 8] = [
    "client_secret",
    "code",
    "code_verifier",
    "refresh_token",
    "access_token",
    "password",
    "assertion",
    "client_assertion",
];

/// Below Salesforce's prefix: where a test uploads the connected app's certificate.
const SALESFORCE_CERTIFICATE: &str = "/__fake/certificate";

#[derive(Debug, Clone)]
pub struct ProvidersConfig {
    pub hubspot: ProviderClient,
    pub zendesk: ProviderClient,
    pub square: ProviderClient,
    pub mailchimp: ProviderClient,
    /// Salesforce's connected app: client credentials or JWT bearer, no redirect.
    pub salesforce: SalesforceConfig,
    /// Entra ID's tenant and app registration: client credentials.
    pub entra: EntraConfig,
    /// OneTrust's client: client credentials.
    pub onetrust: OneTrustConfig,
    /// The user declines consent at every provider.
    pub deny: bool,
}

impl Default for ProvidersConfig {
    /// Each provider's client registered with the redirect the core's table names (Square's
    /// is the https page a user registers for paste-back; any https one is taken).
    fn default() -> Self {
        Self {
            hubspot: ProviderClient::new("hubspot", "http://localhost:47615/callback"),
            zendesk: ProviderClient::new("zendesk", "http://127.0.0.1:47615/callback"),
            square: ProviderClient::new("square", "https://flow-connect.example/square/callback"),
            mailchimp: ProviderClient::new("mailchimp", "http://127.0.0.1:47615/callback"),
            salesforce: SalesforceConfig::default(),
            entra: EntraConfig::default(),
            onetrust: OneTrustConfig::default(),
            deny: false,
        }
    }
}

/// One request as the fake saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderRequest {
    pub method: String,
    /// The full path, provider prefix included.
    pub path: String,
    /// The query, with the values of credential-bearing names replaced by `<redacted>`.
    pub query: Vec<(String, String)>,
    /// The names of the form or JSON body's fields, in the order sent.
    pub body_keys: Vec<String>,
}

impl ProviderRequest {
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Default)]
struct Shared {
    requests: Vec<ProviderRequest>,
    ledgers: HashMap<&'static str, Ledger>,
    /// The public key of the certificate uploaded to Salesforce's connected app.
    salesforce_certificate: Option<PKey<Public>>,
}

/// What a provider's handler works with: its ledger and its client.
struct Ctx<'a> {
    ledger: &'a mut Ledger,
    client: &'a ProviderClient,
    deny: bool,
}

#[derive(Debug)]
pub struct FakeProviders {
    addr: SocketAddr,
    state: Arc<Mutex<Shared>>,
    task: JoinHandle<()>,
}

impl Drop for FakeProviders {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeProviders {
    /// Serves the providers on a free loopback port.
    pub async fn start(config: ProvidersConfig) -> std::io::Result<Self> {
        let state = Arc::new(Mutex::new(Shared::default()));
        let shared = Arc::clone(&state);
        let (addr, task) = http::serve(SocketAddr::from(([127, 0, 0, 1], 0)), move |request| {
            let outcome = Outcome::Respond(handle(&shared, &config, &request));
            async move { outcome }
        })
        .await?;
        Ok(Self { addr, state, task })
    }

    /// `http://127.0.0.1:PORT`, without a provider prefix.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Where provider `id` is served: the base the core puts in place of its origin.
    pub fn base(&self, id: &str) -> String {
        format!("http://{}/{id}", self.addr)
    }

    /// The value of `FLOW_CONNECT_PROVIDER_BASES` that moves every provider here.
    pub fn bases_var(&self) -> String {
        PROVIDER_IDS.iter().map(|id| format!("{id}={}", self.base(id))).collect::<Vec<_>>().join(",")
    }

    /// Every request so far, oldest first.
    pub fn requests(&self) -> Vec<ProviderRequest> {
        lock(&self.state).requests.clone()
    }

    /// The refresh tokens `provider` would still honour, sorted.
    pub fn live_refresh_tokens(&self, provider: &str) -> Vec<String> {
        lock(&self.state).ledgers.get(provider).map(Ledger::sorted_refresh_tokens).unwrap_or_default()
    }

    /// The access tokens `provider` has issued and not voided, sorted.
    pub fn live_access_tokens(&self, provider: &str) -> Vec<String> {
        lock(&self.state).ledgers.get(provider).map(Ledger::sorted_access_tokens).unwrap_or_default()
    }

    /// Uploads a certificate to Salesforce's connected app ("Use Digital Signatures"), whose
    /// key then verifies JWT bearer assertions: the PEM of an X.509 certificate, or of an RSA
    /// public key. It replaces any uploaded before.
    pub fn set_salesforce_certificate(&self, pem: &str) -> Result<(), KeyError> {
        let key = public_key_from_pem(pem)?;
        lock(&self.state).salesforce_certificate = Some(key);
        Ok(())
    }
}

fn lock(state: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

fn record(request: &Request) -> ProviderRequest {
    let redact = |(name, value): &(String, String)| {
        let shown = if SECRET_NAMES.contains(&name.as_str()) { "<redacted>".into() } else { value.clone() };
        (name.clone(), shown)
    };
    ProviderRequest {
        method: request.method.clone(),
        path: request.path.clone(),
        query: request.query.iter().map(redact).collect(),
        body_keys: ledger::body_keys(request),
    }
}

fn handle(shared: &Mutex<Shared>, config: &ProvidersConfig, request: &Request) -> Response {
    let mut guard = lock(shared);
    let shared = &mut *guard;
    let method = request.method.as_str();
    if method == "POST" && request.path == format!("/salesforce{SALESFORCE_CERTIFICATE}") {
        return upload_certificate(shared, request);
    }
    shared.requests.push(record(request));
    let app =
        salesforce::App { config: &config.salesforce, certificate: shared.salesforce_certificate.as_ref() };
    // A Salesforce My Domain is an origin, and the check before create keeps only the origin
    // of the instance URL a form names: Salesforce's token path is answered at the root too.
    if request.path == salesforce::TOKEN_PATH {
        let ledger = shared.ledgers.entry("salesforce").or_default();
        return salesforce::handle(ledger, &app, "", method, &request.path, request);
    }
    let Some((id, path)) = split_prefix(&request.path) else {
        return Response::html(404, "Not found");
    };
    let ledger = shared.ledgers.entry(id).or_default();
    match id {
        "salesforce" => return salesforce::handle(ledger, &app, "/salesforce", method, path, request),
        "entra" => return entra::handle(ledger, &config.entra, method, path, request),
        "onetrust" => return onetrust::handle(ledger, &config.onetrust, method, path, request),
        _ => {}
    }
    let client = match id {
        "hubspot" => &config.hubspot,
        "zendesk" => &config.zendesk,
        "square" => &config.square,
        "mailchimp" => &config.mailchimp,
        _ => return Response::html(404, "Not found"),
    };
    let ctx = Ctx { ledger, client, deny: config.deny };
    match id {
        "hubspot" => hubspot::handle(ctx, method, path, request),
        "zendesk" => zendesk::handle(ctx, method, path, request),
        "square" => square::handle(ctx, method, path, request),
        _ => mailchimp::handle(ctx, method, path, request),
    }
}

/// `POST /salesforce/__fake/certificate`: the PEM body, as "Use Digital Signatures" uploads it.
fn upload_certificate(shared: &mut Shared, request: &Request) -> Response {
    let pem = String::from_utf8_lossy(&request.body);
    match public_key_from_pem(&pem) {
        Ok(key) => {
            shared.salesforce_certificate = Some(key);
            Response::empty(204)
        }
        Err(error) => Response::json(400, &json!({ "message": format!("Not a certificate: {error}") })),
    }
}

/// The provider id (one of [`PROVIDER_IDS`]) and the provider's own path below it.
fn split_prefix(path: &str) -> Option<(&'static str, &str)> {
    let rest = path.strip_prefix('/')?;
    let (first, _) = rest.split_once('/').unwrap_or((rest, ""));
    let id = PROVIDER_IDS.iter().find(|id| **id == first)?;
    Some((id, &path[1 + id.len()..]))
}

#[cfg(test)]
mod tests {
    use super::test_support::{authorize, browser, start};

    #[tokio::test]
    async fn unknown_paths_are_404_and_the_log_keeps_names_not_secrets() {
        let fake = start().await;
        for path in ["/", "/github/login/oauth/authorize", "/hubspot/oauth/v3/token", "/zendesk"] {
            let response = browser().get(format!("{}{path}", fake.url())).send().await.expect("get");
            assert_eq!(response.status().as_u16(), 404, "{path}");
        }
        let url = format!("{}/oauth/authorize", fake.base("hubspot"));
        let query = [
            ("client_id", "hubspot-client"),
            ("redirect_uri", "http://localhost:47615/callback"),
            ("client_secret", "leak"),
        ];
        assert_eq!(authorize(&url, &query).await.0, 302);
        let logged = fake.requests().pop().expect("logged");
        assert_eq!((logged.method.as_str(), logged.path.as_str()), ("GET", "/hubspot/oauth/authorize"));
        assert_eq!(logged.query("client_id"), Some("hubspot-client"));
        assert_eq!(logged.query("client_secret"), Some("<redacted>"));
        assert!(fake.bases_var().contains(&format!("square={}/square", fake.url())));
        assert!(fake.bases_var().contains(&format!(",salesforce={}/salesforce,", fake.url())));
        assert!(fake.bases_var().ends_with(&format!(",entra={0}/entra,onetrust={0}/onetrust", fake.url())));
    }
}
