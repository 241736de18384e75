//! aidledger's read models: each projection folds recorded events, in position order, into SQL tables
//! of its own, which the report, tally, ledger and audit endpoints query instead of the log.
//!
//! Projections never store personal fields (names, phones, free text): those stay in the records,
//! so a read model can be handed to an analyst and erasing a person touches no table here.
//!
//! # Layout
//! - [`ProjectionName`]: the projections, their tables, and dispatch of an event to each.
//! - [`RecordedEvent`]: a record as projections see it.
//! - [`models`]: one module per projection, applying events to its tables.
//! - [`figure`]: the summary's figures and the per-day totals behind them, each named once.
//! - [`daily`]: the per-day totals of the summary's figures, kept by the models as they apply.
//! - [`rows`]: the rows a batch inserts, written with multi-row INSERTs before its changes.
//! - [`runner`]: applying the log in batches, each in the transaction that moves the checkpoints;
//!   resetting a projection for a rebuild. [`log_read`]: reading a batch of the log.
//! - [`queries`]: the summary report and its traces, tallies, the concern ledger, overdue
//!   pairings, fund balances and the rows audit trails show.
//! - [`table`]: the tabular result every query returns, rendered as JSON or CSV by the server.
//! - [`sql`]: the projections' own SQL helpers (what the store shares with them is in the `sql`
//!   crate).

pub mod daily;
pub mod figure;
pub mod log_read;
pub mod models;
pub mod queries;
pub mod rows;
pub mod runner;
pub mod sql;
pub mod table;

use std::fmt;
use std::str::FromStr;

use domain::record::Record;
use domain::{Event, EventType, StreamName};
use sqlx::AnyConnection;

use daily::DailyTotals;
use rows::NewRows;

/// Why a projection could not be applied or read.
#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The log holds a record that does not read back as an event.
    #[error("unreadable record: {0}")]
    Corrupt(String),
}

/// A record as a projection sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordedEvent {
    /// Position in the log.
    pub position: i64,
    /// The stream.
    pub stream: StreamName,
    /// The stream's UUID (what references to it hold).
    pub stream_id: String,
    /// The typed event.
    pub event: Event,
    /// `meta.actor`.
    pub actor: String,
    /// The date it counts on in reports (`YYYY-MM-DD`).
    pub date: String,
}

impl RecordedEvent {
    /// Reads the stored canonical `body` of the record at `position`.
    pub fn from_body(position: i64, body: &str) -> Result<RecordedEvent, ProjectionError> {
        let corrupt = |detail: String| ProjectionError::Corrupt(format!("position {position}: {detail}"));
        let value: serde_json::Value = serde_json::from_str(body).map_err(|e| corrupt(e.to_string()))?;
        let record = Record::from_value(&value).map_err(corrupt)?;
        let event_type: EventType = record.event_type.parse().map_err(corrupt)?;
        let event = Event::parse_recorded(event_type, &record.data)
            .map_err(|errors| corrupt(errors[0].to_string()))?;
        let stream: StreamName = record.stream.parse().map_err(corrupt)?;
        Ok(RecordedEvent {
            position,
            stream_id: stream.id().to_string(),
            stream,
            date: event.counting_date(&record.meta.occurred_at),
            event,
            actor: record.meta.actor,
        })
    }
}

/// The projections.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProjectionName {
    /// Beneficiaries, visits, concerns, hardship assessments and pairings.
    Beneficiaries,
    /// Funds, disbursements and their payments and reversals.
    Disbursements,
    /// Volunteers and their hours.
    Volunteers,
    /// Outreach activities.
    Activities,
    /// Suggestions and their steps.
    Suggestions,
}

impl ProjectionName {
    /// Every projection.
    pub const ALL: [ProjectionName; 5] = [
        ProjectionName::Beneficiaries,
        ProjectionName::Disbursements,
        ProjectionName::Volunteers,
        ProjectionName::Activities,
        ProjectionName::Suggestions,
    ];

    /// The name: its checkpoint row and its rebuild endpoint.
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectionName::Beneficiaries => "beneficiaries",
            ProjectionName::Disbursements => "disbursements",
            ProjectionName::Volunteers => "volunteers",
            ProjectionName::Activities => "activities",
            ProjectionName::Suggestions => "suggestions",
        }
    }

    /// The tables the projection owns, emptied by a rebuild.
    pub fn tables(self) -> &'static [&'static str] {
        match self {
            ProjectionName::Beneficiaries => &[
                "beneficiaries",
                "visits",
                "concerns",
                "hardship_assessments",
                "pairings",
                "beneficiary_marks",
            ],
            ProjectionName::Disbursements => &["funds", "disbursements", "disbursement_movements"],
            ProjectionName::Volunteers => &["volunteers", "volunteer_hours"],
            ProjectionName::Activities => &["activities"],
            ProjectionName::Suggestions => &["suggestions", "suggestion_steps"],
        }
    }

    /// Gathers the rows `event` inserts into this projection's tables, adding to its per-day totals
    /// in `daily`; the runner writes them ([`NewRows::write`]) before it applies any change.
    pub fn rows(self, event: &RecordedEvent, rows: &mut NewRows, daily: &mut DailyTotals) {
        match self {
            ProjectionName::Beneficiaries => models::beneficiaries::rows(event, rows, daily),
            ProjectionName::Disbursements => models::disbursements::rows(event, rows),
            ProjectionName::Volunteers => models::volunteers::rows(event, rows, daily),
            ProjectionName::Activities => models::activities::rows(event, rows, daily),
            ProjectionName::Suggestions => models::suggestions::rows(event, rows, daily),
        }
    }

    /// Applies what `event` changes in this projection's rows already written, adding to its per-day
    /// totals in `daily` (which the caller writes before it commits).
    pub async fn apply_changes(
        self,
        connection: &mut AnyConnection,
        event: &RecordedEvent,
        daily: &mut DailyTotals,
    ) -> Result<(), sqlx::Error> {
        match self {
            ProjectionName::Beneficiaries => models::beneficiaries::changes(connection, event, daily).await,
            ProjectionName::Disbursements => models::disbursements::changes(connection, event, daily).await,
            ProjectionName::Volunteers => models::volunteers::changes(connection, event).await,
            ProjectionName::Activities => Ok(()),
            ProjectionName::Suggestions => models::suggestions::changes(connection, event).await,
        }
    }
}

impl FromStr for ProjectionName {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        ProjectionName::ALL.into_iter().find(|p| p.as_str() == value).ok_or_else(|| {
            let names: Vec<&str> = ProjectionName::ALL.iter().map(|p| p.as_str()).collect();
            format!("\"{value}\" is not a projection ({})", names.join(", "))
        })
    }
}

impl fmt::Display for ProjectionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
