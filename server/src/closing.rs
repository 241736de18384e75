//! Closing a reporting period: the summary computed over an exact prefix of the log, appended as
//! `ReportClosed` to a report stream of its own, and the closed reports found again by period.
//!
//! A closed report's figures must be what the log's first `tree_size` records give, no more and no
//! less. The projections apply the log batch by batch, each batch moving every checkpoint in the
//! transaction that writes its rows; so figures read between two readings of the checkpoints that
//! agree, with every projection at the same position, are the figures of exactly that prefix.

use anyhow::Context;
use domain::events::report::ReportClosed;
use domain::events::{Event, EventType, ReportEvent};
use domain::values::Id;
use domain::{StreamKind, StreamName};
use projections::queries::summary::{self, Summary, SummaryQuery};
use projections::runner;
use sqlx::AnyPool;

/// How often the figures are read again when the projections moved while they were read, before
/// the close is given up as too busy to pin.
const SNAPSHOT_ATTEMPTS: usize = 50;

/// A summary and the number of records of the log it was computed over.
#[derive(Clone, Debug)]
pub struct PinnedSummary {
    /// Positions 1 to `tree_size` are what the figures count.
    pub tree_size: i64,
    /// The figures.
    pub summary: Summary,
}

/// The common checkpoint of every projection, when they all stand at the same position.
async fn common_checkpoint(pool: &AnyPool) -> anyhow::Result<Option<i64>> {
    let checkpoints = runner::checkpoints(pool).await.context("reading the projections' checkpoints")?;
    let mut positions = checkpoints.iter().map(|(_, position)| *position);
    let first = positions.next();
    Ok(first.filter(|first| positions.all(|position| position == *first)))
}

/// The summary of `query` over an exact prefix of the log (see the module doc), or `None` when the
/// projections kept moving (or stood apart, during a rebuild) for every attempt.
pub async fn pinned_summary(pool: &AnyPool, query: &SummaryQuery) -> anyhow::Result<Option<PinnedSummary>> {
    for _ in 0..SNAPSHOT_ATTEMPTS {
        let Some(before) = common_checkpoint(pool).await? else {
            tokio::task::yield_now().await;
            continue;
        };
        let summary = summary::summary(pool, query).await.context("computing the summary")?;
        if common_checkpoint(pool).await? == Some(before) {
            return Ok(Some(PinnedSummary { tree_size: before, summary }));
        }
    }
    Ok(None)
}

/// A `ReportClosed` record as found in the log.
#[derive(Clone, Debug)]
pub struct ClosedReport {
    /// The report's id (its stream is `report-<id>`).
    pub report_id: String,
    /// The record's position.
    pub position: i64,
    /// What it closed, and the figures it reported.
    pub report: ReportClosed,
    /// The record as served.
    pub served: String,
}

impl ClosedReport {
    /// Reads a stored `ReportClosed` row.
    pub(crate) fn from_row(
        (position, stream, body, hash): (i64, String, String, String),
    ) -> anyhow::Result<Self> {
        let corrupt = || format!("the ReportClosed record at position {position}");
        let stream: StreamName = stream.parse().map_err(anyhow::Error::msg).with_context(corrupt)?;
        let record: domain::record::Record = serde_json::from_str(&body).with_context(corrupt)?;
        let event = Event::parse_recorded(EventType::ReportClosed, &record.data)
            .map_err(|errors| anyhow::anyhow!("{errors:?}"))
            .with_context(corrupt)?;
        let Event::Report(ReportEvent::ReportClosed(report)) = event else {
            anyhow::bail!("{} holds no ReportClosed", corrupt());
        };
        Ok(ClosedReport {
            report_id: stream.id().to_string(),
            position,
            report,
            served: crate::store::read::serve_row(&body, &hash),
        })
    }

    /// Whether it closed exactly the period and district `query` asks for.
    pub fn closes(&self, query: &SummaryQuery) -> bool {
        self.report.from.to_string() == query.period.from
            && self.report.to.to_string() == query.period.to
            && self.report.district.as_ref().map(|d| d.as_str()) == query.district.as_deref()
    }
}

const CLOSED_REPORTS: &str =
    "SELECT position, stream, body, hash FROM events WHERE type = 'ReportClosed' ORDER BY position";

/// The latest report that closed the period and district of `query`, if one did.
pub async fn closed_for(pool: &AnyPool, query: &SummaryQuery) -> anyhow::Result<Option<ClosedReport>> {
    let rows: Vec<(i64, String, String, String)> =
        sqlx::query_as(CLOSED_REPORTS).fetch_all(pool).await.context("reading the closed reports")?;
    let mut latest = None;
    for row in rows {
        let report = ClosedReport::from_row(row)?;
        if report.closes(query) {
            latest = Some(report);
        }
    }
    Ok(latest)
}

/// The closed report `report_id` names, if there is one.
pub async fn closed_report(pool: &AnyPool, report_id: Id) -> anyhow::Result<Option<ClosedReport>> {
    let stream = StreamName::new(StreamKind::Report, report_id).to_string();
    let row: Option<(i64, String, String, String)> = sqlx::query_as(
        "SELECT position, stream, body, hash FROM events WHERE stream = $1 AND version = 1 AND type = 'ReportClosed'",
    )
    .bind(stream)
    .fetch_optional(pool)
    .await
    .context("reading a closed report")?;
    row.map(ClosedReport::from_row).transpose()
}
