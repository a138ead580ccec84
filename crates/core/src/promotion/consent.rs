//! What a manifest's `{consent: true}` secrets come to: the consents an apply needs, and where
//! a consent run for it kept the tokens (a keychain set's id, never a token).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{ResolvedConnection, SecretRef};
use crate::secrets::credentials::StoredSecrets;
use crate::store::origins::TokenIssue;

/// A consent an apply needs before it can make or change a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct NeededConsent {
    /// The connection's manifest key.
    pub connection: String,
    /// Its name in the target sandbox.
    pub name: String,
    /// Who is asked: Google, or the provider of the table (HubSpot, Zendesk, …).
    pub provider: String,
    /// The fields the consent fills.
    pub fields: Vec<String>,
}

/// A consent run for an apply: where its tokens are in the keychain (an id, no secret), and
/// when and for which client they were issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConsentedSecrets {
    /// The connection's manifest key.
    pub connection: String,
    pub stored: StoredSecrets,
    pub issued: Option<TokenIssue>,
}

/// The consent begun for a promotion's connection, to wait for.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FinishPromotionConsent {
    /// The connection's manifest key, as the consent was begun for.
    pub connection: String,
}

/// The fields of `wanted` that come from a consent.
pub fn consent_fields(wanted: &ResolvedConnection) -> Vec<String> {
    wanted
        .secrets
        .iter()
        .filter(|(_, r)| matches!(r, SecretRef::Consent { .. }))
        .map(|(f, _)| f.clone())
        .collect()
}
