//! aidledger's read models: each projection folds recorded events, in position order, into SQL tables
//! of its own, which the report, tally and audit endpoints query instead of the log.
//!
//! # Layout
//! - [`Projection`]: what every read model implements.
//! - [`RecordedEvent`]: a record as projections see it (typed event plus the metadata they use).
//!
//! The runner that feeds projections and keeps their checkpoints lives in the server; the read models
//! themselves arrive with the reporting work.

use std::future::Future;

use domain::Event;
use sqlx::AnyConnection;

/// A record as a projection sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordedEvent {
    /// Position in the log.
    pub position: i64,
    /// The stream name.
    pub stream: String,
    /// Version within the stream.
    pub version: i64,
    /// The typed event.
    pub event: Event,
    /// `meta.actor`.
    pub actor: String,
    /// `meta.occurred_at`, as recorded.
    pub occurred_at: String,
}

/// A read model built from the log.
pub trait Projection: Send + Sync {
    /// Stable name: the key of its checkpoint and of its rebuild endpoint.
    fn name(&self) -> &'static str;

    /// Applies one event inside the transaction that also advances the projection's checkpoint, so
    /// an event is applied exactly once.
    fn apply(
        &self,
        connection: &mut AnyConnection,
        event: &RecordedEvent,
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send;

    /// Empties the projection's tables before a rebuild from position 1.
    fn reset(&self, connection: &mut AnyConnection) -> impl Future<Output = Result<(), sqlx::Error>> + Send;
}
