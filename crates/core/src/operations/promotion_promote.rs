//! Promote from the window: one connection and its dataflows, exported from the sandbox it is
//! in, planned against another sandbox (of the same org, or of another account's org) and
//! applied there, with the secrets each object needs and where they come from.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ts_rs::TS;

use super::form_consent::Started;
use super::promotion::{AppliedItem, ApplyReport, Promotion, PromotionPlan, PromotionRequest};
use super::promotion_export::ExportRequest;
use crate::operations::failure::{ErrorCode, Failure};
use crate::promotion::ConsentedSecrets;

/// The environment the promoted manifest is resolved for.
const TARGET: &str = "target";

/// A connection to promote, and where to.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PromoteRequest {
    pub account_id: String,
    pub from_sandbox: String,
    pub connection_id: String,
    pub to_sandbox: String,
    /// Another account (another org) to promote into; the same one when left out.
    #[serde(default)]
    #[ts(optional)]
    pub to_account_id: Option<String>,
    #[serde(default)]
    pub allow_replace: bool,
    /// The consents run for this promotion (`{consent: true}` fields), by connection.
    #[serde(default)]
    pub consented: Vec<ConsentedSecrets>,
}

/// A consent the promotion's plan needs, to start.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PromoteConsentRequest {
    pub promote: PromoteRequest,
    /// The connection's manifest key ([`super::NeededConsent::connection`]).
    pub connection: String,
}

/// Where one secret comes from when the promotion is applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SecretSource {
    pub connection: String,
    pub field: String,
    /// In words: `the profile “BigQuery marketing”`, `the environment variable X`.
    pub from: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PromotionPreview {
    /// The manifest the plan is made from, to save as code.
    pub manifest: String,
    pub plan: PromotionPlan,
    pub secrets: Vec<SecretSource>,
}

impl Promotion<'_> {
    /// What promoting would do in the target sandbox; nothing is written.
    pub async fn plan_promotion(&self, request: &PromoteRequest) -> Result<PromotionPreview, Failure> {
        let (promotion, secrets) = self.promotion_request(request).await?;
        let plan = self.plan(&promotion).await?;
        Ok(PromotionPreview { manifest: promotion.manifest, plan, secrets })
    }

    /// Promotes: the plan made again now, then applied in the target sandbox, `step` told of
    /// each object as it is done.
    pub async fn apply_promotion(
        &self,
        request: &PromoteRequest,
        step: &(dyn Fn(&AppliedItem) + Send + Sync),
    ) -> Result<ApplyReport, Failure> {
        let (promotion, _) = self.promotion_request(request).await?;
        self.apply_with(&promotion, step).await
    }

    /// Starts the consent a promotion's plan named; the shell opens `url`, then calls
    /// [`Promotion::finish_consent`] with the same connection.
    pub async fn begin_promote_consent(&self, request: &PromoteConsentRequest) -> Result<Started, Failure> {
        let (promotion, _) = self.promotion_request(&request.promote).await?;
        self.begin_consent(&promotion, &request.connection).await
    }

    async fn promotion_request(
        &self,
        request: &PromoteRequest,
    ) -> Result<(PromotionRequest, Vec<SecretSource>), Failure> {
        if request.from_sandbox == request.to_sandbox
            && request.to_account_id.as_deref().is_none_or(|a| a == request.account_id)
        {
            return Err(Failure::new(
                ErrorCode::Validation,
                "Pick another sandbox (or another org) to promote to.",
            ));
        }
        let exported = self
            .export(&ExportRequest {
                account_id: request.account_id.clone(),
                sandbox: request.from_sandbox.clone(),
                connections: vec![request.connection_id.clone()],
            })
            .await?;
        let mut manifest: Value = serde_yaml_ng::from_str(&exported.manifest).map_err(|e| {
            Failure::new(ErrorCode::Storage, format!("The exported manifest could not be read ({e})."))
        })?;
        let vars = manifest
            .pointer(&format!("/environments/{}/vars", request.from_sandbox))
            .cloned()
            .unwrap_or(json!({}));
        let mut target = json!({ "sandbox": request.to_sandbox, "vars": vars });
        let account_id = request.to_account_id.clone().unwrap_or_else(|| request.account_id.clone());
        if account_id != request.account_id {
            target["org"] = json!(self.ops.account(&account_id)?.org_id);
        }
        manifest["environments"][TARGET] = target;
        let secrets = secret_sources(&manifest);
        let text = serde_yaml_ng::to_string(&manifest).map_err(|e| {
            Failure::new(ErrorCode::Storage, format!("The manifest could not be written ({e})."))
        })?;
        let promotion = PromotionRequest {
            account_id,
            manifest: text,
            environment: TARGET.into(),
            sandbox: None,
            allow_replace: request.allow_replace,
            expected: None,
            org: None,
            consented: request.consented.clone(),
        };
        Ok((promotion, secrets))
    }
}

fn secret_sources(manifest: &Value) -> Vec<SecretSource> {
    let mut found = Vec::new();
    for connection in manifest["connections"].as_array().into_iter().flatten() {
        let name = connection["name"].as_str().unwrap_or_default();
        for (field, reference) in connection["secrets"].as_object().into_iter().flatten() {
            let from = match reference {
                Value::String(text) => match text.split_once(':') {
                    Some(("env", var)) => format!("the environment variable {var}, which no profile replaces: save the connection's profile first"),
                    Some(("file", path)) => format!("the file {path}"),
                    _ => text.clone(),
                },
                other => match other["profile"].as_str() {
                    Some(profile) => format!("the profile “{profile}” in your keychain"),
                    None => "a consent, run before the apply".into(),
                },
            };
            found.push(SecretSource { connection: name.to_owned(), field: field.clone(), from });
        }
    }
    found
}
