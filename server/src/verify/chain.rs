//! Reading the log's records in pages and checking their hash chain on every core, with memory
//! bounded by the pages in flight rather than by the log.
//!
//! One task reads pages in position order and hands each to a blocking thread that checks it with a
//! [`ChainVerifier`] resumed from the stored hash of the record before the page. Every page's
//! records must still link to that stored hash, and the page before checks that the stored hash is
//! its last record's SHA-256, so the pages together check exactly what one walk from position 1
//! would. Results come back in position order: the first failure named is the first in the log.

use domain::chain::ChainVerifier;
use domain::merkle::leaf_hash;
use domain::RecordHash;
use sqlx::AnyPool;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Records read per page unless told otherwise.
pub const RECORDS_PER_PAGE: i64 = 2_048;
/// Pages read ahead of the one being consumed (each may be checking on its own thread meanwhile).
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
    pub position: u64,
    /// What is wrong.
    pub detail: String,
}

type PageCheck = JoinHandle<Result<CheckedPage, Break>>;

/// The log's records, checked page by page in position order.
pub struct CheckedRecords {
    pages: mpsc::Receiver<Result<PageCheck, sqlx::Error>>,
    reader: JoinHandle<()>,
}

impl CheckedRecords {
    /// Starts reading and checking the log in `pool` from position 1 up to `last_position`,
    /// `records_per_page` at a time ([`RECORDS_PER_PAGE`] is a good choice). Records appended
    /// meanwhile beyond `last_position` are not read.
    pub fn start(pool: AnyPool, last_position: i64, records_per_page: i64) -> Self {
        let (sender, pages) = mpsc::channel(PAGES_AHEAD);
        let reader = tokio::spawn(async move {
            if let Err(error) = read_pages(&pool, last_position, records_per_page.max(1), &sender).await {
                // The receiver may be gone already; then nobody wants the error either.
                let _ = sender.send(Err(error)).await;
            }
        });
        Self { pages, reader }
    }

    /// The next page in position order: `None` after the last, `Some(Err(_))` for the first break
    /// (after which there is nothing more to read).
    pub async fn next(&mut self) -> anyhow::Result<Option<Result<CheckedPage, Break>>> {
        let Some(page) = self.pages.recv().await else {
            return Ok(None);
        };
        let checked = page?.await?;
        if checked.is_err() {
            self.pages.close();
        }
        Ok(Some(checked))
    }
}

impl Drop for CheckedRecords {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

/// Reads pages until the log ends or nobody is listening, starting a check of each.
async fn read_pages(
    pool: &AnyPool,
    last_position: i64,
    records_per_page: i64,
    pages: &mpsc::Sender<Result<PageCheck, sqlx::Error>>,
) -> Result<(), sqlx::Error> {
    // The first page starts below any position, so that a stray position 0 or below is named too.
    let mut read_from = i64::MIN;
    let mut next_position = 1_i64;
    let mut prev_hash = RecordHash::ZERO;
    loop {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT position, body, hash FROM events WHERE position >= $1 AND position <= $2 \
             ORDER BY position LIMIT $3",
        )
        .bind(read_from)
        .bind(last_position)
        .bind(records_per_page)
        .fetch_all(pool)
        .await?;
        let Some((last_position, _, last_hash)) = rows.last() else {
            return Ok(());
        };
        let verifier = ChainVerifier::resume(next_position, prev_hash);
        // A malformed stored hash fails the check of this page before the next one is looked at.
        prev_hash = RecordHash::from_hex(last_hash).unwrap_or(RecordHash::ZERO);
        let Some(after_last) = last_position.checked_add(1) else {
            return Ok(());
        };
        read_from = after_last;
        next_position = after_last;
        let check = tokio::task::spawn_blocking(move || check_page(verifier, &rows));
        if pages.send(Ok(check)).await.is_err() {
            return Ok(());
        }
    }
}

fn check_page(mut verifier: ChainVerifier, rows: &[(i64, String, String)]) -> Result<CheckedPage, Break> {
    let mut leaf_hashes = Vec::with_capacity(rows.len());
    for (position, body, hash) in rows {
        if let Err(detail) = verifier.check(*position, body, hash) {
            let position = u64::try_from(verifier.next_position()).unwrap_or(0);
            return Err(Break { position, detail });
        }
        leaf_hashes.push(leaf_hash(&verifier.head_hash().0));
    }
    Ok(CheckedPage { leaf_hashes, last_hash: verifier.head_hash() })
}
