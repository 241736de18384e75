//! The bound for appends on SQLite: the same rows inserted through SQLite's C API (rusqlite, one
//! prepared statement), with the events table's indexes, WAL and `synchronous=FULL`, in transactions
//! of the same size — not through sqlx, whose SQLite driver hands every statement to a worker thread
//! and is several times slower than SQLite itself.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use crate::{progress_bar, Throughput};

/// Inserts `rows` rows shaped like the events table's (a body of `body_bytes` bytes), `batch` a
/// transaction, into a scratch database beside `file` (removed afterwards).
pub(crate) fn inserts(file: &Path, rows: u64, batch: u64, body_bytes: usize) -> anyhow::Result<Throughput> {
    let scratch = scratch_beside(file);
    let measured = insert_into(&scratch, rows, batch, body_bytes);
    for suffix in ["", "-wal", "-shm"] {
        let mut path = scratch.clone().into_os_string();
        path.push(suffix);
        let _ = std::fs::remove_file(path);
    }
    measured
}

fn scratch_beside(file: &Path) -> PathBuf {
    let mut name = file.file_name().map(|name| name.to_os_string()).unwrap_or_default();
    name.push(".plain-sqlite-bound");
    file.with_file_name(name)
}

fn insert_into(scratch: &Path, rows: u64, batch: u64, body_bytes: usize) -> anyhow::Result<Throughput> {
    let mut connection = rusqlite::Connection::open(scratch).context("opening the scratch database")?;
    connection
        .execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
             CREATE TABLE events (position INTEGER PRIMARY KEY, stream TEXT NOT NULL, version INTEGER NOT NULL, \
             id TEXT NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL, hash TEXT NOT NULL, \
             UNIQUE (stream, version), UNIQUE (id));",
        )
        .context("creating the scratch table")?;
    let body = "x".repeat(body_bytes);
    let bar = progress_bar(rows, "plain SQLite inserts");
    let started = Instant::now();
    let mut position = 0_u64;
    while position < rows {
        let transaction = connection.transaction().context("beginning a scratch transaction")?;
        {
            let mut insert = transaction
                .prepare_cached(
                    "INSERT INTO events (position, stream, version, id, type, body, hash) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .context("preparing the insert")?;
            let end = (position + batch.max(1)).min(rows);
            while position < end {
                position += 1;
                let id = format!("00000000-0000-7000-8000-{position:012}");
                let stream = format!("beneficiary-{id}");
                let hash = format!("{position:064x}");
                insert
                    .execute(rusqlite::params![
                        position as i64,
                        stream,
                        1_i64,
                        id,
                        "VisitRecorded",
                        body,
                        hash
                    ])
                    .context("inserting a scratch row")?;
            }
        }
        transaction.commit().context("committing a scratch transaction")?;
        bar.set_position(position);
    }
    bar.finish_and_clear();
    Ok(Throughput { events: rows, elapsed: started.elapsed() })
}
