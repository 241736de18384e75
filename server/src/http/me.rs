//! `GET /v1/me`: who holds the token a request carries, and its role, so that a client such as the
//! console can offer only what the API would allow that role.

use axum::Json;
use serde_json::{json, Value};

use super::openapi::schemas::Me;
use crate::tokens::Caller;

/// `GET /v1/me` (any valid token): `{"principal", "role"}`.
#[utoipa::path(get, path = "/v1/me", tag = "tokens", security(("bearer" = [])),
    description = "Who holds the token and its role (any valid token).",
    responses((status = 200, description = "The token's principal and role", body = Me)))]
pub async fn me(caller: Caller) -> Json<Value> {
    Json(json!({"principal": caller.principal, "role": caller.role.as_str()}))
}
