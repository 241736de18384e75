//! Every error the API answers, as RFC 9457 `application/problem+json`. [`ApiError`]'s `IntoResponse`
//! is the one place that maps errors to statuses; [`problem_for_plain_errors`] catches what axum
//! itself answers (unknown routes, wrong methods, bad path or query, oversized bodies) and rewrites it
//! into the same form.

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::{FieldError, RuleBreach};

use crate::contention;
use crate::import::report::{BadRow, ImportReport};
use crate::store::{AppendError, TreeError};

/// The media type of every error body.
pub(crate) const PROBLEM_JSON: &str = "application/problem+json";

/// An error answered to a client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the body is not UTF-8 or not JSON, or a parameter is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// 422: the body is JSON but breaks the schema; each error has a pointer.
    #[error("the request breaks the schema")]
    Schema(Vec<FieldError>),
    /// 422: the event breaks a domain rule.
    #[error("{breach}")]
    Rule {
        /// Which event of the request.
        index: usize,
        /// The rule.
        breach: RuleBreach,
    },
    /// 422: an import file has bad rows (nothing of it was appended).
    #[error("{} of {} rows are bad; nothing was imported", .0.bad_rows, .0.rows)]
    BadRows(ImportReport),
    /// 409: the stream is not at the expected version.
    #[error("expected version mismatch")]
    VersionConflict {
        /// The stream's version.
        current_version: i64,
    },
    /// 409: an event id is already recorded with other content.
    #[error("{0}")]
    IdConflict(String),
    /// 401: no token, or not a valid one.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: the token's role may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// 404: no such stream, record or route.
    #[error("{0}")]
    NotFound(String),
    /// 406: the `Accept` header accepts none of the media types the endpoint answers.
    #[error("{0}")]
    NotAcceptable(String),
    /// 413: the body is larger than the limit (its declared `Content-Length`, or what arrived).
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// 415: the body is declared (`Content-Type`) as something other than JSON.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 415: an import's body is declared as something other than a CSV or JSONL file.
    #[error("{0}")]
    UnsupportedFile(String),
    /// 408: the request (its body, and the answer to it) took longer than the request timeout.
    #[error("the request was not completed within {0} ms; send it again (an append with the same ids is not recorded twice)")]
    RequestTimeout(u64),
    /// 429: the server is already answering as many requests as it takes at once.
    #[error("the server is answering its limit of {0} requests at once; retry shortly")]
    TooManyRequests(usize),
    /// 503: the server is shutting down.
    #[error("the server is shutting down")]
    Unavailable,
    /// 503 with `Retry-After`: the server is not ready for traffic yet (see [`crate::readiness`]).
    #[error("not ready: {0}")]
    NotReady(String),
    /// 503 with `Retry-After`: the database stayed busy past its timeout (see
    /// [`crate::contention`]); logged, answered generically.
    #[error("the database is busy; retry shortly (an append with the same ids is not recorded twice)")]
    Busy(anyhow::Error),
    /// 500: anything else; logged in full, answered generically.
    #[error(transparent)]
    Internal(anyhow::Error),
}

/// Every failure that is not the client's lands here: a database busy past its timeout is
/// [`ApiError::Busy`], anything else [`ApiError::Internal`].
impl From<anyhow::Error> for ApiError {
    fn from(error: anyhow::Error) -> Self {
        if contention::is_busy(&error) {
            ApiError::Busy(error)
        } else {
            ApiError::Internal(error)
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        anyhow::Error::from(error).into()
    }
}

/// Every error body: the members RFC 9457 defines, and the extension members some problems carry.
// Fields in name order: the order error bodies have always been served in.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// An import with bad rows (422): each bad row (at most 10 000 listed) with what is wrong in it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bad: Option<Vec<BadRow>>,
    /// An import with bad rows (422): how many rows are bad, listed or not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bad_rows: Option<u64>,
    /// A wrong `expected_version` (409): the stream's version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
    /// What was wrong, for a person to read.
    pub detail: String,
    /// A body that breaks the schema (422): each error with its JSON pointer into the body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// A broken domain rule (422): the pointer to the event that breaks it, `/events/<index>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// A broken domain rule (422): the rule's stable name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// An import with bad rows (422): how many rows the file holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    /// The HTTP status.
    pub status: u16,
    /// The status's reason phrase.
    pub title: String,
    /// What kind of problem: `about:blank`, or `urn:aidledger:problem:schema`, `…:rule`,
    /// `…:version-conflict`, `…:id-conflict`, `…:bad-rows`.
    #[serde(rename = "type")]
    pub problem_type: String,
}

impl Problem {
    /// A problem of `problem_type` with `status` and `detail`, and no extension members.
    pub fn new(status: StatusCode, problem_type: &str, detail: &str) -> Self {
        Problem {
            bad: None,
            bad_rows: None,
            current_version: None,
            detail: detail.to_owned(),
            errors: None,
            pointer: None,
            rule: None,
            rows: None,
            status: status.as_u16(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            problem_type: problem_type.to_owned(),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        // A problem is strings and integers: serializing it cannot fail.
        let body = serde_json::to_string(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        response
    }
}

/// A problem response with no extension members.
pub fn problem(status: StatusCode, problem_type: &str, detail: &str) -> Response {
    Problem::new(status, problem_type, detail).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let detail = self.to_string();
        match self {
            ApiError::BadRequest(_) => problem(StatusCode::BAD_REQUEST, "about:blank", &detail),
            ApiError::Schema(errors) => {
                let detail = match errors.as_slice() {
                    [one] => format!(
                        "{}: {}",
                        if one.pointer.is_empty() { "body" } else { &one.pointer },
                        one.detail
                    ),
                    many => format!("{} fields break the schema", many.len()),
                };
                let problem =
                    Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "urn:aidledger:problem:schema", &detail);
                Problem { errors: Some(errors), ..problem }.into_response()
            }
            ApiError::Rule { index, breach } => {
                let detail = format!("event {index}: {}", breach.detail);
                let problem =
                    Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "urn:aidledger:problem:rule", &detail);
                let pointer = Some(format!("/events/{index}"));
                Problem { rule: Some(breach.rule.to_owned()), pointer, ..problem }.into_response()
            }
            ApiError::BadRows(report) => {
                let detail = if report.rows == 0 {
                    format!(
                        "the file cannot be read: {}",
                        report.bad.first().and_then(|bad| bad.detail.clone()).unwrap_or_default()
                    )
                } else {
                    detail
                };
                let problem =
                    Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "urn:aidledger:problem:bad-rows", &detail);
                let (rows, bad_rows) = (Some(report.rows), Some(report.bad_rows));
                Problem { bad: Some(report.bad), bad_rows, rows, ..problem }.into_response()
            }
            ApiError::VersionConflict { current_version } => {
                let detail = format!("the stream is at version {current_version}");
                let problem =
                    Problem::new(StatusCode::CONFLICT, "urn:aidledger:problem:version-conflict", &detail);
                Problem { current_version: Some(current_version), ..problem }.into_response()
            }
            ApiError::IdConflict(_) => {
                problem(StatusCode::CONFLICT, "urn:aidledger:problem:id-conflict", &detail)
            }
            ApiError::Unauthorized(_) => {
                let mut response = problem(StatusCode::UNAUTHORIZED, "about:blank", &detail);
                response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                response
            }
            ApiError::Forbidden(_) => problem(StatusCode::FORBIDDEN, "about:blank", &detail),
            ApiError::NotFound(_) => problem(StatusCode::NOT_FOUND, "about:blank", &detail),
            ApiError::NotAcceptable(_) => problem(StatusCode::NOT_ACCEPTABLE, "about:blank", &detail),
            ApiError::PayloadTooLarge(_) => {
                let mut response = problem(StatusCode::PAYLOAD_TOO_LARGE, "about:blank", &detail);
                // The rest of the body is never read: the connection cannot be reused.
                response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
                response
            }
            ApiError::UnsupportedMediaType(_) => {
                let mut response = problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "about:blank", &detail);
                response.headers_mut().insert(header::ACCEPT, HeaderValue::from_static("application/json"));
                response
            }
            ApiError::UnsupportedFile(_) => {
                let mut response = problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "about:blank", &detail);
                let accepted = HeaderValue::from_static("text/csv, application/x-ndjson");
                response.headers_mut().insert(header::ACCEPT, accepted);
                response
            }
            ApiError::RequestTimeout(_) => {
                let mut response = problem(StatusCode::REQUEST_TIMEOUT, "about:blank", &detail);
                // The client may still be sending the body: the connection cannot be reused.
                response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
                response
            }
            ApiError::TooManyRequests(_) => {
                let mut response = problem(StatusCode::TOO_MANY_REQUESTS, "about:blank", &detail);
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                response
            }
            ApiError::Unavailable => problem(StatusCode::SERVICE_UNAVAILABLE, "about:blank", &detail),
            ApiError::NotReady(_) => {
                let mut response = problem(StatusCode::SERVICE_UNAVAILABLE, "about:blank", &detail);
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                response
            }
            ApiError::Busy(error) => {
                tracing::warn!(error = format!("{error:#}"), "the database was busy past its timeout");
                let mut response = problem(StatusCode::SERVICE_UNAVAILABLE, "about:blank", &detail);
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                response
            }
            ApiError::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "request failed");
                problem(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "about:blank",
                    "internal error; it has been logged",
                )
            }
        }
    }
}

impl From<AppendError> for ApiError {
    fn from(error: AppendError) -> Self {
        match error {
            AppendError::Rule { index, breach } => ApiError::Rule { index, breach },
            AppendError::VersionConflict { current_version } => ApiError::VersionConflict { current_version },
            AppendError::IdConflict(detail) => ApiError::IdConflict(detail),
            AppendError::WriterStopped => ApiError::Unavailable,
            other => anyhow::Error::from(other).into(),
        }
    }
}

impl From<TreeError> for ApiError {
    fn from(error: TreeError) -> Self {
        anyhow::Error::from(error).into()
    }
}

/// Rewrites any error response that is not already problem+json (axum's own rejections, the 404
/// fallback, 405s) into problem+json, keeping its status and its text as the detail.
pub(crate) async fn problem_for_plain_errors(response: Response) -> Response {
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
    let mut detail = String::from_utf8_lossy(&text).trim().to_string();
    if detail.is_empty() {
        detail = match status {
            StatusCode::NOT_FOUND => "no such resource".into(),
            StatusCode::METHOD_NOT_ALLOWED => "this method is not allowed on this resource".into(),
            _ => status.canonical_reason().unwrap_or("error").into(),
        };
    }
    let mut rewritten = problem(status, "about:blank", &detail);
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            rewritten.headers_mut().insert(name.clone(), value.clone());
        }
    }
    rewritten
}

/// A JSON success response answering `answer`.
pub(crate) fn json_answer<T: serde::Serialize>(status: StatusCode, answer: &T) -> Result<Response, ApiError> {
    let body = serde_json::to_string(answer).map_err(anyhow::Error::from)?;
    Ok(json_response(status, body))
}

/// A JSON success response whose body is already JSON text (a stored record, or one built from
/// them).
pub(crate) fn json_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, Body::from(body)).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
