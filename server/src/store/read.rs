//! Reads: pages of the log and of a stream, single records, and chain verification. Records are
//! served from their stored canonical bytes, never rebuilt.

use domain::record::{served, RecordHash};
use domain::Position;
use serde::Serialize;
use sql::Dialect;
use sqlx::AnyPool;

use crate::verify::chain::{CheckedRecords, RECORDS_PER_PAGE};

/// One page of records, as served.
#[derive(Debug)]
pub struct Page {
    /// The records, each a JSON object text.
    pub records: Vec<String>,
    /// The `from_*` to ask for next, or `None` at the end.
    pub next: Option<i64>,
}

/// A stored row as served: its body plus its hash.
pub(crate) fn serve_row(body: &str, hash: &str) -> String {
    match RecordHash::from_hex(hash) {
        Ok(hash) => served(body, &hash),
        // A stored hash that is not hex is served as stored; `verify` names it.
        Err(_) => {
            format!("{},\"hash\":{}}}", body.strip_suffix('}').unwrap_or(body), serde_json::Value::from(hash))
        }
    }
}

fn page(rows: Vec<(i64, String, String)>, limit: i64) -> Page {
    let more = rows.len() as i64 > limit;
    let shown = &rows[..rows.len().min(limit as usize)];
    Page {
        next: if more { shown.last().map(|(n, _, _)| n + 1) } else { None },
        records: shown.iter().map(|(_, body, hash)| serve_row(body, hash)).collect(),
    }
}

/// Records from `from_position` on.
pub(crate) async fn log_page(pool: &AnyPool, from_position: i64, limit: i64) -> Result<Page, sqlx::Error> {
    Ok(page(log_rows(pool, from_position, limit + 1).await?, limit))
}

/// The stored rows (position, body, hash) from `from_position` on, at most `limit`, in order.
pub(crate) async fn log_rows(
    pool: &AnyPool,
    from_position: i64,
    limit: i64,
) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT position, body, hash FROM events WHERE position >= $1 ORDER BY position LIMIT $2")
        .bind(from_position)
        .bind(limit)
        .fetch_all(pool)
        .await
}

/// The log's head as the database has it now, whichever process appended it (0 when empty).
pub async fn committed_head(pool: &AnyPool) -> Result<i64, sqlx::Error> {
    let (head,): (i64,) = sqlx::query_as("SELECT CAST(COALESCE(MAX(position), 0) AS BIGINT) FROM events")
        .fetch_one(pool)
        .await?;
    Ok(head)
}

/// Records of `stream` from `from_version` on; `None` when the stream has no events at all.
pub(crate) async fn stream_page(
    pool: &AnyPool,
    stream: &str,
    from_version: i64,
    limit: i64,
) -> Result<Option<Page>, sqlx::Error> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT version, body, hash FROM events WHERE stream = $1 AND version >= $2 ORDER BY version LIMIT $3",
    )
    .bind(stream)
    .bind(from_version)
    .bind(limit + 1)
    .fetch_all(pool)
    .await?;
    if rows.is_empty() {
        let exists: Option<(i64,)> = sqlx::query_as("SELECT position FROM events WHERE stream = $1 LIMIT 1")
            .bind(stream)
            .fetch_optional(pool)
            .await?;
        if exists.is_none() {
            return Ok(None);
        }
    }
    Ok(Some(page(rows, limit)))
}

/// The record at `position`.
pub async fn one(pool: &AnyPool, position: i64) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String, String)> = sqlx::query_as("SELECT body, hash FROM events WHERE position = $1")
        .bind(position)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|(body, hash)| serve_row(&body, &hash)))
}

/// The outcome of re-verifying the chain.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VerifyReport {
    /// Whether every record verified.
    pub ok: bool,
    /// How many records verified before the first bad one (all of them when `ok`).
    pub checked: i64,
    /// The last position in the log (0 when empty).
    pub head_position: i64,
    /// The last record's stored hash (64 zeros when empty).
    pub head_hash: String,
    /// The first position that does not verify.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_bad_position: Option<i64>,
    /// Why it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Walks the whole log as it stands now in position order (pages checked side by side on every
/// core).
pub async fn verify(pool: &AnyPool, dialect: Dialect) -> anyhow::Result<VerifyReport> {
    let reading = crate::verify::reading_pool(pool).await?;
    let report = verify_through(&reading, dialect).await;
    reading.close().await;
    report
}

async fn verify_through(pool: &AnyPool, dialect: Dialect) -> anyhow::Result<VerifyReport> {
    let head: Option<(i64, String)> =
        sqlx::query_as("SELECT position, hash FROM events ORDER BY position DESC LIMIT 1")
            .fetch_optional(pool)
            .await?;
    let (head_position, head_hash) = head.unwrap_or((0, RecordHash::ZERO.to_hex()));
    let last_position = Position::from_stored(head_position).unwrap_or(Position::ZERO);
    let mut records = CheckedRecords::start(pool.clone(), dialect, last_position, RECORDS_PER_PAGE);
    let mut checked = 0_i64;
    let mut failure = None;
    while let Some(page) = records.next().await? {
        match page {
            Ok(page) => checked += i64::try_from(page.leaf_hashes.len())?,
            Err(broken) => {
                checked = broken.position.stored().saturating_sub(1);
                failure = Some((broken.position.stored(), broken.detail));
            }
        }
    }
    Ok(VerifyReport {
        ok: failure.is_none(),
        checked,
        head_position,
        head_hash,
        first_bad_position: failure.as_ref().map(|(position, _)| *position),
        detail: failure.map(|(_, detail)| detail),
    })
}
