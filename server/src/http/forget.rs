//! `POST /v1/beneficiaries/{id}/forget` (admin): appends `BeneficiaryForgotten` and destroys the
//! beneficiary's key in one transaction. Afterwards their personal fields open for nobody, while every
//! record, hash, proof and figure stays exactly as it was.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::events::beneficiary::BeneficiaryForgotten;
use domain::events::BeneficiaryEvent;
use domain::values::Id;
use domain::{Event, FieldError, StreamKind, StreamName};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::auth::require;
use super::json_body::JsonBody;
use super::problem::{json_answer, ApiError};
use super::AppState;
use crate::store::{AppendRequest, ExpectedVersion, ProposedEvent};
use crate::tokens::Caller;

/// The longest reason accepted, in characters.
const REASON_CHARS_MAX: usize = 1000;

/// The body of `POST /v1/beneficiaries/{id}/forget`.
// Read by `parse_request`, which names each error with its pointer.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgetRequest {
    /// Why the person is erased (kept with the erasure, never in the log).
    #[schema(min_length = 1, max_length = 1000, pattern = "\\S")]
    pub reason: String,
}

/// The answer to `POST /v1/beneficiaries/{id}/forget`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Forgotten {
    /// The beneficiary's id.
    pub beneficiary_id: String,
    /// Always true.
    pub forgotten: bool,
    /// Its hash.
    pub hash: String,
    /// The position of the `BeneficiaryForgotten` record.
    pub position: i64,
}

/// Reads the body as a [`ForgetRequest`], naming what is wrong with its pointer.
fn parse_request(body: &Value) -> Result<ForgetRequest, ApiError> {
    let object = body
        .as_object()
        .ok_or_else(|| ApiError::Schema(vec![FieldError::new("", "the body must be {\"reason\": \"…\"}")]))?;
    if let Some(key) = object.keys().find(|key| *key != "reason") {
        return Err(ApiError::Schema(vec![FieldError::new(
            format!("/{key}"),
            format!("unknown field \"{key}\"; expected reason"),
        )]));
    }
    match object.get("reason") {
        Some(Value::String(reason))
            if !reason.trim().is_empty() && reason.chars().count() <= REASON_CHARS_MAX =>
        {
            Ok(ForgetRequest { reason: reason.clone() })
        }
        _ => Err(ApiError::Schema(vec![FieldError::new(
            "/reason",
            format!("a reason is required: 1 to {REASON_CHARS_MAX} characters"),
        )])),
    }
}

/// Forgets one beneficiary.
#[utoipa::path(post, path = "/v1/beneficiaries/{id}/forget", tag = "records", security(("bearer" = [])),
    params(("id" = String, Path, description = "The beneficiary's UUID")),
    request_body(content = ForgetRequest, content_type = "application/json"),
    description = "Appends BeneficiaryForgotten and destroys the beneficiary's key in one step (admin).",
    responses(
        (status = 201, description = "Forgotten", body = Forgotten),
        (status = 400, response = super::openapi::responses::BadRequest),
        (status = 403, response = super::openapi::responses::Forbidden),
        (status = 404, response = super::openapi::responses::NotFound),
        (status = 409, response = super::openapi::responses::Conflict),
        (status = 413, response = super::openapi::responses::PayloadTooLarge),
        (status = 422, response = super::openapi::responses::UnprocessableEntity),
        (status = 503, response = super::openapi::responses::ServiceUnavailable),
    ))]
pub async fn forget(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<JsonBody, ApiError>,
) -> Result<Response, ApiError> {
    require(&caller, caller.role.may_rebuild(), "forget a beneficiary")?;
    let id = Id::parse(&id).map_err(ApiError::NotFound)?;
    let JsonBody(value) = body?;
    let ForgetRequest { reason } = parse_request(&value)?;
    let stream = StreamName::new(StreamKind::Beneficiary, id);
    if state.store.read_stream(&stream.to_string(), 1, 1).await?.is_none() {
        return Err(ApiError::NotFound(format!("there is no beneficiary {id}")));
    }
    let outcome = state
        .store
        .append(AppendRequest {
            stream,
            expected_version: ExpectedVersion::Any,
            events: vec![ProposedEvent {
                id: None,
                event: Event::Beneficiary(BeneficiaryEvent::BeneficiaryForgotten(BeneficiaryForgotten {})),
                occurred_at: None,
                correlation_id: None,
                causation_id: None,
            }],
            actor: caller.principal,
            erasure_reason: Some(reason),
        })
        .await?;
    let event = &outcome.events[0];
    let forgotten = Forgotten {
        beneficiary_id: id.to_string(),
        forgotten: true,
        hash: event.hash.to_hex(),
        position: event.position,
    };
    json_answer(StatusCode::CREATED, &forgotten)
}
