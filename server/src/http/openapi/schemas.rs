//! The schemas of answers whose bodies the handlers build as JSON values (records are served as the
//! stored bytes; read models answer rows of their tables). Each type here exists to be described,
//! not built; the black-box suite and the CI's schemathesis run hold the answers to them.

use serde_json::{Map, Value};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::ToSchema;

/// `GET /healthz`.
#[derive(ToSchema)]
pub struct Health {
    /// Always `ok`.
    #[schema(pattern = "^ok$")]
    pub status: String,
}

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

/// A page of records, in order.
#[derive(ToSchema)]
pub struct RecordPage {
    /// The records.
    pub records: Vec<Record>,
    /// The `from_*` to ask for next, or null at the end.
    #[schema(required = true)]
    pub next: Option<i64>,
}

/// Where one appended event landed.
#[derive(ToSchema)]
pub struct AppendedEvent {
    /// Its position in the log.
    pub position: i64,
    /// Its version in the stream.
    pub version: i64,
    /// Its id.
    pub id: String,
    /// Its record's hash.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub hash: String,
}

/// The answer to an append (201), or to its replay (200).
#[derive(ToSchema)]
pub struct AppendResult {
    /// The events, in the order sent.
    pub events: Vec<AppendedEvent>,
    /// The stream's version after the append.
    pub next_expected_version: i64,
}

/// The figures: every figure an integer, but `activities`, an object of counts by activity kind.
/// The money figures may be left out (see `by_currency`).
pub fn summary_figures() -> RefOr<Schema> {
    let mut figures = ObjectBuilder::new().schema_type(Type::Object);
    for name in projections::queries::summary::figure_names() {
        let figure = if name == "activities" {
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .additional_properties(Some(ObjectBuilder::new().schema_type(Type::Integer)))
        } else {
            ObjectBuilder::new().schema_type(Type::Integer)
        };
        figures = figures.property(name, figure);
        // The money figures are given per currency instead when the ledger pays in several.
        if !projections::queries::summary::MONEY_FIGURES.contains(&name) {
            figures = figures.required(name);
        }
    }
    RefOr::T(Schema::Object(figures.build()))
}

/// `GET /v1/reports/summary`.
#[derive(ToSchema)]
pub struct Summary {
    /// First day of the period.
    pub from: String,
    /// First day after the period.
    pub to: String,
    /// The district the beneficiary figures are narrowed to, when asked.
    #[schema(nullable = false)]
    pub district: Option<String>,
    /// The only currency the money figures count, when asked.
    #[schema(nullable = false)]
    pub currency: Option<String>,
    /// The figures.
    #[schema(schema_with = summary_figures)]
    pub figures: Map<String, Value>,
    /// Currency → money figure (`cash_paid_minor`, `in_kind_paid_minor`) → value, when the ledger
    /// pays in more than one currency and none was asked for (the money figures are then not in
    /// `figures`).
    #[schema(nullable = false, value_type = Option<Object>)]
    pub by_currency: Option<Map<String, Value>>,
}

/// `GET /v1/reports/summary/trace`.
#[derive(ToSchema)]
pub struct Trace {
    /// The figure.
    pub figure: String,
    /// First day of the period.
    pub from: String,
    /// First day after the period.
    pub to: String,
    /// The positions of exactly the events behind the figure.
    pub positions: Vec<i64>,
}

/// `GET /v1/tallies/{name}`.
#[derive(ToSchema)]
pub struct Tally {
    /// The tally.
    pub tally: String,
    /// The dimension grouped by.
    pub group_by: String,
    /// First day of the period (`0000-01-01` for all time).
    pub from: String,
    /// First day after the period (`9999-12-31` for all time).
    pub to: String,
    /// One row per group: the group's value and the tally's counts and sums.
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<Value>,
}

/// `GET /v1/concerns`.
#[derive(ToSchema)]
pub struct Concerns {
    /// One row per concern.
    #[schema(value_type = Vec<Object>)]
    pub concerns: Vec<Value>,
}

/// `GET /v1/pairings/overdue`.
#[derive(ToSchema)]
pub struct OverduePairings {
    /// The day overdue is counted at.
    pub as_of: String,
    /// One row per overdue pairing.
    #[schema(value_type = Vec<Object>)]
    pub pairings: Vec<Value>,
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

/// One record of an audit trail.
#[derive(ToSchema)]
pub struct TrailEntry {
    /// The record's position.
    pub position: i64,
    /// Its version in the stream.
    pub version: i64,
    /// Its event type.
    #[schema(rename = "type")]
    pub event_type: String,
    /// Who appended it.
    pub actor: String,
    /// When.
    pub recorded_at: String,
    /// When it happened.
    pub occurred_at: String,
    /// Its hash.
    pub hash: String,
    /// The record exactly as hashed, plus `hash`.
    pub record: Record,
    /// The record's personal fields, opened for the reader (each null once its subject is erased).
    #[schema(value_type = Option<Object>, nullable = false)]
    pub personal: Option<Value>,
    /// Present (true) when the subject was forgotten: their personal fields open for nobody.
    #[schema(nullable = false)]
    pub erased: Option<bool>,
    /// With `?proofs=true`: its inclusion proof in `checkpoint`'s tree.
    #[schema(nullable = false)]
    pub proof: Option<crate::http::proofs::InclusionProof>,
}

/// `GET /v1/audit/disbursements/{id}`.
#[derive(ToSchema)]
pub struct DisbursementTrail {
    /// The disbursement's id.
    pub disbursement_id: String,
    /// The read model's view of it (null until projected).
    #[schema(value_type = Option<Object>)]
    pub disbursement: Option<Value>,
    /// Its fund's balance.
    #[schema(value_type = Option<Object>)]
    pub fund: Option<Value>,
    /// Its beneficiary, as the read models show it (no personal fields).
    #[schema(value_type = Option<Object>)]
    pub beneficiary: Option<Value>,
    /// Every record of the disbursement.
    pub records: Vec<TrailEntry>,
    /// With `?proofs=true`: the signed checkpoint the proofs are against.
    #[schema(nullable = false)]
    pub checkpoint: Option<String>,
}

/// `GET /v1/audit/beneficiaries/{id}`.
#[derive(ToSchema)]
pub struct BeneficiaryTrail {
    /// The beneficiary's id.
    pub beneficiary_id: String,
    /// The read model's view of them (no personal fields; null until projected).
    #[schema(value_type = Option<Object>)]
    pub beneficiary: Option<Value>,
    /// Their disbursements.
    #[schema(value_type = Vec<Object>)]
    pub disbursements: Vec<Value>,
    /// Every record of the beneficiary.
    pub records: Vec<TrailEntry>,
    /// With `?proofs=true`: the signed checkpoint the proofs are against.
    #[schema(nullable = false)]
    pub checkpoint: Option<String>,
}

/// `GET /v1/projections`.
#[derive(ToSchema)]
pub struct ProjectionsStatus {
    /// The log's last position.
    pub head_position: i64,
    /// Whether this process is the one applying events.
    pub leader: bool,
    /// Each projection's checkpoint and lag.
    pub projections: Vec<crate::projector::ProjectionStatus>,
}

/// `POST /v1/projections/{name}/rebuild`.
#[derive(ToSchema)]
pub struct Rebuilt {
    /// The projection.
    pub name: String,
    /// The position it reached.
    pub checkpoint: i64,
    /// How long the rebuild took.
    pub elapsed_ms: u64,
}

/// The role names, from the domain's list.
pub fn role_names() -> RefOr<Schema> {
    let names: Vec<&str> = domain::Role::ALL.iter().map(|role| role.as_str()).collect();
    RefOr::T(Schema::Object(super::event_schemas::one_of(&names).build()))
}

/// The body of `POST /v1/beneficiaries/{id}/forget`.
#[derive(serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgetRequest {
    /// Why the person is erased (kept with the erasure, never in the log).
    #[schema(min_length = 1, max_length = 1000, pattern = "\\S")]
    pub reason: String,
}

/// The answer to `POST /v1/beneficiaries/{id}/forget`.
#[derive(ToSchema)]
pub struct Forgotten {
    /// The beneficiary's id.
    pub beneficiary_id: String,
    /// Always true.
    pub forgotten: bool,
    /// The position of the `BeneficiaryForgotten` record.
    pub position: i64,
    /// Its hash.
    pub hash: String,
}

/// A token as an admin sees it: never its secret or its hash.
#[derive(ToSchema)]
pub struct Token {
    /// The token's number.
    pub id: i64,
    /// What it may do.
    #[schema(schema_with = role_names)]
    pub role: String,
    /// Who holds it (`meta.actor` of what it appends).
    pub principal: String,
    /// When it was issued (RFC 3339 UTC).
    pub created_at: String,
    /// When it was revoked; absent while it works.
    #[schema(nullable = false)]
    pub revoked_at: Option<String>,
}

/// `GET /v1/tokens`.
#[derive(ToSchema)]
pub struct Tokens {
    /// Every token ever issued, oldest first.
    pub tokens: Vec<Token>,
}

/// The body of `POST /v1/tokens`.
#[derive(serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueToken {
    /// What the token may do.
    #[schema(schema_with = role_names)]
    pub role: String,
    /// Who holds it: 1 to 100 printable characters.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    pub principal: String,
}

/// The answer to `POST /v1/tokens`: the token, and its secret, shown this once.
#[derive(ToSchema)]
pub struct IssuedToken {
    /// The token's number.
    pub id: i64,
    /// What it may do.
    #[schema(schema_with = role_names)]
    pub role: String,
    /// Who holds it.
    pub principal: String,
    /// When it was issued (RFC 3339 UTC).
    pub created_at: String,
    /// The bearer secret.
    pub token: String,
}

/// `GET /v1/me`: who holds the token, and what it may do.
#[derive(ToSchema)]
pub struct Me {
    /// Who holds the token (`meta.actor` of what it appends).
    pub principal: String,
    /// What it may do.
    #[schema(schema_with = role_names)]
    pub role: String,
}
