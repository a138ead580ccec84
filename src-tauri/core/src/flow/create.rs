//! `POST /connections`, exactly once. A create whose answer is lost (a timeout, a dropped
//! connection, a 500 or gateway error, a 2xx whose body cannot be read) may still have been
//! stored, perhaps only seconds later. So before sending, the client notes which connections
//! already carry the name; after an ambiguous outcome it looks again, with backoff, for a
//! connection that was not there before, and sends the create again only when none appears.

use std::time::Duration;

use reqwest::{Method, StatusCode};

use super::client::{api_error, parse, AttemptError, FlowClient, MAX_PAGES, PAGE_SIZE};
use super::error::{ApiError, FlowError};
use super::model::{Connection, Created, NewConnection};
use super::retry::{is_retryable_status, retry_after};
use super::ListQuery;

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

impl FlowClient {
    /// Creates the connection once. See the module documentation for how a lost answer is
    /// resolved; the returned [`Created::note`] says when that happened.
    pub async fn create_connection(
        &self,
        new: &NewConnection,
        same_name: SameName,
    ) -> Result<Created, FlowError> {
        let before = self.connection_ids_named(&new.connection_spec.id, &new.name).await?;
        if same_name == SameName::Refuse && !before.is_empty() {
            return Err(FlowError::DuplicateName { name: new.name.clone(), count: before.len() });
        }
        let body = serde_json::to_vec(new)
            .map_err(|e| FlowError::UnexpectedResponse { status: 0, detail: e.to_string() })?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last = attempt >= self.retry.max_attempts;
            let (wait, failure) = match self.try_create(new, &body).await {
                Try::Done(created) => return Ok(created),
                Try::Failed(failure) => return Err(failure),
                Try::Again { wait, failure } => (wait, failure),
                Try::Unknown { failure } => {
                    if let Some(found) = self.look_for_new(new, &before).await? {
                        tracing::info!(id = %found.id, "an unanswered create had made the connection; not sending it again");
                        return Ok(Created {
                            id: found.id,
                            etag: found.etag,
                            note: Some(format!(
                                "Adobe did not answer the create ({failure}), but the connection appeared in the sandbox, so it was not sent again."
                            )),
                        });
                    }
                    if last {
                        return Err(FlowError::CreateUnconfirmed {
                            name: new.name.clone(),
                            seconds: self.lookup_window.as_secs(),
                            reason: failure.to_string(),
                        });
                    }
                    tracing::info!("an unanswered create was not stored; sending it again");
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

    /// Looks for a connection of the spec and name that is not in `before`, with backoff,
    /// for up to the lookup window.
    async fn look_for_new(
        &self,
        new: &NewConnection,
        before: &[String],
    ) -> Result<Option<Connection>, FlowError> {
        let started = tokio::time::Instant::now();
        let mut delay = Duration::from_millis(500);
        loop {
            let found = self.connections_named(&new.connection_spec.id, &new.name).await?;
            if let Some(fresh) = found.into_iter().find(|c| !before.contains(&c.id)) {
                return Ok(Some(fresh));
            }
            let elapsed = started.elapsed();
            if elapsed >= self.lookup_window {
                return Ok(None);
            }
            tokio::time::sleep(delay.min(self.lookup_window - elapsed)).await;
            delay = (delay * 2).min(Duration::from_secs(8));
        }
    }

    /// The ids of the connections of `spec_id` named exactly `name`.
    pub async fn connection_ids_named(&self, spec_id: &str, name: &str) -> Result<Vec<String>, FlowError> {
        Ok(self.connections_named(spec_id, name).await?.into_iter().map(|c| c.id).collect())
    }

    /// The connections of `spec_id` named exactly `name`, walking at most [`MAX_PAGES`] pages.
    pub async fn connections_named(&self, spec_id: &str, name: &str) -> Result<Vec<Connection>, FlowError> {
        // The service filters by name too, but its filter splits values at commas, so such a
        // name is matched here only.
        let name_filter = (!name.contains(',')).then(|| name.to_owned());
        let mut query = ListQuery {
            spec_ids: vec![spec_id.to_owned()],
            name: name_filter,
            limit: Some(PAGE_SIZE),
            continuation_token: None,
        };
        let mut found = Vec::new();
        for _ in 0..MAX_PAGES {
            let page = self.list_connections(&query).await?;
            found
                .extend(page.items.into_iter().filter(|c| c.name == name && c.connection_spec.id == spec_id));
            match page.continuation_token {
                Some(token) => query.continuation_token = Some(token),
                None => return Ok(found),
            }
        }
        tracing::warn!(pages = MAX_PAGES, "stopped walking the connections list");
        Ok(found)
    }
}
