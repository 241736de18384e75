//! aidledger's pure rules: what an event is, what each stream kind allows, and how a record is hashed.
//!
//! Nothing here does IO, spawns tasks or knows about HTTP or SQL: the server parses a request into the
//! types below, asks the stream's state whether the event may happen, and stores the record this crate
//! builds and hashes.
//!
//! # Layout
//! - [`strict_json`]: parsing request bodies with duplicate keys and U+0000 refused, and the integer
//!   range check every record number must pass.
//! - [`canonical`]: RFC 8785 canonical JSON of a record, built with explicitly sorted keys.
//! - [`record`]: the record, its metadata and its SHA-256 hash.
//! - [`position`]: a record's place in the log, and its checked conversions to the stored integer.
//! - [`chain`]: verifying the hash chain record by record.
//! - [`merkle`]: the RFC 9162 Merkle tree over the records' hashes: roots, the append-only frontier,
//!   inclusion and consistency proofs and their verifiers.
//! - [`stream`]: stream kinds and stream names (`<kind>-<uuid>`).
//! - [`values`]: validated value types (text, money, dates, UUIDs) and the marker for personal data.
//! - [`limits`]: the realistic bounds a new event is held to, and the characters text may not hold.
//! - [`events`]: the v1 event catalogue, one module per stream kind, each with its state and rules.
//! - [`rules`]: folding a stream's history into its state and checking a proposed event against it.
//! - [`role`]: who may append which event type and read what.
//! - [`errors`]: schema errors (with JSON pointers) and rule breaches.
//! - `schema` (with the `schema` feature): the OpenAPI schemas of the value types and of the fields
//!   held to [`limits`], from which the event data structs derive theirs.

pub mod canonical;
pub mod canonical_text;
pub mod chain;
pub mod errors;
pub mod events;
pub mod limits;
pub mod merkle;
pub mod position;
pub mod record;
pub mod role;
pub mod rules;
#[cfg(feature = "schema")]
pub mod schema;
pub mod stream;
pub mod strict_json;
pub mod values;

pub use errors::{FieldError, RuleBreach};
pub use events::{Event, EventType};
pub use position::Position;
pub use record::{Meta, Record, RecordHash};
pub use role::Role;
pub use rules::StreamState;
pub use stream::{StreamKind, StreamName};
