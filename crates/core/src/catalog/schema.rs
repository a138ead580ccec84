//! The form engine: turns an auth spec's JSON Schema (draft-07) into the params a form is
//! drawn from. It renders what it knows and never drops a property it does not: such a
//! property becomes a raw JSON field that carries the schema's description. Specs are taken
//! as Adobe publishes them, quirks included (a `required` name with no property, `type`
//! missing or spelled as a list, no descriptions), so no missing part is an error here.

use serde_json::{Map, Value};

use super::consent::ConsentKind;
use super::labels::humanize;
use super::model::{AuthMethod, Param, ParamKind, Rules, Variant};
use super::secrets::names_a_secret;
use crate::adobe::flow::AuthSpec;

/// How deep nested objects are followed; below that a member is a raw JSON field. Real specs
/// nest once (a REST API's parameter override), so this only bounds a hostile spec.
const MAX_DEPTH: usize = 4;
/// The most members read from one object: far above any real spec, short of a runaway one.
const MAX_PROPERTIES: usize = 200;

/// The form of one `authSpec[]` entry.
pub fn method_from_spec(spec: &AuthSpec) -> AuthMethod {
    AuthMethod {
        spec_name: spec.name.clone(),
        label: humanize(&spec.name),
        help: str_of(&spec.spec, "description").unwrap_or_default().to_owned(),
        auth_type: None,
        params: object_params(&spec.spec, 0),
        consent: ConsentKind::None,
        credential_check: None,
        key_material: None,
        client_secret_field: None,
        minted_token: None,
    }
}

/// The params of an object schema: its properties in the spec's order, then any `required`
/// name that has no property (Amazon S3 requires `accessKeyId` but describes `s3AccessKey`),
/// then a choice when the object itself is a `oneOf`/`anyOf`.
fn object_params(schema: &Value, depth: usize) -> Vec<Param> {
    let required = required_of(schema);
    let empty = Map::new();
    let properties = schema.get("properties").and_then(Value::as_object).unwrap_or(&empty);
    let mut params: Vec<Param> = properties
        .iter()
        .take(MAX_PROPERTIES)
        .map(|(name, property)| param(name, property, required.contains(&name.as_str()), depth))
        .collect();
    for name in required.iter().filter(|name| !properties.contains_key(**name)).take(MAX_PROPERTIES) {
        params.push(undescribed(name));
    }
    if let Some(variants) = variants_of(schema, depth) {
        params.push(Param {
            label: "Kind".into(),
            help: str_of(schema, "description").unwrap_or_default().to_owned(),
            required: true,
            ..blank("", variants)
        });
    }
    params
}

/// One property as a param, or a raw JSON field when the engine does not know its shape.
fn param(name: &str, schema: &Value, required: bool, depth: usize) -> Param {
    let kind = kind_of(name, schema, depth);
    let leaf = !matches!(
        kind,
        ParamKind::Group { .. }
            | ParamKind::Variants { .. }
            | ParamKind::Boolean
            | ParamKind::Choice { .. }
            | ParamKind::Integer
            | ParamKind::Number
    );
    let secret = str_of(schema, "format") == Some("password")
        || schema.get("writeOnly").and_then(Value::as_bool) == Some(true)
        || (leaf && names_a_secret(name));
    let default = schema.get("default").and_then(|d| default_text(&kind, d));
    let hidden = schema.pointer("/uiAttributes/hidden").and_then(Value::as_bool) == Some(true)
        // A hidden field the spec requires and fills with nothing could never be sent: show it.
        && !(required && default.is_none());
    let placeholder = match (secret, schema.get("examples").and_then(Value::as_array)) {
        // Examples of a secret are not shown: they may be real values pasted into a spec.
        (false, Some(examples)) => examples.first().and_then(Value::as_str).unwrap_or_default().to_owned(),
        _ => String::new(),
    };
    Param {
        label: str_of(schema, "title").map(str::to_owned).unwrap_or_else(|| humanize(name)),
        help: str_of(schema, "description").unwrap_or_default().to_owned(),
        placeholder,
        required,
        secret,
        hidden,
        // A secret's default is never kept: specs are cached in a file.
        default: if secret { None } else { default },
        rules: rules_of(schema),
        ..blank(name, kind)
    }
}

fn kind_of(name: &str, schema: &Value, depth: usize) -> ParamKind {
    if !schema.is_object() {
        return raw("its schema is not an object");
    }
    if let Some(variants) = variants_of(schema, depth) {
        return variants;
    }
    if schema.get("oneOf").or_else(|| schema.get("anyOf")).is_some() {
        return raw("it is a choice between kinds of value");
    }
    for construct in ["allOf", "$ref", "if", "not", "patternProperties"] {
        if schema.get(construct).is_some() {
            return raw(&format!("its schema uses {construct}"));
        }
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array) {
        return choice(options);
    }
    if let Some(only) = schema.get("const") {
        return choice(std::slice::from_ref(only));
    }
    match type_of(schema) {
        Some("string") | None => string_kind(name, schema),
        Some("integer") => ParamKind::Integer,
        Some("number") => ParamKind::Number,
        Some("boolean") => ParamKind::Boolean,
        Some("array") => match schema.get("items").map(|items| (type_of(items), items)) {
            None => ParamKind::List,
            Some((Some("string") | None, items)) if items.get("enum").is_none() => ParamKind::List,
            Some(_) => raw("it is a list of values that are not text"),
        },
        Some("object") if depth >= MAX_DEPTH => raw("it is nested too deeply"),
        Some("object") => match schema.get("properties").and_then(Value::as_object) {
            Some(properties) if !properties.is_empty() => {
                ParamKind::Group { params: object_params(schema, depth + 1) }
            }
            _ => raw("it is an object whose members the spec does not list"),
        },
        Some(other) => raw(&format!("its type is {other}")),
    }
}

fn string_kind(name: &str, schema: &Value) -> ParamKind {
    match str_of(schema, "format") {
        Some("uri" | "url") => return ParamKind::Url,
        Some("date") => return ParamKind::Date,
        Some("email") => return ParamKind::Email,
        _ => {}
    }
    let lower = name.to_ascii_lowercase();
    if str_of(schema, "contentEncoding") == Some("base64") {
        // The value is a file's content (an SSH key) in Base64: the user picks the file.
        return ParamKind::FileBase64 { accept: String::new() };
    }
    let long = schema.get("maxLength").and_then(Value::as_u64).is_some_and(|max| max > 1024);
    if long || lower.contains("privatekey") || lower.ends_with("keycontent") || lower.contains("certificate")
    {
        return ParamKind::MultiLine;
    }
    ParamKind::Text
}

/// The variants of a `oneOf`/`anyOf` whose every member is an object.
fn variants_of(schema: &Value, depth: usize) -> Option<ParamKind> {
    let members = schema.get("oneOf").or_else(|| schema.get("anyOf"))?.as_array()?;
    let objects = !members.is_empty()
        && members.iter().all(|m| type_of(m) == Some("object") || m.get("properties").is_some());
    if !objects || depth >= MAX_DEPTH {
        return None;
    }
    let variants = members
        .iter()
        .enumerate()
        .map(|(i, member)| Variant {
            label: str_of(member, "title").map(str::to_owned).unwrap_or_else(|| variant_label(member, i)),
            params: object_params(member, depth + 1),
        })
        .collect();
    Some(ParamKind::Variants { variants })
}

/// A variant without a title is named after what it asks for: "Access key ID and secret".
fn variant_label(member: &Value, index: usize) -> String {
    let names: Vec<String> = member
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().take(3).map(|k| humanize(k).to_lowercase()).collect())
        .unwrap_or_default();
    match names.as_slice() {
        [] => format!("Option {}", index + 1),
        [only] => capitalise(only),
        [init @ .., last] => capitalise(&format!("{} and {last}", init.join(", "))),
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn choice(options: &[Value]) -> ParamKind {
    let strings: Option<Vec<String>> = options.iter().map(|o| o.as_str().map(str::to_owned)).collect();
    match strings {
        Some(options) => ParamKind::Choice { options, json: false },
        None => ParamKind::Choice { options: options.iter().map(Value::to_string).collect(), json: true },
    }
}

/// A required key the spec does not describe: a text field, secret when its name says so.
fn undescribed(name: &str) -> Param {
    Param {
        label: humanize(name),
        help: "The connection spec requires this value without describing it.".into(),
        required: true,
        secret: names_a_secret(name),
        ..blank(name, ParamKind::Text)
    }
}

fn raw(reason: &str) -> ParamKind {
    ParamKind::Json {
        reason: format!("Enter this value as JSON: Flow Connect has no form for it because {reason}."),
    }
}

fn blank(name: &str, kind: ParamKind) -> Param {
    Param {
        name: name.to_owned(),
        field: String::new(),
        label: String::new(),
        help: String::new(),
        placeholder: String::new(),
        kind,
        required: false,
        secret: false,
        hidden: false,
        default: None,
        rules: Rules::default(),
    }
}

/// `type`, which specs also give as a list (`["string", "null"]`): the first that is not null.
fn type_of(schema: &Value) -> Option<&str> {
    match schema.get("type")? {
        Value::String(t) => Some(t.as_str()),
        Value::Array(types) => types.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    }
}

fn required_of(schema: &Value) -> Vec<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn str_of<'a>(schema: &'a Value, key: &str) -> Option<&'a str> {
    schema.get(key).and_then(Value::as_str)
}

fn rules_of(schema: &Value) -> Rules {
    let count = |key: &str| schema.get(key).and_then(Value::as_u64).and_then(|n| u32::try_from(n).ok());
    Rules {
        pattern: str_of(schema, "pattern").map(str::to_owned),
        min_length: count("minLength"),
        max_length: count("maxLength"),
        minimum: schema.get("minimum").and_then(Value::as_f64),
        maximum: schema.get("maximum").and_then(Value::as_f64),
    }
}

/// A default as the form shows it: text as is, a list one item per line, anything else as
/// JSON text.
fn default_text(kind: &ParamKind, value: &Value) -> Option<String> {
    match (kind, value) {
        (ParamKind::Choice { json: true, .. }, v) => Some(v.to_string()),
        (_, Value::String(s)) => Some(s.clone()),
        (ParamKind::List, Value::Array(items)) => {
            Some(items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("\n"))
        }
        (_, Value::Null) => None,
        (_, v) => Some(v.to_string()),
    }
}
