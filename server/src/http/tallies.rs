//! `GET /v1/tallies/{name}`: counts and sums grouped by one dimension.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use projections::queries::tallies::{self, TallyName};
use projections::queries::Period;
use projections::table::Table;
use serde::{Deserialize, Serialize};

use super::auth::require;
use super::openapi::responses::{BadRequest, NotFound};
use super::problem::ApiError;
use super::tabular::{respond, Format};
use super::AppState;
use crate::tokens::Caller;

/// `?group_by=&from=&to=&format=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TallyParams {
    /// The dimension to group by [default: month]: `month`, `district`, `kind`, `form`,
    /// `activity_kind`, `fund`, `topic`, `status`, `staff` or `campaign`, whichever the tally has.
    group_by: Option<String>,
    /// First day of the period, `YYYY-MM-DD` (with `to`) [default: all time].
    #[param(format = Date, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    from: Option<String>,
    /// First day after the period (exclusive), `YYYY-MM-DD` (with `from`).
    #[param(format = Date, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    to: Option<String>,
    /// `json` or `csv` [default: the one the `Accept` header prefers by its q-values, else JSON;
    /// 406 when it accepts neither].
    #[param(pattern = "^(json|csv)$")]
    format: Option<String>,
}

/// `GET /v1/tallies/{name}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Tally {
    /// First day of the period (`0000-01-01` for all time).
    pub from: String,
    /// The dimension grouped by.
    pub group_by: String,
    /// One row per group: the group's value and the tally's counts and sums.
    #[schema(value_type = Vec<Object>)]
    pub rows: Table,
    /// The tally.
    pub tally: String,
    /// First day after the period (`9999-12-31` for all time).
    pub to: String,
}

/// `GET /v1/tallies/{name}`; `group_by` defaults to `month`, the period to all time.
#[utoipa::path(get, path = "/v1/tallies/{name}", tag = "reports", security(("bearer" = [])),
    params(("name" = String, Path, description = "The tally"), TallyParams),
    description = "Counts and sums grouped by one dimension (every role).",
    responses(
        (status = 200, description = "One row per group", content(
            (Tally = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
    ))]
pub async fn tally(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(name): Path<String>,
    Query(params): Query<TallyParams>,
) -> Result<Response, ApiError> {
    require(&caller, caller.role.may_read_figures(), "read tallies")?;
    let name: TallyName = name.parse().map_err(ApiError::NotFound)?;
    let format = Format::negotiate(params.format.as_deref(), &headers)?;
    let period = match (params.from, params.to) {
        (None, None) => Period::all_time(),
        (Some(from), Some(to)) => Period::parse(&from, &to).map_err(ApiError::BadRequest)?,
        _ => return Err(ApiError::BadRequest("give both from and to, or neither".into())),
    };
    let group_by = params.group_by.unwrap_or_else(|| "month".into());
    let lag = state.projector.wait_caught_up().await;
    let rows = tallies::tally(state.store.pool(), name, &group_by, &period)
        .await
        .map_err(anyhow::Error::from)?
        .map_err(ApiError::BadRequest)?;
    let tally = Tally { from: period.from, group_by, rows, tally: name.as_str().to_owned(), to: period.to };
    respond(format, &tally, &tally.rows, lag)
}
