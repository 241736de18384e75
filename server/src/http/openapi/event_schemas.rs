//! The schemas of an append body: one per event type's data, derived from the domain's own data
//! structs (the domain's optional `schema` feature, bounds from its limits), and the body that
//! carries them. The tests below hold every one of them to what [`domain::Event::parse`] accepts
//! and refuses, so they cannot drift apart unnoticed.

use domain::schema::{integer, one_of, string, uuid};
use domain::strict_json::SAFE_INTEGER_MAX;
use domain::EventType;
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, KnownFormat, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type,
};
use utoipa::openapi::{Ref, RefOr};

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

/// `schema` with each field's schema in place of the one-item `oneOf` the derive wraps it in to
/// carry the field's documentation (which is written for the code, not for clients), through
/// nested objects and arrays.
fn unwrap_field_schemas(schema: RefOr<Schema>) -> RefOr<Schema> {
    match schema {
        RefOr::T(Schema::OneOf(mut one_of)) if one_of.items.len() == 1 => {
            unwrap_field_schemas(one_of.items.remove(0))
        }
        RefOr::T(Schema::Object(mut object)) => {
            for property in object.properties.values_mut() {
                *property = unwrap_field_schemas(std::mem::replace(property, RefOr::T(Schema::default())));
            }
            RefOr::T(Schema::Object(object))
        }
        RefOr::T(Schema::Array(mut array)) => {
            if let utoipa::openapi::schema::ArrayItems::RefOrSchema(items) = &mut array.items {
                let inner = std::mem::replace(items.as_mut(), RefOr::T(Schema::default()));
                **items = unwrap_field_schemas(inner);
            }
            RefOr::T(Schema::Array(array))
        }
        other => other,
    }
}

/// The schema of `event_type`'s `data`: its data struct's, with what the struct's type cannot say
/// (at least one field where some are needed, which fields are personal) said in words.
pub(crate) fn data_schema(event_type: EventType) -> RefOr<Schema> {
    let RefOr::T(Schema::Object(mut data)) = unwrap_field_schemas(event_type.data_schema()) else {
        return event_type.data_schema();
    };
    // The struct's own documentation is written for the code; the document says what a client sends.
    data.description = None;
    match event_type {
        EventType::BeneficiaryDetailsCorrected => {
            data.min_properties = Some(1);
            data.description = Some("only the changed fields, at least one".into());
        }
        EventType::DisbursementRejected | EventType::DisbursementReversed => {
            data.min_properties = Some(1);
            data.description = Some(
                "a reason, a reason_code naming no one, or both (only the code once the beneficiary is forgotten)"
                    .into(),
            );
        }
        _ => {}
    }
    let personal = event_type.personal_fields();
    if !personal.is_empty() {
        let note =
            format!("Personal fields (stored sealed, never shown to analysts): {}.", personal.join(", "));
        data.description = Some(note);
    }
    RefOr::T(Schema::Object(data))
}

/// The event types a client may append (every one but those only their own endpoints append).
pub(crate) fn appendable_types() -> impl Iterator<Item = EventType> {
    EventType::ALL.iter().copied().filter(|t| t.own_endpoint().is_none())
}

/// The name of the component schema of one proposed event of `event_type`.
pub(crate) fn event_schema_name(event_type: EventType) -> String {
    format!("{event_type}Event")
}

/// The name of the component schema of `event_type`'s data.
pub(crate) fn data_schema_name(event_type: EventType) -> String {
    format!("{event_type}Data")
}

/// One proposed event of `event_type`, its data given by reference.
pub(crate) fn event_schema(event_type: EventType) -> RefOr<Schema> {
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
pub(crate) fn append_request(events_max: usize) -> RefOr<Schema> {
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
