//! `GET /v1/me`: who holds the token a request carries, and its role, so that a client such as the
//! console can offer only what the API would allow that role.

use axum::Json;
use domain::Role;
use serde::Serialize;

use crate::tokens::Caller;

/// `GET /v1/me`: who holds the token, and what it may do.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    /// Who holds the token (`meta.actor` of what it appends).
    pub principal: String,
    /// What it may do.
    pub role: Role,
}

/// `GET /v1/me` (any valid token): `{"principal", "role"}`.
#[utoipa::path(get, path = "/v1/me", tag = "tokens", security(("bearer" = [])),
    description = "Who holds the token and its role (any valid token).",
    responses((status = 200, description = "The token's principal and role", body = Me)))]
pub async fn me(caller: Caller) -> Json<Me> {
    Json(Me { principal: caller.principal, role: caller.role })
}
