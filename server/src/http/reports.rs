//! `GET /v1/reports/summary` and its trace: the figures of a work report, each traceable to the
//! positions of the events behind it.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use domain::events::report::ReportedValue;
use domain::values::Currency;
use projections::figure::Figure;
use projections::queries::summary::{self, Summary, SummaryQuery};
use projections::queries::Period;
use projections::table::{Cell, Table};
use serde::{Deserialize, Serialize};

use super::auth::require;
use super::openapi::responses::BadRequest;
use super::problem::ApiError;
use super::tabular::{respond, Format};
use super::AppState;
use crate::closing::{self, ClosedReport};
use crate::tokens::Caller;

/// `?from=&to=&district=&format=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SummaryParams {
    /// First day of the period, `YYYY-MM-DD`.
    #[param(required = true, format = Date, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    from: Option<String>,
    /// First day after the period (exclusive), `YYYY-MM-DD`, after `from`.
    #[param(required = true, format = Date, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    to: Option<String>,
    /// Only beneficiaries of this district, for the figures about beneficiaries.
    district: Option<String>,
    /// Only payments and reversals in this currency, for the money figures [default: the ledger's
    /// one currency; when it pays in several, the money figures are given per currency].
    #[param(pattern = "^[A-Z]{3}$")]
    currency: Option<String>,
    /// `json` or `csv` [default: the one the `Accept` header prefers by its q-values, else JSON;
    /// 406 when it accepts neither].
    #[param(pattern = "^(json|csv)$")]
    format: Option<String>,
}

/// `?figure=&from=&to=&district=&format=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TraceParams {
    /// The figure (`activities.<kind>` for one kind of activity).
    #[param(required = true)]
    figure: Option<String>,
    /// First day of the period, `YYYY-MM-DD`.
    #[param(required = true, format = Date, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    from: Option<String>,
    /// First day after the period (exclusive), `YYYY-MM-DD`, after `from`.
    #[param(required = true, format = Date, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    to: Option<String>,
    /// Only beneficiaries of this district, for the figures about beneficiaries.
    district: Option<String>,
    /// Only payments and reversals in this currency, for the money figures [default: the ledger's
    /// one currency; when it pays in several, the money figures are given per currency].
    #[param(pattern = "^[A-Z]{3}$")]
    currency: Option<String>,
    /// `json` or `csv` [default: the one the `Accept` header prefers by its q-values, else JSON;
    /// 406 when it accepts neither].
    #[param(pattern = "^(json|csv)$")]
    format: Option<String>,
}

/// `GET /v1/reports/summary/trace`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Trace {
    /// The figure.
    pub figure: String,
    /// First day of the period.
    pub from: String,
    /// The positions of exactly the events behind the figure.
    pub positions: Vec<i64>,
    /// First day after the period.
    pub to: String,
}

fn summary_query(
    from: Option<String>,
    to: Option<String>,
    district: Option<String>,
    currency: Option<String>,
) -> Result<SummaryQuery, ApiError> {
    let (Some(from), Some(to)) = (from, to) else {
        return Err(ApiError::BadRequest("from and to are required (YYYY-MM-DD; to is exclusive)".into()));
    };
    let period = Period::parse(&from, &to).map_err(ApiError::BadRequest)?;
    if district.as_deref().is_some_and(|d| d.contains('\0')) {
        return Err(ApiError::BadRequest("district must not hold U+0000".into()));
    }
    let currency = match currency.filter(|c| !c.is_empty()) {
        Some(code) => Some(Currency::try_from(code).map_err(ApiError::BadRequest)?.as_str().to_owned()),
        None => None,
    };
    Ok(SummaryQuery { period, district: district.filter(|d| !d.is_empty()), currency })
}

/// `GET /v1/reports/summary`.
#[utoipa::path(get, path = "/v1/reports/summary", tag = "reports", params(SummaryParams),
    security(("bearer" = [])),
    description = "The work report's figures for a period (every role). When the ledger pays in more than \
                   one currency and none is asked for, the money figures are left out of `figures` and given \
                   per currency in `by_currency`. CSV: `figure,value` rows, with `activities` flattened to \
                   `activities.<kind>` and money per currency to `<figure>.<currency>`.",
    responses(
        (status = 200, description = "The figures", content(
            (SummaryAnswer = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, response = BadRequest),
    ))]
pub async fn summary(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Query(params): Query<SummaryParams>,
) -> Result<Response, ApiError> {
    require(&caller, caller.role.may_read_figures(), "read reports")?;
    let format = Format::negotiate(params.format.as_deref(), &headers)?;
    let query = summary_query(params.from, params.to, params.district, params.currency)?;
    let lag = state.projector.wait_caught_up().await;
    let summary = summary::summary(state.store.pool(), &query).await.map_err(anyhow::Error::from)?;
    let table = summary::summary_table(&summary);
    let closed = match query.currency {
        None => closing::closed_for(state.store.pool(), &query).await?,
        Some(_) => None,
    };
    let answer = match closed {
        Some(report) => {
            let late = late_figures(state.store.pool(), &summary, &query, &report).await?;
            SummaryAnswer { closed: Some(Closed::of(report)), late: Some(late), summary }
        }
        None => SummaryAnswer { closed: None, late: None, summary },
    };
    respond(format, &answer, &table, lag)
}

/// `GET /v1/reports/summary`: the figures, and, for a period that was closed, the report that closed
/// it and what moved since.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SummaryAnswer {
    /// The summary as it stands now.
    #[serde(flatten)]
    pub summary: Summary,
    /// The latest report that closed this period (and district), when one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub closed: Option<Closed>,
    /// For a closed period, each figure that late events (recorded after the report's tree size)
    /// moved or touched: by how much, and those events' positions.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub late: Option<BTreeMap<String, LateFigure>>,
}

/// The report that closed a period, as the summary shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Closed {
    /// The money figures per currency as reported, when the ledger paid in several.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<Object>)]
    pub by_currency: Option<BTreeMap<String, BTreeMap<String, i64>>>,
    /// The figures as reported.
    #[schema(value_type = Object)]
    pub figures: BTreeMap<String, ReportedValue>,
    /// The position of its `ReportClosed` record.
    pub position: i64,
    /// The report's id (`GET /v1/reports/{id}/bundle`).
    pub report_id: String,
    /// The figures count the log's first `tree_size` records.
    pub tree_size: i64,
}

impl Closed {
    fn of(report: ClosedReport) -> Closed {
        Closed {
            by_currency: report.report.by_currency,
            figures: report.report.figures,
            position: report.position,
            report_id: report.report_id,
            tree_size: i64::from(report.report.tree_size),
        }
    }
}

/// How late events moved one figure of a closed period.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LateFigure {
    /// The figure now minus the figure as reported.
    pub delta: i64,
    /// The late events behind the change, ascending.
    pub positions: Vec<i64>,
}

/// The value a closed report gave `figure` (0 for a part it had no entry for).
fn reported_value(figures: &BTreeMap<String, ReportedValue>, figure: Figure) -> Option<i64> {
    match (figure.key(), figures.get(figure.key().0)) {
        ((_, None), Some(ReportedValue::Value(value))) => Some(*value),
        ((_, Some(part)), Some(ReportedValue::Parts(parts))) => Some(parts.get(part).copied().unwrap_or(0)),
        ((_, Some(_)), None) => Some(0),
        _ => None,
    }
}

/// Every figure of `summary` that late events moved or touched since `report` closed its period.
async fn late_figures(
    pool: &sqlx::AnyPool,
    summary: &Summary,
    query: &SummaryQuery,
    report: &ClosedReport,
) -> Result<BTreeMap<String, LateFigure>, ApiError> {
    let tree_size = i64::from(report.report.tree_size);
    let mut late = BTreeMap::new();
    for figure in Figure::traceable() {
        let (Some(now), Some(then)) =
            (summary.figures.get(figure), reported_value(&report.report.figures, figure))
        else {
            continue;
        };
        let positions = summary::late(pool, figure, query, tree_size)
            .await
            .map_err(anyhow::Error::from)?
            .unwrap_or_default();
        if now != then || !positions.is_empty() {
            late.insert(figure.name().into_owned(), LateFigure { delta: now - then, positions });
        }
    }
    Ok(late)
}

/// `GET /v1/reports/summary/trace`.
#[utoipa::path(get, path = "/v1/reports/summary/trace", tag = "reports", params(TraceParams),
    security(("bearer" = [])),
    description = "The positions of exactly the events counted or summed in one figure.",
    responses(
        (status = 200, description = "The positions", content(
            (Trace = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, response = BadRequest),
    ))]
pub async fn trace(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Query(params): Query<TraceParams>,
) -> Result<Response, ApiError> {
    require(&caller, caller.role.may_read_figures(), "read reports")?;
    let format = Format::negotiate(params.format.as_deref(), &headers)?;
    let Some(name) = params.figure else {
        return Err(ApiError::BadRequest("figure is required".into()));
    };
    let query = summary_query(params.from, params.to, params.district, params.currency)?;
    let lag = state.projector.wait_caught_up().await;
    let traced = match Figure::parse_traceable(&name) {
        Some(figure) => {
            summary::trace(state.store.pool(), figure, &query).await.map_err(anyhow::Error::from)?
        }
        None => None,
    };
    let Some(positions) = traced else {
        let figures: Vec<_> = Figure::REPORTED.into_iter().map(Figure::name).collect();
        return Err(ApiError::BadRequest(format!(
            "\"{name}\" is not a figure; figures are {} (and {}.<kind>)",
            figures.join(", "),
            Figure::Activities
        )));
    };
    let mut table = Table::new(&["position"]);
    table.rows = positions.iter().map(|p| vec![Cell::Int(*p)]).collect();
    let trace = Trace { figure: name, from: query.period.from, positions, to: query.period.to };
    respond(format, &trace, &table, lag)
}
