//! Any schema of the shapes the engine renders, filled as the form would fill it, gives a
//! body that validates against that very schema (checked by the `jsonschema` crate, an
//! implementation independent of the engine).

use proptest::prelude::*;
use serde_json::{json, Value};

use super::engine_tests::{body, method};
use super::{FormValues, Param, ParamKind};
use crate::Secret;

/// Patterns with a value known to match each.
const PATTERNS: &[(&str, &str)] =
    &[("^[a-z]+$", "abc"), ("^[0-9]{4}$", "2026"), ("^acct-[A-Z0-9]+$", "acct-X9")];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!({ "type": "string" })),
        Just(json!({ "type": "string", "format": "password" })),
        Just(json!({ "type": "string", "format": "date" })),
        Just(json!({ "type": "string", "format": "email" })),
        Just(json!({ "type": "string", "format": "uri" })),
        (0..PATTERNS.len()).prop_map(|i| json!({ "type": "string", "pattern": PATTERNS[i].0 })),
        (1u32..5, 5u32..12)
            .prop_map(|(min, max)| json!({ "type": "string", "minLength": min, "maxLength": max })),
        (-50i64..50, 0i64..100)
            .prop_map(|(min, span)| json!({ "type": "integer", "minimum": min, "maximum": min + span })),
        Just(json!({ "type": "number", "minimum": 0.5 })),
        Just(json!({ "type": "boolean" })),
        prop::collection::vec("[a-z]{1,6}", 1..4).prop_map(|o| json!({ "type": "string", "enum": o })),
        Just(json!({ "enum": [1, 2, 3] })),
        Just(json!({ "type": "array", "items": { "type": "string" } })),
    ]
}

fn object(depth: u32) -> BoxedStrategy<Value> {
    let member =
        if depth == 0 { leaf().boxed() } else { prop_oneof![4 => leaf(), 1 => object(depth - 1)].boxed() };
    (prop::collection::btree_map("[a-z]{1,8}", member, 1..6), prop::collection::vec(any::<bool>(), 6))
        .prop_map(|(properties, required)| {
            let names: Vec<&String> = properties.keys().collect();
            let required: Vec<&String> =
                names.iter().zip(&required).filter(|(_, r)| **r).map(|(n, _)| *n).collect();
            json!({ "type": "object", "properties": properties, "required": required })
        })
        .boxed()
}

/// A value the schema of `param` accepts, as a person would type it.
fn fill(param: &Param, values: &mut FormValues) {
    let text = match &param.kind {
        ParamKind::Group { params } => {
            params.iter().for_each(|p| fill(p, values));
            return;
        }
        ParamKind::Variants { variants } => {
            variants[0].params.iter().for_each(|p| fill(p, values));
            "0".to_owned()
        }
        ParamKind::Integer | ParamKind::Number => {
            let min = param.rules.minimum.unwrap_or(0.0);
            if param.kind == ParamKind::Integer {
                format!("{}", min.ceil() as i64)
            } else {
                format!("{min}")
            }
        }
        ParamKind::Boolean => "true".into(),
        ParamKind::Choice { options, .. } => options[0].clone(),
        ParamKind::Date => "2026-12-31".into(),
        ParamKind::Email => "ops@example.com".into(),
        ParamKind::Url => "https://example.com/api".into(),
        ParamKind::List => "one\ntwo".into(),
        _ => match param.rules.pattern.as_deref() {
            Some(pattern) => {
                PATTERNS.iter().find(|(p, _)| *p == pattern).map(|(_, v)| (*v).to_owned()).unwrap_or_default()
            }
            None => "x".repeat(param.rules.min_length.unwrap_or(1).max(1) as usize),
        },
    };
    values.insert(param.field.clone(), Secret::new(text));
}

fn validates(schema: &Value, body: &Value) -> Result<(), String> {
    let validator = jsonschema::draft7::new(schema).map_err(|e| e.to_string())?;
    let errors: Vec<String> =
        validator.iter_errors(body).map(|e| format!("{e} at {}", e.instance_path())).collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn a_filled_form_validates_against_its_schema(schema in object(2)) {
        let m = method(schema.clone());
        let mut values = FormValues::new();
        m.params.iter().for_each(|p| fill(p, &mut values));
        let sent = body(&m, &values).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        validates(&schema, &sent).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn whatever_the_form_accepts_validates(schema in object(1), typed in prop::collection::vec("[a-z0-9 .@-]{0,8}", 12)) {
        let m = method(schema.clone());
        let mut values = FormValues::new();
        for (param, text) in m.all_params().into_iter().zip(typed.iter().cycle()) {
            values.insert(param.field.clone(), Secret::new(text.clone()));
        }
        if let Ok(sent) = body(&m, &values) {
            validates(&schema, &sent).map_err(TestCaseError::fail)?;
        }
    }
}

#[test]
fn the_generator_makes_nested_required_objects() {
    // A fixed example of what the strategy yields, so a weakened generator is noticed.
    let schema = json!({ "type": "object", "properties": { "a": { "type": "object", "properties": { "b": { "type": "integer", "minimum": 3 } }, "required": ["b"] } }, "required": ["a"] });
    let m = method(schema.clone());
    let mut values = FormValues::new();
    m.params.iter().for_each(|p| fill(p, &mut values));
    let sent = body(&m, &values).expect("valid");
    assert_eq!(sent, json!({ "a": { "b": 3 } }));
    validates(&schema, &sent).expect("validates");
}
