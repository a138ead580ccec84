//! The org's catalog: every source connection spec it sees, each rendered by the form engine
//! and merged with the built-in entry where the app has one. Lists come from memory, else the
//! cache file, else the built-in four; a refresh fetches them and rewrites the cache.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde::Serialize;
use ts_rs::TS;

use super::builtin::{builtin_source, builtin_sources};
use super::cache::CatalogCache;
use super::listing::{for_cache, is_source};
use super::model::{CatalogOrigin, Source};
use super::reconcile::reconcile;
use crate::adobe::flow::{ConnectionSpec, FlowClient, FlowError};

/// The catalog the UI lists: the built-in sources first, then the org's other sources by
/// name. `refreshed_at` (milliseconds since 1970) is when the list was fetched; `None` means
/// the built-in sources alone.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CatalogList {
    pub sources: Vec<Source>,
    #[ts(type = "number | null")]
    pub refreshed_at: Option<i64>,
}

impl CatalogList {
    fn builtin() -> Self {
        Self { sources: builtin_sources().to_vec(), refreshed_at: None }
    }

    /// The list for `specs`: sources only, each through the form engine.
    pub fn from_specs(specs: &[ConnectionSpec], refreshed_at: i64) -> Self {
        let live: Vec<Source> =
            specs.iter().filter(|s| is_source(s)).map(|s| reconcile(builtin_source(&s.id), s)).collect();
        let mut sources: Vec<Source> = builtin_sources()
            .iter()
            .map(|b| live.iter().find(|l| l.spec_id == b.spec_id).cloned().unwrap_or_else(|| b.clone()))
            .collect();
        let mut others: Vec<Source> =
            live.into_iter().filter(|l| builtin_source(&l.spec_id).is_none()).collect();
        others.sort_by_cached_key(|s| s.display_name.to_lowercase());
        sources.extend(others);
        Self { sources, refreshed_at: Some(refreshed_at) }
    }
}

/// Why the org's catalog could not be refreshed.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error(transparent)]
    Flow(#[from] FlowError),
    /// The task that builds the list stopped before it finished (it panicked).
    #[error("The catalog could not be built from Adobe's answer ({0}). Try Refresh catalog again.")]
    Interrupted(String),
}

/// Live catalog entries, per org and connection spec.
#[derive(Debug, Default)]
pub struct LiveCatalog {
    by_org_and_spec: Mutex<HashMap<(String, String), Source>>,
    lists: Mutex<HashMap<String, Arc<CatalogList>>>,
    cache: Option<CatalogCache>,
}

impl LiveCatalog {
    pub fn with_cache(cache: CatalogCache) -> Self {
        Self { cache: Some(cache), ..Self::default() }
    }

    /// The entry for `spec_id` as the org behind `client` sees it. When the spec cannot be
    /// read the built-in entry stands in (and is not cached, so the next call tries again);
    /// the error is returned beside it for the caller to mention.
    pub async fn source(&self, client: &FlowClient, spec_id: &str) -> (Option<Source>, Option<FlowError>) {
        let key = (client.target().org_id.clone(), spec_id.to_owned());
        if let Some(hit) = lock(&self.by_org_and_spec).get(&key) {
            return (Some(hit.clone()), None);
        }
        match client.connection_spec(spec_id).await {
            Ok(live) => {
                let merged = reconcile(builtin_source(spec_id), &live);
                lock(&self.by_org_and_spec).insert(key, merged.clone());
                (Some(merged), None)
            }
            Err(err) => {
                tracing::warn!(spec_id, error = %err, "using the built-in catalog entry");
                (builtin_source(spec_id).cloned(), Some(err))
            }
        }
    }

    /// The entry known for this org, if any; never a network call.
    pub fn cached(&self, org_id: &str, spec_id: &str) -> Option<Source> {
        lock(&self.by_org_and_spec).get(&(org_id.to_owned(), spec_id.to_owned())).cloned()
    }

    /// The org's list as last fetched, from memory or the cache file; the built-in sources
    /// when it was never fetched. Never a network call.
    pub async fn list(&self, org_id: &str) -> CatalogList {
        if let Some(list) = lock(&self.lists).get(org_id) {
            return (**list).clone();
        }
        let Some(cache) = self.cache.clone() else { return CatalogList::builtin() };
        let org = org_id.to_owned();
        let read = tokio::task::spawn_blocking(move || {
            cache.read(&org).map(|file| CatalogList::from_specs(&file.specs, file.refreshed_at))
        })
        .await;
        match read {
            Ok(Some(list)) => self.keep(org_id, list),
            _ => CatalogList::builtin(),
        }
    }

    /// Fetches the org's whole list, keeps it, and rewrites the cache. The parse and the
    /// file run off the async runtime. A cache that cannot be written is logged: the list is
    /// still good.
    pub async fn refresh(&self, client: &FlowClient) -> Result<CatalogList, CatalogError> {
        let fetched = client.connection_specs().await?;
        if fetched.unreadable > 0 {
            tracing::warn!(unreadable = fetched.unreadable, "connection specs left out of the catalog");
        }
        let org = client.target().org_id.clone();
        let cache = self.cache.clone();
        let refreshed_at = crate::dates::now_ms();
        let org_for_file = org.clone();
        let built = tokio::task::spawn_blocking(move || {
            let mut removed = 0;
            let specs: Vec<ConnectionSpec> = fetched
                .specs
                .into_iter()
                .filter(is_source)
                .map(|spec| {
                    let (spec, stripped) = for_cache(spec);
                    removed += stripped;
                    spec
                })
                .collect();
            if removed > 0 {
                tracing::warn!(removed, "values of secret properties left out of the catalog cache");
            }
            let list = CatalogList::from_specs(&specs, refreshed_at);
            if let Some(cache) = cache {
                if let Err(error) = cache.write(&org_for_file, refreshed_at, specs) {
                    tracing::warn!(%error, "the catalog cache was not written");
                }
            }
            list
        })
        .await
        .map_err(|e| CatalogError::Interrupted(e.to_string()))?;
        Ok(self.keep(&org, built))
    }

    /// Keeps `list` unless a newer one is kept already (a cache read that finishes after a
    /// refresh must not put the older list back), and returns the one kept.
    fn keep(&self, org_id: &str, list: CatalogList) -> CatalogList {
        let mut lists = lock(&self.lists);
        if let Some(kept) = lists.get(org_id).filter(|kept| kept.refreshed_at >= list.refreshed_at) {
            return (**kept).clone();
        }
        {
            let mut by_spec = lock(&self.by_org_and_spec);
            for source in list.sources.iter().filter(|s| s.origin == CatalogOrigin::Live) {
                by_spec.insert((org_id.to_owned(), source.spec_id.clone()), source.clone());
            }
        }
        lists.insert(org_id.to_owned(), Arc::new(list.clone()));
        list
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave the maps half-written: recover them.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn list_at(refreshed_at: i64, name: &str) -> CatalogList {
        let spec: ConnectionSpec = serde_json::from_value(json!({
            "id": "51ae16c2-bdad-42fd-9fce-8d5dfddaf140", "name": name,
            "attributes": { "isSource": true }, "authSpec": [{ "name": "Basic", "spec": {} }]
        }))
        .expect("a spec");
        CatalogList::from_specs(&[spec], refreshed_at)
    }

    /// A Flow Service on loopback whose spec list never ends: every page holds one spec with a
    /// 1 MiB description and a link to the next page. Answers IMS's token request too.
    async fn endless_spec_list() -> (url::Url, Arc<std::sync::atomic::AtomicUsize>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bound");
        let base =
            url::Url::parse(&format!("http://{}/", listener.local_addr().expect("addr"))).expect("url");
        let pages = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let served = Arc::clone(&pages);
        tokio::spawn(async move {
            loop {
                let Ok((mut stream, _)) = listener.accept().await else { return };
                let served = Arc::clone(&served);
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut chunk = [0u8; 4096];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let body = if head.starts_with(b"POST /ims/token/v3") {
                        json!({ "access_token": "t", "token_type": "bearer", "expires_in": 86_399 })
                            .to_string()
                    } else {
                        let page = served.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        json!({
                            "items": [{
                                "id": format!("00000000-0000-4000-8000-{page:012}"), "name": format!("spec-{page}"),
                                "description": "x".repeat(1 << 20),
                                "attributes": { "isSource": true }, "authSpec": []
                            }],
                            "_links": { "next": { "href": format!("/connectionSpecs?continuationToken=p{page}") } }
                        })
                        .to_string()
                    };
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = stream.write_all(answer.as_bytes()).await;
                });
            }
        });
        (base, pages)
    }

    #[tokio::test]
    async fn a_spec_list_that_never_ends_is_stopped_at_the_total_cap() {
        use crate::adobe::flow::{http_client, PlatformTarget};
        use crate::adobe::ims::{ImsCredentials, ImsTokenProvider, DEFAULT_SCOPES};
        let (base, pages) = endless_spec_list().await;
        let http = http_client(std::time::Duration::from_secs(30));
        let credentials = ImsCredentials::ClientCredentials {
            client_id: "c".into(),
            client_secret: crate::Secret::new("s"),
            scopes: DEFAULT_SCOPES.into(),
        };
        let tokens = Arc::new(ImsTokenProvider::new(http.clone(), &base, credentials));
        let target = PlatformTarget { api_key: "c".into(), org_id: "ORG".into(), sandbox: "prod".into() };
        let client = FlowClient::new(http, &base, tokens, target);
        let catalog = LiveCatalog::default();
        let err = catalog.refresh(&client).await.expect_err("stopped");
        assert!(err.to_string().contains("larger than 32 MiB"), "{err}");
        let read = pages.load(std::sync::atomic::Ordering::SeqCst);
        assert!(read <= 1 + crate::adobe::flow::MAX_SPEC_LIST_BYTES / (1 << 20), "{read} pages were read");
        assert_eq!(catalog.list("ORG").await, CatalogList::builtin(), "the list from before stays");
    }

    #[test]
    fn an_older_list_never_replaces_a_newer_one() {
        let catalog = LiveCatalog::default();
        let fresh = catalog.keep("ORG", list_at(2_000, "snowflake"));
        assert_eq!(fresh.refreshed_at, Some(2_000));
        // The cache read that started before the refresh finishes after it.
        let kept = catalog.keep("ORG", list_at(1_000, "old-name"));
        assert_eq!(kept, fresh, "the newer list stays");
        let source = catalog.cached("ORG", "51ae16c2-bdad-42fd-9fce-8d5dfddaf140").expect("cached");
        assert_eq!(source.spec_key, "snowflake");
        assert_eq!(catalog.keep("ORG", list_at(3_000, "snowflake-2")).refreshed_at, Some(3_000));
    }
}
