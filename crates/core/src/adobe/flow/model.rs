//! The JSON bodies of Flow Service and sandbox management, as the reference describes them.

use std::fmt;

use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};
use ts_rs::TS;

/// Shown in place of every secret value.
pub const MASK: &str = "••••••••";

/// `POST /connections`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewConnection {
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub auth: AuthInfo,
    pub connection_spec: SpecRef,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthInfo {
    pub spec_name: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub auth_type: Option<String>,
    pub params: AuthParams,
}

/// `auth.params`: serialised in full for the request body only; `Debug` and [`masked`]
/// show the structure with every secret value hidden. Values are typed as the spec says (a
/// number, a boolean, a nested object), and a secret may sit inside a nested object.
///
/// [`masked`]: AuthParams::masked
#[derive(Clone, Default, PartialEq)]
pub struct AuthParams {
    values: Map<String, Value>,
    /// The path of each secret value, from `auth.params` down.
    secret_paths: Vec<Vec<String>>,
}

impl AuthParams {
    pub fn insert(&mut self, key: &str, value: String, secret: bool) {
        self.insert_at(&[key.to_owned()], Value::String(value), secret);
    }

    /// Puts `value` at `path`, making the objects on the way.
    pub fn insert_at(&mut self, path: &[String], value: Value, secret: bool) {
        let Some((last, parents)) = path.split_last() else { return };
        let mut object = &mut self.values;
        for key in parents {
            let slot = object.entry(key.clone()).or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            object = slot.as_object_mut().expect("made an object just above");
        }
        object.insert(last.clone(), value);
        if secret {
            self.secret_paths.push(path.to_vec());
        }
    }

    /// The secret values, so error messages can be scrubbed of them.
    pub fn secret_values(&self) -> impl Iterator<Item = &str> {
        self.secret_paths.iter().filter_map(|path| self.at(path)).filter_map(Value::as_str)
    }

    /// The params with every secret value replaced by [`MASK`].
    pub fn masked(&self) -> Value {
        let mut masked = Value::Object(self.values.clone());
        for path in &self.secret_paths {
            let mut slot = Some(&mut masked);
            for key in path {
                slot = slot.and_then(|v| v.get_mut(key.as_str()));
            }
            if let Some(value) = slot {
                *value = Value::String(MASK.into());
            }
        }
        masked
    }

    fn at(&self, path: &[String]) -> Option<&Value> {
        let (first, rest) = path.split_first()?;
        rest.iter().try_fold(self.values.get(first)?, |value, key| value.get(key.as_str()))
    }
}

impl Serialize for AuthParams {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.values.serialize(serializer)
    }
}

impl fmt::Debug for AuthParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.masked(), f)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SpecRef {
    pub id: String,
    pub version: String,
}

/// The answer to a create or an update: the connection's id and its new etag, whose literal
/// double quotes are part of the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Created {
    pub id: String,
    pub etag: String,
    /// Set when the create's answer was lost and the new connection was found by looking it
    /// up: what happened, for the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub note: Option<String>,
}

/// One item of `GET /connections`. Auth params are deliberately not read: the service may
/// echo secrets, and the app never needs them back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Connection {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub connection_spec: SpecRef,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub etag: String,
    #[serde(default)]
    #[ts(type = "number | null")]
    pub created_at: Option<i64>,
    #[serde(default)]
    #[ts(type = "number | null")]
    pub updated_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub auth_spec_name: Option<String>,
}

/// What the wire item looks like; `auth` is read for its spec name only.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireConnection {
    #[serde(flatten)]
    pub connection: Connection,
    #[serde(default)]
    pub auth: Option<WireAuth>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireAuth {
    #[serde(default)]
    pub spec_name: Option<String>,
}

impl From<WireConnection> for Connection {
    fn from(wire: WireConnection) -> Self {
        Connection { auth_spec_name: wire.auth.and_then(|a| a.spec_name), ..wire.connection }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct Items<T> {
    pub items: Vec<T>,
    #[serde(default, rename = "_links")]
    pub links: Option<Links>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Links {
    #[serde(default)]
    pub next: Option<Href>,
}

impl Links {
    /// The `continuationToken` of the next page's link, when there is a next page. The link is
    /// relative (`/connections?continuationToken=…`); only its query is read.
    pub fn continuation_token(links: Option<Links>) -> Option<String> {
        let href = links?.next?.href;
        let next = url::Url::parse("https://next.invalid/").ok()?.join(&href).ok()?;
        next.query_pairs().find(|(k, _)| k == "continuationToken").map(|(_, v)| v.into_owned())
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct Href {
    pub href: String,
}

/// One page of connections, and the token for the next one when there is more.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConnectionPage {
    pub items: Vec<Connection>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub continuation_token: Option<String>,
}

/// A connection spec, from `GET /connectionSpecs` or `GET /connectionSpecs/{id}`. Only what
/// the app uses is kept; `sourceSpec` and `targetSpec` are noted by their presence alone
/// (they tell a source from a destination) and not written back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionSpec {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
    /// Entries that cannot be read (no `name`, say) are left out rather than failing the spec.
    #[serde(default, deserialize_with = "readable_entries")]
    pub auth_spec: Vec<AuthSpec>,
    #[serde(default, deserialize_with = "object_or_empty")]
    pub attributes: Map<String, Value>,
    /// `exploreSpec.type` (`Tabular`, `FileSystem`, `Resource`): how the source is explored.
    #[serde(
        default,
        rename = "exploreSpec",
        deserialize_with = "explore_type",
        serialize_with = "write_explore_type"
    )]
    pub explore_type: Option<String>,
    #[serde(default, rename = "sourceSpec", deserialize_with = "present", skip_serializing)]
    pub has_source_spec: bool,
    #[serde(default, rename = "targetSpec", deserialize_with = "present", skip_serializing)]
    pub has_target_spec: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthSpec {
    pub name: String,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub auth_type: Option<String>,
    /// A JSON Schema (draft-07) with `properties` and `required`.
    #[serde(default)]
    pub spec: Value,
}

fn explore_type<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let value = Value::deserialize(deserializer)?;
    Ok(value
        .get("type")
        .or_else(|| value.get("name"))
        .and_then(Value::as_str)
        .map(|t| t.chars().take(64).collect()))
}

fn write_explore_type<S: Serializer>(explore: &Option<String>, serializer: S) -> Result<S::Ok, S::Error> {
    match explore {
        Some(kind) => serde_json::json!({ "type": kind }).serialize(serializer),
        None => serializer.serialize_none(),
    }
}

fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    serde::de::IgnoredAny::deserialize(deserializer).map(|_| true)
}

fn readable_entries<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<AuthSpec>, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::Array(items) => {
            items.into_iter().filter_map(|item| serde_json::from_value(item).ok()).collect()
        }
        _ => Vec::new(),
    })
}

fn object_or_empty<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Map<String, Value>, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::Object(map) => map,
        _ => Map::new(),
    })
}

/// A sandbox the user may work in. Show `title`, send `name`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Sandbox {
    pub name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub state: String,
    #[serde(default, rename = "type")]
    pub sandbox_type: String,
    #[serde(default)]
    pub is_default: bool,
}

#[derive(Debug, Deserialize)]
pub(crate) struct SandboxList {
    #[serde(default)]
    pub sandboxes: Vec<Sandbox>,
}

/// The outcome of a connection test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum TestOutcome {
    /// `GET /connections/{id}/test` answered `{"result": true}`.
    Passed,
    /// It answered `{"result": false}`.
    Failed,
    /// `/test` is not offered, but exploring the root worked, so the credentials are good.
    Explored,
}

/// One JSON-Patch operation of `PATCH /connections/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "op", rename_all = "lowercase")]
#[ts(export)]
pub enum PatchOp {
    Replace { path: String, value: String },
    Add { path: String, value: String },
    Remove { path: String },
}
