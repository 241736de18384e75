//! One page of the log's records: read in one packed row where it can be (see [`sql::packed`]), and
//! its chain checked on a blocking thread apart from the pages around it.

use domain::canonical_text;
use domain::chain::ChainVerifier;
use domain::merkle::leaf_hash;
use domain::RecordHash;
use sql::{Dialect, PackedQuery, PackedRows};
use sqlx::AnyPool;

/// The log's records as a packed page reads them: position, body and hash.
const RECORDS: PackedQuery<2> =
    PackedQuery { table: "events", key: "position", columns: ["body", "hash"], equal: None };

/// A page of records as read.
pub enum RecordsPage {
    /// Every record of the page's positions, read in one row (which saves most of the cost of
    /// reading them): body and hash.
    Packed(PackedRows<2>),
    /// The records one row each (read when a range is not whole or a field holds a line feed).
    Rows(Vec<(i64, String, String)>),
}

/// The first record of a page: where the page joins the one before.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seam {
    /// Its position.
    pub position: i64,
    /// Its `prev_hash` as its body has it.
    pub prev_hash: String,
}

/// A page whose records were checked among themselves.
#[derive(Debug)]
pub struct CheckedRun {
    /// Its first record, whose link to the page before is left to the caller (`None` when empty).
    pub seam: Option<Seam>,
    /// The leaf hash of each record's hash that passed, in position order.
    pub leaf_hashes: Vec<RecordHash>,
    /// The hash of the last record that passed.
    pub last_hash: RecordHash,
    /// The first record that did not pass: its position and what is wrong.
    pub failure: Option<(i64, String)>,
}

impl RecordsPage {
    /// The records of positions `from` to `to` in `pool` (a database of `dialect`), checked
    /// ([`check`](Self::check) without a verifier): read packed when that can be had, and again row
    /// by row when a packed page fails.
    pub(crate) async fn read_and_check(
        pool: AnyPool,
        dialect: Dialect,
        from: i64,
        to: i64,
    ) -> anyhow::Result<CheckedRun> {
        let page = RecordsPage::read(&pool, dialect, from, to).await?;
        let is_packed = matches!(page, RecordsPage::Packed(_));
        let run = tokio::task::spawn_blocking(move || page.check(None)).await?;
        if run.failure.is_none() || !is_packed {
            return Ok(run);
        }
        let page = RecordsPage::Rows(RecordsPage::rows(&pool, from, to).await?);
        Ok(tokio::task::spawn_blocking(move || page.check(None)).await?)
    }

    /// The records of positions `from` to `to`: packed when every position is there and no field
    /// holds a line feed, else row by row.
    async fn read(pool: &AnyPool, dialect: Dialect, from: i64, to: i64) -> Result<RecordsPage, sqlx::Error> {
        if let Some(packed) = RECORDS.read(pool, dialect, from..to.saturating_add(1)).await? {
            if i64::try_from(packed.len()).is_ok_and(|count| count == to - from + 1) {
                return Ok(RecordsPage::Packed(packed));
            }
        }
        Ok(RecordsPage::Rows(RecordsPage::rows(pool, from, to).await?))
    }

    /// The records of positions `from` to `to`, one row each, in position order.
    async fn rows(pool: &AnyPool, from: i64, to: i64) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
        sqlx::query_as(
            "SELECT position, body, hash FROM events WHERE position >= $1 AND position <= $2 ORDER BY position",
        )
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await
    }

    /// Calls `each` with every record's position, body and hash, in order, until it fails.
    fn try_for_each<E>(&self, mut each: impl FnMut(i64, &str, &str) -> Result<(), E>) -> Result<(), E> {
        match self {
            RecordsPage::Packed(packed) => {
                packed.rows().try_for_each(|(position, [body, hash])| each(position, body, hash))
            }
            RecordsPage::Rows(rows) => {
                rows.iter().try_for_each(|(position, body, hash)| each(*position, body, hash))
            }
        }
    }

    /// Checks the records among themselves: each from the first on links to the one before and is
    /// canonical with its own SHA-256 as its stored hash; the first record's own `prev_hash` is taken
    /// as it stands and handed back in the [`Seam`], for the caller to hold to the page before.
    /// `verifier`, when given, checks from its own state instead (and there is no seam).
    pub fn check(&self, verifier: Option<ChainVerifier>) -> CheckedRun {
        let mut seam = None;
        let mut verifier = verifier;
        let mut leaf_hashes = Vec::new();
        let outcome = self.try_for_each(|position, body, hash| {
            let verifier = verifier.get_or_insert_with(|| {
                let prev_hash = canonical_text::record_links(body).and_then(|links| links.prev_hash);
                let prev_hash = prev_hash.unwrap_or_default();
                seam = Some(Seam { position, prev_hash: prev_hash.to_owned() });
                // A prev_hash that is no hash fails this record's own check.
                ChainVerifier::resume(position, RecordHash::from_hex(prev_hash).unwrap_or(RecordHash::ZERO))
            });
            verifier.check(position, body, hash).map_err(|detail| (verifier.next_position(), detail))?;
            leaf_hashes.push(leaf_hash(&verifier.head_hash().0));
            Ok(())
        });
        let last_hash = verifier.map(|verifier| verifier.head_hash()).unwrap_or(RecordHash::ZERO);
        CheckedRun { seam, leaf_hashes, last_hash, failure: outcome.err() }
    }
}
