//! Reading records: the global log, one stream, one position. Records are served exactly as hashed,
//! plus `hash`; raw records are never shown to analysts.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::auth::require;
use super::openapi::responses::{BadRequest, Forbidden, NotFound};
use super::openapi::schemas::Record;
use super::problem::{json_answer, json_response, ApiError};
use super::AppState;
use crate::store::Page;
use crate::tokens::Caller;

/// Records per page when the client does not say.
const PAGE_RECORDS_DEFAULT: i64 = 100;
/// Records per page at most.
const PAGE_RECORDS_MAX: i64 = 1000;

/// `?from_position=&limit=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LogQuery {
    /// The first position to read [default: 1].
    #[param(minimum = 1)]
    from_position: Option<i64>,
    /// Records per page [default: 100].
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
}

/// `?from_version=&limit=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StreamQuery {
    /// The first version to read [default: 1].
    #[param(minimum = 1)]
    from_version: Option<i64>,
    /// Records per page [default: 100].
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
}

fn page_bounds(from: Option<i64>, from_name: &str, limit: Option<i64>) -> Result<(i64, i64), ApiError> {
    let from = from.unwrap_or(1);
    if from < 1 {
        return Err(ApiError::BadRequest(format!("{from_name} must be at least 1")));
    }
    let limit = limit.unwrap_or(PAGE_RECORDS_DEFAULT);
    if !(1..=PAGE_RECORDS_MAX).contains(&limit) {
        return Err(ApiError::BadRequest(format!("limit must be 1 to {PAGE_RECORDS_MAX}")));
    }
    Ok((from, limit))
}

/// A page of records, in order.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecordPage {
    /// The records.
    // Each its stored bytes: a record is never re-serialized.
    #[schema(value_type = Vec<Record>)]
    pub records: Vec<Box<RawValue>>,
    /// The `from_*` to ask for next, or null at the end.
    #[schema(required = true)]
    pub next: Option<i64>,
}

fn page_response(page: Page) -> Result<Response, ApiError> {
    let records = page.records.into_iter().map(RawValue::from_string).collect::<Result<_, _>>();
    let records =
        records.map_err(|error| anyhow::Error::from(error).context("a stored record is not JSON"))?;
    json_answer(StatusCode::OK, &RecordPage { records, next: page.next })
}

/// `GET /v1/events`.
#[utoipa::path(get, path = "/v1/events", tag = "records", params(LogQuery), security(("bearer" = [])),
    description = "The log's records in position order, exactly as hashed plus `hash` (never to analysts).",
    responses(
        (status = 200, description = "A page of records", body = RecordPage),
        (status = 400, response = BadRequest),
        (status = 403, response = Forbidden),
    ))]
pub(crate) async fn read_log(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<LogQuery>,
) -> Result<Response, ApiError> {
    require(&caller, caller.role.may_read_records(), "read raw records")?;
    let (from, limit) = page_bounds(query.from_position, "from_position", query.limit)?;
    page_response(state.store.read_log(from, limit).await?)
}

/// `GET /v1/streams/{stream}/events`.
#[utoipa::path(get, path = "/v1/streams/{stream}/events", tag = "records", security(("bearer" = [])),
    params(
        ("stream" = String, Path, description = "`<kind>-<uuid>`"),
        StreamQuery,
    ),
    description = "One stream's records in version order, exactly as hashed plus `hash` (never to analysts).",
    responses(
        (status = 200, description = "A page of records", body = RecordPage),
        (status = 400, response = BadRequest),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ))]
pub(crate) async fn read_stream(
    State(state): State<AppState>,
    caller: Caller,
    Path(stream): Path<String>,
    Query(query): Query<StreamQuery>,
) -> Result<Response, ApiError> {
    require(&caller, caller.role.may_read_records(), "read raw records")?;
    let stream: domain::StreamName = stream.parse().map_err(ApiError::NotFound)?;
    let (from, limit) = page_bounds(query.from_version, "from_version", query.limit)?;
    match state.store.read_stream(&stream.to_string(), from, limit).await? {
        Some(page) => page_response(page),
        None => Err(ApiError::NotFound(format!("stream {stream} has no events"))),
    }
}

/// `GET /v1/events/{position}`.
#[utoipa::path(get, path = "/v1/events/{position}", tag = "records", security(("bearer" = [])),
    params(("position" = i64, Path, minimum = 1, description = "The record's position")),
    responses(
        (status = 200, description = "The record, exactly as hashed plus `hash`", body = Record),
        (status = 400, response = BadRequest),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ))]
pub(crate) async fn read_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(position): Path<String>,
) -> Result<Response, ApiError> {
    require(&caller, caller.role.may_read_records(), "read raw records")?;
    let position: i64 =
        position.parse().ok().filter(|p| *p >= 1).ok_or_else(|| {
            ApiError::BadRequest(format!("{position:?} is not a position (an integer ≥ 1)"))
        })?;
    match state.store.read_one(position).await? {
        Some(record) => Ok(json_response(StatusCode::OK, record)),
        None => Err(ApiError::NotFound(format!("there is no record at position {position}"))),
    }
}
