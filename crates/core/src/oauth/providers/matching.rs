//! Which provider's consent fills a sign-in method: the one that serves the method's
//! connection spec and whose fields the method holds. Never by the method's name: specs call
//! real OAuth "Basic Authentication" and a bare API key "OAuth2 Refresh Code"
//! (oauth-sources.md §1).

use std::collections::HashSet;

use super::provider::Provider;
use super::table::PROVIDERS;
use crate::adobe::flow::AuthSpec;

/// The provider whose consent fills this `authSpec[]` entry of the spec `spec_id`, if any.
pub fn matching(spec_id: &str, auth: &AuthSpec) -> Option<&'static Provider> {
    let properties = auth.spec.get("properties").and_then(serde_json::Value::as_object);
    matching_params(spec_id, properties.into_iter().flat_map(|p| p.keys().map(String::as_str)))
}

/// The provider that serves `spec_id` and whose every needed param is among `names`: the
/// fields its tokens go into ([`super::FieldMap::required`]) and the values it reads
/// ([`Provider::also_needs`]). A method of only a username and password, or only an API key,
/// holds no token field, so it matches nothing.
pub fn matching_params<'a>(
    spec_id: &str,
    names: impl IntoIterator<Item = &'a str>,
) -> Option<&'static Provider> {
    let names: HashSet<&str> = names.into_iter().collect();
    PROVIDERS.iter().copied().find(|provider| {
        provider.spec_ids.iter().any(|id| id.eq_ignore_ascii_case(spec_id.trim()))
            && provider
                .fields
                .required()
                .chain(provider.also_needs.iter().copied())
                .all(|n| names.contains(n))
    })
}
