//! The catalog that ships inside the app, so every form works offline and before sign-in.
//! It is data (`sources.json`), read once; the live connection specs refine it later.

use std::sync::OnceLock;

use super::model::Source;

const SOURCES_JSON: &str = include_str!("sources.json");

/// The four seed sources as the Adobe tutorials describe them.
pub fn builtin_sources() -> &'static [Source] {
    static SOURCES: OnceLock<Vec<Source>> = OnceLock::new();
    SOURCES.get_or_init(|| {
        let sources: Vec<Source> =
            serde_json::from_str(SOURCES_JSON).expect("sources.json is checked by the tests");
        sources.into_iter().map(Source::assign_fields).collect()
    })
}

pub fn builtin_source(spec_id: &str) -> Option<&'static Source> {
    builtin_sources().iter().find(|s| s.spec_id == spec_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::model::ParamKind;

    #[test]
    fn the_four_seed_sources_are_built_in() {
        let ids: Vec<&str> = builtin_sources().iter().map(|s| s.spec_id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "3c9b37f8-13a6-43d8-bad3-b863b941fedd",
                "d6b52d86-f0f8-475f-89d4-ce54c8527328",
                "4e98f16f-87d6-4ef0-bdc6-7a2b0fe76e62",
                "eb13cb25-47ab-407f-ba89-c0125281c563",
            ]
        );
    }

    #[test]
    fn param_names_match_the_tutorials() {
        let names = |spec: &str, auth: &str| -> Vec<String> {
            let source = builtin_source(spec).expect("source");
            let method = source.auth_method(auth).expect("auth method");
            method.params.iter().map(|p| p.name.clone()).collect()
        };
        assert_eq!(
            names("3c9b37f8-13a6-43d8-bad3-b863b941fedd", "Basic Authentication"),
            ["project", "clientId", "clientSecret", "refreshToken", "largeResultsDataSetId"]
        );
        assert_eq!(
            names("3c9b37f8-13a6-43d8-bad3-b863b941fedd", "Service Authentication"),
            ["projectId", "keyFileContent", "largeResultsDataSetId"]
        );
        assert_eq!(names("d6b52d86-f0f8-475f-89d4-ce54c8527328", "ConnectionString"), ["connectionString"]);
        assert_eq!(
            names("4e98f16f-87d6-4ef0-bdc6-7a2b0fe76e62", "oAuth2RefreshCode"),
            [
                "host",
                "authorizationTestUrl",
                "clientId",
                "clientSecret",
                "accessToken",
                "refreshToken",
                "expirationDate",
                "accessTokenUrl"
            ]
        );
        assert_eq!(
            names("4e98f16f-87d6-4ef0-bdc6-7a2b0fe76e62", "Basic Authentication"),
            ["host", "username", "password"]
        );
        assert_eq!(
            names("eb13cb25-47ab-407f-ba89-c0125281c563", "Basic Authentication"),
            ["endpoint", "username", "password"]
        );
    }

    /// The UI draws the catalog in its first frame from a generated copy instead of asking
    /// the backend for it after start-up. The test run rewrites that copy next to the ts-rs
    /// types, and the test script fails when the committed copy differs from this one.
    #[test]
    fn exports_the_catalog_for_the_ui() {
        let dir = std::env::var_os("TS_RS_EXPORT_DIR").expect("set by .cargo/config.toml");
        let json = serde_json::to_string_pretty(builtin_sources()).expect("the catalog serializes");
        let module = format!(
            "// Generated from crates/core/src/catalog/sources.json by the core tests. Do not edit.\n\
             import type {{ Source }} from \"./Source\";\n\n\
             export const builtinSources: Source[] = {json};\n"
        );
        let file = std::path::Path::new(&dir).join("builtinSources.ts");
        if std::fs::read_to_string(&file).ok().as_deref() != Some(module.as_str()) {
            std::fs::write(&file, &module).expect("the bindings folder is writable");
        }
        // The copy must carry the whole catalog: read back, it is the same catalog.
        let back: Vec<Source> = serde_json::from_str(&json).expect("the copy parses as sources");
        assert_eq!(
            serde_json::to_value(&back).expect("serializes"),
            serde_json::to_value(builtin_sources()).expect("serializes")
        );
    }

    #[test]
    fn every_secret_the_tutorials_name_is_marked_secret() {
        for source in builtin_sources() {
            for method in &source.auth_methods {
                for param in &method.params {
                    let must_be_secret = matches!(
                        param.name.as_str(),
                        "clientSecret"
                            | "refreshToken"
                            | "accessToken"
                            | "password"
                            | "keyFileContent"
                            | "connectionString"
                    );
                    assert_eq!(param.secret, must_be_secret, "{} / {}", source.display_name, param.name);
                    if let ParamKind::ConnectionString { parts } = &param.kind {
                        let secret: Vec<&str> =
                            parts.iter().filter(|p| p.secret).map(|p| p.key.as_str()).collect();
                        assert_eq!(secret, ["Password"]);
                    }
                }
            }
        }
    }
}
