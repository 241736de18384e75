//! The schemas of an append body: one per event type's data, built from the domain's own limits
//! (text lengths, integer ranges), and the body that carries them. The domain crate does no IO and
//! knows nothing of OpenAPI, so the schemas are written here; the tests below hold every one of them
//! to what [`Event::parse`] accepts and refuses, so they cannot drift apart unnoticed.

use domain::limits;
use domain::strict_json::SAFE_INTEGER_MAX;
use domain::values::{
    Count, Days, LongText, Minutes, NonNegativeMinor, PositiveCount, PositiveMinor, Severity, Text, Year,
};
use domain::EventType;
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, KnownFormat, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type,
};
use utoipa::openapi::{Ref, RefOr};

/// A lowercase, hyphenated UUID: the one spelling the API accepts.
pub const UUID_PATTERN: &str = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn text_of(chars_max: usize) -> ObjectBuilder {
    // At least one character that is not white space (the domain refuses blank text).
    string().min_length(Some(1)).max_length(Some(chars_max)).pattern(Some(r"\S")).description(Some(
        "no control characters but tab and line breaks, and no invisible format characters (bidirectional \
         controls, zero-width spaces, the byte-order mark)",
    ))
}

fn text() -> ObjectBuilder {
    text_of(Text::CHARS_MAX)
}

fn long_text() -> ObjectBuilder {
    text_of(LongText::CHARS_MAX)
}

/// A UUID in the spelling the API accepts.
pub fn uuid() -> ObjectBuilder {
    string().format(Some(SchemaFormat::Custom("uuid".into()))).pattern(Some(UUID_PATTERN))
}

/// A calendar date, `YYYY-MM-DD`.
pub fn date() -> ObjectBuilder {
    string()
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
        .pattern(Some("^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))
}

fn phone() -> ObjectBuilder {
    string().pattern(Some("^[ +()-]*([0-9][ +()-]*){3,20}$"))
}

fn currency() -> ObjectBuilder {
    string().pattern(Some("^[A-Z]{3}$")).description(Some("ISO 4217 code, e.g. CNY"))
}

/// An integer from `min` to `max`.
pub fn integer(min: i64, max: i64) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .minimum(Some(min))
        .maximum(Some(max))
}

fn boolean() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::Boolean)
}

/// A string that is one of `values`.
pub fn one_of(values: &[&str]) -> ObjectBuilder {
    string().enum_values(Some(values.iter().copied()))
}

fn array_of(items: ObjectBuilder) -> ArrayBuilder {
    ArrayBuilder::new().items(items).min_items(Some(1))
}

/// The fields of an object: those it must have, and those it may have.
type Fields = (Vec<(&'static str, RefOr<Schema>)>, Vec<(&'static str, RefOr<Schema>)>);

/// An object with exactly these fields; `optional` ones may be left out.
fn object((required, optional): Fields) -> ObjectBuilder {
    let mut builder = ObjectBuilder::new()
        .schema_type(Type::Object)
        .additional_properties(Some(AdditionalProperties::FreeForm(false)));
    for (name, schema) in required {
        builder = builder.property(name, schema).required(name);
    }
    for (name, schema) in optional {
        builder = builder.property(name, schema);
    }
    builder
}

fn field(builder: ObjectBuilder) -> RefOr<Schema> {
    RefOr::T(Schema::Object(builder.build()))
}

fn array_field(builder: ArrayBuilder) -> RefOr<Schema> {
    RefOr::T(Schema::Array(builder.build()))
}

const VISIT_KINDS: [&str; 4] = ["home", "phone", "hospital", "group"];
const CATEGORIES: [&str; 4] = ["retired_cadre", "retired_staff", "family", "other"];
const HARDSHIP_CAUSES: [&str; 5] = ["illness", "accident", "disaster", "bereavement", "other"];
const FORMS: [&str; 2] = ["cash", "in_kind"];
const PAYMENT_METHODS: [&str; 3] = ["bank_transfer", "cash", "goods_delivered"];
const SETTLEMENT_REASONS: [&str; 7] = [
    "ineligible",
    "duplicate",
    "withdrawn",
    "payment_failed",
    "recorded_in_error",
    "beneficiary_forgotten",
    "other",
];
const ACTIVITY_KINDS: [&str; 6] =
    ["lecture", "civility_class", "training", "outreach", "ceremony", "study_tour"];
const HOURS_ACTIVITY_KINDS: [&str; 9] = [
    "lecture",
    "civility_class",
    "training",
    "outreach",
    "ceremony",
    "study_tour",
    "community_service",
    "visit_support",
    "other",
];

fn beneficiary_fields(event_type: EventType) -> Fields {
    let days = || field(integer(Days::MIN, Days::MAX));
    match event_type {
        EventType::BeneficiaryRegistered => (
            vec![
                ("name", field(text())),
                ("category", field(one_of(&CATEGORIES))),
                ("district", field(text())),
                ("party_member", field(boolean())),
            ],
            vec![("unit", field(text())), ("phone", field(phone()))],
        ),
        EventType::BeneficiaryDetailsCorrected => (
            Vec::new(),
            vec![
                ("name", field(text())),
                ("category", field(one_of(&CATEGORIES))),
                ("district", field(text())),
                ("unit", field(text())),
                ("party_member", field(boolean())),
                ("phone", field(phone())),
            ],
        ),
        EventType::HardshipAssessed => (
            vec![
                ("cause", field(one_of(&HARDSHIP_CAUSES))),
                ("severity", field(integer(Severity::MIN, Severity::MAX))),
            ],
            vec![("notes", field(long_text()))],
        ),
        EventType::PairingAssigned => (
            vec![("staff", field(text())), ("call_every_days", days()), ("visit_every_days", days())],
            Vec::new(),
        ),
        EventType::VisitRecorded => (
            vec![
                ("visit_kind", field(one_of(&VISIT_KINDS))),
                ("staff", field(text())),
                ("duration_minutes", field(integer(Minutes::MIN, Minutes::MAX))),
            ],
            vec![("summary", field(long_text()))],
        ),
        EventType::ConcernRaised => (
            vec![("concern_id", field(uuid())), ("category", field(text())), ("summary", field(long_text()))],
            Vec::new(),
        ),
        EventType::ConcernResolved => (
            vec![
                ("concern_id", field(uuid())),
                ("resolution", field(long_text())),
                ("on_site", field(boolean())),
            ],
            Vec::new(),
        ),
        _ => (Vec::new(), Vec::new()),
    }
}

fn disbursement_and_fund_fields(event_type: EventType) -> Fields {
    let reason = || ("reason", field(long_text()));
    match event_type {
        EventType::DisbursementRequested => {
            let item = object((
                vec![
                    ("name", field(text())),
                    ("quantity", field(integer(PositiveCount::MIN, limits::ITEM_QUANTITY_MAX))),
                    (
                        "unit_value_minor",
                        field(integer(NonNegativeMinor::MIN, limits::ITEM_UNIT_VALUE_MINOR_MAX)),
                    ),
                ],
                Vec::new(),
            ));
            let items = array_of(item).max_items(Some(limits::ITEMS_MAX)).description(Some(
                "in_kind only, and required there: the goods, whose values sum to amount_minor",
            ));
            (
                vec![
                    ("beneficiary_id", field(uuid())),
                    ("fund_id", field(uuid())),
                    ("form", field(one_of(&FORMS))),
                    ("amount_minor", field(integer(PositiveMinor::MIN, limits::AID_AMOUNT_MINOR_MAX))),
                    ("currency", field(currency().description(Some("the fund's currency")))),
                    reason(),
                ],
                vec![("items", array_field(items))],
            )
        }
        EventType::DisbursementRejected | EventType::DisbursementReversed => {
            (Vec::new(), vec![reason(), ("reason_code", field(one_of(&SETTLEMENT_REASONS)))])
        }
        EventType::DisbursementPaid => {
            (vec![("method", field(one_of(&PAYMENT_METHODS))), ("reference", field(text()))], Vec::new())
        }
        EventType::FundOpened => (
            vec![
                ("name", field(text())),
                ("budget_minor", field(integer(NonNegativeMinor::MIN, limits::FUND_BUDGET_MINOR_MAX))),
                ("currency", field(currency())),
            ],
            vec![("year", field(integer(Year::MIN, Year::MAX)))],
        ),
        EventType::FundBudgetAdjusted => (
            vec![
                (
                    "delta_minor",
                    field(
                        integer(-limits::BUDGET_DELTA_MINOR_MAX, limits::BUDGET_DELTA_MINOR_MAX)
                            .description(Some("never 0")),
                    ),
                ),
                reason(),
            ],
            Vec::new(),
        ),
        _ => (Vec::new(), Vec::new()),
    }
}

fn other_fields(event_type: EventType) -> Fields {
    match event_type {
        EventType::VolunteerEnrolled => (
            vec![("name", field(text()))],
            vec![("unit", field(text())), ("skills", array_field(ArrayBuilder::new().items(text())))],
        ),
        EventType::VolunteerHoursLogged => (
            vec![
                ("entry_id", field(uuid())),
                ("activity_kind", field(one_of(&HOURS_ACTIVITY_KINDS))),
                ("date", field(date())),
                ("minutes", field(integer(Minutes::MIN, Minutes::MAX))),
            ],
            vec![("activity_id", field(uuid()))],
        ),
        EventType::VolunteerHoursVerified => (vec![("entry_id", field(uuid()))], Vec::new()),
        EventType::VolunteerHoursVoided => {
            (vec![("entry_id", field(uuid())), ("reason", field(long_text()))], Vec::new())
        }
        EventType::ActivityHeld => {
            let count = || field(integer(Count::MIN, limits::MATERIALS_COUNT_MAX));
            let materials = object((
                Vec::new(),
                vec![
                    ("brochures", count()),
                    ("books", count()),
                    (
                        "goods_value_minor",
                        field(integer(NonNegativeMinor::MIN, limits::GOODS_VALUE_MINOR_MAX)),
                    ),
                ],
            ));
            (
                vec![
                    ("kind", field(one_of(&ACTIVITY_KINDS))),
                    ("title", field(text())),
                    ("date", field(date())),
                    ("attendees", field(integer(Count::MIN, limits::ATTENDEES_MAX))),
                ],
                vec![("location", field(text())), ("materials", field(materials))],
            )
        }
        EventType::SuggestionSubmitted => (
            vec![("topic", field(text())), ("text", field(long_text()))],
            vec![("campaign", field(text())), ("submitted_by", field(text()))],
        ),
        EventType::SuggestionForwarded => (vec![("to", field(text()))], Vec::new()),
        EventType::SuggestionAdopted => (Vec::new(), vec![("note", field(long_text()))]),
        EventType::SuggestionDeclined => (vec![("reason", field(long_text()))], Vec::new()),
        _ => (Vec::new(), Vec::new()),
    }
}

/// The schema of `event_type`'s `data`.
pub fn data_schema(event_type: EventType) -> RefOr<Schema> {
    let fields = match event_type.kind() {
        domain::StreamKind::Beneficiary => beneficiary_fields(event_type),
        domain::StreamKind::Disbursement | domain::StreamKind::Fund => {
            disbursement_and_fund_fields(event_type)
        }
        _ => other_fields(event_type),
    };
    let mut builder = object(fields);
    match event_type {
        EventType::BeneficiaryDetailsCorrected => {
            builder =
                builder.min_properties(Some(1)).description(Some("only the changed fields, at least one"));
        }
        EventType::DisbursementRejected | EventType::DisbursementReversed => {
            let note = "a reason, a reason_code naming no one, or both (only the code once the beneficiary \
                        is forgotten)";
            builder = builder.min_properties(Some(1)).description(Some(note));
        }
        _ => {}
    }
    let personal = event_type.personal_fields();
    if !personal.is_empty() {
        let note =
            format!("Personal fields (stored sealed, never shown to analysts): {}.", personal.join(", "));
        builder = builder.description(Some(note));
    }
    field(builder)
}

/// The event types a client may append (every one but `BeneficiaryForgotten`, which only
/// `POST /v1/beneficiaries/{id}/forget` appends).
pub fn appendable_types() -> impl Iterator<Item = EventType> {
    EventType::ALL.iter().copied().filter(|t| *t != EventType::BeneficiaryForgotten)
}

/// The name of the component schema of one proposed event of `event_type`.
pub fn event_schema_name(event_type: EventType) -> String {
    format!("{event_type}Event")
}

/// The name of the component schema of `event_type`'s data.
pub fn data_schema_name(event_type: EventType) -> String {
    format!("{event_type}Data")
}

/// One proposed event of `event_type`, its data given by reference.
pub fn event_schema(event_type: EventType) -> RefOr<Schema> {
    let uuid_field = |what: &str| field(uuid().description(Some(what.to_owned())));
    let occurred_at = string()
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
        .description(Some("RFC 3339 with an offset; defaults to the time of recording"));
    field(object((
        vec![
            ("type", field(one_of(&[event_type.as_str()]))),
            ("data", RefOr::Ref(Ref::from_schema_name(data_schema_name(event_type)))),
        ],
        vec![
            ("id", uuid_field("the event's id, chosen by the client: re-sending it is not recorded twice")),
            ("occurred_at", field(occurred_at)),
            ("correlation_id", uuid_field("groups related events")),
            ("causation_id", uuid_field("the event that caused this one")),
        ],
    )))
}

/// The body of `POST /v1/streams/{stream}/events`, with at most `events_max` events.
pub fn append_request(events_max: usize) -> RefOr<Schema> {
    let events = appendable_types()
        .fold(OneOfBuilder::new(), |one_of, t| one_of.item(Ref::from_schema_name(event_schema_name(t))));
    let expected_version = OneOfBuilder::new()
        .item(integer(0, SAFE_INTEGER_MAX).description(Some("the stream's version; 0 for a new stream")))
        .item(one_of(&["any"]))
        .description(Some("what the stream's version must be for the append to go ahead (default \"any\")"));
    let events = ArrayBuilder::new()
        .items(events)
        .min_items(Some(1))
        .max_items(Some(events_max))
        .description(Some("the events, appended atomically; each of the stream's kind"));
    field(object((
        vec![("events", array_field(events))],
        vec![("expected_version", RefOr::T(Schema::OneOf(expected_version.build())))],
    )))
}

#[cfg(test)]
#[path = "event_schemas_tests.rs"]
mod tests;
