//! The schema of what no Rust type serializes, so that nothing re-serializes it: a record, served as
//! its stored canonical bytes ([`Record`], which the typed answers holding records point at). The
//! black-box suite and the CI's schemathesis run hold the records served to it.

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
