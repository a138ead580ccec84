//! Which entries of `GET /connectionSpecs` are sources, what of them may be written to the
//! catalog cache, and which sources a search finds.

use serde_json::Value;

use super::model::Source;
use super::secrets::names_a_secret;
use crate::adobe::flow::ConnectionSpec;

/// The provider of Experience Platform's destinations; every destination spec Adobe documents
/// carries it, and no source does.
const DESTINATION_PROVIDER: &str = "14e34fac-d307-11e9-bb65-2a2ae2dbcce4";

/// Whether a spec is a source. `GET /connectionSpecs` lists destinations too. The rule, in
/// order: `attributes.isSource` when the spec sets it (Adobe's own flag, in every live spec
/// the documentation shows in full); else a `targetSpec` or the destinations' provider makes it
/// a destination; else a `sourceSpec` makes it a source. A spec with none of these markers is
/// taken as a source: older specs were published with nothing but `authSpec`, and showing
/// one destination too many is a smaller harm than hiding a source.
pub fn is_source(spec: &ConnectionSpec) -> bool {
    if let Some(flag) = spec.attributes.get("isSource").and_then(Value::as_bool) {
        return flag;
    }
    if spec.attributes.get("isDestination").and_then(Value::as_bool) == Some(true)
        || spec.has_target_spec
        || spec.provider_id.as_deref() == Some(DESTINATION_PROVIDER)
    {
        return false;
    }
    true
}

/// Strips from `spec` what a cache file must not hold: the `default`, `examples`, `enum` and
/// `const` of every secret property (a spec could carry a sample password there), and the
/// attributes other than the category and the source flag. Returns how many values of secret
/// properties were removed, for the log.
pub fn for_cache(mut spec: ConnectionSpec) -> (ConnectionSpec, usize) {
    let mut removed = 0;
    for auth in &mut spec.auth_spec {
        removed += strip_secret_values(&mut auth.spec, 0);
    }
    let features = spec.attributes.get("uiAttributes").and_then(|ui| ui.get("apiFeatures")).cloned();
    spec.attributes.retain(|key, _| matches!(key.as_str(), "category" | "isSource"));
    if let Some(features) = features {
        spec.attributes.insert("uiAttributes".into(), serde_json::json!({ "apiFeatures": features }));
    }
    (spec, removed)
}

fn strip_secret_values(schema: &mut Value, depth: usize) -> usize {
    if depth > 8 {
        return 0;
    }
    let mut removed = 0;
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for (name, property) in properties.iter_mut() {
            let secret = property.get("format").and_then(Value::as_str) == Some("password")
                || property.get("writeOnly").and_then(Value::as_bool) == Some(true)
                || names_a_secret(name);
            if let (true, Some(object)) = (secret, property.as_object_mut()) {
                for key in ["default", "examples", "enum", "const"] {
                    removed += usize::from(object.remove(key).is_some());
                }
            }
            removed += strip_secret_values(property, depth + 1);
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(members) = schema.get_mut(key).and_then(Value::as_array_mut) {
            removed += members.iter_mut().map(|m| strip_secret_values(m, depth + 1)).sum::<usize>();
        }
    }
    removed
}

/// Whether `source` is found by the search `query`, the one rule of the catalog screen and of
/// `sources list --search` (both ask the catalog door's `search`, its only caller): every word
/// of the query (split at white space, without case) is in the source's display name,
/// category, spec key or spec id, so "big query" finds Google BigQuery (`google-big-query`)
/// and "google storage" finds Google Cloud Storage. An empty query finds every source.
pub fn matches_search(source: &Source, query: &str) -> bool {
    let haystack = [&source.display_name, &source.category, &source.spec_key, &source.spec_id]
        .map(|text| text.to_lowercase())
        .join(" ");
    query.to_lowercase().split_whitespace().all(|word| haystack.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(value: Value) -> ConnectionSpec {
        serde_json::from_value(value).expect("a spec")
    }

    #[test]
    fn sources_are_told_from_destinations() {
        assert!(is_source(&spec(json!({ "id": "a", "attributes": { "isSource": true } }))));
        assert!(!is_source(&spec(
            json!({ "id": "b", "attributes": { "isSource": false }, "sourceSpec": {} })
        )));
        assert!(!is_source(&spec(json!({ "id": "c", "providerId": DESTINATION_PROVIDER }))));
        assert!(!is_source(&spec(json!({ "id": "d", "targetSpec": { "attributes": {} } }))));
        assert!(is_source(&spec(json!({ "id": "e", "sourceSpec": {} }))));
        assert!(is_source(&spec(json!({ "id": "f", "providerId": "0ed90a81-07f4-4586-8190-b40eccef1c5a" }))));
    }

    #[test]
    fn a_search_finds_a_source_by_every_word_of_it() {
        let bigquery =
            super::super::builtin_source("3c9b37f8-13a6-43d8-bad3-b863b941fedd").expect("BigQuery");
        for found in ["", "  ", "big query", "BigQuery", "QUERY big", "google-big", "3c9b37f8", "google  big"]
        {
            assert!(matches_search(bigquery, found), "“{found}” finds BigQuery");
        }
        for missed in ["big table", "oracle", "bigquery x"] {
            assert!(!matches_search(bigquery, missed), "“{missed}” does not find BigQuery");
        }
        let category = bigquery.category.to_lowercase();
        assert!(matches_search(bigquery, &format!("google {category}")), "the category counts");
    }

    #[test]
    fn the_cache_keeps_no_value_of_a_secret() {
        let (cached, removed) = for_cache(spec(json!({
            "id": "a", "attributes": { "category": "database", "documentationLink": "x", "isSource": true },
            "authSpec": [{ "name": "Basic", "spec": { "type": "object", "properties": {
                "password": { "type": "string", "format": "password", "default": "hunter2", "examples": ["s3cret"] },
                "nested": { "type": "object", "properties": { "apiToken": { "type": "string", "default": "tok" } } },
                "port": { "type": "integer", "default": 5432 }
            } } }]
        })));
        assert_eq!(removed, 3);
        let text = serde_json::to_string(&cached).expect("serializes");
        assert!(!text.contains("hunter2") && !text.contains("s3cret") && !text.contains("\"tok\""), "{text}");
        assert!(text.contains("5432"), "a plain default is kept");
        assert!(!text.contains("documentationLink"));
    }
}
