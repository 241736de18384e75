//! The OpenAPI schemas of the domain's value types, and of the fields whose bounds are the limits
//! new events are held to ([`crate::limits`]), for the event data structs to derive theirs from
//! (behind the optional `schema` feature; the domain does no IO either way). Each schema says
//! what the type's parser accepts: the server's tests hold every event data schema to
//! [`crate::Event::parse`].

use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

use crate::limits;
use crate::values::{
    Count, Currency, Date, Days, DeltaMinor, Id, LongText, Minutes, NonNegativeMinor, Phone, PositiveCount,
    PositiveMinor, Severity, Text, Year,
};

/// A lowercase, hyphenated UUID: the one spelling [`Id::parse`] accepts.
pub const UUID_PATTERN: &str = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

/// A string.
pub fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

/// Text of 1 to `chars_max` characters, not only white space.
fn text_of(chars_max: usize) -> ObjectBuilder {
    // At least one character that is not white space (the domain refuses blank text).
    string().min_length(Some(1)).max_length(Some(chars_max)).pattern(Some(r"\S")).description(Some(
        "no control characters but tab and line breaks, and no invisible format characters (bidirectional \
         controls, zero-width spaces, the byte-order mark)",
    ))
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

/// An ISO 4217 currency code.
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

/// A string that is one of `values`.
pub fn one_of(values: &[&str]) -> ObjectBuilder {
    string().enum_values(Some(values.iter().copied()))
}

fn schema(builder: ObjectBuilder) -> RefOr<Schema> {
    RefOr::T(Schema::Object(builder.build()))
}

/// Gives a value type its schema, served inline wherever it is used.
macro_rules! value_schema {
    ($($name:ty => $schema:expr;)+) => {
        $(
            impl PartialSchema for $name {
                fn schema() -> RefOr<Schema> {
                    schema($schema)
                }
            }
            impl ToSchema for $name {}
        )+
    };
}

value_schema! {
    Text => text_of(Text::CHARS_MAX);
    LongText => text_of(LongText::CHARS_MAX);
    Phone => string().pattern(Some("^[ +()-]*([0-9][ +()-]*){3,20}$"));
    Id => uuid();
    Date => date();
    Currency => currency();
    PositiveMinor => integer(PositiveMinor::MIN, PositiveMinor::MAX);
    NonNegativeMinor => integer(NonNegativeMinor::MIN, NonNegativeMinor::MAX);
    DeltaMinor => integer(DeltaMinor::MIN, DeltaMinor::MAX);
    Minutes => integer(Minutes::MIN, Minutes::MAX);
    Count => integer(Count::MIN, Count::MAX);
    PositiveCount => integer(PositiveCount::MIN, PositiveCount::MAX);
    Days => integer(Days::MIN, Days::MAX);
    Severity => integer(Severity::MIN, Severity::MAX);
    Year => integer(Year::MIN, Year::MAX);
}

/// The amount of one disbursement.
pub fn aid_amount_minor() -> RefOr<Schema> {
    schema(integer(PositiveMinor::MIN, limits::AID_AMOUNT_MINOR_MAX))
}

/// The currency of a disbursement, which must be its fund's.
pub fn fund_currency() -> RefOr<Schema> {
    schema(currency().description(Some("the fund's currency")))
}

/// The quantity of one item of in-kind aid.
pub fn item_quantity() -> RefOr<Schema> {
    schema(integer(PositiveCount::MIN, limits::ITEM_QUANTITY_MAX))
}

/// The value of one unit of an item of in-kind aid.
pub fn item_unit_value_minor() -> RefOr<Schema> {
    schema(integer(NonNegativeMinor::MIN, limits::ITEM_UNIT_VALUE_MINOR_MAX))
}

/// The goods of in-kind aid: 1 to [`limits::ITEMS_MAX`] items.
pub fn items() -> RefOr<Schema> {
    let items = ArrayBuilder::new()
        .items(crate::events::disbursement::Item::schema())
        .min_items(Some(1))
        .max_items(Some(limits::ITEMS_MAX))
        .description(Some("in_kind only, and required there: the goods, whose values sum to amount_minor"));
    RefOr::T(Schema::Array(items.build()))
}

/// A fund's opening budget.
pub fn fund_budget_minor() -> RefOr<Schema> {
    schema(integer(NonNegativeMinor::MIN, limits::FUND_BUDGET_MINOR_MAX))
}

/// One change of a fund's budget, either way.
pub fn budget_delta_minor() -> RefOr<Schema> {
    let max = limits::BUDGET_DELTA_MINOR_MAX;
    schema(integer(-max, max).description(Some("never 0")))
}

/// How many attended an activity.
pub fn attendees() -> RefOr<Schema> {
    schema(integer(Count::MIN, limits::ATTENDEES_MAX))
}

/// How many brochures or books an activity handed out.
pub fn materials_count() -> RefOr<Schema> {
    schema(integer(Count::MIN, limits::MATERIALS_COUNT_MAX))
}

/// The value of the goods an activity handed out.
pub fn goods_value_minor() -> RefOr<Schema> {
    schema(integer(NonNegativeMinor::MIN, limits::GOODS_VALUE_MINOR_MAX))
}
