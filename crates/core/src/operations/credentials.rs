//! The credentials door: what will stop working and when, for every connection Flow Connect
//! made or renewed (the expiry radar), read from what was recorded when the credentials were
//! issued; the dataflows that depend on each; and the renewals that need no person (a JWT
//! signed again with the key kept in the keychain, a token minted again with the client kept
//! there), each sent with `If-Match` and tested.
//! Nothing here returns a secret, and a person's consent is never faked.

use serde::Serialize;
use ts_rs::TS;

use super::renew::{self, Renewal};
use super::Operations;
use crate::adobe::flow::TestOutcome;
use crate::catalog::FormValues;
use crate::dates::now_ms;
use crate::expiry::{radar, DependentFlow, Expiring, ProfileToken, RenewedBy};
use crate::keys::{self, KeyMaterial};
use crate::oauth::client_mint::mint_for;
use crate::oauth::engine::ProviderBases;
use crate::operations::connections::mint_failure;
use crate::operations::failure::{ErrorCode, Failure};
use crate::secrets::renewal::{CLIENT_SECRET, PRIVATE_KEY};
use crate::store::origins::{MintedCredential, Origin, SignedCredential};
use crate::Secret;

#[derive(Debug)]
pub struct Credentials<'a> {
    pub(super) ops: &'a Operations,
}

/// What became of one item a renewal run looked at.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "outcome")]
#[ts(export)]
pub enum RenewalResult {
    /// Made again, sent with `If-Match` and tested.
    Renewed {
        #[ts(type = "number")]
        expires_at: i64,
        test: Option<TestOutcome>,
        /// Why the test could not run, or a record that could not be kept.
        note: Option<String>,
    },
    /// A person has to act; `next` says what to run or do.
    NeedsPerson {
        next: String,
    },
    Failed {
        message: String,
    },
}

/// One item of a renewal run.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RenewalReport {
    pub item: Expiring,
    pub result: RenewalResult,
}

impl Credentials<'_> {
    /// What expires within `within_ms` from now, or has expired already, soonest first; all of
    /// it when `within_ms` is `None`. Read from local records only.
    pub async fn expiring(&self, within_ms: Option<i64>) -> Vec<Expiring> {
        let ops = self.ops;
        let (origins, testing) = ops.origins.everything().await;
        let mut profiles = Vec::new();
        for (id, issue) in ops.origins.profile_tokens().await {
            // A deleted profile's record is left behind: it holds nothing any more.
            let Some(profile) = ops.profiles.profile(&id).await else { continue };
            profiles.push(ProfileToken {
                profile_id: profile.id,
                profile_name: profile.name,
                account_id: profile.account_id.unwrap_or_default(),
                spec_id: profile.spec_id,
                issue,
            });
        }
        let limit = within_ms.map(|w| now_ms().saturating_add(w));
        radar(&origins, &profiles, &testing)
            .into_iter()
            .filter(|e| limit.is_none_or(|l| e.expires_at <= l))
            .collect()
    }

    /// The same, each with its connection's name and the dataflows that read from it (read
    /// once per connection; a sandbox that cannot be reached leaves them unknown, not empty).
    pub async fn expiring_with_dataflows(&self, within_ms: Option<i64>) -> Vec<Expiring> {
        let mut found = self.expiring(within_ms).await;
        type Known = (String, Option<String>, Option<Vec<DependentFlow>>);
        let mut known: Vec<Known> = Vec::new();
        for item in found.iter_mut().filter(|i| !i.connection_id.is_empty()) {
            if let Some((_, name, flows)) = known.iter().find(|(id, ..)| *id == item.connection_id) {
                item.connection_name = name.clone();
                item.dataflows = flows.clone();
                continue;
            }
            let (name, flows) = self.connection_and_flows(item).await;
            known.push((item.connection_id.clone(), name.clone(), flows.clone()));
            item.connection_name = name;
            item.dataflows = flows;
        }
        found
    }

    async fn connection_and_flows(&self, item: &Expiring) -> (Option<String>, Option<Vec<DependentFlow>>) {
        let client = match self.ops.client_of(&item.account_id, &item.sandbox, &item.connection_id).await {
            Ok(client) => client,
            Err(e) => {
                tracing::info!(error = %e.message, "an expiring connection's sandbox not reached");
                return (None, None);
            }
        };
        let name = client.get_connection(&item.connection_id).await.ok().map(|c| c.name);
        let flows = client
            .flows_of_connection(&item.connection_id)
            .await
            .map(|flows| flows.into_iter().map(|f| DependentFlow { id: f.id, name: f.name }).collect())
            .map_err(|e| tracing::info!(error = %e, "dataflows of an expiring connection not read"))
            .ok();
        (name, flows)
    }

    /// Renews what ends within `within_ms` and can be renewed without a person; what needs a
    /// person or the provider is reported with what to do. One failing does not stop the
    /// others.
    pub async fn renew_due(&self, within_ms: i64) -> Vec<RenewalReport> {
        let mut reports = Vec::new();
        for item in self.expiring(Some(within_ms)).await {
            let result = match item.renewal {
                RenewedBy::Unattended => self
                    .renew_unattended(&item.connection_id, None)
                    .await
                    .unwrap_or_else(|e| RenewalResult::Failed { message: e.message }),
                RenewedBy::Consent => RenewalResult::NeedsPerson { next: self.consent_next(&item).await },
                RenewedBy::AtTheProvider => RenewalResult::NeedsPerson { next: item.reason.clone() },
            };
            reports.push(RenewalReport { item, result });
        }
        reports
    }

    /// Signs the connection's JWT again with the key kept for it, for `lifetime_days` (or as
    /// long as last time), sends it (with the client secret kept beside it and the
    /// connection's other values as Adobe holds them) over the etag just read, tests the
    /// connection, and records the new end.
    pub async fn renew_unattended(
        &self,
        connection_id: &str,
        lifetime_days: Option<u32>,
    ) -> Result<RenewalResult, Failure> {
        let ops = self.ops;
        let origin = ops.origins.origin(connection_id).await;
        if let Some((origin, minted)) = origin.as_ref().and_then(|o| o.minted.clone().map(|m| (o, m))) {
            return self.renew_minted(origin, minted).await;
        }
        let Some((origin, signed)) = origin.and_then(|o| o.signed.clone().map(|s| (o, s))) else {
            return Err(Failure::new(
                ErrorCode::NotFound,
                "Flow Connect did not sign or mint this connection's credential, so it cannot make it again. Use Update credentials.",
            ));
        };
        let client = ops.client_of(&origin.account_id, &origin.sandbox, connection_id).await?;
        let source = ops.catalog().live_source(&client, &origin.spec_id).await?;
        let form = renew::open(&client, &source, connection_id).await?;
        let method = source.auth_method(&form.spec_name).cloned();
        let Some(KeyMaterial::SignedJwt { jwt, client_id, client_secret }) =
            method.and_then(|m| m.key_material)
        else {
            return Err(Failure::new(
                ErrorCode::Validation,
                "The connection no longer signs in with a JWT, so nothing is signed again.",
            ));
        };
        if form.values.get(&client_id).map(|v| v.trim()) != Some(signed.claims.issuer.as_str()) {
            return Err(Failure::new(
                ErrorCode::Validation,
                "The connection's client ID changed since the JWT was signed: sign a new one from Update credentials.",
            ));
        }
        let key = ops.renewal.get(&signed.renewal_set, PRIVATE_KEY).await?;
        let secret = ops.renewal.get(&signed.renewal_set, CLIENT_SECRET).await?;
        let mut signed = signed;
        if let Some(days) = lifetime_days {
            signed.claims.lifetime_days = days;
        }
        let claims = signed.claims.clone();
        let token = tokio::task::spawn_blocking(move || keys::sign_jwt(&key, None, &claims, now_ms()))
            .await
            .map_err(|e| Failure::new(ErrorCode::Configuration, format!("Signing stopped ({e}).")))??;
        let mut values: FormValues =
            form.values.iter().map(|(k, v)| (k.clone(), Secret::new(v.clone()))).collect();
        values.insert(jwt, token.token);
        if let Some(field) = client_secret {
            values.insert(field, secret);
        }
        let etag = form.connection.etag.clone();
        let renewal = renew::renew(&client, &source, connection_id, &etag, &form.spec_name, &values).await?;
        match renewal {
            Renewal::Updated { test, test_error, .. } => {
                tracing::info!(%connection_id, "signed JWT renewed");
                let next = SignedCredential { expires_at: token.expires_at, ..signed };
                let note = match ops.origins.set_signed(connection_id, next).await {
                    Ok(_) => test_error,
                    Err(e) => Some(format!("The connection has the new JWT, but its end was not recorded: {e}")),
                };
                Ok(RenewalResult::Renewed { expires_at: token.expires_at, test, note })
            }
            Renewal::Stale { .. } => Ok(RenewalResult::Failed {
                message: "Someone changed the connection while it was being renewed; nothing was written. Run the renewal again.".into(),
            }),
        }
    }

    /// Mints the connection's access token again with the client kept for it, sends it over
    /// the etag just read, tests, and records the new end.
    async fn renew_minted(
        &self,
        origin: &Origin,
        minted: MintedCredential,
    ) -> Result<RenewalResult, Failure> {
        let ops = self.ops;
        let connection_id = origin.connection_id.as_str();
        let client = ops.client_of(&origin.account_id, &origin.sandbox, connection_id).await?;
        let source = ops.catalog().live_source(&client, &origin.spec_id).await?;
        let form = renew::open(&client, &source, connection_id).await?;
        let method = source.auth_method(&form.spec_name);
        let mint = method.and_then(|m| mint_for(&source.spec_id, m.params.iter().map(|p| p.name.as_str())));
        let Some(mint) = mint else {
            return Err(Failure::new(
                ErrorCode::Validation,
                "The connection no longer holds a token minted with client credentials, so nothing is minted.",
            ));
        };
        let secret = ops.renewal.get(&minted.renewal_set, CLIENT_SECRET).await?;
        let mut values: FormValues =
            form.values.iter().map(|(k, v)| (k.clone(), Secret::new(v.clone()))).collect();
        let http = ops.http().await?;
        let bases = ProviderBases::from_env()?;
        let token = mint
            .mint(&values, &minted.client_id, &secret, &http, &bases, now_ms())
            .await
            .map_err(mint_failure)?;
        values.insert(mint.token.to_owned(), token.token);
        let etag = form.connection.etag.clone();
        match renew::renew(&client, &source, connection_id, &etag, &form.spec_name, &values).await? {
            Renewal::Updated { test, test_error, .. } => {
                tracing::info!(%connection_id, provider = mint.provider, "minted token renewed");
                let next = MintedCredential { expires_at: token.expires_at, ..minted };
                let note = match ops.origins.set_minted(connection_id, next).await {
                    Ok(()) => test_error,
                    Err(e) => Some(format!("The connection has the new token, but its end was not recorded: {e}")),
                };
                // A provider that gave no end leaves the item with the old one's date gone.
                Ok(RenewalResult::Renewed { expires_at: token.expires_at.unwrap_or_default(), test, note })
            }
            Renewal::Stale { .. } => Ok(RenewalResult::Failed {
                message: "Someone changed the connection while it was being renewed; nothing was written. Run the renewal again.".into(),
            }),
        }
    }

    /// What a person runs to renew a consent: the profile's consent and renew when the
    /// connection came from a profile, else the app's Credentials screen.
    async fn consent_next(&self, item: &Expiring) -> String {
        if item.profile_id.is_some() {
            let name = item.profile_name.clone().unwrap_or_default();
            return format!("flow-connect-cli consent --profile '{}'", name.replace('\'', r"'\''"));
        }
        let origin = self.ops.origins.origin(&item.connection_id).await;
        let profile = origin.and_then(|o| o.profile_name);
        match profile {
            Some(name) => {
                // Quoted for a POSIX shell, so a name with spaces or quotes pastes as is.
                let name = format!("'{}'", name.replace('\'', r"'\''"));
                format!(
                    "flow-connect-cli consent --profile {name} && flow-connect-cli renew {} --profile {name} --sandbox {}",
                    item.connection_id, item.sandbox
                )
            }
            None => "Open Flow Connect's Credentials screen and press Renew: a person signs in again.".into(),
        }
    }
}
