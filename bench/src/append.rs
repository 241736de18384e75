//! Batched appends through the store (the demo's events, `batch` requests per call), and their bound:
//! plain INSERTs of rows of the same shape and size into a scratch table, in transactions of the same
//! size, on the same backend and with the same durability.

use std::time::{Duration, Instant};

use anyhow::Context;
use sql::Dialect;
use sqlx::Executor;

use crate::{progress_bar, Throughput, SEED, YEAR};
use aidledger_demo::DemoRequests;
use aidledger_server::db::Database;
use aidledger_server::store::writer::begin_write;
use aidledger_server::store::Store;

/// The scratch table of the plain-INSERT bound (dropped afterwards).
const SCRATCH_TABLE: &str = "bench_plain_rows";

/// Appends about `events` demo events through the store, `batch` requests (one event each) per call
/// to [`Store::append_each`]; only the appends are timed, not building the requests.
pub(crate) async fn store_batched(store: &Store, events: u64, batch: u64) -> anyhow::Result<Throughput> {
    let mut requests = DemoRequests::new(events, SEED, YEAR);
    let bar = progress_bar(events, "appending through the store");
    let (mut appended, mut elapsed) = (0_u64, Duration::ZERO);
    loop {
        let chunk = requests.next_batch(usize::try_from(batch).unwrap_or(usize::MAX));
        if chunk.is_empty() {
            break;
        }
        let streams: Vec<String> = chunk.iter().map(|r| r.stream.to_string()).collect();
        let started = Instant::now();
        let results = store.append_each(chunk).await;
        elapsed += started.elapsed();
        for (stream, result) in streams.iter().zip(results) {
            result.with_context(|| format!("appending a demo event to {stream}"))?;
        }
        appended += streams.len() as u64;
        bar.set_position(appended);
    }
    bar.finish_and_clear();
    Ok(Throughput { events: appended, elapsed })
}

/// The average size in bytes of the stored records' bodies.
pub(crate) async fn average_body_bytes(database: &Database) -> anyhow::Result<usize> {
    let sql = match database.dialect {
        Dialect::Sqlite => "SELECT CAST(COALESCE(AVG(LENGTH(CAST(body AS BLOB))), 0) AS BIGINT) FROM events",
        Dialect::Postgres => "SELECT CAST(COALESCE(AVG(OCTET_LENGTH(body)), 0) AS BIGINT) FROM events",
    };
    let (bytes,): (i64,) =
        sqlx::query_as(sql).fetch_one(&database.pool).await.context("measuring the records' size")?;
    Ok(usize::try_from(bytes).unwrap_or(0))
}

/// INSERTs `rows` rows shaped like the events table's (a body of `body_bytes` bytes) into a scratch
/// table, `batch` rows per transaction, on one connection set up like the store's writer; drops the
/// table afterwards.
pub(crate) async fn plain_inserts(
    database: &Database,
    rows: u64,
    batch: u64,
    body_bytes: usize,
) -> anyhow::Result<Throughput> {
    let mut connection = database.connect_one().await?;
    let position = match database.dialect {
        Dialect::Sqlite => "INTEGER",
        Dialect::Postgres => "BIGINT",
    };
    let create = format!(
        "CREATE TABLE {SCRATCH_TABLE} (position {position} PRIMARY KEY, stream TEXT NOT NULL, version BIGINT NOT \
         NULL, id TEXT NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL, hash TEXT NOT NULL, UNIQUE (stream, \
         version), UNIQUE (id))"
    );
    connection.execute(create.as_str()).await.context("creating the scratch table")?;
    let inserted = insert_rows(&mut connection, database.dialect, rows, batch, body_bytes).await;
    let dropped = connection.execute(format!("DROP TABLE {SCRATCH_TABLE}").as_str()).await;
    let throughput = inserted?;
    dropped.context("dropping the scratch table")?;
    Ok(throughput)
}

async fn insert_rows(
    connection: &mut sqlx::AnyConnection,
    dialect: Dialect,
    rows: u64,
    batch: u64,
    body_bytes: usize,
) -> anyhow::Result<Throughput> {
    let insert = format!(
        "INSERT INTO {SCRATCH_TABLE} (position, stream, version, id, type, body, hash) VALUES ($1, $2, $3, $4, $5, \
         $6, $7)"
    );
    let body = "x".repeat(body_bytes);
    let bar = progress_bar(rows, "plain INSERTs");
    let started = Instant::now();
    let mut position = 0_i64;
    while (position as u64) < rows {
        begin_write(connection, dialect).await.context("beginning a scratch transaction")?;
        let end = (position + batch as i64).min(rows as i64);
        while position < end {
            position += 1;
            let id = format!("00000000-0000-7000-8000-{position:012}");
            sqlx::query(&insert)
                .bind(position)
                .bind(format!("beneficiary-{id}"))
                .bind(1_i64)
                .bind(id)
                .bind("VisitRecorded")
                .bind(body.as_str())
                .bind(format!("{position:064x}"))
                .execute(&mut *connection)
                .await
                .context("inserting a scratch row")?;
        }
        connection.execute("COMMIT").await.context("committing a scratch transaction")?;
        bar.set_position(position as u64);
    }
    bar.finish_and_clear();
    Ok(Throughput { events: rows, elapsed: started.elapsed() })
}
