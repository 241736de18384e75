//! The schemas of answers no Rust type serializes, so that nothing re-serializes them: a record is
//! served as its stored canonical bytes ([`Record`], which the typed answers holding records point
//! at), and a fund's balance as its read model's row ([`Fund`]). The black-box suite and the CI's
//! schemathesis run hold the answers to them.

use serde_json::{Map, Value};
use utoipa::ToSchema;

/// A record exactly as hashed, plus `hash`. Personal fields of `data` are sealed, each as
/// `{"sealed": "<base64>"}`.
#[derive(ToSchema)]
pub struct Record {
    /// 1, 2, 3 … over the whole log.
    #[schema(minimum = 1)]
    pub position: i64,
    /// `<kind>-<uuid>`.
    pub stream: String,
    /// 1, 2, 3 … within the stream.
    #[schema(minimum = 1)]
    pub version: i64,
    /// The event's id.
    pub id: String,
    /// The event type.
    #[schema(rename = "type")]
    pub event_type: String,
    /// The event's data.
    #[schema(value_type = Object)]
    pub data: Map<String, Value>,
    /// Who, when it was recorded, when it happened.
    pub meta: RecordMeta,
    /// The previous record's hash (64 zeros for position 1).
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub prev_hash: String,
    /// SHA-256 of the record's canonical JSON without `hash`.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub hash: String,
}

/// A record's `meta`.
#[derive(ToSchema)]
pub struct RecordMeta {
    /// The appending token's principal.
    pub actor: String,
    /// Server clock, RFC 3339 UTC ending in `Z`.
    pub recorded_at: String,
    /// When it happened, as the client sent it, else `recorded_at`.
    pub occurred_at: String,
    /// When the client sent one.
    #[schema(nullable = false)]
    pub correlation_id: Option<String>,
    /// When the client sent one.
    #[schema(nullable = false)]
    pub causation_id: Option<String>,
}

/// `GET /v1/funds/{id}`: amounts in minor units.
#[derive(ToSchema)]
pub struct Fund {
    /// The fund's id.
    pub fund_id: String,
    /// Its name.
    pub name: String,
    /// Its currency.
    pub currency: String,
    /// Its year, when it has one.
    pub year: Option<i64>,
    /// The opening budget plus every adjustment.
    pub budget_minor: i64,
    /// The sum of adjustments.
    pub adjustments_minor: i64,
    /// Requested from it.
    pub requested_minor: i64,
    /// Approved.
    pub approved_minor: i64,
    /// Paid.
    pub paid_minor: i64,
    /// Reversed after payment.
    pub reversed_minor: i64,
    /// budget − paid + reversed.
    pub remaining_minor: i64,
}
