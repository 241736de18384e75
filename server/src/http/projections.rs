//! `GET /v1/projections` (each projection's checkpoint and lag, and whether this process is the one
//! applying events) and
//! `POST /v1/projections/{name}/rebuild` (admin).

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use projections::table::{Cell, Table};
use projections::ProjectionName;
use serde::Serialize;

use super::auth::require;
use super::openapi::responses::{BadRequest, Forbidden, NotFound};
use super::problem::ApiError;
use super::tabular::{respond, Format, FormatParams};
use super::AppState;
use crate::projector::ProjectionStatus;
use crate::tokens::Caller;

/// `GET /v1/projections`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProjectionsStatus {
    /// The log's last position.
    pub head_position: i64,
    /// Whether this process is the one applying events.
    pub leader: bool,
    /// Each projection's checkpoint and lag.
    pub projections: Vec<ProjectionStatus>,
}

/// `POST /v1/projections/{name}/rebuild`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Rebuilt {
    /// The position it reached.
    pub checkpoint: i64,
    /// How long the rebuild took.
    pub elapsed_ms: u64,
    /// The projection.
    pub name: &'static str,
}

/// `GET /v1/projections`.
#[utoipa::path(get, path = "/v1/projections", tag = "projections", params(FormatParams),
    security(("bearer" = [])),
    description = "Each projection's checkpoint and lag, and whether this process applies events (every role).",
    responses(
        (status = 200, description = "The projections", content(
            (ProjectionsStatus = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, response = BadRequest),
    ))]
pub async fn status(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Query(params): Query<FormatParams>,
) -> Result<Response, ApiError> {
    require(&caller, caller.role.may_read_figures(), "read projection status")?;
    let format = Format::negotiate(params.format.as_deref(), &headers)?;
    let (head, projections) = state.projector.status().await?;
    let mut table = Table::new(&["name", "checkpoint", "lag"]);
    table.rows = projections
        .iter()
        .map(|p| vec![Cell::Text(p.name.clone()), Cell::Int(p.checkpoint), Cell::Int(p.lag)])
        .collect();
    let status = ProjectionsStatus { head_position: head, leader: state.projector.is_leader(), projections };
    respond(format, &status, &table, 0)
}

/// `POST /v1/projections/{name}/rebuild`: empties the projection and applies the log again from
/// position 1; answers once it has caught up.
#[utoipa::path(post, path = "/v1/projections/{name}/rebuild", tag = "projections", security(("bearer" = [])),
    params(("name" = String, Path, description = "The projection")),
    description = "Empties the projection and applies the log again from position 1 (admin).",
    responses(
        (status = 200, description = "Rebuilt", body = Rebuilt),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ))]
pub async fn rebuild(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    require(&caller, caller.role.may_rebuild(), "rebuild projections")?;
    let projection: ProjectionName = name.parse().map_err(ApiError::NotFound)?;
    let started = std::time::Instant::now();
    let checkpoint = state.projector.rebuild(projection).await?;
    let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let rebuilt = Rebuilt { checkpoint, elapsed_ms, name: projection.as_str() };
    respond(Format::Json, &rebuilt, &Table::default(), 0)
}
