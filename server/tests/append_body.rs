//! Properties of the append endpoint's body parser, the first code every request body reaches
//! after strict JSON parsing: whatever the body, it never panics; what it accepts is within the
//! limits, of the stream's kind, and reads back identically from the data it would record; what it
//! refuses carries one error per JSON pointer.

// The generators are shared with the domain's properties; they name the domain crate by its
// package name.
extern crate domain as aidledger_domain;

#[path = "../../domain/tests/support/mod.rs"]
mod support;

use std::collections::HashSet;

use aidledger_server::http::append_body::{parse, AppendBody};
use aidledger_server::store::ExpectedVersion;
use domain::record::check_occurred_at;
use domain::{strict_json, Event, EventType, FieldError, StreamKind};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{json, Map, Value};
use support::{
    config, date_time_text, json_value, key, mutated_data, mutated_data_among, plausible_string, replacement,
    uuid_text,
};

/// An optional id field: absent half the time, else mostly a good UUID, sometimes anything.
fn id_value() -> BoxedStrategy<Option<Value>> {
    prop::option::of(prop_oneof![9 => uuid_text().prop_map(Value::String), 1 => replacement()]).boxed()
}

/// Data for a stream of `kind`: mostly a valid example of one of its types (the data itself is
/// mutated by the domain's properties; here the body around it matters), else mutated, sometimes
/// of another kind.
fn data_for(kind: StreamKind) -> BoxedStrategy<(EventType, Value)> {
    let own: Vec<EventType> = EventType::ALL.iter().copied().filter(|t| t.kind() == kind).collect();
    let valid = select(own.clone()).prop_map(|event_type| (event_type, support::valid_data(event_type)));
    prop_oneof![4 => valid, 1 => mutated_data_among(own), 1 => mutated_data()].boxed()
}

/// One event object for a stream of `kind`: a type (usually the data's), data, and each optional
/// key or not.
fn event_object(kind: StreamKind) -> BoxedStrategy<Value> {
    let type_value = prop_oneof![
        12 => Just(None),
        1 => plausible_string().prop_map(|s| Some(Value::String(s))),
        1 => replacement().prop_map(Some),
    ];
    let occurred_at = prop::option::of(prop_oneof![
        3 => Just(Value::from("2022-06-01T10:00:00+08:00")),
        1 => date_time_text().prop_map(Value::String),
        1 => replacement(),
    ]);
    let extra = prop::option::weighted(0.1, (key(), replacement()));
    let without_data = prop::option::weighted(0.05, Just(()));
    (
        data_for(kind),
        type_value,
        occurred_at.boxed(),
        (id_value(), id_value(), id_value()),
        extra,
        without_data,
    )
        .prop_map(|((event_type, data), type_value, occurred_at, ids, extra, without_data)| {
            let mut event = Map::new();
            event.insert("type".into(), type_value.unwrap_or_else(|| Value::from(event_type.as_str())));
            if without_data.is_none() {
                event.insert("data".into(), data);
            }
            let (id, correlation_id, causation_id) = ids;
            let optional = [
                ("id", id),
                ("occurred_at", occurred_at),
                ("correlation_id", correlation_id),
                ("causation_id", causation_id),
            ];
            for (name, value) in optional {
                if let Some(value) = value {
                    event.insert(name.into(), value);
                }
            }
            if let Some((name, value)) = extra {
                event.insert(name, value);
            }
            Value::Object(event)
        })
        .boxed()
}

/// A body shaped like an append to a stream of `kind`: expected version (or not), events (or not),
/// now and then more.
fn append_body(kind: StreamKind) -> BoxedStrategy<Value> {
    let expected_version = prop_oneof![
        2 => Just(None),
        2 => (0_i64..5).prop_map(|v| Some(json!(v))),
        1 => Just(Some(json!("any"))),
        1 => replacement().prop_map(Some),
    ];
    let events = prop_oneof![
        8 => prop::collection::vec(event_object(kind), 1..3).prop_map(|events| Some(Value::Array(events))),
        1 => prop::collection::vec(event_object(kind), 0..6).prop_map(|events| Some(Value::Array(events))),
        1 => Just(None),
        1 => replacement().prop_map(Some),
    ];
    (expected_version, events, prop::option::weighted(0.05, (key(), replacement())))
        .prop_map(|(expected_version, events, extra)| {
            let mut body = Map::new();
            if let Some(version) = expected_version {
                body.insert("expected_version".into(), version);
            }
            if let Some(events) = events {
                body.insert("events".into(), events);
            }
            if let Some((name, value)) = extra {
                body.insert(name, value);
            }
            Value::Object(body)
        })
        .boxed()
}

fn kind() -> impl Strategy<Value = StreamKind> {
    select(StreamKind::ALL.to_vec())
}

/// What an accepted body must be.
fn check_accepted(body: &AppendBody, kind: StreamKind, events_max: usize) -> Result<(), TestCaseError> {
    prop_assert!(!body.events.is_empty() && body.events.len() <= events_max);
    if let ExpectedVersion::Exactly(version) = body.expected_version {
        prop_assert!(version >= 0);
    }
    let mut ids = HashSet::new();
    for proposed in &body.events {
        let event_type = proposed.event.event_type();
        prop_assert_eq!(event_type.kind(), kind);
        let recorded = proposed.event.data_value();
        let read_back = Event::parse(event_type, &recorded);
        prop_assert_eq!(read_back.as_ref(), Ok(&proposed.event));
        if let Some(occurred_at) = &proposed.occurred_at {
            prop_assert!(check_occurred_at(occurred_at).is_ok());
        }
        if let Some(id) = proposed.id {
            prop_assert!(ids.insert(id), "ids are unique within an append");
        }
    }
    Ok(())
}

/// What a refusal must be: at least one error, one per pointer, each pointer into the body.
fn check_refused(errors: &[FieldError]) -> Result<(), TestCaseError> {
    prop_assert!(!errors.is_empty());
    let mut pointers = HashSet::new();
    for error in errors {
        prop_assert!(error.pointer.is_empty() || error.pointer.starts_with('/'), "{:?}", error);
        prop_assert!(pointers.insert(error.pointer.clone()), "one error per pointer: {:?}", errors);
        prop_assert!(!error.detail.is_empty());
    }
    Ok(())
}

fn check(body: &Value, kind: StreamKind, events_max: usize) -> Result<(), TestCaseError> {
    match parse(body, kind, events_max) {
        Ok(parsed) => check_accepted(&parsed, kind, events_max),
        Err(errors) => check_refused(&errors),
    }
}

#[test]
fn the_generated_bodies_are_often_accepted_so_the_properties_reach_the_events() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let total = 1000;
    let accepted = (0..total)
        .filter(|_| {
            let kind = kind().new_tree(&mut runner).unwrap().current();
            let body = append_body(kind).new_tree(&mut runner).unwrap().current();
            parse(&body, kind, 4).is_ok()
        })
        .count();
    assert!(accepted * 20 >= total, "only {accepted} of {total} generated bodies are accepted");
}

#[test]
fn a_valid_append_of_every_event_type_is_accepted() {
    for &event_type in EventType::ALL {
        let body = json!({"expected_version": 0, "events": [{"type": event_type.as_str(),
            "data": support::valid_data(event_type), "id": "0190a1b2-0000-7000-8000-000000000001",
            "occurred_at": "2022-06-01T10:00:00+08:00"}]});
        let parsed = parse(&body, event_type.kind(), 10).unwrap_or_else(|e| panic!("{event_type}: {e:?}"));
        assert_eq!(parsed.events[0].event.event_type(), event_type);
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn any_json_body_is_answered_without_panicking(body in json_value(), kind in kind(), events_max in 1_usize..4) {
        check(&body, kind, events_max)?;
    }
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn any_append_shaped_body_is_answered_without_panicking(
        (kind, body) in kind().prop_flat_map(|kind| (Just(kind), append_body(kind))),
        events_max in 1_usize..4,
    ) {
        check(&body, kind, events_max)?;
        // What the endpoint sees is the body after strict parsing of its text: the same answer.
        if let Ok(reparsed) = strict_json::parse(body.to_string().as_bytes()) {
            prop_assert_eq!(parse(&reparsed, kind, events_max).is_ok(), parse(&body, kind, events_max).is_ok());
        }
    }
}
