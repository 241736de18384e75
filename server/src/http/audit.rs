//! Audit trails: every record of a disbursement (or a beneficiary) with who appended it, when, and
//! its hash, beside the read models' view of its fund and beneficiary. Each `record` is served
//! exactly as hashed plus `hash`.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use domain::values::Id;
use domain::{StreamKind, StreamName};
use projections::queries::funds;
use projections::table::{Cell, Table};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::auth::require;
use super::problem::{json_response, ApiError};
use super::tabular::{respond, Format, FormatParams};
use super::AppState;
use crate::tokens::Caller;

/// One record of a trail.
#[derive(Debug, Serialize)]
struct TrailEntry {
    position: i64,
    version: i64,
    #[serde(rename = "type")]
    event_type: String,
    actor: String,
    recorded_at: String,
    occurred_at: String,
    hash: String,
    record: Box<RawValue>,
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
    })
}

async fn trail(state: &AppState, stream: &StreamName) -> Result<(Vec<TrailEntry>, Table), ApiError> {
    let records = state.store.read_stream_all(&stream.to_string()).await?;
    if records.is_empty() {
        return Err(ApiError::NotFound(format!("stream {stream} has no events")));
    }
    let entries = records.into_iter().map(entry).collect::<Result<Vec<_>, _>>()?;
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

fn answer<T: Serialize>(format: Format, body: &T, table: &Table, lag: i64) -> Result<Response, ApiError> {
    match format {
        Format::Json => {
            let text = serde_json::to_string(body).map_err(|e| ApiError::Internal(e.into()))?;
            let mut response = json_response(StatusCode::OK, text);
            if lag > 0 {
                response.headers_mut().insert(super::tabular::LAG_HEADER, lag.into());
            }
            Ok(response)
        }
        Format::Csv => Ok(respond(format, Value::Null, table, lag)),
    }
}

/// `GET /v1/audit/disbursements/{id}`.
pub async fn disbursement(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(params): Query<FormatParams>,
) -> Result<Response, ApiError> {
    require(&caller, caller.role.may_read_trails(), "read audit trails")?;
    let format = Format::negotiate(params.format.as_deref(), &headers)?;
    let id = Id::parse(&id).map_err(ApiError::NotFound)?;
    let (records, table) = trail(&state, &StreamName::new(StreamKind::Disbursement, id)).await?;
    let lag = state.projector.wait_caught_up().await;
    let pool = state.store.pool();
    let disbursement =
        first_row(&funds::disbursement(pool, &id.to_string()).await.map_err(anyhow::Error::from)?);
    let text = |key: &str| {
        disbursement.as_ref().and_then(|d| d[key].as_str().map(str::to_owned)).unwrap_or_default()
    };
    let fund = first_row(&funds::fund(pool, &text("fund_id")).await.map_err(anyhow::Error::from)?);
    let beneficiary =
        first_row(&funds::beneficiary(pool, &text("beneficiary_id")).await.map_err(anyhow::Error::from)?);

    #[derive(Serialize)]
    struct DisbursementTrail {
        disbursement_id: String,
        disbursement: Option<Value>,
        fund: Option<Value>,
        beneficiary: Option<Value>,
        records: Vec<TrailEntry>,
    }
    let body =
        DisbursementTrail { disbursement_id: id.to_string(), disbursement, fund, beneficiary, records };
    answer(format, &body, &table, lag)
}

/// `GET /v1/audit/beneficiaries/{id}`.
pub async fn beneficiary(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(params): Query<FormatParams>,
) -> Result<Response, ApiError> {
    require(&caller, caller.role.may_read_trails(), "read audit trails")?;
    let format = Format::negotiate(params.format.as_deref(), &headers)?;
    let id = Id::parse(&id).map_err(ApiError::NotFound)?;
    let (records, table) = trail(&state, &StreamName::new(StreamKind::Beneficiary, id)).await?;
    let lag = state.projector.wait_caught_up().await;
    let pool = state.store.pool();
    let beneficiary =
        first_row(&funds::beneficiary(pool, &id.to_string()).await.map_err(anyhow::Error::from)?);
    let disbursements = funds::disbursements_of(pool, &id.to_string()).await.map_err(anyhow::Error::from)?;

    #[derive(Serialize)]
    struct BeneficiaryTrail {
        beneficiary_id: String,
        beneficiary: Option<Value>,
        disbursements: Vec<Value>,
        records: Vec<TrailEntry>,
    }
    let body = BeneficiaryTrail {
        beneficiary_id: id.to_string(),
        beneficiary,
        disbursements: disbursements.to_json_rows(),
        records,
    };
    answer(format, &body, &table, lag)
}
