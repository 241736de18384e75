//! The SQL that the event store and the projections share: which dialect a database speaks, the
//! helpers that build and run their statements, the bounds every figure is summed within, and the
//! reader that takes a page of rows as one row of text.
//!
//! Both backends run through sqlx's `Any` driver with `$n` parameters; the dialect is decided once,
//! when a database is opened, and handed to everything that writes SQL differently for each.
//!
//! # Layout
//! - [`Dialect`]: SQLite or PostgreSQL, and the statements that differ between them.
//! - [`statements`]: running a statement that binds nothing, the markers of multi-row `VALUES`
//!   lists, and bulk inserts.
//! - [`bounds`]: sums and running totals clamped to ±(2^53 − 1), in SQL and in Rust.
//! - [`packed`]: reading a run of rows numbered one by one as one row of text.

pub mod bounds;
mod dialect;
pub mod packed;
pub mod statements;

pub use bounds::{bounded_add, bounded_sum, clamp_figure};
pub use dialect::{Dialect, UnsupportedUrl};
pub use packed::{PackedQuery, PackedRows};
pub use statements::{execute, insert_rows, values_list, AnyQuery};
