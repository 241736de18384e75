//! The aidledger server library: the event store on sqlx, the HTTP API on axum, the projector,
//! signing, privacy, verification, export, backup and copy. It has no binary: the `aidledger`
//! package (`cli/`) is the command line, and [`app::App::start`] starts the whole app for
//! `aidledger serve`, the benchmark and the tests alike, on a listener bound by the caller (port 0
//! in tests). The synthetic city (`aidledger-demo`) and the benchmark (`aidledger-bench`) live in
//! crates of their own: this library carries no load-generation code.
//!
//! # Layout
//! - [`app`]: the whole app started in one place (projector, checkpointer, feed, HTTP).
//! - [`db`]: connecting and migrating, the dialect (crate `sql`) read once from the URL;
//!   [`contention`]: recognising a database busy past its timeout.
//! - [`store`]: appending (one writer, group commit), reading and verifying records.
//! - [`privacy`]: sealing personal fields per subject, the master key, forgetting.
//! - [`tokens`]: API tokens and the callers they identify; [`principal`]: normalizing the names
//!   tokens speak for.
//! - [`signing`]: note keys, signed checkpoints and the key file.
//! - [`checkpointer`]: signing a checkpoint of the log shortly after appends.
//! - [`cosigning`]: submitting checkpoints to the log's witnesses and keeping their cosignatures;
//!   [`witness`]: a witness (`aidledger witness serve`), C2SP `tlog-witness`.
//! - [`projector`]: the projection runner, following every commit.
//! - [`readiness`]: whether the server is ready for traffic (migrated, projections caught up).
//! - [`feed`]: the live feed of records: catch-up from the database, then a bounded broadcast.
//! - [`http`]: the API.
//! - [`telemetry`]: the metrics `/metrics` serves.
//! - [`import`]: reading spreadsheets (CSV, UTF-8 or GB18030) and JSONL into appends, for bulk import.
//! - [`verify`]: verifying the log's chain, tree and checkpoints, in the database or in an export.
//! - [`export`]: writing an export and its checkpoint.
//! - [`backup`]: a consistent online copy of a SQLite ledger.
//! - [`copy`]: moving a whole ledger between databases.

pub mod app;
pub mod backup;
pub mod checkpointer;
pub mod closing;
pub(crate) mod contention;
pub mod copy;
pub mod cosigning;
pub mod db;
pub mod export;
pub mod feed;
pub mod http;
pub mod import;
pub(crate) mod principal;
pub mod privacy;
pub mod projector;
pub mod readiness;
pub mod recompute;
pub mod signing;
pub mod store;
pub mod telemetry;
pub mod tokens;
pub mod verify;
pub mod witness;
