//! `POST /v1/reports/close` (supervisor) and `GET /v1/reports/{id}/bundle`: a period's figures
//! pinned to the log as a `ReportClosed` record, and the one document that proves them: the record,
//! a signed checkpoint covering it, its inclusion proof in that checkpoint's tree, and the log's
//! verifier key.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use domain::events::report::{ReportClosed, ReportedValue};
use domain::events::{Event, ReportEvent};
use domain::values::{Count, Date, Id, Text};
use domain::{FieldError, StreamKind, StreamName};
use projections::queries::summary::{Summary, SummaryQuery};
use projections::queries::Period;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

use super::auth::require;
use super::json_body::JsonBody;
use super::openapi::responses;
use super::problem::{json_answer, ApiError};
use super::proofs::{ConsistencyProof, InclusionProof};
use super::AppState;
use crate::closing::{self, ClosedReport};
use crate::store::{AppendRequest, ExpectedVersion, ProposedEvent};
use crate::tokens::Caller;

/// How long a close waits for a checkpoint that covers its record before answering without one.
const CHECKPOINT_WAIT: Duration = Duration::from_secs(5);

/// The body of `POST /v1/reports/close`.
// Read by `parse_request`, which names each error with its pointer.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    /// First day of the period, `YYYY-MM-DD`.
    #[schema(format = Date, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub from: String,
    /// First day after the period (exclusive), after `from`.
    #[schema(format = Date, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub to: String,
    /// Only beneficiaries of this district, for the figures about beneficiaries.
    #[schema(nullable = false, min_length = 1, max_length = 200)]
    pub district: Option<String>,
}

/// A closed report and its proof: `GET /v1/reports/{id}/bundle`, and the answer to a close.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Bundle {
    /// The signed checkpoint (a C2SP signed note) at or after the record's position, with any
    /// cosignatures; absent while none is signed yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub checkpoint: Option<String>,
    /// The consistency proof from the tree the figures count (the report's `tree_size`, whose root
    /// it pins as `root_hash`) to the checkpoint's: the report's root is that log's own prefix.
    /// Absent with the checkpoint, and for a report over an empty log.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub consistency: Option<ConsistencyProof>,
    /// The record's inclusion proof in the checkpoint's tree; absent with the checkpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub proof: Option<InclusionProof>,
    /// The `ReportClosed` record exactly as served.
    #[schema(value_type = Object)]
    pub record: Box<RawValue>,
    /// The id of the report (its stream is `report-<id>`).
    pub report_id: String,
    /// The log's note verifier key, `<name>+<hex key id>+<base64(0x01 ‖ public key)>`.
    pub verifier_key: String,
}

/// The period a close asks for, read from its body.
struct ClosePeriod {
    from: Date,
    to: Date,
    district: Option<Text>,
    /// The summary query of that period.
    query: SummaryQuery,
}

/// Reads the body as a [`CloseRequest`]: the period it closes and the summary query it asks for,
/// naming what is wrong with each field's pointer.
fn parse_request(body: &Value) -> Result<ClosePeriod, ApiError> {
    let schema = |pointer: &str, detail: String| ApiError::Schema(vec![FieldError::new(pointer, detail)]);
    let object = body.as_object().ok_or_else(|| {
        schema("", "the body must be {\"from\": \"YYYY-MM-DD\", \"to\": \"YYYY-MM-DD\"}".into())
    })?;
    if let Some(key) = object.keys().find(|key| !["from", "to", "district"].contains(&key.as_str())) {
        return Err(schema(
            &format!("/{key}"),
            format!("unknown field \"{key}\"; expected from, to, district"),
        ));
    }
    let mut errors = Vec::new();
    let mut date = |field: &str| match object.get(field) {
        Some(Value::String(text)) => match Date::parse(text) {
            Ok(date) => Some(date),
            Err(detail) => {
                errors.push(FieldError::new(format!("/{field}"), detail));
                None
            }
        },
        _ => {
            errors.push(FieldError::new(format!("/{field}"), "a date YYYY-MM-DD is required"));
            None
        }
    };
    let (from, to) = (date("from"), date("to"));
    let district = match object.get("district") {
        None => None,
        Some(Value::String(text)) => match Text::try_from(text.clone()) {
            Ok(district) => Some(district),
            Err(detail) => {
                errors.push(FieldError::new("/district", detail));
                None
            }
        },
        Some(_) => {
            errors.push(FieldError::new("/district", "must be a string"));
            None
        }
    };
    if let (Some(from), Some(to)) = (from, to) {
        if to <= from {
            errors.push(FieldError::new("/to", "must be after from"));
        }
    }
    match (from, to) {
        (Some(from), Some(to)) if errors.is_empty() => {
            let period = Period::parse(&from.to_string(), &to.to_string()).map_err(ApiError::BadRequest)?;
            let query = SummaryQuery {
                period,
                district: district.as_ref().map(|d| d.as_str().to_owned()),
                currency: None,
            };
            Ok(ClosePeriod { from, to, district, query })
        }
        _ => Err(ApiError::Schema(errors)),
    }
}

/// The summary's figures as a report records them.
fn reported(summary: &Summary) -> Result<ReportedFigures, ApiError> {
    let figures = serde_json::to_value(&summary.figures).and_then(serde_json::from_value);
    let by_currency = summary
        .by_currency
        .as_ref()
        .map(|by_currency| serde_json::to_value(by_currency).and_then(serde_json::from_value))
        .transpose();
    match (figures, by_currency) {
        (Ok(figures), Ok(by_currency)) => Ok(ReportedFigures { figures, by_currency }),
        (Err(error), _) | (_, Err(error)) => Err(ApiError::Internal(error.into())),
    }
}

/// The figures and money figures per currency of a [`ReportClosed`].
struct ReportedFigures {
    figures: BTreeMap<String, ReportedValue>,
    by_currency: Option<BTreeMap<String, BTreeMap<String, i64>>>,
}

/// The bundle of `report`: with the checkpoint at or after its position that most witnesses cosigned
/// (with their cosignatures), else the first signed at or after it, when one is.
pub(crate) async fn bundle_of(state: &AppState, report: &ClosedReport) -> Result<Bundle, ApiError> {
    let size = u64::try_from(report.position).map_err(|e| ApiError::Internal(e.into()))?;
    let covering = crate::cosigning::covering(&state.store, size).await?;
    let Some(checkpoint) = covering else {
        return assembled(state, report, None, None, None);
    };
    let store = &state.store;
    let leaf_index = size - 1;
    let hashes =
        store.inclusion_proofs(&[leaf_index], checkpoint.tree_size).await.map_err(anyhow::Error::from)?;
    let hex = |hashes: &[domain::RecordHash]| hashes.iter().map(|hash| hash.to_hex()).collect();
    let proof = InclusionProof {
        leaf_index,
        tree_size: checkpoint.tree_size,
        hashes: hex(hashes.first().map_or(&[][..], |h| h.as_slice())),
    };
    let first = u64::try_from(i64::from(report.report.tree_size)).unwrap_or(0);
    let consistency = match first {
        0 => None,
        _ => {
            let second = checkpoint.tree_size;
            let hashes = store.consistency_proof(first, second).await.map_err(anyhow::Error::from)?;
            Some(ConsistencyProof { first, second, hashes: hex(&hashes) })
        }
    };
    assembled(state, report, Some(checkpoint.note), Some(proof), consistency)
}

/// The bundle of `report` with what proves it.
fn assembled(
    state: &AppState,
    report: &ClosedReport,
    checkpoint: Option<String>,
    proof: Option<InclusionProof>,
    consistency: Option<ConsistencyProof>,
) -> Result<Bundle, ApiError> {
    Ok(Bundle {
        checkpoint,
        consistency,
        proof,
        record: RawValue::from_string(report.served.clone()).map_err(|e| ApiError::Internal(e.into()))?,
        report_id: report.report_id.clone(),
        verifier_key: state.checkpointer.verifier().to_string(),
    })
}

/// `POST /v1/reports/close`.
#[utoipa::path(post, path = "/v1/reports/close", tag = "reports", security(("bearer" = [])),
    request_body(content = CloseRequest, content_type = "application/json"),
    description = "Closes a period (supervisor): computes its summary over the log as it stands, appends \
                   `ReportClosed` {from, to, district?, tree_size, root_hash, figures} to a new report stream \
                   and answers its bundle, waiting a few seconds for a checkpoint that covers it (without one, \
                   `checkpoint` and `proof` are absent: ask `GET /v1/reports/{id}/bundle` again shortly).",
    responses(
        (status = 201, description = "Closed", body = Bundle,
         headers(("Location" = String, description = "The bundle's path"))),
        (status = 400, response = responses::BadRequest),
        (status = 403, response = responses::Forbidden),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 422, response = responses::UnprocessableEntity),
        (status = 503, response = responses::ServiceUnavailable),
    ))]
pub async fn close(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<JsonBody, ApiError>,
) -> Result<Response, ApiError> {
    require(&caller, caller.role.may_close_reports(), "close a period")?;
    let JsonBody(value) = body?;
    let ClosePeriod { from, to, district, query } = parse_request(&value)?;
    state.projector.wait_caught_up().await;
    let Some(pinned) = closing::pinned_summary(state.store.pool(), &query).await? else {
        return Err(ApiError::Busy(anyhow::anyhow!(
            "the projections kept moving while the figures were read"
        )));
    };
    let tree_size = u64::try_from(pinned.tree_size).map_err(|e| ApiError::Internal(e.into()))?;
    let root_hash = state.store.tree_root(tree_size).await.map_err(anyhow::Error::from)?;
    let ReportedFigures { figures, by_currency } = reported(&pinned.summary)?;
    let report = ReportClosed {
        from,
        to,
        district,
        tree_size: Count::try_from(pinned.tree_size).map_err(|e| ApiError::Internal(anyhow::anyhow!(e)))?,
        root_hash,
        figures,
        by_currency,
    };
    let report_id = Id(uuid::Uuid::now_v7());
    let outcome = state
        .store
        .append(AppendRequest {
            stream: StreamName::new(StreamKind::Report, report_id),
            expected_version: ExpectedVersion::Exactly(0),
            events: vec![ProposedEvent {
                id: None,
                event: Event::Report(ReportEvent::ReportClosed(report.clone())),
                occurred_at: None,
                correlation_id: None,
                causation_id: None,
            }],
            actor: caller.principal,
            erasure_reason: None,
        })
        .await?;
    let position = outcome.events[0].position;
    state.checkpointer.wait_signed(u64::try_from(position).unwrap_or(u64::MAX), CHECKPOINT_WAIT).await;
    let closed = closing::closed_report(state.store.pool(), report_id).await?.ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!("the report just closed at {position} is not found"))
    })?;
    let mut response = json_answer(StatusCode::CREATED, &bundle_of(&state, &closed).await?)?;
    let location = format!("/v1/reports/{report_id}/bundle");
    if let Ok(location) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// `GET /v1/reports/{id}/bundle`.
#[utoipa::path(get, path = "/v1/reports/{id}/bundle", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path, description = "The report's UUID")),
    description = "A closed report's bundle: its `ReportClosed` record as served, the signed checkpoint at or \
                   after it, its inclusion proof in that checkpoint's tree, and the log's verifier key (every role).",
    responses(
        (status = 200, description = "The bundle", body = Bundle),
        (status = 404, response = responses::NotFound),
    ))]
pub async fn bundle(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    require(&caller, caller.role.may_read_figures(), "read reports")?;
    let id = Id::parse(&id).map_err(ApiError::NotFound)?;
    let Some(report) = closing::closed_report(state.store.pool(), id).await? else {
        return Err(ApiError::NotFound(format!("there is no closed report {id}")));
    };
    json_answer(StatusCode::OK, &bundle_of(&state, &report).await?)
}
