//! Liveness and chain verification.

use axum::extract::State;
use axum::Json;
use serde::Serialize;

use super::auth::require;
use super::openapi::responses::Forbidden;
use super::problem::ApiError;
use super::AppState;
use crate::store::VerifyReport;
use crate::tokens::Caller;

/// `GET /healthz`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// Always `ok`.
    #[schema(pattern = "^ok$")]
    pub status: &'static str,
}

/// `GET /healthz`: the process answers and the database is reachable.
#[utoipa::path(get, path = "/healthz", tag = "status",
    responses((status = 200, description = "The server and its database answer", body = Health)))]
pub async fn healthz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    sqlx::query("SELECT 1").execute(state.store.pool()).await?;
    Ok(Json(Health { status: "ok" }))
}

/// `GET /v1/verify`: re-verifies the whole chain.
#[utoipa::path(get, path = "/v1/verify", tag = "status", security(("bearer" = [])),
    description = "Re-verifies every record's hash and the chain (staff, supervisor, auditor, admin).",
    responses(
        (status = 200, description = "The verification's outcome", body = VerifyReport),
        (status = 403, response = Forbidden),
    ))]
pub async fn verify(State(state): State<AppState>, caller: Caller) -> Result<Json<VerifyReport>, ApiError> {
    require(&caller, caller.role.may_verify(), "verify the chain")?;
    Ok(Json(state.store.verify().await?))
}
