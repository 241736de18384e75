//! One module per projection: how each event changes that projection's tables, folded in memory
//! over a chunk of events (see [`crate::stored`]) and written in bulk.

pub mod activities;
pub mod beneficiaries;
pub mod disbursements;
pub mod suggestions;
pub mod volunteers;

use sql::Dialect;
use sqlx::AnyConnection;

use crate::daily::DailyTotals;
use crate::rows::NewRows;
use crate::{ProjectionName, RecordedEvent};

/// One projection's fold over a chunk of events: the stored rows its events change, loaded first,
/// then changed in memory event by event, then written back once.
#[derive(Debug)]
pub enum Fold {
    /// The beneficiaries projection's.
    Beneficiaries(beneficiaries::Fold),
    /// The disbursements projection's.
    Disbursements(disbursements::Fold),
    /// The volunteers projection's.
    Volunteers(volunteers::Fold),
    /// The activities projection's (it only inserts).
    Activities,
    /// The suggestions projection's.
    Suggestions(suggestions::Fold),
}

impl Fold {
    /// An empty fold of `projection`.
    pub fn new(projection: ProjectionName) -> Fold {
        match projection {
            ProjectionName::Beneficiaries => Fold::Beneficiaries(Default::default()),
            ProjectionName::Disbursements => Fold::Disbursements(Default::default()),
            ProjectionName::Volunteers => Fold::Volunteers(Default::default()),
            ProjectionName::Activities => Fold::Activities,
            ProjectionName::Suggestions => Fold::Suggestions(Default::default()),
        }
    }

    /// Notes the stored rows `event` changes, for [`Fold::load`].
    pub fn want(&mut self, event: &RecordedEvent) {
        match self {
            Fold::Beneficiaries(fold) => fold.want(event),
            Fold::Disbursements(fold) => fold.want(event),
            Fold::Volunteers(fold) => fold.want(event),
            Fold::Activities => {}
            Fold::Suggestions(fold) => fold.want(event),
        }
    }

    /// Loads the stored rows the chunk's events change.
    pub async fn load(
        &mut self,
        connection: &mut AnyConnection,
        dialect: Dialect,
    ) -> Result<(), sqlx::Error> {
        match self {
            Fold::Beneficiaries(fold) => fold.load(connection, dialect).await,
            Fold::Disbursements(fold) => fold.load(connection, dialect).await,
            Fold::Volunteers(fold) => fold.load(connection, dialect).await,
            Fold::Activities => Ok(()),
            Fold::Suggestions(fold) => fold.load(connection, dialect).await,
        }
    }

    /// Folds `event` in, in memory: the rows it inserts into `rows`, what it changes into this
    /// fold's rows, its per-day totals into `daily`.
    pub fn apply(&mut self, event: &RecordedEvent, rows: &mut NewRows, daily: &mut DailyTotals) {
        match self {
            Fold::Beneficiaries(fold) => fold.apply(event, rows, daily),
            Fold::Disbursements(fold) => fold.apply(event, rows, daily),
            Fold::Volunteers(fold) => fold.apply(event, rows, daily),
            Fold::Activities => activities::apply(event, rows, daily),
            Fold::Suggestions(fold) => fold.apply(event, rows, daily),
        }
    }

    /// Writes every stored row the chunk changed or added.
    pub async fn write(
        &mut self,
        connection: &mut AnyConnection,
        dialect: Dialect,
    ) -> Result<(), sqlx::Error> {
        match self {
            Fold::Beneficiaries(fold) => fold.write(connection, dialect).await,
            Fold::Disbursements(fold) => fold.write(connection, dialect).await,
            Fold::Volunteers(fold) => fold.write(connection, dialect).await,
            Fold::Activities => Ok(()),
            Fold::Suggestions(fold) => fold.write(connection, dialect).await,
        }
    }
}
