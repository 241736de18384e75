//! The body of a request that sends JSON, as an extractor: every endpoint that takes a body reads it
//! through [`JsonBody`], so each answers a body declared as something else (415), one over the body
//! limit (413) and one that is not strict JSON (400) alike.
//!
//! A body sent with no `Content-Type` at all is read as JSON, since nothing else was declared.
//! `application/json` may carry parameters; a `charset` other than UTF-8 is refused (RFC 8259: JSON
//! exchanged between systems is UTF-8).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use domain::strict_json;
use serde_json::Value;

use super::problem::ApiError;
use super::AppState;

/// A request body that was declared as JSON (or not declared) and parses as strict JSON.
#[derive(Debug)]
pub struct JsonBody(pub Value);

impl FromRequest<AppState> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        check_content_type(request.headers())?;
        let body =
            Bytes::from_request(request, state).await.map_err(|rejection| match rejection.status() {
                StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge(state.limits.body_bytes_max),
                _ => ApiError::BadRequest(rejection.body_text()),
            })?;
        let value = strict_json::parse(&body).map_err(|e| ApiError::BadRequest(e.to_string()))?;
        Ok(JsonBody(value))
    }
}

/// Refuses a body declared as anything but `application/json` (UTF-8).
fn check_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(declared) = headers.get(CONTENT_TYPE) else { return Ok(()) };
    let refuse = |what: String| {
        ApiError::UnsupportedMediaType(format!("{what}; send the body as Content-Type: application/json"))
    };
    let text = declared.to_str().map_err(|_| refuse("the Content-Type header is not ASCII".into()))?;
    let media: mime::Mime =
        text.parse().map_err(|_| refuse(format!("Content-Type {text:?} is not a media type")))?;
    if media.essence_str() != mime::APPLICATION_JSON.essence_str() {
        return Err(refuse(format!("the body is declared as {}, not JSON", media.essence_str())));
    }
    match media.get_param(mime::CHARSET) {
        Some(charset) if charset != mime::UTF_8 => {
            Err(refuse(format!("the body is declared in charset {charset}, and JSON is UTF-8")))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn declared(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_str(value).expect("a header value"));
        headers
    }

    #[test]
    fn json_with_or_without_parameters_or_no_declaration_at_all_is_read() {
        assert!(check_content_type(&HeaderMap::new()).is_ok());
        for value in [
            "application/json",
            "Application/JSON",
            "application/json; charset=utf-8",
            "application/json;charset=UTF-8",
        ] {
            assert!(check_content_type(&declared(value)).is_ok(), "{value}");
        }
    }

    #[test]
    fn another_declared_media_type_or_charset_is_refused() {
        for value in [
            "text/plain",
            "application/xml",
            "application/x-www-form-urlencoded",
            "application/json; charset=latin1",
            "json",
        ] {
            let error = check_content_type(&declared(value)).expect_err(value);
            assert!(matches!(error, ApiError::UnsupportedMediaType(_)), "{value}: {error}");
        }
    }
}
