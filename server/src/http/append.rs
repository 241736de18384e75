//! `POST /v1/streams/{stream}/events`: the one way events enter the log.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::StreamName;
use serde::Serialize;

use super::auth::require;
use super::json_body::JsonBody;
use super::openapi::responses::{
    BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, ServiceUnavailable, UnprocessableEntity,
};
use super::problem::{json_answer, ApiError};
use super::{append_body, AppState};
use crate::store::{AppendRequest, Appended};
use crate::tokens::Caller;

/// Where one appended event landed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AppendedEvent {
    /// Its record's hash.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub hash: String,
    /// Its id.
    pub id: String,
    /// Its position in the log.
    pub position: i64,
    /// Its version in the stream.
    pub version: i64,
}

impl From<&Appended> for AppendedEvent {
    fn from(appended: &Appended) -> Self {
        AppendedEvent {
            hash: appended.hash.to_hex(),
            id: appended.id.clone(),
            position: appended.position,
            version: appended.version,
        }
    }
}

/// The answer to an append (201), or to its replay (200).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AppendResult {
    /// The events, in the order sent.
    pub events: Vec<AppendedEvent>,
    /// The stream's version after the append.
    pub next_expected_version: i64,
}

/// Appends the body's events atomically: 201 with where they landed, 200 for a replay.
#[utoipa::path(post, path = "/v1/streams/{stream}/events", tag = "records", security(("bearer" = [])),
    params(("stream" = String, Path, description = "`<kind>-<uuid>`")),
    request_body(content = ref("#/components/schemas/AppendRequest"), content_type = "application/json",
        description = "Events of the stream's kind. Staff append every type but the supervisors' \
                       (DisbursementApproved, DisbursementRejected, VolunteerHoursVerified)."),
    responses(
        (status = 201, description = "Appended: where each event landed", body = AppendResult),
        (status = 200, description = "A replay of an append already recorded: its original answer", body = AppendResult),
        (status = 400, response = BadRequest),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 422, response = UnprocessableEntity),
        (status = 503, response = ServiceUnavailable),
    ))]
#[tracing::instrument(skip(state, caller, body), fields(actor = %caller.principal))]
pub async fn append(
    State(state): State<AppState>,
    caller: Caller,
    Path(stream): Path<String>,
    body: Result<JsonBody, ApiError>,
) -> Result<Response, ApiError> {
    let stream: StreamName = stream.parse().map_err(ApiError::NotFound)?;
    let JsonBody(value) = body?;
    let parsed = append_body::parse(&value, stream.kind(), state.limits.events_per_append_max)
        .map_err(ApiError::Schema)?;
    for event in &parsed.events {
        let event_type = event.event.event_type();
        if let Some(endpoint) = event_type.own_endpoint() {
            return Err(ApiError::Forbidden(format!("{event_type} is appended only by {endpoint}")));
        }
        require(&caller, caller.role.may_append(event_type), &format!("append {event_type}"))?;
    }
    let outcome = state
        .store
        .append(AppendRequest {
            stream,
            expected_version: parsed.expected_version,
            events: parsed.events,
            actor: caller.principal,
            erasure_reason: None,
        })
        .await?;
    let status = if outcome.replayed { StatusCode::OK } else { StatusCode::CREATED };
    let events = outcome.events.iter().map(AppendedEvent::from).collect();
    json_answer(status, &AppendResult { events, next_expected_version: outcome.next_expected_version })
}
