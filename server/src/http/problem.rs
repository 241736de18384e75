//! Every error the API answers, as RFC 9457 `application/problem+json`. [`ApiError`]'s `IntoResponse`
//! is the one place that maps errors to statuses; [`problem_for_plain_errors`] catches what axum
//! itself answers (unknown routes, wrong methods, bad path or query, oversized bodies) and rewrites it
//! into the same form.

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::{FieldError, RuleBreach};
use serde_json::{json, Map, Value};

use crate::contention;
use crate::store::{AppendError, TreeError};

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

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
    /// 408: the request (its body, and the answer to it) took longer than the request timeout.
    #[error("the request was not completed within {0} ms; send it again (an append with the same ids is not recorded twice)")]
    RequestTimeout(u64),
    /// 429: the server is already answering as many requests as it takes at once.
    #[error("the server is answering its limit of {0} requests at once; retry shortly")]
    TooManyRequests(usize),
    /// 503: the server is shutting down.
    #[error("the server is shutting down")]
    Unavailable,
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

/// Builds a problem response with extension members.
pub fn problem(
    status: StatusCode,
    problem_type: &str,
    detail: &str,
    extensions: Map<String, Value>,
) -> Response {
    let mut body = Map::new();
    body.insert("type".into(), Value::from(problem_type));
    body.insert("title".into(), Value::from(status.canonical_reason().unwrap_or("Error")));
    body.insert("status".into(), Value::from(status.as_u16()));
    body.insert("detail".into(), Value::from(detail));
    body.extend(extensions);
    let mut response = (status, Value::Object(body).to_string()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    response
}

fn extensions(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let detail = self.to_string();
        let none = Map::new;
        match self {
            ApiError::BadRequest(_) => problem(StatusCode::BAD_REQUEST, "about:blank", &detail, none()),
            ApiError::Schema(errors) => {
                let detail = match errors.as_slice() {
                    [one] => format!(
                        "{}: {}",
                        if one.pointer.is_empty() { "body" } else { &one.pointer },
                        one.detail
                    ),
                    many => format!("{} fields break the schema", many.len()),
                };
                problem(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "urn:aidledger:problem:schema",
                    &detail,
                    extensions(json!({ "errors": errors })),
                )
            }
            ApiError::Rule { index, breach } => problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "urn:aidledger:problem:rule",
                &format!("event {index}: {}", breach.detail),
                extensions(json!({ "rule": breach.rule, "pointer": format!("/events/{index}") })),
            ),
            ApiError::VersionConflict { current_version } => problem(
                StatusCode::CONFLICT,
                "urn:aidledger:problem:version-conflict",
                &format!("the stream is at version {current_version}"),
                extensions(json!({ "current_version": current_version })),
            ),
            ApiError::IdConflict(_) => {
                problem(StatusCode::CONFLICT, "urn:aidledger:problem:id-conflict", &detail, none())
            }
            ApiError::Unauthorized(_) => {
                let mut response = problem(StatusCode::UNAUTHORIZED, "about:blank", &detail, none());
                response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                response
            }
            ApiError::Forbidden(_) => problem(StatusCode::FORBIDDEN, "about:blank", &detail, none()),
            ApiError::NotFound(_) => problem(StatusCode::NOT_FOUND, "about:blank", &detail, none()),
            ApiError::NotAcceptable(_) => problem(StatusCode::NOT_ACCEPTABLE, "about:blank", &detail, none()),
            ApiError::PayloadTooLarge(_) => {
                let mut response = problem(StatusCode::PAYLOAD_TOO_LARGE, "about:blank", &detail, none());
                // The rest of the body is never read: the connection cannot be reused.
                response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
                response
            }
            ApiError::UnsupportedMediaType(_) => {
                let mut response =
                    problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "about:blank", &detail, none());
                response.headers_mut().insert(header::ACCEPT, HeaderValue::from_static("application/json"));
                response
            }
            ApiError::RequestTimeout(_) => {
                let mut response = problem(StatusCode::REQUEST_TIMEOUT, "about:blank", &detail, none());
                // The client may still be sending the body: the connection cannot be reused.
                response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
                response
            }
            ApiError::TooManyRequests(_) => {
                let mut response = problem(StatusCode::TOO_MANY_REQUESTS, "about:blank", &detail, none());
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                response
            }
            ApiError::Unavailable => problem(StatusCode::SERVICE_UNAVAILABLE, "about:blank", &detail, none()),
            ApiError::Busy(error) => {
                tracing::warn!(error = format!("{error:#}"), "the database was busy past its timeout");
                let mut response = problem(StatusCode::SERVICE_UNAVAILABLE, "about:blank", &detail, none());
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                response
            }
            ApiError::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "request failed");
                problem(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "about:blank",
                    "internal error; it has been logged",
                    none(),
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
pub async fn problem_for_plain_errors(response: Response) -> Response {
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
    let mut rewritten = problem(status, "about:blank", &detail, Map::new());
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            rewritten.headers_mut().insert(name.clone(), value.clone());
        }
    }
    rewritten
}

/// The body of a JSON success response.
pub fn json_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, Body::from(body)).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// The members of every error body, as the OpenAPI document describes them: [`problem`] builds the
/// body, and a test holds every [`ApiError`] to these members.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[schema(as = Problem)]
pub struct ProblemDocument {
    /// What kind of problem: `about:blank`, or `urn:aidledger:problem:schema`, `…:rule`,
    /// `…:version-conflict`, `…:id-conflict`.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// The status's reason phrase.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What was wrong, for a person to read.
    pub detail: String,
    /// A body that breaks the schema (422): each error with its JSON pointer into the body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldErrorDocument>>,
    /// A broken domain rule (422): the rule's stable name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// A broken domain rule (422): the pointer to the event that breaks it, `/events/<index>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// A wrong `expected_version` (409): the stream's version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
}

/// One schema error of a 422, as the OpenAPI document describes it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[schema(as = FieldError)]
pub struct FieldErrorDocument {
    /// RFC 6901 JSON pointer into the request body, e.g. `/events/0/data/amount_minor`.
    pub pointer: String,
    /// What is wrong there.
    pub detail: String,
}
