//! Bearer-token authentication as an extractor: a handler that takes a [`Caller`] is reachable only
//! with a live token.
//!
//! Every refusal is logged with the method, the path and why, and never with the header's value: a
//! mistyped token is usually one character away from a real one, and logs travel further than the
//! database does.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::problem::ApiError;
use super::AppState;
use crate::tokens::Caller;

/// Why a request did not authenticate, as logged.
#[derive(Clone, Copy, Debug)]
enum Refusal {
    /// No `Authorization` header.
    Missing,
    /// A header that is not `Bearer <token>`.
    Malformed,
    /// A well-formed token that is not a live one.
    UnknownOrRevoked,
}

impl Refusal {
    fn reason(self) -> &'static str {
        match self {
            Refusal::Missing => "no Authorization header",
            Refusal::Malformed => "the Authorization header is not Bearer <token>",
            Refusal::UnknownOrRevoked => "unknown or revoked token",
        }
    }

    fn answer(self) -> ApiError {
        ApiError::Unauthorized(
            match self {
                Refusal::Missing => "this endpoint needs Authorization: Bearer <token>",
                Refusal::Malformed => "the Authorization header must be Bearer <token>",
                Refusal::UnknownOrRevoked => "the token is unknown or revoked",
            }
            .into(),
        )
    }
}

/// Logs `refusal` (without any part of the header) and answers 401.
fn refuse(parts: &Parts, refusal: Refusal) -> ApiError {
    tracing::warn!(
        method = %parts.method,
        path = %parts.uri.path(),
        reason = refusal.reason(),
        "authentication failed"
    );
    refusal.answer()
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(header) = parts.headers.get(AUTHORIZATION) else {
            return Err(refuse(parts, Refusal::Missing));
        };
        let secret = header.to_str().ok().and_then(bearer_secret);
        let Some(secret) = secret else {
            return Err(refuse(parts, Refusal::Malformed));
        };
        match state.tokens.authenticate(secret).await? {
            Some(caller) => Ok(caller),
            None => Err(refuse(parts, Refusal::UnknownOrRevoked)),
        }
    }
}

/// The token of an `Authorization` value `Bearer <token>`. The scheme is case-insensitive
/// (RFC 9110 §11.1) and is followed by one or more spaces.
fn bearer_secret(value: &str) -> Option<&str> {
    let (scheme, rest) = value.split_once(' ')?;
    let secret = rest.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !secret.is_empty()).then_some(secret)
}

/// Refuses the caller unless `allowed`.
pub(crate) fn require(caller: &Caller, allowed: bool, what: &str) -> Result<(), ApiError> {
    if allowed {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!("role {} may not {what}", caller.role)))
    }
}
