//! Bearer-token authentication as an extractor: a handler that takes a [`Caller`] is reachable only
//! with a live token.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::problem::ApiError;
use super::AppState;
use crate::tokens::{self, Caller};

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(AUTHORIZATION).ok_or_else(|| {
            ApiError::Unauthorized("this endpoint needs Authorization: Bearer <token>".into())
        })?;
        let secret = header
            .to_str()
            .ok()
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|secret| !secret.is_empty())
            .ok_or_else(|| {
                ApiError::Unauthorized("the Authorization header must be Bearer <token>".into())
            })?;
        match tokens::authenticate(state.store.pool(), secret).await? {
            Some(caller) => Ok(caller),
            None => {
                tracing::warn!(path = %parts.uri.path(), "authentication failed: unknown or revoked token");
                Err(ApiError::Unauthorized("the token is unknown or revoked".into()))
            }
        }
    }
}

/// Refuses the caller unless `allowed`.
pub fn require(caller: &Caller, allowed: bool, what: &str) -> Result<(), ApiError> {
    if allowed {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!("role {} may not {what}", caller.role)))
    }
}
