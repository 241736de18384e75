//! The ledgers staff follow up on: `GET /v1/concerns` and `GET /v1/pairings/overdue`, and fund
//! balances at `GET /v1/funds/{id}`.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use domain::values::{Date, Id};
use projections::queries::funds::{self, FundBalance};
use projections::queries::ledgers::{self, ConcernStatus};
use projections::table::Table;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::auth::require;
use super::openapi::responses::{BadRequest, Forbidden, NotFound};
use super::problem::ApiError;
use super::tabular::{respond, Format, FormatParams};
use super::AppState;
use crate::tokens::Caller;

/// `?status=open|resolved&format=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ConcernParams {
    /// `open` or `resolved` [default: both].
    #[param(pattern = "^(open|resolved)$")]
    status: Option<String>,
    /// `json` or `csv` [default: the one the `Accept` header prefers by its q-values, else JSON;
    /// 406 when it accepts neither].
    #[param(pattern = "^(json|csv)$")]
    format: Option<String>,
}

/// `?as_of=YYYY-MM-DD&format=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OverdueParams {
    /// The day to count overdue at, `YYYY-MM-DD` [default: today, UTC].
    #[param(format = Date, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    as_of: Option<String>,
    /// `json` or `csv` [default: the one the `Accept` header prefers by its q-values, else JSON;
    /// 406 when it accepts neither].
    #[param(pattern = "^(json|csv)$")]
    format: Option<String>,
}

/// `GET /v1/concerns`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Concerns {
    /// One row per concern.
    #[schema(value_type = Vec<Object>)]
    pub concerns: Table,
}

/// `GET /v1/pairings/overdue`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OverduePairings {
    /// The day overdue is counted at.
    pub as_of: String,
    /// One row per overdue pairing.
    #[schema(value_type = Vec<Object>)]
    pub pairings: Table,
}

/// `GET /v1/concerns`.
#[utoipa::path(get, path = "/v1/concerns", tag = "reports", params(ConcernParams), security(("bearer" = [])),
    description = "The ledger of concerns raised on visits (every role but analyst).",
    responses(
        (status = 200, description = "One row per concern", content(
            (Concerns = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, response = BadRequest),
        (status = 403, response = Forbidden),
    ))]
pub async fn concerns(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Query(params): Query<ConcernParams>,
) -> Result<Response, ApiError> {
    require(&caller, caller.role.may_read_trails(), "read the concern ledger")?;
    let format = Format::negotiate(params.format.as_deref(), &headers)?;
    let status = match params.status.as_deref() {
        None => ConcernStatus::All,
        Some("open") => ConcernStatus::Open,
        Some("resolved") => ConcernStatus::Resolved,
        Some(other) => {
            return Err(ApiError::BadRequest(format!("status must be open or resolved, not \"{other}\"")))
        }
    };
    let lag = state.projector.wait_caught_up().await;
    let concerns = ledgers::concerns(state.store.pool(), status).await.map_err(anyhow::Error::from)?;
    let concerns = Concerns { concerns };
    respond(format, &concerns, &concerns.concerns, lag)
}

/// `GET /v1/pairings/overdue`; `as_of` defaults to today (UTC).
#[utoipa::path(get, path = "/v1/pairings/overdue", tag = "reports", params(OverdueParams),
    security(("bearer" = [])),
    description = "Pairings whose call or visit is overdue (every role but analyst).",
    responses(
        (status = 200, description = "One row per overdue pairing", content(
            (OverduePairings = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, response = BadRequest),
        (status = 403, response = Forbidden),
    ))]
pub(crate) async fn overdue_pairings(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Query(params): Query<OverdueParams>,
) -> Result<Response, ApiError> {
    require(&caller, caller.role.may_read_trails(), "read pairings")?;
    let format = Format::negotiate(params.format.as_deref(), &headers)?;
    let as_of = match params.as_of {
        Some(text) => Date::parse(&text).map_err(|e| ApiError::BadRequest(format!("as_of: {e}")))?,
        None => Date(OffsetDateTime::now_utc().date()),
    };
    let lag = state.projector.wait_caught_up().await;
    let pairings =
        ledgers::overdue_pairings(state.store.pool(), &as_of).await.map_err(anyhow::Error::from)?;
    let overdue = OverduePairings { as_of: as_of.to_string(), pairings };
    respond(format, &overdue, &overdue.pairings, lag)
}

/// `GET /v1/funds/{id}`.
#[utoipa::path(get, path = "/v1/funds/{id}", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path, description = "The fund's UUID"), FormatParams),
    description = "A fund's budget and what was requested, approved, paid and reversed (every role).",
    responses(
        (status = 200, description = "The fund's balance", content(
            (FundBalance = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
    ))]
pub async fn fund(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(params): Query<FormatParams>,
) -> Result<Response, ApiError> {
    require(&caller, caller.role.may_read_figures(), "read funds")?;
    let format = Format::negotiate(params.format.as_deref(), &headers)?;
    let id = Id::parse(&id).map_err(ApiError::NotFound)?;
    let lag = state.projector.wait_caught_up().await;
    let table = funds::fund(state.store.pool(), &id.to_string()).await.map_err(anyhow::Error::from)?;
    let Some(balance) = FundBalance::from_table(&table) else {
        return Err(ApiError::NotFound(format!("there is no fund {id}")));
    };
    respond(format, &balance, &table, lag)
}
