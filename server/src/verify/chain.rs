//! Reading the log's records in pages and checking their hash chain on every core, with memory
//! bounded by the pages in flight rather than by the log.
//!
//! Each page is read and checked by a task of its own, several at once; a page's records are checked
//! among themselves (links, canonical form, hashes), and where a page meets the one before (its
//! first record's position and `prev_hash` against the last stored hash before it, which that page
//! checked) is checked here, taking the pages in position order. Together that is exactly what one
//! walk from position 1 checks, and the first failure named is the first in the log.

use domain::chain::ChainVerifier;
use domain::{Position, RecordHash};
use sql::Dialect;
use sqlx::AnyPool;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::records_page::{CheckedRun, RecordsPage, Seam};

/// Records read per page unless told otherwise.
pub(crate) const RECORDS_PER_PAGE: i64 = 512;
/// Pages read and checked ahead of the one being consumed.
const PAGES_AHEAD: usize = 3;

/// A page of records whose chain checked.
#[derive(Debug)]
pub struct CheckedPage {
    /// The leaf hash of each record's hash, in position order (the Merkle tree's level 0).
    pub leaf_hashes: Vec<RecordHash>,
    /// The hash of the page's last record.
    pub last_hash: RecordHash,
}

/// The first record that breaks the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Break {
    /// Its position (the one expected, when a position is missing).
    pub position: Position,
    /// What is wrong.
    pub detail: String,
}

type PageCheck = JoinHandle<anyhow::Result<CheckedRun>>;

/// The log's records, checked page by page in position order.
pub struct CheckedRecords {
    pages: mpsc::Receiver<anyhow::Result<PageCheck>>,
    reader: JoinHandle<()>,
    next_position: Position,
    prev_hash: RecordHash,
    broken: bool,
}

impl CheckedRecords {
    /// Starts reading and checking the log in `pool` (a database of `dialect`) from position 1 up to
    /// `last_position`, `records_per_page` at a time ([`RECORDS_PER_PAGE`] is a good choice). Records
    /// appended meanwhile beyond `last_position` are not read.
    pub fn start(pool: AnyPool, dialect: Dialect, last_position: Position, records_per_page: i64) -> Self {
        let (sender, pages) = mpsc::channel(PAGES_AHEAD);
        let reader = tokio::spawn(async move {
            if let Err(error) =
                start_pages((&pool, dialect), last_position.stored(), records_per_page.max(1), &sender).await
            {
                // The receiver may be gone already; then nobody wants the error either.
                let _ = sender.send(Err(error)).await;
            }
        });
        Self { pages, reader, next_position: Position::FIRST, prev_hash: RecordHash::ZERO, broken: false }
    }

    /// The next page in position order: `None` after the last, `Some(Err(_))` for the first break
    /// (after which there is nothing more to read).
    pub async fn next(&mut self) -> anyhow::Result<Option<Result<CheckedPage, Break>>> {
        if self.broken {
            return Ok(None);
        }
        let Some(page) = self.pages.recv().await else {
            return Ok(None);
        };
        let run = page?.await??;
        let checked = self.join(run);
        if checked.is_err() {
            self.broken = true;
            self.pages.close();
        }
        Ok(Some(checked))
    }

    /// Holds `run` to the pages before it.
    fn join(&mut self, run: CheckedRun) -> Result<CheckedPage, Break> {
        let expected = self.next_position;
        if let Some(Seam { position, prev_hash }) = &run.seam {
            if *position != expected.stored() {
                let detail = format!("expected position {expected}, found {position}");
                return Err(Break { position: expected, detail });
            }
            // The first record's own fault first (a body that is not canonical has no link to hold).
            let fails_itself = run.failure.as_ref().is_some_and(|(failed_at, _)| failed_at == position);
            if !fails_itself && !self.prev_hash.matches_hex(prev_hash.as_bytes()) {
                let detail = format!("prev_hash {prev_hash} does not match the previous record's hash");
                return Err(Break { position: expected, detail });
            }
        }
        if let Some((position, detail)) = run.failure {
            // A position as the chain check counted it, from the store: named as 0 if it is none.
            return Err(Break {
                position: Position::from_stored(position).unwrap_or(Position::ZERO),
                detail,
            });
        }
        if !run.leaf_hashes.is_empty() {
            self.next_position = expected
                .advanced(run.leaf_hashes.len())
                .map_err(|error| Break { position: expected, detail: error.to_string() })?;
            self.prev_hash = run.last_hash;
        }
        Ok(CheckedPage { leaf_hashes: run.leaf_hashes, last_hash: run.last_hash })
    }
}

impl Drop for CheckedRecords {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

/// Starts a task reading and checking each page, in position order, until the log ends or nobody
/// is listening.
async fn start_pages(
    (pool, dialect): (&AnyPool, Dialect),
    last_position: i64,
    records_per_page: i64,
    pages: &mpsc::Sender<anyhow::Result<PageCheck>>,
) -> anyhow::Result<()> {
    let (first,): (Option<i64>,) = sqlx::query_as("SELECT MIN(position) FROM events").fetch_one(pool).await?;
    if first.is_some_and(|first| first < 1) {
        // A stray position 0 or below: one page read from below it, checked from position 1, names it.
        let rows = sqlx::query_as("SELECT position, body, hash FROM events ORDER BY position LIMIT $1")
            .bind(records_per_page)
            .fetch_all(pool)
            .await?;
        let page = RecordsPage::Rows(rows);
        let check = tokio::task::spawn_blocking(move || page.check(Some(ChainVerifier::new())));
        let _ = pages.send(Ok(tokio::spawn(async move { Ok(check.await?) }))).await;
        return Ok(());
    }
    let mut from = 1_i64;
    while from <= last_position {
        let to = from.saturating_add(records_per_page - 1).min(last_position);
        let check = tokio::spawn(RecordsPage::read_and_check(pool.clone(), dialect, from, to));
        if pages.send(Ok(check)).await.is_err() {
            return Ok(());
        }
        from = to.saturating_add(1);
    }
    Ok(())
}
