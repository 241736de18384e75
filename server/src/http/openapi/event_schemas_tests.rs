//! Holds every event data schema to the domain's parser: what the schema describes as valid parses,
//! and what it rules out (a missing required field, an unknown field, a value past a bound, a string
//! outside an enum) does not.

use domain::{Event, EventType};
use serde_json::{json, Map, Value};

use super::*;

fn schema_json(event_type: EventType) -> Value {
    serde_json::to_value(data_schema(event_type)).expect("a schema serializes")
}

/// A value `schema` describes as valid: with only the required fields, or with every field (`full`),
/// picking the first enum value for a minimal one and the last for a full one.
fn sample(schema: &Value, full: bool) -> Value {
    if let Some(values) = schema["enum"].as_array() {
        return if full { values.last() } else { values.first() }.cloned().expect("a non-empty enum");
    }
    match schema["type"].as_str() {
        Some("object") => {
            let properties = schema["properties"].as_object().cloned().unwrap_or_default();
            let required: Vec<&str> = schema["required"]
                .as_array()
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let at_least = schema["minProperties"].as_u64().unwrap_or(0) as usize;
            let mut object = Map::new();
            for (name, property) in &properties {
                if full || required.contains(&name.as_str()) || object.len() < at_least {
                    object.insert(name.clone(), sample(property, full));
                }
            }
            Value::Object(object)
        }
        Some("array") => json!([sample(&schema["items"], full)]),
        Some("integer") => schema["minimum"].clone(),
        Some("boolean") => json!(true),
        Some("string") => match (schema["format"].as_str(), schema["pattern"].as_str()) {
            (Some("uuid"), _) => json!("0190a1b2-0000-7000-8000-000000000001"),
            (Some("date"), _) => json!("2022-06-01"),
            (_, Some("^[A-Z]{3}$")) => json!("CNY"),
            (_, Some(pattern)) if pattern.contains("{3,20}") => json!("+86 138-0013-8000"),
            _ => json!("鼓楼区"),
        },
        other => panic!("no sample for a schema of type {other:?}: {schema}"),
    }
}

#[track_caller]
fn accepted(event_type: EventType, data: &Value) {
    if let Err(errors) = Event::parse(event_type, data) {
        panic!("{event_type}: the schema allows {data} but the domain refuses it: {errors:?}");
    }
}

#[track_caller]
fn refused(event_type: EventType, data: &Value, why: &str) {
    assert!(Event::parse(event_type, data).is_err(), "{event_type}: {why}, yet the domain accepts {data}");
}

#[test]
fn what_each_data_schema_allows_up_to_its_bounds_the_domain_accepts() {
    // `ReportClosed` is left out: the server alone writes its data, and its checks across fields (a
    // period that ends after it starts) are the domain's, beyond what a schema says.
    for &event_type in EventType::ALL.iter().filter(|t| **t != EventType::ReportClosed) {
        let schema = schema_json(event_type);
        accepted(event_type, &sample(&schema, false));
        accepted(event_type, &sample(&schema, true));
        for (name, property) in schema["properties"].as_object().cloned().unwrap_or_default() {
            let mut at_bounds: Vec<Value> = property["enum"].as_array().cloned().unwrap_or_default();
            at_bounds.extend(property["maximum"].as_i64().map(Value::from));
            at_bounds.extend(property["maxLength"].as_u64().map(|max| json!("字".repeat(max as usize))));
            // On the minimal sample: cross-field checks (items only for in_kind, and required there)
            // are the domain's, so in_kind is tried with the full sample's items.
            for value in at_bounds {
                let mut data = sample(&schema, false);
                if value == json!("in_kind") {
                    data["items"] = sample(&schema, true)["items"].clone();
                }
                data[&name] = value;
                accepted(event_type, &data);
            }
        }
    }
}

#[test]
fn what_each_data_schema_rules_out_the_domain_refuses() {
    for &event_type in EventType::ALL {
        let schema = schema_json(event_type);
        let full = sample(&schema, true);
        let mut unknown = full.clone();
        unknown["colour"] = json!("red");
        refused(event_type, &unknown, "an unknown field is ruled out");
        for name in schema["required"].as_array().cloned().unwrap_or_default() {
            let mut missing = full.clone();
            missing.as_object_mut().expect("an object").remove(name.as_str().expect("a name"));
            refused(event_type, &missing, &format!("{name} is required"));
        }
        for (name, property) in schema["properties"].as_object().cloned().unwrap_or_default() {
            let mut past_bounds = Vec::new();
            if let Some(max) = property["maxLength"].as_u64() {
                past_bounds.push(json!("字".repeat(max as usize + 1)));
                past_bounds.push(json!("   "));
            }
            if let (Some(min), Some(max)) = (property["minimum"].as_i64(), property["maximum"].as_i64()) {
                past_bounds.push(json!(min - 1));
                past_bounds.push(json!(max + 1));
            }
            if property["enum"].is_array() {
                past_bounds.push(json!("none_of_these"));
            }
            if property["format"] == "uuid" {
                past_bounds.push(json!("0190A1B2-0000-7000-8000-000000000001"));
            }
            for value in past_bounds {
                let mut data = full.clone();
                data[&name] = value.clone();
                refused(event_type, &data, &format!("{name} = {value} is ruled out"));
            }
        }
    }
}

#[test]
fn the_append_body_offers_every_type_a_client_may_append_and_its_limit() {
    let body = serde_json::to_value(append_request(7)).expect("a schema serializes");
    let events = &body["properties"]["events"];
    assert_eq!(events["maxItems"], json!(7));
    let offered: Vec<&str> = events["items"]["oneOf"]
        .as_array()
        .expect("oneOf")
        .iter()
        .filter_map(|r| r["$ref"].as_str())
        .collect();
    assert_eq!(offered.len(), EventType::ALL.len() - 2);
    assert!(!offered.iter().any(|r| r.contains("BeneficiaryForgotten") || r.contains("ReportClosed")));
    let event = serde_json::to_value(event_schema(EventType::VisitRecorded)).expect("a schema serializes");
    assert_eq!(event["properties"]["data"]["$ref"], json!("#/components/schemas/VisitRecordedData"));
    assert_eq!(event["required"], json!(["type", "data"]));
}
