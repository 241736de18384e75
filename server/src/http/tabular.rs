//! Answering tabular endpoints as JSON or, when asked (`?format=csv`, or an `Accept` header that
//! prefers `text/csv`), as CSV; 406 for an `Accept` header that takes neither.

use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use projections::table::Table;
use serde::Serialize;

use super::problem::{json_answer, ApiError};

/// The header that says how many events the read models were behind when they answered.
pub(crate) const LAG_HEADER: &str = "aidledger-projection-lag";

/// `?format=` alone, for endpoints that take no other parameter.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FormatParams {
    /// `json` or `csv` [default: the one the `Accept` header prefers by its q-values, else JSON;
    /// 406 when it accepts neither].
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
    /// From `?format=` (which wins) or the `Accept` header: the acceptable one the client prefers
    /// (see [`preferred`]); JSON when it states no preference; 406 when it accepts neither.
    pub(crate) fn negotiate(format: Option<&str>, headers: &HeaderMap) -> Result<Format, ApiError> {
        match format {
            Some("csv") => Ok(Format::Csv),
            Some("json") => Ok(Format::Json),
            Some(other) => Err(ApiError::BadRequest(format!("format must be json or csv, not \"{other}\""))),
            None => {
                let values: Vec<&str> =
                    headers.get_all(ACCEPT).iter().filter_map(|v| v.to_str().ok()).collect();
                let accept = values.join(",");
                preferred(&accept).ok_or_else(|| {
                    ApiError::NotAcceptable(format!(
                        "Accept {accept:?} accepts neither application/json nor text/csv, the two this \
                         endpoint answers (or ask with ?format=json or ?format=csv)"
                    ))
                })
            }
        }
    }

    fn media_type(self) -> (&'static str, &'static str) {
        match self {
            Format::Json => ("application", "json"),
            Format::Csv => ("text", "csv"),
        }
    }
}

/// How well one media range of an `Accept` header matches a format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Match {
    /// The range's weight, in thousandths (`q=0.5` is 500).
    quality: u16,
    /// 2 for `type/subtype`, 1 for `type/*`, 0 for `*/*`.
    specificity: u8,
    /// Where the range stands in the header, reversed: earlier ranges rank higher.
    earlier: std::cmp::Reverse<usize>,
}

/// The format an `Accept` header (RFC 9110 §12.5.1) prefers: each format takes the weight of the
/// most specific range that matches it (so `text/csv;q=0` refuses CSV even beside `*/*`); the
/// heavier format wins, then the one named more specifically, then the one named first, then JSON.
/// An empty header states no preference: JSON. `None` when neither format is acceptable.
fn preferred(accept: &str) -> Option<Format> {
    if accept.trim().is_empty() {
        return Some(Format::Json);
    }
    let ranges: Vec<(usize, mime::Mime)> =
        accept.split(',').filter_map(|range| range.trim().parse::<mime::Mime>().ok()).enumerate().collect();
    let best = |format: Format| -> Option<Match> {
        let (kind, subtype) = format.media_type();
        let matched = ranges.iter().filter_map(|(index, range)| {
            let specificity = match (range.type_().as_str(), range.subtype().as_str()) {
                (t, s) if t == kind && s == subtype => 2,
                (t, "*") if t == kind => 1,
                ("*", "*") => 0,
                _ => return None,
            };
            Some((specificity, *index, quality(range)))
        });
        // The most specific range decides the weight (the first of them if repeated).
        let (specificity, index, quality) = matched.min_by_key(|(s, i, _)| (std::cmp::Reverse(*s), *i))?;
        (quality > 0).then_some(Match { quality, specificity, earlier: std::cmp::Reverse(index) })
    };
    match (best(Format::Json), best(Format::Csv)) {
        (Some(json), Some(csv)) if csv > json => Some(Format::Csv),
        (Some(_), _) => Some(Format::Json),
        (None, Some(_)) => Some(Format::Csv),
        (None, None) => None,
    }
}

/// A range's `q`, in thousandths: 1000 when absent; one that breaks the grammar
/// (`"0" ["." 0*3DIGIT] / "1" ["." 0*3("0")]`) counts as 0, not acceptable.
fn quality(range: &mime::Mime) -> u16 {
    let Some(q) = range.get_param("q") else { return 1000 };
    let (whole, fraction) = q.as_str().split_once('.').unwrap_or((q.as_str(), ""));
    let well_formed =
        matches!(whole, "0" | "1") && fraction.len() <= 3 && fraction.bytes().all(|b| b.is_ascii_digit());
    let thousandths: u16 =
        if well_formed { format!("{whole}{fraction:0<3}").parse().unwrap_or(0) } else { 0 };
    if thousandths > 1000 {
        0
    } else {
        thousandths
    }
}

/// Answers `answer` as JSON, or `table` as CSV, with the lag header when the read models were
/// behind.
pub(crate) fn respond<T: Serialize>(
    format: Format,
    answer: &T,
    table: &Table,
    lag: i64,
) -> Result<Response, ApiError> {
    let mut response = match format {
        Format::Json => json_answer(StatusCode::OK, answer)?,
        Format::Csv => {
            let mut response = (StatusCode::OK, table.to_csv()).into_response();
            response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
            response
        }
    };
    if lag > 0 {
        response.headers_mut().insert(LAG_HEADER, HeaderValue::from(lag));
    }
    Ok(response)
}

#[cfg(test)]
#[path = "tabular_tests.rs"]
mod tests;
