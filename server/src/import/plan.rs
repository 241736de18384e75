//! Turning an import file's rows into appends: each row one append of one event by the caller, to
//! the stream its `stream` cell names or, for an opening event with none, to a new stream.
//!
//! A new stream's name comes from the row's `id` when it has one (`beneficiary-<id>`), so that a
//! re-run of the same file names the same streams and appends nothing; without an `id` it is a new
//! UUIDv7 each run.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use domain::values::Id;
use domain::{strict_json, EventType, FieldError, StreamName};
use serde_json::Value;

use super::rows::{ImportRow, UnreadableRow};
use crate::http::append_body::{first_per_pointer, parse_event};
use crate::store::{AppendRequest, ExpectedVersion};

/// What turns rows into appends: the file's event type, the caller, and the ids seen so far.
pub struct Planner {
    event_type: EventType,
    actor: String,
    /// Each event id seen so far, with its row.
    ids: HashMap<Id, u64>,
}

impl Planner {
    /// A planner for a file of `event_type` events appended by `actor`.
    pub fn new(event_type: EventType, actor: String) -> Planner {
        Planner { event_type, actor, ids: HashMap::new() }
    }

    /// The append `row` asks for, or everything wrong with it.
    pub fn request(&mut self, row: ImportRow) -> Result<AppendRequest, UnreadableRow> {
        let ImportRow { row: number, stream, event, cell_errors } = row;
        let event = Value::Object(event);
        // A cell's own problem says more than the schema's about the text left in its place.
        let mut errors = cell_errors;
        errors.extend(strict_json::number_errors(&event));
        let kind = self.event_type.kind();
        let proposed = parse_event(&event, kind, "", &mut errors);
        let id = proposed.as_ref().and_then(|proposed| proposed.id);
        if let Some(id) = id {
            match self.ids.entry(id) {
                Entry::Occupied(first) => {
                    let detail = format!("id {id} is also the id of row {}", first.get());
                    errors.push(FieldError::new("/id", detail));
                }
                Entry::Vacant(entry) => {
                    entry.insert(number);
                }
            }
        }
        let stream = match stream {
            Some(name) => match name.parse::<StreamName>() {
                Ok(stream) if stream.kind() == kind => Some((stream, ExpectedVersion::Any)),
                Ok(stream) => {
                    errors.push(FieldError::new(
                        "/stream",
                        format!(
                            "{} is a {} stream; {} events go to {kind} streams",
                            stream,
                            stream.kind(),
                            self.event_type
                        ),
                    ));
                    None
                }
                Err(detail) => {
                    errors.push(FieldError::new("/stream", detail));
                    None
                }
            },
            None if self.event_type.is_opening() => {
                let uuid = id.unwrap_or_else(|| Id(uuid::Uuid::now_v7()));
                Some((StreamName::new(kind, uuid), ExpectedVersion::Any))
            }
            None => {
                errors.push(FieldError::new(
                    "/stream",
                    format!("is required: {} is appended to a {kind} stream that exists", self.event_type),
                ));
                None
            }
        };
        // A field is reported once: by its cell, else by the number check, else by the schema.
        first_per_pointer(&mut errors);
        match (proposed, stream) {
            (Some(proposed), Some((stream, expected_version))) if errors.is_empty() => Ok(AppendRequest {
                stream,
                expected_version,
                events: vec![proposed],
                actor: self.actor.clone(),
                erasure_reason: None,
            }),
            _ => Err(UnreadableRow { row: number, errors }),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn row(number: u64, id: &str) -> ImportRow {
        let event =
            json!({"type": "FundBudgetAdjusted", "id": id, "data": {"delta_minor": 100, "reason": "追加"}});
        let Value::Object(event) = event else { unreachable!() };
        let stream = Some("fund-0190a3b2-0000-7000-8000-000000000001".to_owned());
        ImportRow { row: number, stream, event, cell_errors: Vec::new() }
    }

    #[test]
    fn a_second_row_with_the_same_id_names_the_first() {
        let mut planner = Planner::new(EventType::FundBudgetAdjusted, "zhao.min".into());
        let id = "0190a3b2-0000-7000-8000-0000000000b1";
        assert!(planner.request(row(2, id)).is_ok());
        let again = planner.request(row(5, id)).unwrap_err();
        assert_eq!(again.row, 5);
        assert_eq!(again.errors, [FieldError::new("/id", format!("id {id} is also the id of row 2"))]);
        assert!(planner.request(row(6, id)).is_err(), "still the first row's id");
    }
}
