//! Answering tabular endpoints as JSON or, when asked (`?format=csv` or `Accept: text/csv`), as CSV.

use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use projections::table::Table;
use serde_json::Value;

use super::problem::{json_response, ApiError};

/// The header that says how many events the read models were behind when they answered.
pub const LAG_HEADER: &str = "aidledger-projection-lag";

/// `?format=` alone, for endpoints that take no other parameter.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FormatParams {
    /// `json` or `csv` [default: from the `Accept` header, else JSON].
    #[param(pattern = "^(json|csv)$")]
    pub format: Option<String>,
}

/// What the client asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `application/json`.
    Json,
    /// `text/csv`.
    Csv,
}

impl Format {
    /// From `?format=` (which wins) or the `Accept` header.
    pub fn negotiate(format: Option<&str>, headers: &HeaderMap) -> Result<Format, ApiError> {
        match format {
            Some("csv") => Ok(Format::Csv),
            Some("json") => Ok(Format::Json),
            Some(other) => Err(ApiError::BadRequest(format!("format must be json or csv, not \"{other}\""))),
            None => {
                let accept = headers.get(ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or_default();
                Ok(if accept.contains("text/csv") { Format::Csv } else { Format::Json })
            }
        }
    }
}

/// Answers `json` as JSON, or `table` as CSV, with the lag header when the read models were behind.
pub fn respond(format: Format, json: Value, table: &Table, lag: i64) -> Response {
    let mut response = match format {
        Format::Json => json_response(StatusCode::OK, json.to_string()),
        Format::Csv => {
            let mut response = (StatusCode::OK, table.to_csv()).into_response();
            response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
            response
        }
    };
    if lag > 0 {
        response.headers_mut().insert(LAG_HEADER, HeaderValue::from(lag));
    }
    response
}
