//! The aidledger server: the event store on sqlx, the HTTP API on axum, and the command line.
//!
//! `main.rs` only parses the command line and calls [`cli::run`]; tests build an [`http::AppState`]
//! themselves and call [`http::serve`] on a listener bound to port 0.
//!
//! # Layout
//! - [`db`]: connecting and migrating, the dialect (crate `sql`) read once from the URL;
//!   [`contention`]: recognising a database busy past its timeout.
//! - [`store`]: appending (one writer, group commit), reading and verifying records.
//! - [`privacy`]: sealing personal fields per subject, the master key, forgetting.
//! - [`tokens`]: API tokens and the callers they identify; [`token_commands`]: the `token` subcommands;
//!   [`principal`]: normalizing the names tokens speak for.
//! - [`signing`]: note keys, signed checkpoints and the key file.
//! - [`checkpointer`]: signing a checkpoint of the log shortly after appends.
//! - [`projector`]: the projection runner, following every commit.
//! - [`feed`]: the live feed of records: catch-up from the database, then a bounded broadcast.
//! - [`http`]: the API.
//! - [`bench`]: `aidledger bench`, the performance figures beside their bounds.
//! - [`demo`]: the synthetic city `aidledger demo` appends.
//! - [`verify`]: verifying the log's chain, tree and checkpoints, in the database or in an export.
//! - [`export`]: writing an export and its checkpoint.
//! - [`backup`]: a consistent online copy of a SQLite ledger.
//! - [`copy`]: moving a whole ledger between databases.
//! - [`cli`]: the subcommands.

pub mod backup;
pub mod bench;
pub mod checkpointer;
pub mod cli;
pub mod contention;
pub mod copy;
pub mod db;
pub mod demo;
pub mod export;
pub mod feed;
pub mod http;
pub mod principal;
pub mod privacy;
pub mod projector;
pub mod signing;
pub mod store;
pub mod token_commands;
pub mod tokens;
pub mod verify;
