//! Audit trails: every record of a disbursement (or a beneficiary) with who appended it, when, and
//! its hash, beside the read models' view of its fund and beneficiary. Each `record` is served
//! exactly as hashed plus `hash`.
//!
//! With `?proofs=true` (JSON only) the trail also carries the latest signed checkpoint and, for each
//! record it covers, the record's inclusion proof in that checkpoint's tree: everything an auditor
//! needs to check that these records are in the log the bureau signed. The trail first waits (for a
//! moment) for a checkpoint that covers all of its records.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use domain::values::Id;
use domain::{EventType, StreamKind, StreamName};
use projections::queries::funds::{self, FundBalance};
use projections::table::{Cell, Table};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::auth::require;
use super::problem::ApiError;
use super::proofs::InclusionProof;
use super::tabular::{respond, Format};
use super::AppState;
use crate::privacy::sealing;
use crate::projector::CATCH_UP_WAIT;
use crate::tokens::Caller;

/// One record of an audit trail.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TrailEntry {
    /// The record's position.
    pub position: i64,
    /// Its version in the stream.
    pub version: i64,
    /// Its event type.
    #[serde(rename = "type")]
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
    // Its stored bytes: a record is never re-serialized.
    #[schema(value_type = super::openapi::schemas::Record)]
    pub record: Box<RawValue>,
    /// The record's personal fields, opened for the reader (each null once its subject is erased).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>, nullable = false)]
    pub personal: Option<Map<String, Value>>,
    /// Present (true) when the subject was forgotten: their personal fields open for nobody.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[schema(required = false)]
    pub erased: bool,
    /// With `?proofs=true`: its inclusion proof in `checkpoint`'s tree.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub proof: Option<InclusionProof>,
}

/// `GET /v1/audit/disbursements/{id}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DisbursementTrail {
    /// The disbursement's id.
    pub disbursement_id: String,
    /// The read model's view of it (null until projected).
    #[schema(value_type = Option<Object>)]
    pub disbursement: Option<Value>,
    /// Its fund's balance.
    pub fund: Option<FundBalance>,
    /// Its beneficiary, as the read models show it (no personal fields).
    #[schema(value_type = Option<Object>)]
    pub beneficiary: Option<Value>,
    /// Every record of the disbursement.
    pub records: Vec<TrailEntry>,
    /// With `?proofs=true`: the signed checkpoint the proofs are against.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub checkpoint: Option<String>,
}

/// `GET /v1/audit/beneficiaries/{id}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BeneficiaryTrail {
    /// The beneficiary's id.
    pub beneficiary_id: String,
    /// The read model's view of them (no personal fields; null until projected).
    #[schema(value_type = Option<Object>)]
    pub beneficiary: Option<Value>,
    /// Their disbursements.
    #[schema(value_type = Vec<Object>)]
    pub disbursements: Table,
    /// Every record of the beneficiary.
    pub records: Vec<TrailEntry>,
    /// With `?proofs=true`: the signed checkpoint the proofs are against.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub checkpoint: Option<String>,
}

/// `?format=&proofs=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TrailParams {
    /// `json` or `csv` [default: the one the `Accept` header prefers by its q-values, else JSON;
    /// 406 when it accepts neither].
    #[param(pattern = "^(json|csv)$")]
    format: Option<String>,
    /// Whether to give each record's inclusion proof in the latest checkpoint.
    proofs: Option<bool>,
}

impl TrailParams {
    /// The format, and whether proofs were asked for (which only JSON carries).
    fn negotiate(&self, headers: &HeaderMap) -> Result<(Format, bool), ApiError> {
        let format = Format::negotiate(self.format.as_deref(), headers)?;
        let proofs = self.proofs.unwrap_or(false);
        if proofs && format == Format::Csv {
            return Err(ApiError::BadRequest("proofs are given in JSON only, not in CSV".into()));
        }
        Ok((format, proofs))
    }
}

const TRAIL_COLUMNS: [&str; 7] =
    ["position", "version", "type", "actor", "recorded_at", "occurred_at", "hash"];

fn entry(served: String) -> Result<TrailEntry, ApiError> {
    let value: Value = serde_json::from_str(&served).map_err(|e| ApiError::Internal(e.into()))?;
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    Ok(TrailEntry {
        position: value["position"].as_i64().unwrap_or_default(),
        version: value["version"].as_i64().unwrap_or_default(),
        event_type: text(&value["type"]),
        actor: text(&value["meta"]["actor"]),
        recorded_at: text(&value["meta"]["recorded_at"]),
        occurred_at: text(&value["meta"]["occurred_at"]),
        hash: text(&value["hash"]),
        record: RawValue::from_string(served).map_err(|e| ApiError::Internal(e.into()))?,
        personal: None,
        erased: false,
        proof: None,
    })
}

/// Whose key seals a trail's personal fields: a disbursement's beneficiary, else the stream itself.
fn subject_of_trail(stream: &StreamName, first_record: &Value) -> String {
    match (stream.kind(), first_record["data"]["beneficiary_id"].as_str()) {
        (StreamKind::Disbursement, Some(beneficiary)) => format!("beneficiary-{beneficiary}"),
        _ => stream.to_string(),
    }
}

/// Opens each entry's personal fields with the subject's key, or marks them erased.
async fn open_personal_fields(
    state: &AppState,
    stream: &StreamName,
    entries: &mut [TrailEntry],
) -> Result<(), ApiError> {
    let Some(first) = entries.first() else { return Ok(()) };
    let first: Value = serde_json::from_str(first.record.get()).map_err(|e| ApiError::Internal(e.into()))?;
    let subject = subject_of_trail(stream, &first);
    let key = state
        .keyring
        .key_for_opening(state.store.pool(), &subject)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    for entry in entries.iter_mut() {
        let Ok(event_type) = entry.event_type.parse::<EventType>() else { continue };
        let record: Value =
            serde_json::from_str(entry.record.get()).map_err(|e| ApiError::Internal(e.into()))?;
        let opened = sealing::open_fields(key.as_ref(), &subject, event_type, &record["data"]);
        if !opened.is_empty() {
            entry.erased = key.is_none();
            entry.personal = Some(opened);
        }
    }
    Ok(())
}

/// Gives each entry its inclusion proof in the latest checkpoint (once one covers them all, or
/// after a moment: entries it does not cover get none); answers that checkpoint's signed note.
async fn attach_proofs(state: &AppState, entries: &mut [TrailEntry]) -> Result<String, ApiError> {
    let last = entries.iter().map(|e| u64::try_from(e.position).unwrap_or(0)).max().unwrap_or(0);
    state.checkpointer.wait_signed(last, CATCH_UP_WAIT).await;
    let checkpoint = state
        .store
        .latest_checkpoint()
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no checkpoint is signed")))?;
    let covered: Vec<(usize, u64)> = entries
        .iter()
        .enumerate()
        .filter_map(|(at, e)| u64::try_from(e.position - 1).ok().map(|leaf| (at, leaf)))
        .filter(|(_, leaf)| *leaf < checkpoint.tree_size)
        .collect();
    let leaves: Vec<u64> = covered.iter().map(|(_, leaf)| *leaf).collect();
    let proofs = state.store.inclusion_proofs(&leaves, checkpoint.tree_size).await?;
    for ((at, leaf_index), proof) in covered.into_iter().zip(proofs) {
        entries[at].proof = Some(InclusionProof {
            leaf_index,
            tree_size: checkpoint.tree_size,
            hashes: proof.iter().map(|hash| hash.to_hex()).collect(),
        });
    }
    Ok(checkpoint.note)
}

async fn trail(state: &AppState, stream: &StreamName) -> Result<(Vec<TrailEntry>, Table), ApiError> {
    let records = state.store.read_stream_all(&stream.to_string()).await?;
    if records.is_empty() {
        return Err(ApiError::NotFound(format!("stream {stream} has no events")));
    }
    let mut entries = records.into_iter().map(entry).collect::<Result<Vec<_>, _>>()?;
    open_personal_fields(state, stream, &mut entries).await?;
    let mut table = Table::new(&TRAIL_COLUMNS);
    for e in &entries {
        table.rows.push(vec![
            Cell::Int(e.position),
            Cell::Int(e.version),
            Cell::Text(e.event_type.clone()),
            Cell::Text(e.actor.clone()),
            Cell::Text(e.recorded_at.clone()),
            Cell::Text(e.occurred_at.clone()),
            Cell::Text(e.hash.clone()),
        ]);
    }
    Ok((entries, table))
}

fn first_row(table: &Table) -> Option<Value> {
    table.to_json_rows().into_iter().next()
}

/// What both trails share: the caller may read trails, the stream's records (with their opened
/// personal fields and, when asked, proofs), and the projections caught up for the rows beside them.
struct Trail {
    id: Id,
    format: Format,
    records: Vec<TrailEntry>,
    table: Table,
    checkpoint: Option<String>,
    lag: i64,
}

impl Trail {
    async fn load(
        state: &AppState,
        caller: &Caller,
        headers: &HeaderMap,
        id: &str,
        params: &TrailParams,
        kind: StreamKind,
    ) -> Result<Trail, ApiError> {
        require(caller, caller.role.may_read_trails(), "read audit trails")?;
        let (format, proofs) = params.negotiate(headers)?;
        let id = Id::parse(id).map_err(ApiError::NotFound)?;
        let (mut records, table) = trail(state, &StreamName::new(kind, id)).await?;
        let checkpoint = if proofs { Some(attach_proofs(state, &mut records).await?) } else { None };
        let lag = state.projector.wait_caught_up().await;
        Ok(Trail { id, format, records, table, checkpoint, lag })
    }
}

/// `GET /v1/audit/disbursements/{id}`.
#[utoipa::path(get, path = "/v1/audit/disbursements/{id}", tag = "auditors", security(("bearer" = [])),
    params(("id" = String, Path, description = "The disbursement's UUID"), TrailParams),
    description = "Every record of a disbursement, beside its fund and beneficiary (every role but analyst).",
    responses(
        (status = 200, description = "The trail", content(
            (DisbursementTrail = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, response = super::openapi::responses::BadRequest),
        (status = 403, response = super::openapi::responses::Forbidden),
        (status = 404, response = super::openapi::responses::NotFound),
    ))]
pub async fn disbursement(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(params): Query<TrailParams>,
) -> Result<Response, ApiError> {
    let Trail { id, format, records, table, checkpoint, lag } =
        Trail::load(&state, &caller, &headers, &id, &params, StreamKind::Disbursement).await?;
    let pool = state.store.pool();
    let disbursement =
        first_row(&funds::disbursement(pool, &id.to_string()).await.map_err(anyhow::Error::from)?);
    let text = |key: &str| {
        disbursement.as_ref().and_then(|d| d[key].as_str().map(str::to_owned)).unwrap_or_default()
    };
    let fund =
        FundBalance::from_table(&funds::fund(pool, &text("fund_id")).await.map_err(anyhow::Error::from)?);
    let beneficiary =
        first_row(&funds::beneficiary(pool, &text("beneficiary_id")).await.map_err(anyhow::Error::from)?);
    let body = DisbursementTrail {
        disbursement_id: id.to_string(),
        disbursement,
        fund,
        beneficiary,
        records,
        checkpoint,
    };
    respond(format, &body, &table, lag)
}

/// `GET /v1/audit/beneficiaries/{id}`.
#[utoipa::path(get, path = "/v1/audit/beneficiaries/{id}", tag = "auditors", security(("bearer" = [])),
    params(("id" = String, Path, description = "The beneficiary's UUID"), TrailParams),
    description = "Every record of a beneficiary, beside their disbursements (every role but analyst).",
    responses(
        (status = 200, description = "The trail", content(
            (BeneficiaryTrail = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, response = super::openapi::responses::BadRequest),
        (status = 403, response = super::openapi::responses::Forbidden),
        (status = 404, response = super::openapi::responses::NotFound),
    ))]
pub async fn beneficiary(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(params): Query<TrailParams>,
) -> Result<Response, ApiError> {
    let Trail { id, format, records, table, checkpoint, lag } =
        Trail::load(&state, &caller, &headers, &id, &params, StreamKind::Beneficiary).await?;
    let pool = state.store.pool();
    let beneficiary =
        first_row(&funds::beneficiary(pool, &id.to_string()).await.map_err(anyhow::Error::from)?);
    let disbursements = funds::disbursements_of(pool, &id.to_string()).await.map_err(anyhow::Error::from)?;
    let body =
        BeneficiaryTrail { beneficiary_id: id.to_string(), beneficiary, disbursements, records, checkpoint };
    respond(format, &body, &table, lag)
}
