//! `POST /v1/import?type=EVENT_TYPE[&dry_run=true]`: a file of past records as the body — a
//! spreadsheet's CSV (`text/csv`, `charset` UTF-8 or GB18030) or JSONL (`application/x-ndjson`) —
//! appended as the caller would append each row, all in one transaction or none
//! ([`crate::import`]). The body may be larger than other requests' (`--import-bytes-max`).

use axum::body::{to_bytes, Body};
use axum::extract::{Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::EventType;
use serde::Deserialize;

use super::openapi::responses::{
    BadRequest, Forbidden, PayloadTooLarge, ServiceUnavailable, UnprocessableEntity,
};
use super::problem::ApiError;
use super::AppState;
use crate::import::encoding::{OpenProblem, TextEncoding};
use crate::import::importer::{import, ImportError, ImportFormat, ImportRequest};
use crate::import::report::ImportReport;
use crate::tokens::Caller;

/// The path, which [`super::limits::enforce`] holds to the import body limit instead of the usual one.
pub(crate) const PATH: &str = "/v1/import";

/// The query of an import.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// The event type of every row, e.g. `VisitRecorded`.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    event_type: String,
    /// Only check the file: append nothing.
    #[serde(default)]
    dry_run: bool,
}

/// Imports the body's rows: 201 with where each landed, 200 for a dry run or a file whose rows are
/// all recorded already, 422 naming every bad row (nothing appended).
#[utoipa::path(post, path = "/v1/import", tag = "records", security(("bearer" = [])),
    params(ImportQuery),
    request_body(description = "The file: CSV with a header row (the event's data fields, nested \
        ones dotted, plus stream, id, occurred_at), or JSONL (one {stream?, id?, occurred_at?, data} \
        a line).",
        content((String = "text/csv"), (String = "application/x-ndjson"))),
    responses(
        (status = 201, description = "Appended, in one transaction: where each row landed", body = ImportReport),
        (status = 200, description = "A dry run whose rows are all good, or a file already recorded", body = ImportReport),
        (status = 400, response = BadRequest),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 422, response = UnprocessableEntity),
        (status = 503, response = ServiceUnavailable),
    ))]
#[tracing::instrument(skip(state, caller, headers, body), fields(actor = %caller.principal))]
pub(crate) async fn import_file(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ImportQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let event_type: EventType = query.event_type.parse().map_err(ApiError::BadRequest)?;
    let (format, encoding) = declared_file(&headers)?;
    let limit = state.limits.import_bytes_max;
    let bytes = to_bytes(body, limit).await.map_err(|_| ApiError::PayloadTooLarge(limit))?;
    let request = ImportRequest { event_type, format, encoding, dry_run: query.dry_run };
    // A second pass (GB18030's check that the file is not UTF-8) reads the body again from its start.
    let text = match encoding.open(&bytes[..], |_| Ok(&bytes[..])) {
        Ok(text) => text,
        Err(OpenProblem::Encoding(problem)) => {
            return Err(ApiError::BadRows(ImportReport::unreadable_file(problem.to_string())))
        }
        Err(OpenProblem::Read(error)) => return Err(ApiError::BadRequest(error.to_string())),
    };
    let report = match import(&state.store, &caller, request, text).await {
        Ok(report) => report,
        Err(ImportError::Forbidden(detail)) => return Err(ApiError::Forbidden(detail)),
        Err(ImportError::Store(error)) => return Err(error.into()),
    };
    if report.bad_rows > 0 {
        return Err(ApiError::BadRows(report));
    }
    let status = if report.newly_appended() > 0 { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(report)).into_response())
}

/// The file's layout and encoding, from its `Content-Type` (415 for anything else).
fn declared_file(headers: &HeaderMap) -> Result<(ImportFormat, TextEncoding), ApiError> {
    let refuse = |what: String| {
        ApiError::UnsupportedFile(format!(
            "{what}; send the file as Content-Type: text/csv (charset utf-8 or gb18030) or application/x-ndjson"
        ))
    };
    let declared = headers.get(CONTENT_TYPE).ok_or_else(|| refuse("the body has no Content-Type".into()))?;
    let text = declared.to_str().map_err(|_| refuse("the Content-Type header is not ASCII".into()))?;
    let media: mime::Mime =
        text.parse().map_err(|_| refuse(format!("Content-Type {text:?} is not a media type")))?;
    let format = match media.essence_str() {
        "text/csv" => ImportFormat::Csv,
        "application/x-ndjson" | "application/jsonl" => ImportFormat::Jsonl,
        other => return Err(refuse(format!("the body is declared as {other}"))),
    };
    let encoding = match media.get_param(mime::CHARSET) {
        None => TextEncoding::Utf8,
        Some(charset) => TextEncoding::from_label(charset.as_str())
            .ok_or_else(|| refuse(format!("the charset {charset} is not one a file may be in")))?,
    };
    Ok((format, encoding))
}
