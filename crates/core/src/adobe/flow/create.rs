//! `POST /connections`, exactly once. A create whose answer is lost (a timeout, a dropped
//! connection, a 500 or gateway error, a 2xx whose body cannot be read) may still have been
//! stored, perhaps only seconds later. So before sending, the client notes which connections
//! already carry the name; after an ambiguous outcome it looks again, with backoff, and sends
//! the create again only when its own connection does not appear.
//!
//! "Its own" is decided by a one-time marker: each attempt's description ends with a random
//! [`Marker`], which is removed with a `PATCH` once the connection is known. A connection of
//! the same name that a teammate, a CI job or the other Flow Connect process creates in the
//! same seconds carries no such marker, so it is never reported as this one.

use std::time::Duration;

use reqwest::{Method, StatusCode};

use super::client::{api_error, parse, AttemptError, FlowClient};
use super::error::FlowError;
use super::model::{Connection, Created, NewConnection, PatchOp};
use super::retry::{is_retryable_status, retry_after};
use crate::adobe::error::ApiError;

/// Whether to go on when the sandbox already has a connection of the same spec and name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameName {
    /// Refuse with [`FlowError::DuplicateName`], so the user can rename or confirm.
    Refuse,
    /// The user confirmed: create a second one.
    Allow,
}

/// What one try of the POST came to.
enum Try {
    Done(Created),
    /// Refused before any work (429, a connection that never opened): send again.
    Again {
        wait: Option<Duration>,
        failure: FlowError,
    },
    /// It may have been stored: look before sending again.
    Unknown {
        failure: FlowError,
    },
    /// Refused for good (a 4xx, a sign-in that failed): not sent again.
    Failed(FlowError),
}

/// The one-time mark of one attempt, appended to the description it sends: random, so no
/// other create (another process, another person) can carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Marker(String);

impl Marker {
    fn new() -> Self {
        let random = uuid::Uuid::new_v4().simple().to_string();
        Self(format!("[flow-connect create {}]", &random[..16]))
    }

    /// The description an attempt sends: the user's, then the marker.
    fn mark(&self, description: &str) -> String {
        if description.is_empty() {
            self.0.clone()
        } else {
            format!("{description} {}", self.0)
        }
    }

    fn is_on(&self, connection: &Connection) -> bool {
        connection.description.contains(&self.0)
    }

    /// `description` without the marker (and the space that joined it).
    fn strip(&self, description: &str) -> String {
        description.replace(&format!(" {}", self.0), "").replace(&self.0, "")
    }
}

/// What the lookup after a lost answer found among the connections of the name.
#[derive(Debug, Default)]
struct Found {
    /// Connections carrying one of this create's markers, with the marker each carries.
    ours: Vec<(Connection, Marker)>,
    /// New connections of the name without a marker of ours: someone else's.
    others: Vec<String>,
}

impl FlowClient {
    /// Creates the connection once. See the module documentation for how a lost answer is
    /// resolved; the returned [`Created::note`] says when that happened.
    pub async fn create_connection(
        &self,
        new: &NewConnection,
        same_name: SameName,
    ) -> Result<Created, FlowError> {
        let before: Vec<String> = self
            .connections_with_name(Some(&new.connection_spec.id), &new.name)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();
        if same_name == SameName::Refuse && !before.is_empty() {
            return Err(FlowError::DuplicateName { name: new.name.clone(), count: before.len() });
        }
        let mut markers: Vec<Marker> = Vec::new();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last = attempt >= self.retry.max_attempts;
            let marker = Marker::new();
            let mut marked = new.clone();
            marked.description = marker.mark(&new.description);
            let body = serde_json::to_vec(&marked)
                .map_err(|e| FlowError::UnexpectedResponse { status: 0, detail: e.to_string() })?;
            markers.push(marker.clone());
            let (wait, failure) = match self.try_create(new, &body).await {
                Try::Done(created) => {
                    let etag = self.unmark(&created.id, &created.etag, &marker, &new.description).await;
                    return Ok(finish(created.id, created.etag, etag, None));
                }
                Try::Failed(failure) => return Err(failure),
                Try::Again { wait, failure } => (wait, failure),
                Try::Unknown { failure } => {
                    let found = self.look_for_ours(new, &before, &markers).await?;
                    let others = others_note(&new.name, &found.others);
                    if let Some(((connection, marker), twins)) = found.ours.split_first() {
                        tracing::info!(id = %connection.id, "an unanswered create had made the connection; not sending it again");
                        let mut note = format!(
                            "Adobe did not answer the create ({failure}), but the connection appeared in the sandbox, so it was not sent again."
                        );
                        if !twins.is_empty() {
                            let ids: Vec<&str> = twins.iter().map(|(c, _)| c.id.as_str()).collect();
                            note.push_str(&format!(
                                " An earlier try was stored as well: delete the extra connection {}.",
                                ids.join(", ")
                            ));
                        }
                        note.push_str(&others);
                        let etag =
                            self.unmark(&connection.id, &connection.etag, marker, &new.description).await;
                        return Ok(finish(connection.id.clone(), connection.etag.clone(), etag, Some(note)));
                    }
                    if last {
                        return Err(FlowError::CreateUnconfirmed {
                            name: new.name.clone(),
                            seconds: self.lookup_window.as_secs(),
                            reason: format!("{failure}{others}"),
                        });
                    }
                    tracing::info!(
                        others = found.others.len(),
                        "an unanswered create was not stored; sending it again"
                    );
                    (None, failure)
                }
            };
            match self.retry.delay(attempt, wait) {
                Some(delay) if !last => tokio::time::sleep(delay).await,
                _ => return Err(failure),
            }
        }
    }

    async fn try_create(&self, new: &NewConnection, body: &[u8]) -> Try {
        let scrub = |e: ApiError| FlowError::Api(e.scrub(new.auth.params.secret_values()));
        match self.attempt(Method::POST, self.connections_url(), Some(body), None).await {
            Ok(reply) if reply.status.is_success() => match parse::<Created>(&reply) {
                Ok(created) if !created.id.is_empty() => Try::Done(created),
                Ok(_) => Try::Unknown {
                    failure: FlowError::UnexpectedResponse {
                        status: reply.status.as_u16(),
                        detail: "no connection id".into(),
                    },
                },
                Err(failure) => Try::Unknown { failure },
            },
            // Rate limiting refuses before any work is done.
            Ok(reply) if reply.status == StatusCode::TOO_MANY_REQUESTS => {
                Try::Again { wait: retry_after(&reply.headers), failure: scrub(api_error(&reply)) }
            }
            // A gateway error or an internal error may hide a create that went through.
            Ok(reply)
                if reply.status == StatusCode::INTERNAL_SERVER_ERROR
                    || is_retryable_status(reply.status.as_u16()) =>
            {
                Try::Unknown { failure: scrub(api_error(&reply)) }
            }
            Ok(reply) => Try::Failed(scrub(api_error(&reply))),
            Err(AttemptError::NotSent(reason)) => {
                Try::Again { wait: None, failure: FlowError::Network { reason } }
            }
            Err(AttemptError::Ambiguous(reason)) => Try::Unknown { failure: FlowError::Network { reason } },
            Err(AttemptError::Fatal(e)) => Try::Failed(e),
        }
    }

    /// Looks, with backoff for up to the lookup window, for a connection of the spec and name
    /// that carries one of `markers`. New connections of the name without one are someone
    /// else's: they are told, never taken.
    async fn look_for_ours(
        &self,
        new: &NewConnection,
        before: &[String],
        markers: &[Marker],
    ) -> Result<Found, FlowError> {
        let started = tokio::time::Instant::now();
        let mut delay = Duration::from_millis(500);
        loop {
            let mut found = Found::default();
            for connection in self.connections_with_name(Some(&new.connection_spec.id), &new.name).await? {
                if let Some(marker) = markers.iter().find(|m| m.is_on(&connection)) {
                    found.ours.push((connection, marker.clone()));
                } else if !before.contains(&connection.id) {
                    found.others.push(connection.id);
                }
            }
            let elapsed = started.elapsed();
            if !found.ours.is_empty() || elapsed >= self.lookup_window {
                return Ok(found);
            }
            tokio::time::sleep(delay.min(self.lookup_window - elapsed)).await;
            delay = (delay * 2).min(Duration::from_secs(8));
        }
    }

    /// Puts the user's description back in place of the marked one. Returns the new etag, or
    /// why the marker stays: the connection exists either way, so this never fails the create.
    async fn unmark(
        &self,
        id: &str,
        etag: &str,
        marker: &Marker,
        description: &str,
    ) -> Result<String, String> {
        let restore = |current: &str| {
            let wanted = marker.strip(current);
            if wanted.is_empty() {
                PatchOp::Remove { path: "/description".into() }
            } else {
                PatchOp::Replace { path: "/description".into(), value: wanted }
            }
        };
        let first = self.update_connection(id, etag, &[restore(&marker.mark(description))]).await;
        let outcome = match first {
            // Changed meanwhile (by someone who saw it): restore what is there now, once.
            Err(FlowError::Api(e)) if e.status == 412 => match self.get_connection(id).await {
                Ok(current) if marker.is_on(&current) => {
                    self.update_connection(id, &current.etag, &[restore(&current.description)]).await
                }
                Ok(current) => return Ok(current.etag),
                Err(e) => Err(e),
            },
            other => other,
        };
        outcome.map(|updated| updated.etag).map_err(|e| {
            tracing::warn!(%id, error = %e, "the create's marker stays in the description");
            format!(
                "Its description still ends with “{}”, which Flow Connect could not remove ({e}); edit it in Experience Platform.",
                marker.0
            )
        })
    }

    /// The ids of the connections of `spec_id` named exactly `name`.
    pub async fn connection_ids_named(&self, spec_id: &str, name: &str) -> Result<Vec<String>, FlowError> {
        Ok(self.connections_named(spec_id, name).await?.into_iter().map(|c| c.id).collect())
    }

    /// The connections of `spec_id` named exactly `name`, walking every page.
    pub async fn connections_named(&self, spec_id: &str, name: &str) -> Result<Vec<Connection>, FlowError> {
        self.connections_with_name(Some(spec_id), name).await
    }
}

/// The create's answer, with the etag after the marker was removed (or why it was not).
fn finish(
    id: String,
    created_etag: String,
    unmarked: Result<String, String>,
    note: Option<String>,
) -> Created {
    let (etag, more) = match unmarked {
        Ok(etag) => (etag, None),
        Err(why) => (created_etag, Some(why)),
    };
    let note = match (note, more) {
        (Some(a), Some(b)) => Some(format!("{a} {b}")),
        (a, b) => a.or(b),
    };
    Created { id, etag, note }
}

/// Tells of same-named connections someone else made while the answer was awaited.
fn others_note(name: &str, others: &[String]) -> String {
    if others.is_empty() {
        return String::new();
    }
    format!(
        " Meanwhile someone else created {} connection(s) named “{name}” ({}); Flow Connect did not take {} for this one.",
        others.len(),
        others.join(", "),
        if others.len() == 1 { "it" } else { "them" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_one_time_and_come_off_cleanly() {
        let (a, b) = (Marker::new(), Marker::new());
        assert_ne!(a, b);
        for description in ["", "Made by a test", "ends with [brackets]"] {
            assert_eq!(a.strip(&a.mark(description)), description);
            assert_eq!(b.strip(&a.mark(description)), a.mark(description), "only its own marker");
        }
    }
}
