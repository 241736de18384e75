//! aidledger's read models: each projection folds recorded events, in position order, into SQL tables
//! of its own, which the report, tally, ledger and audit endpoints query instead of the log.
//!
//! Projections never store personal fields (names, phones, free text): those stay in the records,
//! so a read model can be handed to an analyst and erasing a person touches no table here.
//!
//! # Layout
//! - [`ProjectionName`]: the projections, their tables, and dispatch of an event to each.
//! - [`RecordedEvent`]: a record as projections see it.
//! - [`models`]: one module per projection, folding events into its tables' rows in memory.
//! - [`stored`]: the stored rows a chunk of events changes, loaded, folded and written back in bulk.
//! - [`figure`]: the summary's figures and the per-day totals behind them, each named once.
//! - [`daily`]: the per-day totals of the summary's figures, kept by the models as they apply.
//! - [`rows`]: the rows a chunk inserts that nothing changes later, written with multi-row INSERTs.
//! - [`runner`]: applying the log in chunks, each in the transaction that moves the checkpoints;
//!   resetting a projection for a rebuild. [`log_read`]: reading a chunk of the log.
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
pub mod stored;
pub mod table;

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use domain::{Event, EventType, StreamName};
use serde_json::value::RawValue;

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

/// The parts of a stored record a projection reads, straight from its text: every other key
/// (ids, hashes, the time of recording) is skipped unread, and the data is left as its own text for
/// [`Event::parse_recorded_text`].
#[derive(serde::Deserialize)]
struct ProjectedRecord<'a> {
    #[serde(borrow)]
    stream: Cow<'a, str>,
    #[serde(borrow, rename = "type")]
    event_type: Cow<'a, str>,
    #[serde(borrow)]
    data: &'a RawValue,
    #[serde(borrow)]
    meta: ProjectedMeta<'a>,
}

/// The parts of a record's `meta` a projection reads.
#[derive(serde::Deserialize)]
struct ProjectedMeta<'a> {
    #[serde(borrow)]
    actor: Cow<'a, str>,
    #[serde(borrow)]
    occurred_at: Cow<'a, str>,
}

impl RecordedEvent {
    /// Reads the stored canonical `body` of the record at `position`.
    pub fn from_body(position: i64, body: &str) -> Result<RecordedEvent, ProjectionError> {
        let corrupt = |detail: String| ProjectionError::Corrupt(format!("position {position}: {detail}"));
        let record: ProjectedRecord<'_> =
            serde_json::from_str(body).map_err(|e| corrupt(format!("not a record: {e}")))?;
        let event_type: EventType = record.event_type.parse().map_err(corrupt)?;
        let event = Event::parse_recorded_text(event_type, record.data.get())
            .map_err(|errors| corrupt(errors[0].to_string()))?;
        let stream: StreamName = record.stream.parse().map_err(corrupt)?;
        Ok(RecordedEvent {
            position,
            stream_id: stream.id().to_string(),
            stream,
            date: event.counting_date(&record.meta.occurred_at),
            event,
            actor: record.meta.actor.into_owned(),
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
