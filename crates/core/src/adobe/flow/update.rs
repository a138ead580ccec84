//! Changing a connection: a JSON-Patch with `If-Match` (its name, its credentials), and
//! deleting it. A stale etag is answered by the service with `1404-412`; a rename reads the
//! connection again and retries once, new credentials never do (see `renew`).

use reqwest::Method;
use serde::Serialize;
use serde_json::Value;

use super::client::{check_id, parse, FlowClient};
use super::error::FlowError;
use super::model::{AuthParams, Connection, Created, Items, PatchOp, WireConnection};

impl FlowClient {
    /// `PATCH /connections/{id}` with `If-Match` carrying `etag` exactly as the service gave it.
    pub async fn update_connection(
        &self,
        id: &str,
        etag: &str,
        ops: &[PatchOp],
    ) -> Result<Created, FlowError> {
        check_id(id, "connection")?;
        let body = serde_json::to_vec(ops)
            .map_err(|e| FlowError::UnexpectedResponse { status: 0, detail: e.to_string() })?;
        let reply =
            self.once(Method::PATCH, self.flow_url(&["connections", id]), Some(&body), Some(etag)).await?;
        parse(&reply)
    }

    /// `GET /connections/{id}` with its `auth.params` as the service returns them (secrets
    /// masked or encrypted by the service). Kept inside the core: only non-secret values are
    /// ever taken from it (see `renew::known_values`).
    pub(crate) async fn connection_with_params(&self, id: &str) -> Result<(Connection, Value), FlowError> {
        check_id(id, "connection")?;
        let reply = self.read(self.flow_url(&["connections", id])).await?;
        let mut items: Items<Value> = parse(&reply)?;
        let mut item = items.items.drain(..).next().ok_or(FlowError::UnexpectedResponse {
            status: reply.status.as_u16(),
            detail: "an empty items list".into(),
        })?;
        let params = item.pointer_mut("/auth/params").map(Value::take).unwrap_or(Value::Null);
        let connection: WireConnection = serde_json::from_value(item).map_err(|e| {
            FlowError::UnexpectedResponse { status: reply.status.as_u16(), detail: e.to_string() }
        })?;
        Ok((Connection::from(connection), params))
    }

    /// `PATCH /connections/{id}` replacing `/auth/params` whole, with `If-Match` carrying
    /// `etag`. A stale etag is the caller's to handle: credentials are never written over a
    /// change the user has not seen.
    pub async fn replace_auth_params(
        &self,
        id: &str,
        etag: &str,
        params: &AuthParams,
    ) -> Result<Created, FlowError> {
        check_id(id, "connection")?;
        #[derive(Serialize)]
        struct Replace<'a> {
            op: &'static str,
            path: &'static str,
            value: &'a AuthParams,
        }
        let body = serde_json::to_vec(&[Replace { op: "replace", path: "/auth/params", value: params }])
            .map_err(|e| FlowError::UnexpectedResponse { status: 0, detail: e.to_string() })?;
        let reply = self
            .once(Method::PATCH, self.flow_url(&["connections", id]), Some(&body), Some(etag))
            .await
            .map_err(|e| match e {
                FlowError::Api(api) => FlowError::Api(api.scrub(params.secret_values())),
                other => other,
            })?;
        parse(&reply)
    }

    /// Renames a connection with `If-Match` carrying `etag` as the service gave it. When the
    /// etag is stale (`1404-412`: someone changed the connection meanwhile) the connection is
    /// read again and the rename tried once more with its current etag.
    pub async fn rename_connection(&self, id: &str, etag: &str, name: &str) -> Result<Created, FlowError> {
        let ops = [PatchOp::Replace { path: "/name".into(), value: name.to_owned() }];
        match self.update_connection(id, etag, &ops).await {
            Err(FlowError::Api(e)) if e.status == 412 => {
                let current = self.get_connection(id).await?;
                tracing::info!(%id, "etag was stale; retrying the rename with the current one");
                self.update_connection(id, &current.etag, &ops).await
            }
            other => other,
        }
    }

    /// `DELETE /connections/{id}`.
    pub async fn delete_connection(&self, id: &str) -> Result<(), FlowError> {
        check_id(id, "connection")?;
        self.once(Method::DELETE, self.flow_url(&["connections", id]), None, None).await.map(drop)
    }
}
