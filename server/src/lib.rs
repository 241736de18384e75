//! The aidledger server: the event store on sqlx, the HTTP API on axum, and the command line.
//!
//! `main.rs` only parses the command line and calls [`cli::run`]; tests build an [`http::AppState`]
//! themselves and call [`http::serve`] on a listener bound to port 0.
//!
//! # Layout
//! - [`db`]: connecting and migrating.
//! - [`store`]: appending (one writer, group commit), reading and verifying records.
//! - [`tokens`]: API tokens and the callers they identify.
//! - [`projector`]: the projection runner, following every commit.
//! - [`http`]: the API.
//! - [`demo`]: the synthetic city `aidledger demo` appends.
//! - [`cli`]: the subcommands.

pub mod cli;
pub mod db;
pub mod demo;
pub mod http;
pub mod projector;
pub mod store;
pub mod tokens;
