//! Promotion as code: an ingestion (connections and their dataflows) described in a
//! reviewable manifest without a single secret, resolved for one environment (dev, stage,
//! prod) and compared with what a sandbox holds. The manifest names where each secret comes
//! from (a profile's keychain entries, `env:`, `file:`, or a consent to run), never its value:
//! one with a value is refused with the field named.

mod consent;
mod diff;
mod manifest;
mod records;
mod resolve;

pub use consent::{consent_fields, ConsentedSecrets, FinishPromotionConsent, NeededConsent};
pub use diff::{
    changes_anything, diff, drift_of, state_fingerprint, Action, LiveConnection, LiveFlow, LiveSchedule,
    ObjectKind, Planned,
};
pub use records::{
    fingerprint, rows_fingerprint, AppliedConnection, AppliedFlow, AppliedShape, Records, RecordsError,
};

pub use manifest::{
    parse, ConnectionEntry, Environment, Manifest, SecretRef, TextRef, MANIFEST_VERSION, MAX_MANIFEST_BYTES,
};
pub use resolve::{resolve, ResolvedConnection, ResolvedManifest};

/// Why a manifest cannot be used. Each names where in the file the problem is.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ManifestError {
    #[error("The manifest is larger than {max} bytes; split it.")]
    TooLarge { max: usize },
    #[error("The manifest is not valid YAML or JSON of the documented format: {0}")]
    Unreadable(String),
    #[error("The manifest is version {found}; this Flow Connect reads version {MANIFEST_VERSION}. Update Flow Connect.")]
    Version { found: u32 },
    #[error("{at} holds a secret value. A manifest names where a secret comes from ({{profile: NAME}}, env:VAR, file:PATH or {{consent: true}}), never the value: remove it from the file.")]
    SecretValue { at: String },
    #[error("{at} uses ${{env.{name}}}, which the environment “{environment}” does not define.")]
    UnknownVariable { at: String, name: String, environment: String },
    #[error("The manifest has no environment “{0}”: add it under environments, or pick one it has.")]
    UnknownEnvironment(String),
    #[error("Two connections are keyed “{0}”: each needs its own key (or name).")]
    DuplicateKey(String),
    #[error("{at}: {message}")]
    Invalid { at: String, message: String },
}
