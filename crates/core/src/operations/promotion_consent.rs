//! `{consent: true}` in a manifest: the tokens of a connection's OAuth sign-in, got by running
//! its consent when the apply needs them (a connection created, made again, or given new
//! credentials), never copied from another sandbox. The plan names each consent the apply will
//! need; the shell runs it (opens the browser or takes the pasted address) and hands the apply
//! the keychain set the tokens went to, by id: no token ever reaches a shell.

use super::form_consent::{self, Started};
use super::promotion::{Promotion, PromotionRequest};
use crate::catalog::{ConsentKind, Source};
use crate::oauth::providers;
use crate::operations::failure::{ErrorCode, Failure};
use crate::promotion::{
    consent_fields, Action, ConsentedSecrets, NeededConsent, ObjectKind, Planned, ResolvedConnection,
    ResolvedManifest,
};

/// How the secrets of a connection are gathered: to start its consent (the consent's own
/// fields are what it is about to get), or to apply it (they must have been got).
#[derive(Debug, Clone, Copy)]
pub(super) enum ConsentUse<'a> {
    Begin,
    Apply(Option<&'a ConsentedSecrets>),
}

/// The fields a consent of `method` fills: Google's refresh token, or the tokens a provider of
/// the table issues. An export names these `{consent: true}` when no profile holds them.
pub(super) fn filled_by_consent(source: &Source, method: &str) -> Vec<&'static str> {
    match source.auth_method(method).map(|m| &m.consent) {
        Some(ConsentKind::Google { .. }) => vec!["refreshToken"],
        Some(ConsentKind::Provider { id, .. }) => providers::by_id(id)
            .map(|p| [p.fields.access_token, p.fields.refresh_token].into_iter().flatten().collect())
            .unwrap_or_default(),
        Some(ConsentKind::Rest | ConsentKind::None) | None => Vec::new(),
    }
}

impl Promotion<'_> {
    /// The consents applying `items` needs: one per connection with `{consent: true}` fields that
    /// is created, made again, or given new credentials.
    pub(super) fn needed(
        &self,
        account_id: &str,
        resolved: &ResolvedManifest,
        items: &[Planned],
    ) -> Vec<NeededConsent> {
        items
            .iter()
            .filter(|item| item.kind == ObjectKind::Connection)
            .filter(|item| match item.action {
                Action::Create | Action::Replace => true,
                Action::Update => item.changes.iter().any(|c| c.starts_with("credentials")),
                Action::Unchanged => false,
            })
            .filter_map(|item| {
                let wanted = resolved.connections.iter().find(|c| c.key == item.key)?;
                let fields = consent_fields(wanted);
                if fields.is_empty() {
                    return None;
                }
                // A method without a consent here is named as such; the apply says why.
                let provider = match self.consent_of(account_id, wanted) {
                    Ok((_, ConsentKind::Google { .. }, _)) => "Google".to_owned(),
                    Ok((_, ConsentKind::Provider { name, .. }, _)) => name,
                    Ok(_) | Err(_) => String::new(),
                };
                Some(NeededConsent {
                    connection: wanted.key.clone(),
                    name: wanted.name.clone(),
                    provider,
                    fields,
                })
            })
            .collect()
    }

    /// Who runs the consent of `wanted`'s sign-in method (for a plan to name), or why none can.
    pub(super) fn consent_of(
        &self,
        account_id: &str,
        wanted: &ResolvedConnection,
    ) -> Result<(Source, ConsentKind, Option<&'static providers::Provider>), Failure> {
        let source = self.ops.catalog().source(Some(account_id), &wanted.source)?;
        let kind = source.auth_method(&wanted.method).map_or(ConsentKind::None, |m| m.consent.clone());
        let refused = |why: &str| {
            Failure::new(
                ErrorCode::Validation,
                format!(
                    "“{}” takes {} from a consent, but {why}",
                    wanted.name,
                    consent_fields(wanted).join(", ")
                ),
            )
        };
        let table = match &kind {
            ConsentKind::Google { .. } => None,
            ConsentKind::Provider { id, .. } => Some(
                providers::by_id(id)
                    .filter(|p| p.spec_ids.contains(&source.spec_id.as_str()))
                    .ok_or_else(|| refused("its provider does not serve this source."))?,
            ),
            ConsentKind::Rest => {
                return Err(refused("a REST API's consent needs its provider's authorization URL: run it into a profile (flow-connect-cli consent --profile NAME --authorization-url URL) and name the profile in the manifest."))
            }
            ConsentKind::None => {
                return Err(refused(&format!("its sign-in method “{}” takes its tokens as typed values: name where they come from (a profile, env: or file:).", wanted.method)))
            }
        };
        Ok((source, kind, table))
    }

    /// The consents an apply of `request` needs first: none, without a request, when the
    /// manifest has no `{consent: true}` field; else what a plan made now finds.
    pub async fn consents(&self, request: &PromotionRequest) -> Result<Vec<NeededConsent>, Failure> {
        let resolved = self.resolve(request)?;
        if resolved.connections.iter().all(|c| consent_fields(c).is_empty()) {
            return Ok(Vec::new());
        }
        Ok(self.plan(request).await?.consents)
    }

    /// Starts the consent of the manifest's connection `connection` (its key or its name) for
    /// an apply of `request`, cancelling any other consent; the shell opens `url`. The client
    /// comes from the manifest: its ID as a value, its secret from where the manifest names it.
    pub async fn begin_consent(
        &self,
        request: &PromotionRequest,
        connection: &str,
    ) -> Result<Started, Failure> {
        let resolved = self.resolve(request)?;
        let wanted = resolved
            .connections
            .iter()
            .find(|c| c.key == connection || c.name == connection)
            .ok_or_else(|| {
                Failure::new(ErrorCode::NotFound, format!("The manifest has no connection “{connection}”."))
            })?;
        let (source, kind, table_provider) = self.consent_of(&request.account_id, wanted)?;
        let (mut values, stored) = self.secrets(wanted, ConsentUse::Begin).await?;
        let scopes = match &kind {
            ConsentKind::Google { scope } => scope.clone(),
            ConsentKind::Provider { scopes, .. } => scopes.join(" "),
            ConsentKind::Rest | ConsentKind::None => String::new(),
        };
        let asked = form_consent::ConsentRequest {
            source,
            provider: None,
            client_id: values.get("clientId").map(|v| v.expose().to_owned()).unwrap_or_default(),
            client_secret: values.remove("clientSecret").unwrap_or_default(),
            scopes,
            redirect_uri: None,
            stored,
            table_provider,
            values,
            https_redirect: None,
        };
        let ops = self.ops;
        Ok(form_consent::begin(&ops.consent, asked, ops.google_endpoints(), ops.keychain()).await?)
    }

    /// Waits (up to five minutes) for the consent begun for `connection`, and hands back where
    /// its tokens are kept, for the apply.
    pub async fn finish_consent(&self, connection: &str) -> Result<ConsentedSecrets, Failure> {
        let finished = self.ops.consent().finish().await?;
        Ok(ConsentedSecrets {
            connection: connection.to_owned(),
            stored: finished.stored,
            issued: finished.issued,
        })
    }
}
