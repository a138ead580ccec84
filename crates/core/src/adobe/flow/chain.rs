//! Creating and deleting the objects of a dataflow's chain (field group, schema, identity
//! descriptor, dataset, source connection, target connection, mapping set, flow) across the
//! gateway's services, each exactly once.
//!
//! Every object carries the dataflow's marker in its description (`[flow-connect dataflow …]`,
//! the same on every object of one dataflow, and kept: it is also how a later run finds what
//! this one made). A create whose answer is lost is looked for by that marker before it is
//! sent again, as `create_connection` does for base connections. Mapping sets have no
//! description; a lost one is recognised by its schema, its mappings and its creation time.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use super::client::{api_error, check_id, parse, AttemptError, FlowClient, Service};
use super::error::FlowError;
use super::retry::{is_retryable_status, retry_after};

/// Media type of the Schema Registry's id listings.
pub(super) const XED_ID: &str = "application/vnd.adobe.xed-id+json";
/// Media type of a whole, resolved schema; the major version is required.
pub(super) const XED_FULL: &str = "application/vnd.adobe.xed-full+json;version=1";
/// How far back a lost mapping set's creation time may be, against clock skew.
const MAPPING_SET_WINDOW_MS: i64 = 10 * 60 * 1000;

/// One kind of object of a dataflow's chain, in the order they are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ChainObject {
    FieldGroup,
    Schema,
    Descriptor,
    Dataset,
    SourceConnection,
    TargetConnection,
    MappingSet,
    Flow,
}

impl ChainObject {
    /// In words, for progress lines and errors.
    pub fn label(self) -> &'static str {
        match self {
            ChainObject::FieldGroup => "field group",
            ChainObject::Schema => "schema",
            ChainObject::Descriptor => "identity descriptor",
            ChainObject::Dataset => "dataset",
            ChainObject::SourceConnection => "source connection",
            ChainObject::TargetConnection => "target connection",
            ChainObject::MappingSet => "mapping set",
            ChainObject::Flow => "dataflow",
        }
    }

    /// Whether Flow Service makes it as a draft (`?mode=draft`) and publishes it later.
    pub fn drafts(self) -> bool {
        matches!(self, ChainObject::SourceConnection | ChainObject::TargetConnection | ChainObject::Flow)
    }

    fn flow_collection(self) -> Option<&'static str> {
        match self {
            ChainObject::SourceConnection => Some("sourceConnections"),
            ChainObject::TargetConnection => Some("targetConnections"),
            ChainObject::Flow => Some("flows"),
            _ => None,
        }
    }
}

/// What a create returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Made {
    pub id: String,
    #[serde(default)]
    pub etag: Option<String>,
    /// A mapping set's version.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub version: Option<i64>,
    /// Set when the answer was lost and the object found by its marker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub note: Option<String>,
}

enum Try {
    Done(Made),
    Again { wait: Option<Duration>, failure: FlowError },
    Unknown { failure: FlowError },
    Failed(FlowError),
}

impl FlowClient {
    fn chain_url(&self, what: ChainObject, segments: &[&str]) -> url::Url {
        match what {
            ChainObject::FieldGroup => {
                self.service_url(Service::SchemaRegistry, &[&["tenant", "fieldgroups"], segments].concat())
            }
            ChainObject::Schema => {
                self.service_url(Service::SchemaRegistry, &[&["tenant", "schemas"], segments].concat())
            }
            ChainObject::Descriptor => {
                self.service_url(Service::SchemaRegistry, &[&["tenant", "descriptors"], segments].concat())
            }
            ChainObject::Dataset => self.service_url(Service::Catalog, &[&["dataSets"], segments].concat()),
            ChainObject::MappingSet => {
                self.service_url(Service::DataPrep, &[&["mappingSets"], segments].concat())
            }
            ChainObject::SourceConnection | ChainObject::TargetConnection | ChainObject::Flow => {
                let collection = what.flow_collection().unwrap_or("flows");
                self.flow_url(&[&[collection], segments].concat())
            }
        }
    }

    /// Creates `what` from `body` once: a lost answer is looked up by `marker` (which the
    /// body's description must carry) before the create is sent again. `draft` makes a Flow
    /// Service object as a draft.
    pub async fn create_marked(
        &self,
        what: ChainObject,
        body: &Value,
        marker: &str,
        draft: bool,
    ) -> Result<Made, FlowError> {
        let mut url = self.chain_url(what, &[]);
        if draft && what.drafts() {
            url.query_pairs_mut().append_pair("mode", "draft");
        }
        if what == ChainObject::Dataset {
            url.query_pairs_mut().append_pair("requestDataSource", "true");
        }
        let bytes = serde_json::to_vec(body)
            .map_err(|e| FlowError::UnexpectedResponse { status: 0, detail: e.to_string() })?;
        let since = crate::dates::now_ms();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last = attempt >= self.retry.max_attempts;
            let (wait, failure) = match self.try_chain_create(what, url.clone(), &bytes).await {
                Try::Done(made) => return Ok(made),
                Try::Failed(failure) => return Err(failure),
                Try::Again { wait, failure } => (wait, failure),
                Try::Unknown { failure } => {
                    if let Some(mut found) = self.look_for_marked(what, body, marker, since).await? {
                        tracing::info!(what = what.label(), id = %found.id, "an unanswered create had made it; not sent again");
                        found.note = Some(format!(
                            "Adobe did not answer the create of the {} ({failure}), but it appeared, so it was not sent again.",
                            what.label()
                        ));
                        return Ok(found);
                    }
                    if last {
                        return Err(FlowError::CreateUnconfirmed {
                            name: name_of(body),
                            seconds: self.lookup_window.as_secs(),
                            reason: failure.to_string(),
                        });
                    }
                    (None, failure)
                }
            };
            match self.retry.delay(attempt, wait) {
                Some(delay) if !last => tokio::time::sleep(delay).await,
                _ => return Err(failure),
            }
        }
    }

    async fn try_chain_create(&self, what: ChainObject, url: url::Url, body: &[u8]) -> Try {
        match self.attempt(Method::POST, url, Some(body), None).await {
            Ok(reply) if reply.status.is_success() => match made_from(what, &reply.body) {
                Some(made) => Try::Done(made),
                None => Try::Unknown {
                    failure: FlowError::UnexpectedResponse {
                        status: reply.status.as_u16(),
                        detail: format!("no {} id in the answer", what.label()),
                    },
                },
            },
            Ok(reply) if reply.status == StatusCode::TOO_MANY_REQUESTS => {
                Try::Again { wait: retry_after(&reply.headers), failure: FlowError::Api(api_error(&reply)) }
            }
            Ok(reply)
                if reply.status == StatusCode::INTERNAL_SERVER_ERROR
                    || is_retryable_status(reply.status.as_u16()) =>
            {
                Try::Unknown { failure: FlowError::Api(api_error(&reply)) }
            }
            Ok(reply) => Try::Failed(FlowError::Api(api_error(&reply))),
            Err(AttemptError::NotSent(reason)) => {
                Try::Again { wait: None, failure: FlowError::Network { reason } }
            }
            Err(AttemptError::Ambiguous(reason)) => Try::Unknown { failure: FlowError::Network { reason } },
            Err(AttemptError::Fatal(e)) => Try::Failed(e),
        }
    }

    /// Looks for the object a create of `body` made, with backoff up to the lookup window.
    async fn look_for_marked(
        &self,
        what: ChainObject,
        body: &Value,
        marker: &str,
        since_ms: i64,
    ) -> Result<Option<Made>, FlowError> {
        let started = tokio::time::Instant::now();
        let mut delay = Duration::from_millis(500);
        loop {
            if let Some(found) = self.find_marked(what, body, marker, since_ms).await? {
                return Ok(Some(found));
            }
            let elapsed = started.elapsed();
            if elapsed >= self.lookup_window {
                return Ok(None);
            }
            tokio::time::sleep(delay.min(self.lookup_window - elapsed)).await;
            delay = (delay * 2).min(Duration::from_secs(8));
        }
    }

    /// The object of kind `what` that carries `marker` (named as `body` names it), if any.
    /// Used after a lost answer, and when a creation resumes after a crash.
    pub async fn find_marked(
        &self,
        what: ChainObject,
        body: &Value,
        marker: &str,
        since_ms: i64,
    ) -> Result<Option<Made>, FlowError> {
        let name = name_of(body);
        let carries = |item: &Value| {
            item.get("description").and_then(Value::as_str).is_some_and(|d| d.contains(marker))
        };
        match what {
            ChainObject::SourceConnection | ChainObject::TargetConnection | ChainObject::Flow => {
                let collection = what.flow_collection().unwrap_or("flows");
                // The service splits a filter's value at commas: such a name is matched here.
                let filter = if name.contains(',') { String::new() } else { format!("name=={name}") };
                let items = self.list_all(&[collection], &filter).await?;
                Ok(items.iter().find(|i| carries(i)).map(made_of_item))
            }
            ChainObject::Dataset => {
                let mut url = self.chain_url(what, &[]);
                url.query_pairs_mut()
                    .append_pair("name", &name)
                    .append_pair("properties", "name,description");
                let found: serde_json::Map<String, Value> = parse(&self.read(url).await?)?;
                Ok(found.iter().find(|(_, v)| carries(v)).map(|(id, _)| Made {
                    id: id.clone(),
                    etag: None,
                    version: None,
                    note: None,
                }))
            }
            ChainObject::Schema | ChainObject::FieldGroup => {
                let mut url = self.chain_url(what, &[]);
                url.query_pairs_mut().append_pair("property", &format!("title=={name}"));
                let listing: Value = parse(&self.read_as(url, XED_ID).await?)?;
                for result in listing.get("results").and_then(Value::as_array).into_iter().flatten() {
                    let Some(id) = result.get("$id").and_then(Value::as_str) else { continue };
                    let full: Value = parse(&self.read_as(self.chain_url(what, &[id]), XED_FULL).await?)?;
                    if carries(&full) {
                        return Ok(Some(Made { id: id.to_owned(), etag: None, version: None, note: None }));
                    }
                }
                Ok(None)
            }
            ChainObject::MappingSet => {
                let mut url = self.chain_url(what, &[]);
                url.query_pairs_mut().append_pair("limit", "50").append_pair("start", "0");
                let listing: Value = parse(&self.read(url).await?)?;
                let wanted = mapping_pairs(body);
                let schema = body.pointer("/outputSchema/schemaRef/id");
                Ok(listing
                    .get("data")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter(|set| set.pointer("/outputSchema/schemaRef/id") == schema)
                    .filter(|set| {
                        set.get("createdDate").and_then(Value::as_i64).unwrap_or(0)
                            >= since_ms - MAPPING_SET_WINDOW_MS
                    })
                    .find(|set| mapping_pairs(set) == wanted)
                    .and_then(|set| made_from_value(what, set)))
            }
            // A descriptor's answer is never lost in a way a lookup could mend: Adobe refuses
            // a second identity descriptor on the same field, which the caller reads as done.
            ChainObject::Descriptor => Ok(None),
        }
    }

    /// Publishes a draft source connection, target connection or flow.
    pub async fn publish(&self, what: ChainObject, id: &str) -> Result<Made, FlowError> {
        check_id(id, what.label())?;
        let mut url = self.chain_url(what, &[id, "action"]);
        url.query_pairs_mut().append_pair("op", "publish");
        // The gateway wants a content type on every POST; an empty object carries it.
        let reply = self.once(Method::POST, url, Some(b"{}"), None).await?;
        Ok(made_from(what, &reply.body).unwrap_or(Made {
            id: id.to_owned(),
            etag: None,
            version: None,
            note: None,
        }))
    }

    /// Deletes one object this dataflow made. Already gone counts as deleted.
    pub async fn delete_made(&self, what: ChainObject, id: &str) -> Result<(), FlowError> {
        let url = match what {
            ChainObject::Schema | ChainObject::FieldGroup => self.chain_url(what, &[id]),
            ChainObject::Dataset | ChainObject::MappingSet | ChainObject::Descriptor => {
                if id.is_empty() || id.contains('/') {
                    return Err(FlowError::InvalidId { what: what.label() });
                }
                self.chain_url(what, &[id])
            }
            _ => {
                check_id(id, what.label())?;
                self.chain_url(what, &[id])
            }
        };
        match self.once(Method::DELETE, url, None, None).await {
            Err(FlowError::Api(e)) if e.status == 404 => Ok(()),
            other => other.map(drop),
        }
    }
}

/// The `name` (or a schema's `title`) a body gives its object.
fn name_of(body: &Value) -> String {
    body.get("name").or_else(|| body.get("title")).and_then(Value::as_str).unwrap_or_default().to_owned()
}

fn mapping_pairs(body: &Value) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = body
        .get("mappings")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|m| {
            let text = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
            (text("source"), text("destination"))
        })
        .collect();
    pairs.sort();
    pairs
}

fn made_of_item(item: &Value) -> Made {
    let text = |k: &str| item.get(k).and_then(Value::as_str).map(str::to_owned);
    Made { id: text("id").unwrap_or_default(), etag: text("etag"), version: None, note: None }
}

/// Reads the id out of a create's answer, whose shape differs per service.
fn made_from(what: ChainObject, body: &[u8]) -> Option<Made> {
    let value: Value = serde_json::from_slice(body).ok()?;
    made_from_value(what, &value)
}

fn made_from_value(what: ChainObject, value: &Value) -> Option<Made> {
    let text = |k: &str| value.get(k).and_then(Value::as_str).map(str::to_owned);
    let made = match what {
        // Catalog answers `["@/dataSets/{id}"]`.
        ChainObject::Dataset => {
            let first = value.as_array()?.first()?.as_str()?;
            Made { id: first.rsplit('/').next()?.to_owned(), etag: None, version: None, note: None }
        }
        ChainObject::Schema | ChainObject::FieldGroup => {
            Made { id: text("$id")?, etag: None, version: None, note: None }
        }
        ChainObject::Descriptor => Made { id: text("@id")?, etag: None, version: None, note: None },
        ChainObject::MappingSet => Made {
            id: text("id")?,
            etag: None,
            version: Some(value.get("version").and_then(Value::as_i64).unwrap_or(0)),
            note: None,
        },
        _ => Made { id: text("id")?, etag: text("etag"), version: None, note: None },
    };
    (!made.id.is_empty()).then_some(made)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_service_s_answer_gives_its_id() {
        let dataset = made_from(ChainObject::Dataset, br#"["@/dataSets/5c8c3c555033b814b69f947f"]"#);
        assert_eq!(dataset.map(|m| m.id).as_deref(), Some("5c8c3c555033b814b69f947f"));
        let set = made_from(ChainObject::MappingSet, br#"{"id":"0b09","version":0}"#).expect("set");
        assert_eq!((set.id.as_str(), set.version), ("0b09", Some(0)));
        let schema = made_from(ChainObject::Schema, br#"{"$id":"https://ns.adobe.com/acme/schemas/1"}"#);
        assert_eq!(schema.map(|m| m.id).as_deref(), Some("https://ns.adobe.com/acme/schemas/1"));
        assert!(made_from(ChainObject::Flow, br#"{"etag":"x"}"#).is_none());
    }

    #[test]
    fn mapping_sets_compare_by_their_pairs_in_any_order() {
        let a = json!({ "mappings": [ { "source": "a", "destination": "x" }, { "source": "b", "destination": "y" } ] });
        let b = json!({ "mappings": [ { "source": "b", "destination": "y" }, { "source": "a", "destination": "x" } ] });
        assert_eq!(mapping_pairs(&a), mapping_pairs(&b));
    }
}
