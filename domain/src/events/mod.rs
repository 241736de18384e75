//! The v1 event catalogue: every event type, the stream kind it belongs to, and its data.
//!
//! Parsing dispatches on the type name first and then deserializes that type's data struct, each
//! with unknown fields refused (serde's `deny_unknown_fields` does not work through `flatten`).

pub mod activity;
pub mod beneficiary;
pub mod disbursement;
pub mod fund;
pub mod report;
pub mod suggestion;
pub mod volunteer;

use std::fmt;
use std::str::FromStr;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::errors::{pointer_token, FieldError};
use crate::stream::StreamKind;

macro_rules! catalogue {
    ($($kind:ident / $kind_event:ident / $module:ident { $($variant:ident),+ $(,)? })+) => {
        /// Every event type of the v1 catalogue.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum EventType {
            $($(
                #[doc = concat!("`", stringify!($variant), "`, of the ", stringify!($module), " stream kind.")]
                $variant,
            )+)+
        }

        impl EventType {
            /// Every event type, in catalogue order.
            pub const ALL: &'static [EventType] = &[$($(EventType::$variant,)+)+];

            /// The type's name as it appears in records.
            pub fn as_str(self) -> &'static str {
                match self { $($(EventType::$variant => stringify!($variant),)+)+ }
            }

            /// The stream kind the type belongs to.
            pub fn kind(self) -> StreamKind {
                match self { $($(EventType::$variant => StreamKind::$kind,)+)+ }
            }
        }

        $(
            #[doc = concat!("The events of a ", stringify!($module), " stream.")]
            #[derive(Clone, Debug, PartialEq)]
            pub enum $kind_event {
                $(
                    #[doc = concat!("`", stringify!($variant), "`.")]
                    $variant($module::$variant),
                )+
            }
        )+

        /// One event of the catalogue with its typed data.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Event {
            $(
                #[doc = concat!("An event of a ", stringify!($module), " stream.")]
                $kind($kind_event),
            )+
        }

        impl Event {
            /// The event's type.
            pub fn event_type(&self) -> EventType {
                match self { $($(Event::$kind($kind_event::$variant(_)) => EventType::$variant,)+)+ }
            }

            /// Parses `data` as the data of a new event of `event_type`, held to what a new event may
            /// hold ([`crate::limits`]). Error pointers are relative to `data`.
            pub fn parse(event_type: EventType, data: &Value) -> Result<Event, Vec<FieldError>> {
                Self::parse_as(event_type, data, Admission::New)
            }

            /// Parses the data of a recorded event: held to what a record may hold, not to the
            /// tighter bounds of new events, so that records admitted under earlier rules read back.
            pub fn parse_recorded(event_type: EventType, data: &Value) -> Result<Event, Vec<FieldError>> {
                Self::parse_as(event_type, data, Admission::Recorded)
            }

            /// Parses the data of a recorded event from its own text (a record's `data`, as
            /// [`crate::record::Record::from_text`] leaves it), as [`Event::parse_recorded`] does
            /// from a JSON value, without building one.
            pub fn parse_recorded_text(event_type: EventType, data: &str) -> Result<Event, Vec<FieldError>> {
                match event_type {
                    $($(EventType::$variant => {
                        parse_text::<$module::$variant>(data)
                            .map(|d| Event::$kind($kind_event::$variant(d)))
                    })+)+
                }
            }

            fn parse_as(event_type: EventType, data: &Value, admission: Admission) -> Result<Event, Vec<FieldError>> {
                match event_type {
                    $($(EventType::$variant => {
                        parse_data::<$module::$variant>(data, admission)
                            .map(|d| Event::$kind($kind_event::$variant(d)))
                    })+)+
                }
            }

            /// The event's data as it goes into a record: absent optional fields are omitted.
            pub fn data_value(&self) -> Value {
                match self { $($(Event::$kind($kind_event::$variant(d)) => data_to_value(d),)+)+ }
            }
        }

        #[cfg(feature = "schema")]
        impl EventType {
            /// The schema of the type's data, derived from its data struct.
            pub fn data_schema(self) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                match self {
                    $($(EventType::$variant => <$module::$variant as utoipa::PartialSchema>::schema(),)+)+
                }
            }
        }
    };
}

catalogue! {
    Beneficiary / BeneficiaryEvent / beneficiary {
        BeneficiaryRegistered, BeneficiaryDetailsCorrected, HardshipAssessed, PairingAssigned,
        VisitRecorded, ConcernRaised, ConcernResolved, BeneficiaryForgotten,
    }
    Disbursement / DisbursementEvent / disbursement {
        DisbursementRequested, DisbursementApproved, DisbursementRejected, DisbursementPaid,
        DisbursementReversed,
    }
    Fund / FundEvent / fund { FundOpened, FundBudgetAdjusted }
    Volunteer / VolunteerEvent / volunteer {
        VolunteerEnrolled, VolunteerHoursLogged, VolunteerHoursVerified, VolunteerHoursVoided,
    }
    Activity / ActivityEvent / activity { ActivityHeld }
    Suggestion / SuggestionEvent / suggestion {
        SuggestionSubmitted, SuggestionForwarded, SuggestionAdopted, SuggestionDeclined,
    }
    Report / ReportEvent / report { ReportClosed }
}

impl EventType {
    /// Whether the type opens its stream (each stream has exactly one opening event, first).
    pub fn is_opening(self) -> bool {
        matches!(
            self,
            EventType::BeneficiaryRegistered
                | EventType::DisbursementRequested
                | EventType::FundOpened
                | EventType::VolunteerEnrolled
                | EventType::ActivityHeld
                | EventType::SuggestionSubmitted
                | EventType::ReportClosed
        )
    }

    /// The data fields of this type that hold personal data (each a `Personal<_>` in its struct): the
    /// fields the server seals per subject and analysts never see.
    pub fn personal_fields(self) -> &'static [&'static str] {
        match self {
            EventType::BeneficiaryRegistered | EventType::BeneficiaryDetailsCorrected => &["name", "phone"],
            EventType::HardshipAssessed => &["notes"],
            EventType::VisitRecorded | EventType::ConcernRaised => &["summary"],
            EventType::ConcernResolved => &["resolution"],
            EventType::DisbursementRequested
            | EventType::DisbursementRejected
            | EventType::DisbursementReversed
            | EventType::FundBudgetAdjusted
            | EventType::VolunteerHoursVoided
            | EventType::SuggestionDeclined => &["reason"],
            EventType::VolunteerEnrolled => &["name"],
            EventType::SuggestionSubmitted => &["text", "submitted_by"],
            EventType::SuggestionAdopted => &["note"],
            _ => &[],
        }
    }

    /// The endpoint that alone appends this type, for the types no client appends through the
    /// append endpoint (or an import): erasure, which also destroys the person's key, and a period's
    /// closing, whose figures the server computes.
    pub fn own_endpoint(self) -> Option<&'static str> {
        match self {
            EventType::BeneficiaryForgotten => Some("POST /v1/beneficiaries/{id}/forget"),
            EventType::ReportClosed => Some("POST /v1/reports/close"),
            _ => None,
        }
    }

    /// Whether only a supervisor may append the type.
    pub fn is_supervisor_only(self) -> bool {
        matches!(
            self,
            EventType::DisbursementApproved
                | EventType::DisbursementRejected
                | EventType::VolunteerHoursVerified
        )
    }

    /// Whether the type decides, pays out or takes back aid, or vouches for volunteer hours: the
    /// duties that separation of duties keeps from admins, who issue the tokens (an admin who could
    /// also approve could issue a second principal for themselves and be maker and checker at once).
    pub fn is_checker_duty(self) -> bool {
        matches!(
            self,
            EventType::DisbursementApproved
                | EventType::DisbursementRejected
                | EventType::DisbursementPaid
                | EventType::DisbursementReversed
                | EventType::VolunteerHoursVerified
        )
    }
}

impl FromStr for EventType {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        EventType::ALL
            .iter()
            .copied()
            .find(|t| t.as_str() == value)
            .ok_or_else(|| format!("\"{value}\" is not an event type of the v1 catalogue"))
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Event {
    /// The date the event's data carries (the day hours were worked, the day an activity was held).
    pub fn data_date(&self) -> Option<crate::values::Date> {
        match self {
            Event::Volunteer(VolunteerEvent::VolunteerHoursLogged(e)) => Some(e.date),
            Event::Activity(ActivityEvent::ActivityHeld(e)) => Some(e.date),
            _ => None,
        }
    }

    /// The date the event counts on in reports: its data's date where it has one, else the calendar
    /// date of `occurred_at` in its own offset (`YYYY-MM-DD`).
    pub fn counting_date(&self, occurred_at: &str) -> String {
        match self.data_date() {
            Some(date) => date.to_string(),
            None => occurred_at.get(..10).unwrap_or(occurred_at).to_owned(),
        }
    }
}

/// Cross-field checks a data struct makes after it has deserialized.
pub trait DataCheck {
    /// The schema errors serde could not see (pointers relative to the data object), which every
    /// record passed when it was admitted.
    fn check(&self) -> Vec<FieldError> {
        Vec::new()
    }

    /// The errors of a new event beyond [`DataCheck::check`]: quantities past the bounds of
    /// [`crate::limits`], and the like. Records admitted before a bound existed are not held to it.
    fn admit(&self) -> Vec<FieldError> {
        Vec::new()
    }
}

/// Whether data is a new event's, held to every bound, or a recorded event's.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Admission {
    New,
    Recorded,
}

fn parse_data<T: DeserializeOwned + DataCheck>(
    data: &Value,
    admission: Admission,
) -> Result<T, Vec<FieldError>> {
    if !data.is_object() {
        return Err(vec![FieldError::new("", NOT_AN_OBJECT)]);
    }
    // Read plainly first; only a failure is read again, tracking the path to the field at fault.
    let parsed = T::deserialize(data).map_err(|error| vec![located::<T, _>(data, &error)])?;
    let mut errors = parsed.check();
    if admission == Admission::New {
        errors.extend(parsed.admit());
        crate::limits::text_characters(data, "", &mut errors);
    }
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(errors)
    }
}

fn parse_text<T: DeserializeOwned + DataCheck>(data: &str) -> Result<T, Vec<FieldError>> {
    if !data.trim_start().starts_with('{') {
        return Err(vec![FieldError::new("", NOT_AN_OBJECT)]);
    }
    let parsed: T = serde_json::from_str(data)
        .map_err(|error| vec![located::<T, _>(&mut serde_json::Deserializer::from_str(data), &error)])?;
    let errors = parsed.check();
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(errors)
    }
}

const NOT_AN_OBJECT: &str = "data must be a JSON object";

/// The error of reading `T` from `deserializer` again, pointed at the field at fault; `error` (what
/// the plain read said) when the second read finds none.
fn located<'de, T: Deserialize<'de>, D: serde::Deserializer<'de>>(
    deserializer: D,
    error: &impl fmt::Display,
) -> FieldError {
    let Err(error) = serde_path_to_error::deserialize::<_, T>(deserializer) else {
        return FieldError::new("", error.to_string());
    };
    let mut pointer = String::new();
    for segment in error.path().iter() {
        match segment {
            serde_path_to_error::Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            serde_path_to_error::Segment::Map { key } => {
                pointer.push('/');
                pointer.push_str(&pointer_token(key));
            }
            serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => {}
        }
    }
    FieldError::new(pointer, error.into_inner().to_string())
}

fn data_to_value<T: Serialize>(data: &T) -> Value {
    // Every data struct serializes to an object of strings, integers, booleans and arrays: this
    // cannot fail.
    serde_json::to_value(data).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_type_names_itself_and_round_trips_its_name() {
        for &event_type in EventType::ALL {
            assert_eq!(event_type.as_str().parse::<EventType>().unwrap(), event_type);
        }
        assert_eq!(EventType::ALL.len(), 25);
    }

    #[test]
    fn unknown_fields_are_refused_with_a_pointer() {
        let errors = Event::parse(
            EventType::FundOpened,
            &json!({"name": "济困基金", "budget_minor": 100, "currency": "CNY", "colour": "red"}),
        )
        .unwrap_err();
        assert!(errors[0].detail.contains("unknown field `colour`"), "{errors:?}");
    }

    #[test]
    fn nested_errors_point_at_the_field() {
        let errors = Event::parse(
            EventType::DisbursementRequested,
            &json!({"beneficiary_id": "0190a1b2-0000-7000-8000-000000000001",
                    "fund_id": "0190a1b2-0000-7000-8000-000000000003", "form": "in_kind",
                    "amount_minor": 100, "currency": "CNY", "reason": "病",
                    "items": [{"name": "米", "quantity": 0, "unit_value_minor": 100}]}),
        )
        .unwrap_err();
        assert_eq!(errors[0].pointer, "/items/0/quantity");
    }

    #[test]
    fn recorded_data_reads_the_same_from_its_text_as_from_a_value() {
        let data = json!({"beneficiary_id": "0190a1b2-0000-7000-8000-000000000001",
                          "fund_id": "0190a1b2-0000-7000-8000-000000000003", "form": "in_kind",
                          "amount_minor": 200, "currency": "CNY", "reason": {"sealed": "bm9uY2U="},
                          "items": [{"name": "米", "quantity": 2, "unit_value_minor": 100}]});
        let event_type = EventType::DisbursementRequested;
        let from_text = Event::parse_recorded_text(event_type, &data.to_string()).unwrap();
        assert_eq!(from_text, Event::parse_recorded(event_type, &data).unwrap());

        let mut bad = data.clone();
        bad["items"][0]["quantity"] = json!(0);
        // The same field at fault, for the same reason (read from text, serde_json says where too).
        let (from_text, from_value) = (
            Event::parse_recorded_text(event_type, &bad.to_string()).unwrap_err(),
            Event::parse_recorded(event_type, &bad).unwrap_err(),
        );
        assert_eq!(
            (from_text[0].pointer.as_str(), from_value[0].pointer.as_str()),
            ("/items/0/quantity", "/items/0/quantity")
        );
        assert!(from_text[0].detail.starts_with(&from_value[0].detail), "{from_text:?}");
        assert_eq!(Event::parse_recorded_text(event_type, "[1]").unwrap_err()[0].detail, NOT_AN_OBJECT);
    }

    #[test]
    fn absent_optional_fields_are_omitted_from_the_record_data() {
        let event = Event::parse(
            EventType::BeneficiaryRegistered,
            &json!({"name": "王建国", "category": "retired_cadre", "district": "鼓楼区",
                    "party_member": true, "unit": null}),
        )
        .unwrap();
        assert_eq!(
            event.data_value(),
            json!({"name": "王建国", "category": "retired_cadre", "district": "鼓楼区", "party_member": true})
        );
    }
}
