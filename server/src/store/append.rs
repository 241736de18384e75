//! What an append asks for, and what it answers.

use domain::record::RecordHash;
use domain::values::Id;
use domain::{Event, RuleBreach, StreamName};

/// The version the client expects the stream to be at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// Append whatever the version.
    Any,
    /// Append only if the stream is exactly at this version (0: the stream has no events).
    Exactly(i64),
}

/// One event to append, as the client sent it.
#[derive(Clone, Debug)]
pub struct ProposedEvent {
    /// The client's id (the idempotency key), or none for a server-chosen UUIDv7.
    pub id: Option<Id>,
    /// The typed event.
    pub event: Event,
    /// When it happened, as sent.
    pub occurred_at: Option<String>,
    /// The client's correlation id.
    pub correlation_id: Option<Id>,
    /// The client's causation id.
    pub causation_id: Option<Id>,
}

/// An atomic append of one or more events to one stream.
#[derive(Clone, Debug)]
pub struct AppendRequest {
    /// The stream.
    pub stream: StreamName,
    /// The version the client expects.
    pub expected_version: ExpectedVersion,
    /// The events, in order.
    pub events: Vec<ProposedEvent>,
    /// The token's principal.
    pub actor: String,
    /// Why the subject is forgotten, when this append carries `BeneficiaryForgotten` (only the forget
    /// endpoint sends one); the subject's key is destroyed in the same transaction.
    pub erasure_reason: Option<String>,
}

/// Where one appended event landed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Appended {
    /// Its position in the log.
    pub position: i64,
    /// Its version in the stream.
    pub version: i64,
    /// Its id.
    pub id: String,
    /// Its record hash.
    pub hash: RecordHash,
}

/// The result of an append.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppendOutcome {
    /// Each event, in request order.
    pub events: Vec<Appended>,
    /// The version to expect for the next append to the stream.
    pub next_expected_version: i64,
    /// Whether this was a replay of an earlier append (nothing new was appended).
    pub replayed: bool,
}

/// Why an append was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    /// The event at `index` breaks a domain rule.
    #[error("event {index}: {breach}")]
    Rule {
        /// Which event of the request.
        index: usize,
        /// The rule.
        breach: RuleBreach,
    },
    /// The stream is not at the expected version.
    #[error("the stream is at version {current_version}")]
    VersionConflict {
        /// The stream's version.
        current_version: i64,
    },
    /// An id is known with other content, or known and new ids are mixed.
    #[error("{0}")]
    IdConflict(String),
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The store holds something it cannot read back (should never happen).
    #[error("corrupt store: {0}")]
    Corrupt(String),
    /// A personal field must be sealed but no master key is loaded.
    #[error("no master key is loaded, so personal fields cannot be sealed")]
    NoMasterKey,
    /// The writer task is gone (shutting down).
    #[error("the append writer has stopped")]
    WriterStopped,
}
