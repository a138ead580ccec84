//! The catalog door: the sources (built-in and the org's live ones), one source, the refresh,
//! the one catalog search, and the form's tools: its check as the user types, the connection
//! string composed and split, a key file read into the keychain. The window's catalog and key
//! file commands and the CLI's `sources` subcommands call these and nothing else of the catalog.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{form_secrets, unknown_source, Operations};
use crate::adobe::flow::FlowClient;
use crate::catalog::{
    self, builtin_source, builtin_sources, AuthMethod, CatalogList, ConnectionStringPart, FieldError,
    FormValues, ParamKind, Source,
};
use crate::operations::failure::{ErrorCode, Failure};
use crate::secret::Secret;
use crate::secrets::credentials::StoredSecrets;
use crate::secrets::key_files::{display_name, read_key_file, KeyFileError};

/// The source catalog and the form engine: sources, live specs, search, form checks, connection strings.
#[derive(Debug)]
pub struct Catalog<'a> {
    pub(super) ops: &'a Operations,
}

/// The longest connection string accepted: far beyond any real one, short of a paste accident.
pub const MAX_CONNECTION_STRING: usize = 8 * 1024;

/// A source as the account's org sees it in a sandbox.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LoadSourceRequest {
    pub account_id: String,
    pub sandbox: String,
    pub spec_id: String,
}

/// The org's catalog, fetched again through the account in a sandbox.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RefreshCatalogRequest {
    pub account_id: String,
    pub sandbox: String,
}

/// A catalog search: among the account's catalog as last fetched, or the built-in sources
/// without an account.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SearchCatalogRequest {
    #[ts(type = "string | null")]
    pub account_id: Option<String>,
    pub query: String,
}

/// A form as the user fills it: its source (the account's live entry when fetched, else the
/// built-in one), its sign-in method and its values.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FormCheckRequest {
    #[ts(type = "string | null")]
    pub account_id: Option<String>,
    pub spec_id: String,
    pub spec_name: String,
    #[ts(type = "Record<string, string>")]
    pub values: FormValues,
}

/// What the form check found: errors, which block the create, and warnings, which do not.
#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct FormCheck {
    pub errors: Vec<FieldError>,
    pub warnings: Vec<FieldError>,
}

/// The connection-string param `param` of a form, composed from its part fields.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ComposeConnectionStringRequest {
    #[ts(type = "string | null")]
    pub account_id: Option<String>,
    pub spec_id: String,
    pub spec_name: String,
    pub param: String,
    #[ts(type = "Record<string, string>")]
    pub values: FormValues,
}

/// A connection string pasted into the param `param` of a form that holds `stored`.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SplitConnectionStringRequest {
    #[ts(type = "string | null")]
    pub account_id: Option<String>,
    pub spec_id: String,
    pub spec_name: String,
    pub param: String,
    #[ts(type = "string")]
    pub raw: Secret,
    pub stored: Option<StoredSecrets>,
}

/// A pasted connection string, split: the plain parts as values, the secret ones (the
/// password) kept in the keychain with the form's other stored secrets.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SplitConnectionString {
    #[ts(type = "Record<string, string>")]
    pub values: BTreeMap<String, String>,
    pub stored: Option<StoredSecrets>,
}

/// The key file of the file field `field` of a form of `spec_id`: the one dropped on the form
/// (`path`), else the one the user picks.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportKeyFileRequest {
    pub spec_id: String,
    pub field: String,
    pub stored: Option<StoredSecrets>,
    pub path: Option<String>,
}

/// A key file kept for the form.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportedKeyFile {
    /// The form's stored secrets, now with the file's field among them.
    pub stored: StoredSecrets,
    /// The file's name, for the form to say what it read.
    pub file_name: String,
}

/// What the catalog door refuses; each says what to do next.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceRequestError {
    #[error("No source is named “{0}”. Search with `sources list --search TEXT`.")]
    NoSuchSource(String),
    #[error("{0} is not a connection string of this source.")]
    NotAConnectionString(String),
    #[error("That is longer than a connection string can be ({} KiB at most): paste only the connection string.", MAX_CONNECTION_STRING / 1024)]
    TooLong,
    /// Why the pasted string could not be split: positions and known keys, never its text.
    #[error("{0}")]
    Unsplittable(String),
    #[error("“{0}” is not a file field of this source.")]
    NotAFileField(String),
}

impl From<SourceRequestError> for Failure {
    fn from(e: SourceRequestError) -> Self {
        let code = match &e {
            SourceRequestError::NoSuchSource(_) => ErrorCode::NotFound,
            SourceRequestError::NotAConnectionString(_) => ErrorCode::UnknownSource,
            SourceRequestError::TooLong
            | SourceRequestError::Unsplittable(_)
            | SourceRequestError::NotAFileField(_) => ErrorCode::Validation,
        };
        Failure::new(code, e.to_string())
    }
}

/// A key file's failure as the user sees it: what was wrong with the file, never its content.
impl From<KeyFileError> for Failure {
    fn from(e: KeyFileError) -> Self {
        match e {
            KeyFileError::Unreadable { .. } => Failure::new(ErrorCode::Storage, e.to_string()),
            KeyFileError::Client(e) => e.into(),
            KeyFileError::NotAFile { .. }
            | KeyFileError::TooLarge { .. }
            | KeyFileError::NotText { .. }
            | KeyFileError::NotAKey { .. } => Failure::new(ErrorCode::Validation, e.to_string()),
        }
    }
}

impl Catalog<'_> {
    /// The account's org catalog as last fetched (memory or the cache file), or the built-in
    /// sources when it never was or without an account; never a network call, so the catalog
    /// shows at once and offline.
    pub async fn sources(&self, account_id: Option<&str>) -> Result<CatalogList, Failure> {
        Ok(match account_id {
            Some(id) => self.ops.catalog.list(&self.ops.account(id)?.org_id).await,
            None => CatalogList { sources: builtin_sources().to_vec(), refreshed_at: None },
        })
    }

    /// The sources the catalog search finds, by core's one rule ([`catalog::matches_search`]:
    /// every word, in the name, category, spec key or id), in the catalog's order; an empty
    /// query finds them all. Never a network call.
    pub async fn search(&self, request: &SearchCatalogRequest) -> Result<CatalogList, Failure> {
        let mut list = self.sources(request.account_id.as_deref()).await?;
        list.sources.retain(|s| catalog::matches_search(s, &request.query));
        Ok(list)
    }

    /// The source with this spec id, else this display name (ignoring case), among the
    /// account's catalog as last fetched (the built-in sources without an account).
    pub async fn find(&self, account_id: Option<&str>, wanted: &str) -> Result<Source, Failure> {
        Ok(find_source(&self.sources(account_id).await?.sources, wanted)?.clone())
    }

    /// The live entry already fetched for the account's org, else the built-in one. Never a
    /// network call: the form runs this on every keystroke.
    pub fn source(&self, account_id: Option<&str>, spec_id: &str) -> Result<Source, Failure> {
        let live = match account_id {
            Some(id) => {
                self.ops.accounts.find(id).ok().and_then(|a| self.ops.catalog.cached(&a.org_id, spec_id))
            }
            None => None,
        };
        live.or_else(|| builtin_source(spec_id).cloned()).ok_or_else(unknown_source)
    }

    /// The source as the org behind `client` sees it now (the live spec, one request), or the
    /// built-in entry when the spec cannot be read.
    pub async fn live_source(&self, client: &FlowClient, spec_id: &str) -> Result<Source, Failure> {
        match self.ops.catalog.source(client, spec_id).await {
            (Some(source), _) => Ok(source),
            (None, Some(error)) => Err(error.into()),
            (None, None) => Err(unknown_source()),
        }
    }

    /// [`Catalog::live_source`] through the account in the sandbox: what the form loads, so
    /// that its checks and the create follow the org's live spec.
    pub async fn load(&self, request: &LoadSourceRequest) -> Result<Source, Failure> {
        let client = self.ops.client_for(&request.account_id, &request.sandbox).await?;
        self.live_source(&client, &request.spec_id).await
    }

    /// Fetches the org's whole catalog and rewrites its cache.
    pub async fn refresh(&self, request: &RefreshCatalogRequest) -> Result<CatalogList, Failure> {
        let client = self.ops.client_for(&request.account_id, &request.sandbox).await?;
        Ok(self.ops.catalog.refresh(&client).await?)
    }

    /// Checks a form as the user types; no errors means every value is accepted.
    pub fn check(&self, request: &FormCheckRequest) -> Result<FormCheck, Failure> {
        let source = self.source(request.account_id.as_deref(), &request.spec_id)?;
        let method = method_of(&source, &request.spec_name)?;
        Ok(FormCheck {
            errors: catalog::validate(method, &request.values),
            warnings: catalog::warnings(method, &request.values),
        })
    }

    /// The connection string composed from its part fields, secret parts masked.
    pub fn compose_connection_string(
        &self,
        request: &ComposeConnectionStringRequest,
    ) -> Result<String, Failure> {
        let source = self.source(request.account_id.as_deref(), &request.spec_id)?;
        let parts = connection_string_parts(&source, &request.spec_name, &request.param)?;
        Ok(catalog::masked_connection_string(parts, &request.values))
    }

    /// A pasted connection string split into the part fields; its secret parts go to the
    /// keychain, into the form's own set (a new one when it has none of this source).
    pub async fn split_connection_string(
        &self,
        request: SplitConnectionStringRequest,
    ) -> Result<SplitConnectionString, Failure> {
        if request.raw.expose().len() > MAX_CONNECTION_STRING {
            return Err(SourceRequestError::TooLong.into());
        }
        let source = self.source(request.account_id.as_deref(), &request.spec_id)?;
        let parts = connection_string_parts(&source, &request.spec_name, &request.param)?;
        let mut values = catalog::split_connection_string(parts, request.raw.expose())
            .map_err(SourceRequestError::Unsplittable)?;
        let secrets: Vec<(String, Secret)> = parts
            .iter()
            .filter(|p| p.secret)
            .filter_map(|p| {
                values.remove(&p.field).filter(|v| !v.is_empty()).map(|v| (p.field.clone(), Secret::new(v)))
            })
            .collect();
        if secrets.is_empty() {
            return Ok(SplitConnectionString { values, stored: request.stored });
        }
        let stored = self.keep(request.stored.as_ref(), &source, secrets).await?;
        Ok(SplitConnectionString { values, stored: Some(stored) })
    }

    /// Reads the key file of a file field into the keychain: the dropped one, else the one
    /// `pick` asks the user for (told whether the field takes JSON); `None` when the user
    /// cancelled. Only the file's name comes back, never its content.
    pub async fn import_key_file<F, Fut>(
        &self,
        request: ImportKeyFileRequest,
        pick: F,
    ) -> Result<Option<ImportedKeyFile>, Failure>
    where
        F: FnOnce(bool) -> Fut,
        Fut: Future<Output = Option<PathBuf>>,
    {
        let source = self.source(None, &request.spec_id)?;
        let kind = source
            .auth_methods
            .iter()
            .flat_map(|m| m.all_params())
            .find(|p| p.field == request.field && matches!(p.kind, ParamKind::FileBase64 { .. }))
            .map(|p| p.kind.clone())
            .ok_or_else(|| SourceRequestError::NotAFileField(request.field.clone()))?;
        let json = matches!(&kind, ParamKind::FileBase64 { accept } if accept.contains("json"));
        let path = match request.path {
            Some(dropped) => PathBuf::from(dropped),
            None => match pick(json).await {
                Some(picked) => picked,
                None => return Ok(None),
            },
        };
        let content = read_key_file(&path, &kind)?;
        // Only a secret field may be kept this way: extend refuses any other.
        let stored = self.keep(request.stored.as_ref(), &source, vec![(request.field, content)]).await?;
        tracing::info!("a key file was kept in the keychain for a form");
        Ok(Some(ImportedKeyFile { stored, file_name: display_name(&path) }))
    }

    /// Keeps secrets just obtained for a form of `source` that holds `stored`.
    async fn keep(
        &self,
        stored: Option<&StoredSecrets>,
        source: &Source,
        new: Vec<(String, Secret)>,
    ) -> Result<StoredSecrets, Failure> {
        let ops = self.ops;
        Ok(form_secrets::extend(stored, source, &ops.sets, &ops.profiles, &ops.vault, new).await?)
    }
}

/// The source of `sources` with this spec id, else this display name (ignoring case).
fn find_source<'a>(sources: &'a [Source], wanted: &str) -> Result<&'a Source, SourceRequestError> {
    let wanted = wanted.trim();
    sources
        .iter()
        .find(|s| s.spec_id == wanted)
        .or_else(|| sources.iter().find(|s| s.display_name.eq_ignore_ascii_case(wanted)))
        .ok_or_else(|| SourceRequestError::NoSuchSource(wanted.to_owned()))
}

fn method_of<'s>(source: &'s Source, spec_name: &str) -> Result<&'s AuthMethod, Failure> {
    source.auth_method(spec_name).ok_or_else(unknown_source)
}

/// The parts of the connection-string param `param` of the method `spec_name`.
fn connection_string_parts<'s>(
    source: &'s Source,
    spec_name: &str,
    param: &str,
) -> Result<&'s [ConnectionStringPart], Failure> {
    let method = method_of(source, spec_name)?;
    match method.all_params().into_iter().find(|p| p.field == param).map(|p| &p.kind) {
        Some(ParamKind::ConnectionString { parts }) => Ok(parts),
        _ => Err(SourceRequestError::NotAConnectionString(param.to_owned()).into()),
    }
}
