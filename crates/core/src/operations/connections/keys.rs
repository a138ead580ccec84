//! Key material for a form, made here: a Snowflake key pair (the private key into the
//! keychain and the spec's base64 field, the `ALTER USER` statement to show) and a signed JWT
//! for Salesforce's JWT credential (its key and the client secret kept for unattended
//! renewals, its `exp` recorded as the connection's end). Which methods take which is
//! `keys::material_for`'s rule, carried on the catalog's method.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Connections;
use crate::catalog::{AuthMethod, FormValues, Source};
use crate::dates::now_ms;
use crate::keys::{self, JwtClaims, KeyMaterial, PublicKey};
use crate::oauth::client_mint::{mint_for, MintError};
use crate::oauth::engine::ProviderBases;
use crate::operations::failure::{ErrorCode, Failure};
use crate::operations::form_secrets;
use crate::secrets::credentials::StoredSecrets;
use crate::secrets::renewal::{CLIENT_SECRET, PRIVATE_KEY};
use crate::store::origins::{MintedCredential, SignedCredential};
use crate::Secret;

/// The form a key is made for: its source, method and values (the stored secrets by set).
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct KeyFormRequest {
    pub account_id: String,
    pub spec_id: String,
    pub spec_name: String,
    #[ts(type = "Record<string, string>")]
    pub values: FormValues,
    #[serde(default)]
    #[ts(optional)]
    pub stored: Option<StoredSecrets>,
}

/// A key pair put into the form.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct KeyPairMade {
    /// The form's stored secrets, now holding the private key.
    pub stored: StoredSecrets,
    pub public: PublicKey,
    /// What a Snowflake administrator runs, to copy.
    pub statement: String,
}

/// A JWT to sign for the form.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct JwtRequest {
    pub form: KeyFormRequest,
    /// The Salesforce user the token is for.
    pub subject: String,
    /// The login URL.
    pub audience: String,
    pub lifetime_days: u32,
    /// A PEM private key the user brings (its certificate is already on the connected app);
    /// none makes a new pair and a certificate to upload.
    #[serde(default)]
    #[ts(optional, type = "string")]
    pub private_key: Option<Secret>,
    #[serde(default)]
    #[ts(optional, type = "string")]
    pub passphrase: Option<Secret>,
}

/// A JWT put into the form.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct JwtSigned {
    pub stored: StoredSecrets,
    /// What the create records: the claims, the end and the renewal set.
    pub signed: SignedCredential,
    pub public: PublicKey,
    /// A self-signed certificate for a key made here, to upload to the connected app.
    pub certificate: Option<String>,
}

/// A token to mint with the client's credentials for the form.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MintRequest {
    pub form: KeyFormRequest,
    pub client_id: String,
    #[ts(type = "string")]
    pub client_secret: Secret,
}

/// A token put into the form.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TokenMinted {
    pub stored: StoredSecrets,
    /// What the create records: the client, the token's end and the renewal set.
    pub minted: MintedCredential,
}

/// How long the certificate of a key made here lasts: longer than any JWT signed with it.
const CERTIFICATE_DAYS: u32 = 3 * 365;

impl Connections<'_> {
    /// Makes an RSA key pair for the form's key-pair sign-in: the private key (encrypted with
    /// the passphrase the form holds, if any) goes to the keychain as the form's base64 field.
    pub async fn make_key_pair(&self, request: &KeyFormRequest) -> Result<KeyPairMade, Failure> {
        let (source, method, values) = self.key_form(request).await?;
        let Some(KeyMaterial::KeyPair { private_key, passphrase, username }) = &method.key_material else {
            return Err(not_for(&method, "a key pair"));
        };
        let passphrase = passphrase.as_ref().and_then(|f| values.get(f)).filter(|p| !p.is_empty()).cloned();
        let pair =
            tokio::task::spawn_blocking(move || keys::generate_pair(passphrase.as_ref())).await.map_err(
                |e| Failure::new(ErrorCode::Configuration, format!("Making the key stopped ({e}).")),
            )??;
        let encoded = Secret::new(STANDARD.encode(pair.private_pem.expose()));
        let stored = self.keep_in_form(request, &source, vec![(private_key.clone(), encoded)]).await?;
        let user = username.as_ref().and_then(|f| values.get(f)).map(Secret::expose).unwrap_or_default();
        let user = if user.trim().is_empty() { "<user>" } else { user };
        tracing::info!(spec = %source.spec_id, "made a key pair for a form");
        Ok(KeyPairMade {
            statement: keys::snowflake_statement(user, &pair.public),
            public: pair.public,
            stored,
        })
    }

    /// Signs the JWT of the form's JWT credential with the key the user brings or a new one;
    /// the key and the client secret are kept for renewals, the token goes into the form.
    pub async fn sign_jwt(&self, request: &JwtRequest) -> Result<JwtSigned, Failure> {
        let (source, method, values) = self.key_form(&request.form).await?;
        let Some(KeyMaterial::SignedJwt { jwt, client_id, client_secret }) = &method.key_material else {
            return Err(not_for(&method, "a signed JWT"));
        };
        let issuer = values.get(client_id).map(Secret::expose).unwrap_or_default().trim().to_owned();
        let claims = JwtClaims {
            issuer,
            subject: request.subject.trim().to_owned(),
            audience: request.audience.trim().to_owned(),
            lifetime_days: request.lifetime_days,
        };
        check_audience(&claims.audience)?;
        let secret = client_secret.as_ref().and_then(|f| values.get(f)).filter(|s| !s.is_empty()).cloned();
        let Some(secret) = secret else {
            return Err(Failure::new(
                ErrorCode::Validation,
                "Fill in the client secret first: it is sent with the JWT and kept for renewals.",
            ));
        };
        let brought = request.private_key.clone().filter(|k| !k.is_empty());
        let passphrase = request.passphrase.clone();
        let made = tokio::task::spawn_blocking(move || -> Result<_, keys::KeyError> {
            let (pem, certificate) = match brought {
                // Kept unencrypted: the keychain protects it, and a renewal runs unattended.
                Some(pem) => (keys::unencrypted(&pem, passphrase.as_ref())?, None),
                None => {
                    let pair = keys::generate_pair(None)?;
                    let cert = keys::self_signed_certificate(
                        &pair.private_pem,
                        None,
                        "Flow Connect",
                        CERTIFICATE_DAYS,
                    )?;
                    (pair.private_pem, Some(cert))
                }
            };
            let public = keys::public_half(&pem, None)?;
            let signed = keys::sign_jwt(&pem, None, &claims, now_ms())?;
            Ok((pem, certificate, public, signed, claims))
        })
        .await
        .map_err(|e| Failure::new(ErrorCode::Configuration, format!("Signing stopped ({e}).")))??;
        let (pem, certificate, public, token, claims) = made;
        let renewal = vec![(PRIVATE_KEY, pem), (CLIENT_SECRET, secret)];
        let (set, stored) =
            self.keep_for_renewal(&request.form, &source, renewal, vec![(jwt.clone(), token.token)]).await?;
        tracing::info!(spec = %source.spec_id, "signed a JWT for a form");
        let signed = SignedCredential { renewal_set: set, claims, expires_at: token.expires_at };
        Ok(JwtSigned { stored, signed, public, certificate })
    }

    /// Mints an access token with the client's credentials at the host the form names; the
    /// token goes into the form, the secret into a renewal set for the next mint.
    pub async fn mint_token(&self, request: &MintRequest) -> Result<TokenMinted, Failure> {
        let (source, method, values) = self.key_form(&request.form).await?;
        let names = method.params.iter().map(|p| p.name.as_str());
        let Some(mint) = mint_for(&source.spec_id, names) else {
            return Err(not_for(&method, "a token minted with client credentials"));
        };
        if request.client_id.trim().is_empty() || request.client_secret.is_empty() {
            return Err(Failure::new(
                ErrorCode::Validation,
                "Enter the client ID and secret the token is minted with.",
            ));
        }
        let http = self.ops.http().await?;
        let bases = ProviderBases::from_env()?;
        let minted = mint
            .mint(&values, &request.client_id, &request.client_secret, &http, &bases, now_ms())
            .await
            .map_err(mint_failure)?;
        let renewal = vec![(CLIENT_SECRET, request.client_secret.clone())];
        let (set, stored) = self
            .keep_for_renewal(&request.form, &source, renewal, vec![(mint.token.to_owned(), minted.token)])
            .await?;
        tracing::info!(provider = mint.provider, "minted an access token for a form");
        let minted = MintedCredential {
            renewal_set: set,
            provider: mint.provider.to_owned(),
            client_id: request.client_id.trim().to_owned(),
            expires_at: minted.expires_at,
        };
        Ok(TokenMinted { stored, minted })
    }

    /// Keeps `renewal` in a new renewal set and `new` in the form's stored secrets; when the
    /// form's cannot be kept, the renewal set is removed again, so no key is left unreferenced.
    async fn keep_for_renewal(
        &self,
        form: &KeyFormRequest,
        source: &Source,
        renewal: Vec<(&'static str, Secret)>,
        new: Vec<(String, Secret)>,
    ) -> Result<(String, StoredSecrets), Failure> {
        let set = self.ops.renewal.keep(renewal).await?;
        match self.keep_in_form(form, source, new).await {
            Ok(stored) => Ok((set, stored)),
            Err(e) => {
                if let Err(forget) = self.ops.renewal.forget(&set).await {
                    tracing::warn!(error = %forget, "a renewal set was left in the keychain");
                }
                Err(e)
            }
        }
    }

    async fn key_form(&self, request: &KeyFormRequest) -> Result<(Source, AuthMethod, FormValues), Failure> {
        let ops = self.ops;
        let source = ops.catalog().source(Some(&request.account_id), &request.spec_id)?;
        let method = source.auth_method(&request.spec_name).cloned().ok_or_else(|| {
            Failure::new(
                ErrorCode::UnknownSource,
                "This sign-in method is not in the source's catalog entry: pick it again.",
            )
        })?;
        let mut values = request.values.clone();
        if let Some(stored) = &request.stored {
            form_secrets::fill(stored, &source, &ops.sets, &ops.profiles, &ops.vault, &mut values).await?;
        }
        Ok((source, method, values))
    }

    async fn keep_in_form(
        &self,
        request: &KeyFormRequest,
        source: &Source,
        new: Vec<(String, Secret)>,
    ) -> Result<StoredSecrets, Failure> {
        let ops = self.ops;
        Ok(form_secrets::extend(request.stored.as_ref(), source, &ops.sets, &ops.profiles, &ops.vault, new)
            .await?)
    }
}

/// The failure of a mint, classified as the checks before create are.
pub(crate) fn mint_failure(e: MintError) -> Failure {
    let code = match &e {
        MintError::Missing(_) | MintError::BadHost(_) | MintError::Unreadable { .. } => ErrorCode::Validation,
        MintError::Network { .. } => ErrorCode::Network,
        MintError::Refused { .. } => ErrorCode::GoogleSignIn,
    };
    Failure::new(code, e.to_string())
}

fn not_for(method: &AuthMethod, what: &str) -> Failure {
    Failure::new(ErrorCode::Validation, format!("“{}” does not sign in with {what}.", method.label))
}

/// The JWT's audience is a login URL: https (loopback for tests), an origin only.
fn check_audience(audience: &str) -> Result<(), Failure> {
    let bad = || {
        Failure::new(
            ErrorCode::Validation,
            "The login URL must be an https:// address such as https://login.salesforce.com.",
        )
    };
    let url = url::Url::parse(audience).map_err(|_| bad())?;
    crate::config::require_secure(&url).map_err(|_| bad())?;
    if url.path().trim_end_matches('/').is_empty() && url.query().is_none() {
        Ok(())
    } else {
        Err(bad())
    }
}
