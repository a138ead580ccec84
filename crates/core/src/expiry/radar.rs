//! What expires, read from the connections' origins: a Google refresh token of an OAuth client
//! in Testing status (seven days after consent, or the end Google gave), a provider's refresh
//! token with an end, an access token where the connection's spec holds no refresh token (so
//! Adobe cannot renew it), a JWT signed here (its `exp`), a client secret's end the user
//! entered, and the provider's own deadlines (HubSpot's v1 token endpoints).

use serde::Serialize;
use ts_rs::TS;

use crate::dates::civil_date;
use crate::oauth::providers::{self, Provider, PROVIDERS};
use crate::store::origins::{Origin, TokenIssue, TESTING_LIFETIME_MS};

const DAY_MS: i64 = 86_400_000;

/// One thing that will stop a connection working.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Expiring {
    /// Empty for a profile's token ([`Expiring::profile_id`]).
    pub connection_id: String,
    pub account_id: String,
    pub sandbox: String,
    pub spec_id: String,
    /// The profile the connection was made from, when it was; or the profile whose token
    /// this is.
    pub profile_name: Option<String>,
    /// Set when the item is a saved profile's token rather than a connection's credential:
    /// a connection made from the profile afterwards would carry it.
    pub profile_id: Option<String>,
    pub what: ExpiringWhat,
    /// Milliseconds since the epoch; in the past for what has already expired.
    #[ts(type = "number")]
    pub expires_at: i64,
    /// Why, in one sentence.
    pub reason: String,
    pub renewal: RenewedBy,
    /// The dataflows reading from the connection, when they were asked for (the Credentials
    /// screen and `--json` ask; the start-up check does not).
    pub dataflows: Option<Vec<DependentFlow>>,
    /// The connection's name in Adobe, read with its dataflows.
    pub connection_name: Option<String>,
}

/// A dataflow that stops with the connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DependentFlow {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ExpiringWhat {
    RefreshToken,
    AccessToken,
    /// A date the provider set, after which something about it stops working.
    ProviderDeadline,
    /// A JWT Flow Connect signed: its `exp`.
    SignedJwt,
    /// The client secret, on the date the user entered.
    ClientSecret,
}

/// How it is renewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum RenewedBy {
    /// A person signs in again (a consent is never faked).
    Consent,
    /// Nothing Flow Connect can renew: the user acts at the provider.
    AtTheProvider,
    /// Flow Connect makes it again without a person (a JWT signed again with the kept key):
    /// `credentials renew --due`.
    Unattended,
}

/// A saved profile's token, with the profile's name and source.
#[derive(Debug, Clone)]
pub struct ProfileToken {
    pub profile_id: String,
    pub profile_name: String,
    pub account_id: String,
    pub spec_id: String,
    pub issue: TokenIssue,
}

/// Everything that expires for `origins` and the saved profiles' tokens, soonest first (what
/// has expired already, first of all), given the OAuth clients the user marked as in Google's
/// Testing status.
pub fn radar(origins: &[Origin], profiles: &[ProfileToken], testing_clients: &[String]) -> Vec<Expiring> {
    let mut found = Vec::new();
    for profile in profiles {
        found.extend(token(&profile.issue, testing_clients).map(|(what, expires_at, reason)| Expiring {
            connection_id: String::new(),
            account_id: profile.account_id.clone(),
            sandbox: String::new(),
            spec_id: profile.spec_id.clone(),
            profile_name: Some(profile.profile_name.clone()),
            profile_id: Some(profile.profile_id.clone()),
            what,
            expires_at,
            reason: format!("Saved in the profile: {reason}"),
            renewal: RenewedBy::Consent,
            dataflows: None,
            connection_name: None,
        }));
    }
    for origin in origins {
        let item = |what, expires_at, reason: String, renewal| Expiring {
            connection_id: origin.connection_id.clone(),
            account_id: origin.account_id.clone(),
            sandbox: origin.sandbox.clone(),
            spec_id: origin.spec_id.clone(),
            profile_name: origin.profile_name.clone(),
            profile_id: None,
            what,
            expires_at,
            reason,
            renewal,
            dataflows: None,
            connection_name: None,
        };
        if let Some(issue) = &origin.refresh_token {
            found.extend(
                token(issue, testing_clients)
                    .map(|(what, at, reason)| item(what, at, reason, RenewedBy::Consent)),
            );
        }
        if let Some(signed) = &origin.signed {
            let at = signed.expires_at;
            found.push(item(
                ExpiringWhat::SignedJwt,
                at,
                format!("The signed JWT ends on {} (its exp); Flow Connect signs a new one with the key kept in the keychain.", date(at)),
                RenewedBy::Unattended,
            ));
        }
        if let Some(minted) = &origin.minted {
            if let Some(at) = minted.expires_at {
                found.push(item(
                    ExpiringWhat::AccessToken,
                    at,
                    format!("The {} access token ends on {}; Flow Connect mints a new one with the client kept in the keychain.", minted.provider, date(at)),
                    RenewedBy::Unattended,
                ));
            }
        }
        if let Some(at) = origin.secret_expires_at {
            found.push(item(
                ExpiringWhat::ClientSecret,
                at,
                format!("The client secret ends on {}, as entered when the connection was made: create a new one at the provider, then Update credentials with it.", date(at)),
                RenewedBy::AtTheProvider,
            ));
        }
        for provider in
            PROVIDERS.iter().filter(|p| p.spec_ids.iter().any(|id| id.eq_ignore_ascii_case(&origin.spec_id)))
        {
            for deadline in provider.deadlines {
                // A change that came before the connection was made is one it was made under.
                if let Some(at) = deadline.unix_ms().filter(|at| *at > origin.created_at) {
                    found.push(item(
                        ExpiringWhat::ProviderDeadline,
                        at,
                        format!("{}.", deadline.what),
                        RenewedBy::AtTheProvider,
                    ));
                }
            }
        }
    }
    found.sort_by(|a, b| a.expires_at.cmp(&b.expires_at).then_with(|| a.connection_id.cmp(&b.connection_id)));
    found
}

/// What expires of one issued token, if anything does.
fn token(issue: &TokenIssue, testing_clients: &[String]) -> Option<(ExpiringWhat, i64, String)> {
    let Some(provider) = issue.provider.as_deref() else {
        // Google's BigQuery consent: the Testing-status rules.
        if let Some(at) = issue.expires_at {
            let reason = format!(
                "Google ends this refresh token's grant on {}: its OAuth client is in Testing status.",
                date(at)
            );
            return Some((ExpiringWhat::RefreshToken, at, reason));
        }
        return testing_clients.contains(&issue.client_id).then(|| {
            let at = issue.issued_at.saturating_add(TESTING_LIFETIME_MS);
            let reason = "The OAuth client is in Testing status, so Google ends its refresh tokens seven days after consent; publish the app to keep them.".to_owned();
            (ExpiringWhat::RefreshToken, at, reason)
        });
    };
    let provider: &Provider = providers::by_id(provider)?;
    let name = provider.display_name;
    if provider.fields.refresh_token.is_some() {
        // Adobe refreshes the access token with the refresh token: only the latter's end counts.
        let at = issue.expires_at?;
        Some((
            ExpiringWhat::RefreshToken,
            at,
            format!(
                "{name}'s refresh token ends on {}; after it, Adobe cannot renew the access token.",
                date(at)
            ),
        ))
    } else {
        let at = issue.access_expires_at?;
        Some((
            ExpiringWhat::AccessToken,
            at,
            format!("The connection holds only {name}'s access token, which ends on {}: Adobe cannot renew it, so sign in again before then.", date(at)),
        ))
    }
}

fn date(ms: i64) -> String {
    civil_date(u64::try_from(ms.div_euclid(DAY_MS)).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = DAY_MS;
    /// 2026-12-04T00:00:00Z.
    const NOW: i64 = 1_796_342_400_000;

    fn origin(id: &str, spec_id: &str, issue: Option<TokenIssue>) -> Origin {
        Origin {
            connection_id: id.into(),
            account_id: "acct".into(),
            sandbox: "prod".into(),
            spec_id: spec_id.into(),
            profile_id: None,
            profile_name: None,
            created_at: NOW - DAY,
            refresh_token: issue,
            signed: None,
            secret_expires_at: None,
            minted: None,
        }
    }

    fn issue(provider: Option<&str>, expires_at: Option<i64>, access: Option<i64>) -> TokenIssue {
        TokenIssue {
            issued_at: NOW - 2 * DAY,
            client_id: "client".into(),
            expires_at,
            provider: provider.map(str::to_owned),
            access_expires_at: access,
        }
    }

    const HUBSPOT: &str = "cc6a4487-9e91-433e-a3a3-9cf6626c1806";
    const ZENDESK: &str = "0a27232b-2c6e-4396-b8c6-c9fc24e37ba4";
    const BIGQUERY: &str = providers::BIGQUERY_SPEC_ID;

    #[test]
    fn each_kind_of_end_is_found_soonest_first() {
        let origins = [
            origin("bq-testing", BIGQUERY, Some(issue(None, None, None))),
            origin(
                "bq-published",
                BIGQUERY,
                Some(TokenIssue { client_id: "other".into(), ..issue(None, None, None) }),
            ),
            origin(
                "zendesk",
                ZENDESK,
                Some(issue(Some("zendesk"), Some(NOW + 30 * DAY), Some(NOW + 3 * DAY))),
            ),
            origin("hubspot", HUBSPOT, Some(issue(Some("hubspot"), None, Some(NOW + DAY / 48)))),
        ];
        let found = radar(&origins, &[], &["client".to_owned()]);
        let listed: Vec<(&str, ExpiringWhat)> =
            found.iter().map(|e| (e.connection_id.as_str(), e.what)).collect();
        assert_eq!(
            listed,
            [
                // Zendesk's spec holds no refresh token: its access token's end is what counts.
                ("zendesk", ExpiringWhat::AccessToken),
                // Seven days after a consent two days ago.
                ("bq-testing", ExpiringWhat::RefreshToken),
                // HubSpot's v1 token endpoints close; its 30-minute access token is Adobe's to renew.
                ("hubspot", ExpiringWhat::ProviderDeadline),
            ]
        );
        assert_eq!(found[1].expires_at, NOW + 5 * DAY);
        assert!(found[1].reason.contains("Testing status"), "{}", found[1].reason);
        assert!(found[0].reason.contains("2026-12-07"), "{}", found[0].reason);
        assert_eq!(found[2].renewal, RenewedBy::AtTheProvider);
        assert!(found.windows(2).all(|w| w[0].expires_at <= w[1].expires_at));
    }

    #[test]
    fn a_signed_jwt_and_an_entered_secret_end_are_listed_with_who_renews_them() {
        let signed = crate::store::origins::SignedCredential {
            renewal_set: "set".into(),
            claims: crate::keys::JwtClaims {
                issuer: "client".into(),
                subject: "user".into(),
                audience: "https://login.salesforce.com".into(),
                lifetime_days: 90,
            },
            expires_at: NOW + 4 * DAY,
        };
        let origins = [
            Origin { signed: Some(signed), ..origin("jwt", "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5", None) },
            Origin {
                secret_expires_at: Some(NOW + 2 * DAY),
                ..origin("entra", "38ad80fe-8b06-4938-94f4-d4ee80266b07", None)
            },
        ];
        let found = radar(&origins, &[], &[]);
        let listed: Vec<(&str, ExpiringWhat, RenewedBy)> =
            found.iter().map(|e| (e.connection_id.as_str(), e.what, e.renewal)).collect();
        assert_eq!(
            listed,
            [
                ("entra", ExpiringWhat::ClientSecret, RenewedBy::AtTheProvider),
                ("jwt", ExpiringWhat::SignedJwt, RenewedBy::Unattended),
            ]
        );
        assert!(found[1].reason.contains("2026-12-08"), "{}", found[1].reason);
    }

    #[test]
    fn a_profile_s_token_in_testing_status_is_listed_as_the_profile_s() {
        let profile = ProfileToken {
            profile_id: "p-1".into(),
            profile_name: "BigQuery marketing".into(),
            account_id: "acct".into(),
            spec_id: BIGQUERY.into(),
            issue: issue(None, None, None),
        };
        let found = radar(&[], &[profile], &["client".to_owned()]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].profile_id.as_deref(), Some("p-1"));
        assert!(found[0].connection_id.is_empty());
        assert_eq!(found[0].expires_at, NOW + 5 * DAY);
        assert!(found[0].reason.starts_with("Saved in the profile: "), "{}", found[0].reason);
    }

    #[test]
    fn an_end_google_gave_counts_without_a_mark() {
        let origins = [origin("bq", BIGQUERY, Some(issue(None, Some(NOW + 6 * DAY), None)))];
        let found = radar(&origins, &[], &[]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].expires_at, NOW + 6 * DAY);
        assert_eq!(found[0].renewal, RenewedBy::Consent);
        assert!(radar(&[origin("none", BIGQUERY, None)], &[], &[]).is_empty());
    }
}
