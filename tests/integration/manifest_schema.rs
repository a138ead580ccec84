//! The manifest's published JSON Schema (`docs/manifest.schema.json`) against every manifest
//! example in the README, and the core's reader against the same examples: what the README
//! shows is what Flow Connect takes, and the schema an editor validates with agrees with it.

use std::path::Path;

use flow_connect_core::promotion;
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the repository")
}

/// The README's ```yaml blocks that are manifests (they start with `version:`).
fn readme_manifests() -> Vec<String> {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let mut found = Vec::new();
    let mut block: Option<String> = None;
    for line in readme.lines() {
        match &mut block {
            None if line.trim_start() == "```yaml" => block = Some(String::new()),
            Some(text) if line.trim_start() == "```" => {
                if text.trim_start().starts_with("version:") {
                    found.push(text.clone());
                }
                block = None;
            }
            Some(text) => {
                text.push_str(line);
                text.push('\n');
            }
            None => {}
        }
    }
    found
}

#[test]
fn every_readme_manifest_meets_the_published_schema_and_is_read_by_the_core() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("docs/manifest.schema.json")).expect("the schema"),
    )
    .expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid draft-07 schema");
    let examples = readme_manifests();
    assert!(examples.len() >= 2, "the README shows manifests: {}", examples.len());
    for example in &examples {
        let value: Value = serde_yaml_ng::from_str(example).expect("YAML");
        let errors: Vec<String> =
            validator.iter_errors(&value).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{errors:?}\n{example}");
        let manifest = promotion::parse(example).unwrap_or_else(|e| panic!("{e}\n{example}"));
        for environment in manifest.environments.keys() {
            promotion::resolve(&manifest, environment, |_| None)
                .unwrap_or_else(|e| panic!("{environment}: {e}"));
        }
    }
}

#[test]
fn the_schema_refuses_a_secret_value_as_the_core_does() {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("docs/manifest.schema.json")).unwrap())
            .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let leaked = serde_json::json!({
        "version": 1,
        "connections": [{
            "name": "ServiceNow", "source": "eb13cb25-47ab-407f-ba89-c0125281c563",
            "method": "Basic Authentication", "secrets": { "password": "hunter2" }
        }]
    });
    assert!(!validator.is_valid(&leaked));
    assert!(promotion::parse(&leaked.to_string()).is_err());
}
