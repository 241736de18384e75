//! Readiness, as `GET /readyz` answers it: a server is ready to be sent traffic once its database
//! has every migration the binary knows and its projections have caught up with the log as it was
//! when the server started. Liveness (`/healthz`) only says the process and its database answer.
//!
//! Readiness is latched: once reached it stays, so that a burst of appends (which the projections
//! follow a moment behind) never takes a serving server out of a load balancer. Until then each
//! check reads the database again, so a server started with `--no-migrate` before `aidledger
//! migrate` has run becomes ready once it has.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::db::Database;
use crate::projector::Projector;

/// Why a server is not ready yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotReady {
    /// The database lacks this many of the binary's migrations.
    NotMigrated {
        /// How many are missing.
        pending: usize,
    },
    /// The projections are still applying the log the server started with.
    CatchingUp {
        /// How many of its events the slowest projection has yet to apply.
        behind: i64,
    },
}

impl std::fmt::Display for NotReady {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotReady::NotMigrated { pending } => {
                write!(f, "the database lacks {pending} migrations (run aidledger migrate)")
            }
            NotReady::CatchingUp { behind } => {
                write!(f, "the projections are catching up: {behind} events to apply")
            }
        }
    }
}

/// The standing of one check: ready, or not yet and why.
pub fn standing(
    pending_migrations: usize,
    lowest_checkpoint: i64,
    head_at_start: i64,
) -> Result<(), NotReady> {
    if pending_migrations > 0 {
        return Err(NotReady::NotMigrated { pending: pending_migrations });
    }
    if lowest_checkpoint < head_at_start {
        return Err(NotReady::CatchingUp { behind: head_at_start - lowest_checkpoint });
    }
    Ok(())
}

/// A server's readiness; cheap to clone.
#[derive(Clone)]
pub struct Readiness {
    database: Database,
    projector: Projector,
    head_at_start: i64,
    ready: Arc<AtomicBool>,
}

impl Readiness {
    /// Readiness of a server on `database` whose projections `projector` runs, started when the
    /// log's head was `head_at_start`.
    pub fn new(database: Database, projector: Projector, head_at_start: i64) -> Readiness {
        Readiness { database, projector, head_at_start, ready: Arc::new(AtomicBool::new(false)) }
    }

    /// Whether the server is ready, checking again (and latching) while it is not.
    pub async fn check(&self) -> anyhow::Result<Result<(), NotReady>> {
        if self.ready.load(Ordering::Acquire) {
            return Ok(Ok(()));
        }
        let pending = self.database.migrations_pending().await?;
        let lowest = if pending == 0 { self.projector.lowest_checkpoint().await? } else { 0 };
        let standing = standing(pending, lowest, self.head_at_start);
        if standing.is_ok() {
            self.ready.store(true, Ordering::Release);
        }
        Ok(standing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_missing_migrations_is_not_ready_whatever_the_projections() {
        assert_eq!(standing(2, 10, 10), Err(NotReady::NotMigrated { pending: 2 }));
    }

    #[test]
    fn projections_behind_the_head_at_start_are_not_ready_and_say_by_how_much() {
        assert_eq!(standing(0, 7, 10), Err(NotReady::CatchingUp { behind: 3 }));
        assert_eq!(standing(0, 10, 10), Ok(()));
        assert_eq!(standing(0, 0, 0), Ok(()), "an empty log is caught up at once");
    }
}
