//! The kind of each data field of an event type (text, integer, flag, or JSON), read from the API's
//! own OpenAPI document, so that an imported cell is read as the schema an append is held to says
//! and the field list is written once.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

use super::rows::FieldKind;

/// How deep nested objects are followed (the catalogue nests one level: `materials.brochures`).
const NESTING_MAX: usize = 4;

/// Every data field path of one event type (dotted for nested objects) and its kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldKinds(HashMap<String, FieldKind>);

impl FieldKinds {
    /// The fields of `event_type`'s data, as the API's document describes them (the document is
    /// built once per process: its data schemas do not depend on the configured limits).
    pub fn of_event(event_type: domain::EventType) -> FieldKinds {
        static DOCUMENT: OnceLock<Value> = OnceLock::new();
        let document = DOCUMENT.get_or_init(|| {
            let document = crate::http::document(&crate::http::Limits::default());
            serde_json::to_value(&document).unwrap_or_default()
        });
        FieldKinds::of(document, &crate::http::openapi::event_schemas::data_schema_name(event_type))
    }

    /// The fields of the schema named `schema` in `document`'s components.
    pub fn of(document: &Value, schema: &str) -> FieldKinds {
        let mut kinds = HashMap::new();
        let root = Value::String(format!("#/components/schemas/{schema}"));
        let root = serde_json::json!({ "$ref": root });
        collect(document, &root, "", 0, &mut kinds);
        FieldKinds(kinds)
    }

    /// The kind of the field at the dotted `path`, if the event type has it.
    pub fn kind(&self, path: &str) -> Option<FieldKind> {
        self.0.get(path).copied()
    }
}

/// The schema `schema` stands for: itself, or what its `$ref` (into the document) names.
fn resolved<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    let mut schema = schema;
    for _ in 0..8 {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => match reference.strip_prefix('#') {
                Some(pointer) => schema = document.pointer(pointer).unwrap_or(&Value::Null),
                None => return &Value::Null,
            },
            None => break,
        }
    }
    schema
}

/// The JSON types `schema` allows (its `type`, or those of its `oneOf`/`anyOf`/`allOf` branches),
/// with `null` left out.
fn types<'a>(document: &'a Value, schema: &'a Value, depth: usize) -> Vec<&'a str> {
    let schema = resolved(document, schema);
    let mut found: Vec<&str> = match schema.get("type") {
        Some(Value::String(name)) => vec![name.as_str()],
        Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if found.is_empty() && schema.get("enum").is_some() {
        found.push("string");
    }
    if depth < NESTING_MAX {
        for branches in ["oneOf", "anyOf", "allOf"] {
            for branch in schema.get(branches).and_then(Value::as_array).into_iter().flatten() {
                found.extend(types(document, branch, depth + 1));
            }
        }
    }
    found.retain(|name| *name != "null");
    found
}

/// The properties of an object schema, following `allOf`/`oneOf`/`anyOf` branches.
fn properties<'a>(document: &'a Value, schema: &'a Value, depth: usize) -> Vec<(&'a String, &'a Value)> {
    let schema = resolved(document, schema);
    let mut found: Vec<(&String, &Value)> =
        schema.get("properties").and_then(Value::as_object).into_iter().flatten().collect();
    if depth < NESTING_MAX {
        for branches in ["oneOf", "anyOf", "allOf"] {
            for branch in schema.get(branches).and_then(Value::as_array).into_iter().flatten() {
                found.extend(properties(document, branch, depth + 1));
            }
        }
    }
    found
}

fn collect(
    document: &Value,
    schema: &Value,
    prefix: &str,
    depth: usize,
    kinds: &mut HashMap<String, FieldKind>,
) {
    for (name, property) in properties(document, schema, 0) {
        let path = if prefix.is_empty() { name.clone() } else { format!("{prefix}.{name}") };
        let property_types = types(document, property, 0);
        let kind = match property_types.first().copied() {
            Some("integer") => FieldKind::Integer,
            Some("boolean") => FieldKind::Flag,
            Some("string") => FieldKind::Text,
            Some("object") if depth < NESTING_MAX && !properties(document, property, 0).is_empty() => {
                collect(document, property, &path, depth + 1, kinds);
                continue;
            }
            _ => FieldKind::Json,
        };
        kinds.insert(path, kind);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_kinds_through_references_and_nested_objects() {
        let document = json!({"components": {"schemas": {
            "ActivityHeldData": {"type": "object", "properties": {
                "title": {"type": "string"},
                "attendees": {"type": "integer", "minimum": 0},
                "kind": {"$ref": "#/components/schemas/ActivityKind"},
                "materials": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Materials"}]},
                "items": {"type": "array", "items": {"type": "object"}},
                "on_site": {"type": ["boolean", "null"]}
            }},
            "ActivityKind": {"type": "string", "enum": ["lecture"]},
            "Materials": {"type": "object", "properties": {"brochures": {"type": "integer"}}}
        }}});
        let kinds = FieldKinds::of(&document, "ActivityHeldData");
        assert_eq!(kinds.kind("title"), Some(FieldKind::Text));
        assert_eq!(kinds.kind("attendees"), Some(FieldKind::Integer));
        assert_eq!(kinds.kind("kind"), Some(FieldKind::Text));
        assert_eq!(kinds.kind("materials.brochures"), Some(FieldKind::Integer));
        assert_eq!(kinds.kind("materials"), None);
        assert_eq!(kinds.kind("items"), Some(FieldKind::Json));
        assert_eq!(kinds.kind("on_site"), Some(FieldKind::Flag));
        assert_eq!(kinds.kind("nope"), None);
    }

    #[test]
    fn the_api_document_gives_every_field_of_an_event_type() {
        let kinds = FieldKinds::of_event(domain::EventType::ActivityHeld);
        assert_eq!(kinds.kind("title"), Some(FieldKind::Text));
        assert_eq!(kinds.kind("attendees"), Some(FieldKind::Integer));
        assert_eq!(kinds.kind("materials.brochures"), Some(FieldKind::Integer));
        let registered = FieldKinds::of_event(domain::EventType::BeneficiaryRegistered);
        assert_eq!(registered.kind("party_member"), Some(FieldKind::Flag));
        assert_eq!(registered.kind("name"), Some(FieldKind::Text));
        let requested = FieldKinds::of_event(domain::EventType::DisbursementRequested);
        assert_eq!(requested.kind("items"), Some(FieldKind::Json));
        assert_eq!(requested.kind("amount_minor"), Some(FieldKind::Integer));
    }
}
