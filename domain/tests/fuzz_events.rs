//! Properties of the event catalogue and its rules: parsing any data as any event type never
//! panics, an event that parses reads back identically from the data it records, and folding any
//! sequence of events through a stream's rules never panics nor lets a stream open twice.

mod support;

use aidledger_domain::{canonical, Event, EventType, StreamKind, StreamState};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use support::{config, json_value, mutated_data, mutated_data_among, valid_data};

/// The event parsed from what it records is the same event, and what it records is canonical.
fn reads_back(event_type: EventType, event: &Event) -> Result<(), TestCaseError> {
    prop_assert_eq!(event.event_type(), event_type);
    let recorded = event.data_value();
    prop_assert!(recorded.is_object());
    prop_assert!(canonical::to_string(&recorded).is_ok(), "recorded data is canonical: {}", recorded);
    let read_back = Event::parse(event_type, &recorded);
    prop_assert_eq!(read_back.as_ref(), Ok(event));
    Ok(())
}

#[test]
fn every_valid_example_parses_and_reads_back() {
    for &event_type in EventType::ALL {
        let event = Event::parse(event_type, &valid_data(event_type))
            .unwrap_or_else(|errors| panic!("{event_type}: {errors:?}"));
        reads_back(event_type, &event).unwrap();
    }
}

#[test]
fn the_mutated_data_often_gets_past_the_schema_so_the_properties_reach_the_rules() {
    let mut runner = TestRunner::deterministic();
    let strategy = mutated_data();
    let total = 1000;
    let parsed = (0..total)
        .filter(|_| {
            let (event_type, data) = strategy.new_tree(&mut runner).unwrap().current();
            Event::parse(event_type, &data).is_ok()
        })
        .count();
    assert!(parsed * 4 >= total, "only {parsed} of {total} generated data parse");
    assert!(parsed * 10 <= total * 9, "{parsed} of {total} generated data parse: too few refusals");
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn parsing_any_value_as_any_event_type_never_panics(event_type in select(EventType::ALL), data in json_value()) {
        if let Ok(event) = Event::parse(event_type, &data) {
            reads_back(event_type, &event)?;
        }
    }
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn parsing_mutated_valid_data_never_panics_and_what_parses_reads_back((event_type, data) in mutated_data()) {
        match Event::parse(event_type, &data) {
            Ok(event) => reads_back(event_type, &event)?,
            Err(errors) => {
                prop_assert!(!errors.is_empty(), "a refusal says why");
                for error in &errors {
                    prop_assert!(error.pointer.is_empty() || error.pointer.starts_with('/'), "{:?}", error);
                }
            }
        }
    }
}

/// Events of one kind, with the actors that append them.
fn history() -> impl Strategy<Value = (StreamKind, Vec<(usize, Event)>)> {
    select(StreamKind::ALL.to_vec()).prop_flat_map(|kind| {
        let types: Vec<EventType> = EventType::ALL.iter().copied().filter(|t| t.kind() == kind).collect();
        let proposed = prop::collection::vec((0_usize..3, mutated_data_among(types)), 1..24);
        proposed.prop_map(move |proposed| {
            let events = proposed
                .into_iter()
                .filter_map(|(actor, (event_type, data))| {
                    Event::parse(event_type, &data).ok().map(|e| (actor, e))
                })
                .collect();
            (kind, events)
        })
    })
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn folding_any_history_through_the_rules_never_panics_and_opens_a_stream_once((kind, events) in history()) {
        const ACTORS: [&str; 3] = ["zhao.min", "qian.li", "zhou.jie"];
        let mut state = StreamState::new(kind);
        let mut opened = 0;
        for (actor, event) in &events {
            let actor = ACTORS[*actor];
            if state.decide(event, actor).is_ok() {
                prop_assert_eq!(event.event_type().is_opening(), !state.is_opened());
                opened += usize::from(event.event_type().is_opening());
                state.apply(event, actor);
                prop_assert!(state.is_opened());
                prop_assert_eq!(state.kind(), kind);
            }
        }
        prop_assert!(opened <= 1);
    }
}
