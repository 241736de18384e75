//! Verifying the database in one pass over the log: the chain record by record, every stored Merkle
//! tree node as the tree recomputed from the records completes it, and every stored checkpoint when
//! the recomputed tree reaches its size.
//!
//! Memory stays bounded whatever the log's length: records, nodes and checkpoints are read in pages,
//! and the recomputed tree is only its frontier (one hash per level).

use domain::merkle::MerkleFrontier;
use domain::{Position, RecordHash};
use sql::Dialect;
use sqlx::AnyPool;

use super::chain::{CheckedRecords, RECORDS_PER_PAGE};
use super::checkpoint_keys::{checkpoint_keys, CheckpointKey};
use super::stored_checkpoints::{self, StoredCheckpoints, CHECKPOINTS_PER_PAGE};
use super::stored_tree::{self, StoredTreeCheck, NODES_PER_PAGE};
use super::{Failure, Outcome, Verified};
use crate::db::Database;
use crate::signing::key_history;
use crate::signing::NoteVerifier;

/// How many rows each read takes: the memory a verification holds is a few pages of each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paging {
    /// Records per page.
    pub records: i64,
    /// Stored tree nodes of one level per page.
    pub nodes: i64,
    /// Checkpoints per page.
    pub checkpoints: i64,
}

impl Default for Paging {
    fn default() -> Self {
        Self { records: RECORDS_PER_PAGE, nodes: NODES_PER_PAGE, checkpoints: CHECKPOINTS_PER_PAGE }
    }
}

/// Verifies the log in `database`; the checkpoints' signatures with `verifier` (needed only when
/// checkpoints are stored) and, when the log's record of its keys holds it, the checkpoints signed
/// before a rotation with the keys that signed them. The failure named is the first met walking the
/// log from position 1.
pub async fn verify(database: &Database, verifier: Option<&NoteVerifier>) -> anyhow::Result<Outcome> {
    verify_paged(database, verifier, Paging::default()).await
}

/// [`verify`], reading pages of the sizes `paging` gives (the outcome does not depend on them).
pub async fn verify_paged(
    database: &Database,
    verifier: Option<&NoteVerifier>,
    paging: Paging,
) -> anyhow::Result<Outcome> {
    let trusted: Vec<NoteVerifier> = verifier.into_iter().cloned().collect();
    verify_trusting(database, &trusted, true, paging).await
}

/// [`verify`] with exactly the keys `trusted` (an auditor's, say): each checks the checkpoints of
/// the sizes the log's record of its keys gives it, or of any size when it does not hold the key;
/// no other key recorded in the database is trusted.
pub async fn verify_with_keys(database: &Database, trusted: &[NoteVerifier]) -> anyhow::Result<Outcome> {
    verify_trusting(database, trusted, false, Paging::default()).await
}

async fn verify_trusting(
    database: &Database,
    trusted: &[NoteVerifier],
    with_history: bool,
    paging: Paging,
) -> anyhow::Result<Outcome> {
    let reading = super::reading_pool(&database.pool).await?;
    let outcome = async {
        let history = key_history::keys(&reading).await?;
        let keys = checkpoint_keys(trusted, &history, with_history);
        verify_through(&reading, database.dialect, &keys, paging).await
    }
    .await;
    reading.close().await;
    outcome
}

async fn verify_through(
    pool: &AnyPool,
    dialect: Dialect,
    keys: &[CheckpointKey],
    paging: Paging,
) -> anyhow::Result<Outcome> {
    // The log as it stands now; records appended while it is checked are left for the next time.
    let last_position = log_end(pool).await?;
    let size = last_position.records();
    let mut records = CheckedRecords::start(pool.clone(), dialect, last_position, paging.records);
    let mut nodes = StoredTreeCheck::start(pool.clone(), dialect, size, paging.nodes);
    let mut checkpoints = StoredCheckpoints::new(pool, keys, size, paging.checkpoints);
    let mut tree = MerkleFrontier::new();
    let mut head_hash = RecordHash::ZERO;
    if let Err(failure) = checkpoints.check_reached(&tree).await? {
        return Ok(Err(failure));
    }
    while let Some(page) = records.next().await? {
        let page = match page {
            Ok(page) => page,
            Err(broken) => {
                return Ok(Err(Failure::Record { position: broken.position.get(), detail: broken.detail }))
            }
        };
        for leaf in page.leaf_hashes {
            for node in tree.push_leaf_hash(leaf) {
                if let Err(failure) = nodes.expect(node).await? {
                    return Ok(Err(failure));
                }
            }
            if let Err(failure) = checkpoints.check_reached(&tree).await? {
                return Ok(Err(failure));
            }
        }
        head_hash = page.last_hash;
    }
    // Nothing stored beyond the log: what is stored is read first, then the log's end, so that a
    // node or checkpoint of a record appended meanwhile is not mistaken for one beyond it.
    let outer_nodes = stored_tree::outer_nodes(pool).await?;
    let largest_checkpoint = stored_checkpoints::largest_size(pool).await?;
    let records_now = log_end(pool).await?.records().max(tree.size());
    if let Err(failure) = stored_tree::beyond(&outer_nodes, records_now)
        .and_then(|()| stored_checkpoints::beyond(largest_checkpoint, records_now))
    {
        return Ok(Err(failure));
    }
    Ok(Ok(Verified {
        records: tree.size(),
        head_hash,
        root: tree.root(),
        checkpoints: checkpoints.checked(),
    }))
}

/// The log's last position (0 when it is empty, or holds no position above 0).
async fn log_end(pool: &AnyPool) -> Result<Position, sqlx::Error> {
    let (last,): (Option<i64>,) = sqlx::query_as("SELECT MAX(position) FROM events").fetch_one(pool).await?;
    Ok(Position::from_stored(last.unwrap_or(0)).unwrap_or(Position::ZERO))
}
