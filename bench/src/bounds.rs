//! The bounds appends are measured against, on the backend the run uses: rows of the events table's
//! shape inserted plainly, `batch` a transaction, with the store's durability — on SQLite through
//! its C API ([`crate::plain_sqlite`]), on PostgreSQL as prepared INSERTs ([`crate::append`]).

use anyhow::Context;

use crate::table::Bound;
use crate::{append, plain_sqlite, Throughput};
use aidledger_server::db::Database;

/// A plain-insert rate measured in this run, and what it was measured as.
pub(crate) struct PlainRows {
    /// The inserts.
    pub inserted: Throughput,
    /// What they were, for the table: the backend's plain inserts and the transaction size.
    pub source: String,
}

impl PlainRows {
    /// The bound of a figure that is to reach `factor` times this rate.
    pub(crate) fn times(&self, factor: f64) -> Bound {
        Bound::AtLeastTimes { factor, measured: self.inserted.rate(), source: self.source.clone() }
    }
}

/// Inserts `rows` rows with bodies of `body_bytes` bytes, `batch` a transaction, beside `database`.
pub(crate) async fn plain_rows(
    database: &Database,
    rows: u64,
    batch: u64,
    body_bytes: usize,
) -> anyhow::Result<PlainRows> {
    let transactions =
        if batch == 1 { "one row a transaction".to_owned() } else { format!("{batch} rows a transaction") };
    match database.sqlite_file().await? {
        Some(file) => {
            let inserting =
                tokio::task::spawn_blocking(move || plain_sqlite::inserts(&file, rows, batch, body_bytes));
            let inserted = inserting.await.context("the plain SQLite inserts")??;
            Ok(PlainRows { inserted, source: format!("plain SQLite, {transactions}") })
        }
        None => {
            let inserted = append::plain_inserts(database, rows, batch, body_bytes).await?;
            Ok(PlainRows { inserted, source: format!("plain INSERTs, {transactions}") })
        }
    }
}
