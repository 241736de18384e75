//! Liveness, readiness and chain verification.

use axum::extract::State;
use axum::Json;
use serde::Serialize;

use super::auth::require;
use super::openapi::responses::{Forbidden, ServiceUnavailable};
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

/// `GET /readyz`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Ready {
    /// Always `ready`.
    #[schema(pattern = "^ready$")]
    pub status: &'static str,
}

/// `GET /readyz`: the database has every migration and the projections have caught up with the
/// log as it was when the server started (503 until then; it stays ready once it is).
#[utoipa::path(get, path = "/readyz", tag = "status",
    description = "Ready for traffic: migrated, and the projections caught up with the log the server \
                   started with. 503 until then; once ready it stays ready.",
    responses(
        (status = 200, description = "Ready", body = Ready),
        (status = 503, response = ServiceUnavailable),
    ))]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Ready>, ApiError> {
    match state.readiness.check().await? {
        Ok(()) => Ok(Json(Ready { status: "ready" })),
        Err(not_ready) => Err(ApiError::NotReady(not_ready.to_string())),
    }
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
