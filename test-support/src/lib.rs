//! What the server's tests, the command line's tests and the black-box suite share: a database of
//! a test's own, SQLite or PostgreSQL, created and dropped in one place.
//!
//! # Layout
//! - [`postgres`]: a PostgreSQL database created on the server `AIDLEDGER_TEST_POSTGRES` names and
//!   dropped when the test ends.
//! - [`database`]: the database a test runs on: a fresh SQLite file by default, or a PostgreSQL one
//!   when the variable is set.

pub mod database;
pub mod postgres;

pub use database::TestDatabase;
pub use postgres::{PostgresDatabase, POSTGRES_VARIABLE};
