//! Turning an append request body into typed proposed events, collecting every schema error with its
//! JSON pointer rather than stopping at the first.

use std::collections::HashSet;

use domain::record::check_occurred_at;
use domain::values::{sealed_text, Id};
use domain::{strict_json, Event, EventType, FieldError, StreamKind};
use serde_json::{Map, Value};

use crate::store::{ExpectedVersion, ProposedEvent};

/// An append body, parsed.
#[derive(Debug)]
pub struct AppendBody {
    /// The version the client expects.
    pub expected_version: ExpectedVersion,
    /// The events.
    pub events: Vec<ProposedEvent>,
}

const BODY_KEYS: [&str; 2] = ["expected_version", "events"];
const EVENT_KEYS: [&str; 6] = ["type", "data", "id", "occurred_at", "correlation_id", "causation_id"];

fn unknown_keys(map: &Map<String, Value>, allowed: &[&str], pointer: &str, errors: &mut Vec<FieldError>) {
    for key in map.keys().filter(|key| !allowed.contains(&key.as_str())) {
        errors.push(FieldError::new(
            format!("{pointer}/{}", domain::errors::pointer_token(key)),
            format!("unknown field \"{key}\"; expected one of {}", allowed.join(", ")),
        ));
    }
}

fn optional_id(
    event: &Map<String, Value>,
    key: &str,
    pointer: &str,
    errors: &mut Vec<FieldError>,
) -> Option<Id> {
    match event.get(key)? {
        Value::String(text) => {
            Id::parse(text).map_err(|e| errors.push(FieldError::new(format!("{pointer}/{key}"), e))).ok()
        }
        _ => {
            errors.push(FieldError::new(format!("{pointer}/{key}"), "must be a UUID string"));
            None
        }
    }
}

/// Parses `body` as an append to a stream of `kind`, with at most `events_max` events.
pub fn parse(body: &Value, kind: StreamKind, events_max: usize) -> Result<AppendBody, Vec<FieldError>> {
    let mut errors = strict_json::number_errors(body);
    let Some(object) = body.as_object() else {
        return Err(vec![FieldError::new(
            "",
            "the body must be a JSON object {\"expected_version\", \"events\"}",
        )]);
    };
    unknown_keys(object, &BODY_KEYS, "", &mut errors);

    let expected_version = match object.get("expected_version") {
        None => ExpectedVersion::Any,
        Some(Value::String(text)) if text == "any" => ExpectedVersion::Any,
        Some(Value::Number(n)) if n.as_i64().is_some_and(|v| v >= 0) => {
            ExpectedVersion::Exactly(n.as_i64().unwrap_or(0))
        }
        Some(_) => {
            errors.push(FieldError::new(
                "/expected_version",
                "must be an integer ≥ 0 (0: a new stream) or \"any\"",
            ));
            ExpectedVersion::Any
        }
    };

    let events = match object.get("events") {
        Some(Value::Array(events)) if events.is_empty() => {
            errors.push(FieldError::new("/events", "must hold at least one event"));
            Vec::new()
        }
        Some(Value::Array(events)) if events.len() > events_max => {
            errors.push(FieldError::new(
                "/events",
                format!("holds {} events; at most {events_max} go in one append", events.len()),
            ));
            Vec::new()
        }
        Some(Value::Array(events)) => events
            .iter()
            .enumerate()
            .filter_map(|(index, event)| parse_event(event, kind, &format!("/events/{index}"), &mut errors))
            .collect(),
        Some(_) => {
            errors.push(FieldError::new("/events", "must be an array of events"));
            Vec::new()
        }
        None => {
            errors.push(FieldError::new("/events", "is required"));
            Vec::new()
        }
    };

    let mut seen = HashSet::new();
    for (index, event) in events.iter().enumerate() {
        if let Some(id) = event.id {
            if !seen.insert(id) {
                errors.push(FieldError::new(
                    format!("/events/{index}/id"),
                    format!("id {id} appears twice in this append"),
                ));
            }
        }
    }
    // A float is reported once, by the number check, not again by the field's own type.
    first_per_pointer(&mut errors);
    if errors.is_empty() {
        Ok(AppendBody { expected_version, events })
    } else {
        Err(errors)
    }
}

/// Keeps only the first error at each pointer (the checks run most telling first).
pub(crate) fn first_per_pointer(errors: &mut Vec<FieldError>) {
    let mut pointers = HashSet::new();
    errors.retain(|error| pointers.insert(error.pointer.clone()));
}

/// One event object (`type`, `data`, and the optional ids and `occurred_at`) of a stream of `kind`,
/// found at `pointer`; what is wrong with it is added to `errors`. The import reads its rows with it.
pub(crate) fn parse_event(
    value: &Value,
    kind: StreamKind,
    pointer: &str,
    errors: &mut Vec<FieldError>,
) -> Option<ProposedEvent> {
    let Some(event) = value.as_object() else {
        errors.push(FieldError::new(pointer, "an event is an object {\"type\", \"data\", …}"));
        return None;
    };
    unknown_keys(event, &EVENT_KEYS, pointer, errors);
    let event_type = match event.get("type") {
        Some(Value::String(name)) => match name.parse::<EventType>() {
            Ok(event_type) if event_type.kind() == kind => Some(event_type),
            Ok(event_type) => {
                errors.push(FieldError::new(
                    format!("{pointer}/type"),
                    format!("{event_type} belongs to {} streams, not {kind} streams", event_type.kind()),
                ));
                None
            }
            Err(detail) => {
                errors.push(FieldError::new(format!("{pointer}/type"), detail));
                None
            }
        },
        Some(_) => {
            errors.push(FieldError::new(format!("{pointer}/type"), "must be an event type name"));
            None
        }
        None => {
            errors.push(FieldError::new(format!("{pointer}/type"), "is required"));
            None
        }
    };
    let data_pointer = format!("{pointer}/data");
    let typed = match (event_type, event.get("data")) {
        (_, None) => {
            errors.push(FieldError::new(data_pointer, "is required (use {} for events without data)"));
            None
        }
        (Some(event_type), Some(data)) => {
            let sealed: Vec<FieldError> = event_type
                .personal_fields()
                .iter()
                .filter(|field| data.get(**field).and_then(sealed_text).is_some())
                .map(|field| {
                    FieldError::new(
                        format!("{data_pointer}/{field}"),
                        "personal fields are sent as plain values; the server seals them",
                    )
                })
                .collect();
            if sealed.is_empty() {
                Event::parse(event_type, data)
                    .map_err(|e| errors.extend(e.into_iter().map(|e| e.under(&data_pointer))))
                    .ok()
            } else {
                errors.extend(sealed);
                None
            }
        }
        (None, Some(_)) => None,
    };
    let occurred_at = match event.get("occurred_at") {
        None => None,
        Some(Value::String(text)) => match check_occurred_at(text) {
            Ok(_) => Some(text.clone()),
            Err(detail) => {
                errors.push(FieldError::new(format!("{pointer}/occurred_at"), detail));
                None
            }
        },
        Some(_) => {
            errors.push(FieldError::new(
                format!("{pointer}/occurred_at"),
                "must be an RFC 3339 date-time string",
            ));
            None
        }
    };
    let id = optional_id(event, "id", pointer, errors);
    let correlation_id = optional_id(event, "correlation_id", pointer, errors);
    let causation_id = optional_id(event, "causation_id", pointer, errors);
    Some(ProposedEvent { id, event: typed?, occurred_at, correlation_id, causation_id })
}
