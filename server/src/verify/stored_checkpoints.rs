//! Checking the stored signed checkpoints in tree-size order while the records are walked: each is
//! checked when the recomputed tree reaches its size, against the root the tree has then.

use std::collections::VecDeque;

use domain::merkle::MerkleFrontier;
use sqlx::AnyPool;

use super::checkpoint_keys::CheckpointKey;
use super::Failure;
use crate::signing::Checkpoint;

/// Checkpoints read per page unless told otherwise.
pub(crate) const CHECKPOINTS_PER_PAGE: i64 = 256;

/// A stored checkpoint: its tree size, root (hex) and signed note.
type StoredRow = (i64, String, String);

/// The stored checkpoints not yet checked, in tree-size order.
pub struct StoredCheckpoints<'a> {
    pool: &'a AnyPool,
    keys: &'a [CheckpointKey],
    page: VecDeque<StoredRow>,
    last_size: i64,
    per_page: i64,
    read_from: Option<i64>,
    checked: u64,
}

impl<'a> StoredCheckpoints<'a> {
    /// The checkpoints stored in `pool` up to the tree size `last_size`, read `per_page` at a time
    /// ([`CHECKPOINTS_PER_PAGE`] is a good choice), each to be checked with one of `keys` that covers
    /// its size (keys are needed only if there are checkpoints).
    pub fn new(pool: &'a AnyPool, keys: &'a [CheckpointKey], last_size: u64, per_page: i64) -> Self {
        Self {
            pool,
            keys,
            page: VecDeque::new(),
            last_size: i64::try_from(last_size).unwrap_or(i64::MAX),
            per_page: per_page.max(1),
            // The first page starts below any size, so that a stray negative size is named too.
            read_from: Some(i64::MIN),
            checked: 0,
        }
    }

    /// How many have been checked.
    pub fn checked(&self) -> u64 {
        self.checked
    }

    /// Checks every checkpoint of `tree`'s size (the recomputed tree so far, whose stored nodes have
    /// been compared); call it at every size from 0 up.
    pub(crate) async fn check_reached(
        &mut self,
        tree: &MerkleFrontier,
    ) -> anyhow::Result<Result<(), Failure>> {
        loop {
            match self.next_size().await? {
                Ok(Some(size)) if size == tree.size() => {}
                Ok(_) => return Ok(Ok(())),
                Err(failure) => return Ok(Err(failure)),
            }
            if let Err(failure) = self.check_next(tree).await? {
                return Ok(Err(failure));
            }
        }
    }

    /// The tree size of the next checkpoint to check, if any is left; a negative size (which no
    /// checkpoint can have) is a failure.
    async fn next_size(&mut self) -> anyhow::Result<Result<Option<u64>, Failure>> {
        if self.page.is_empty() {
            self.read_page().await?;
        }
        let Some((tree_size, _, _)) = self.page.front() else {
            return Ok(Ok(None));
        };
        Ok(u64::try_from(*tree_size).map(Some).map_err(|_| Failure::Checkpoint {
            tree_size: 0,
            detail: format!("a stored checkpoint has the tree size {tree_size}"),
        }))
    }

    async fn read_page(&mut self) -> Result<(), sqlx::Error> {
        let Some(read_from) = self.read_from else {
            return Ok(());
        };
        let rows: Vec<StoredRow> = sqlx::query_as(
            "SELECT tree_size, root, note FROM checkpoints WHERE tree_size >= $1 AND tree_size <= $2 \
             ORDER BY tree_size LIMIT $3",
        )
        .bind(read_from)
        .bind(self.last_size)
        .bind(self.per_page)
        .fetch_all(self.pool)
        .await?;
        self.read_from = match rows.last() {
            Some((last, _, _)) if i64::try_from(rows.len()) == Ok(self.per_page) => last.checked_add(1),
            _ => None,
        };
        self.page = rows.into();
        Ok(())
    }

    /// Checks the next checkpoint, whose size must be `tree`'s: signed by the verifier, for this
    /// log's origin, with `tree`'s root.
    async fn check_next(&mut self, tree: &MerkleFrontier) -> anyhow::Result<Result<(), Failure>> {
        let Some((tree_size, root, note)) = self.page.pop_front() else {
            anyhow::bail!("no checkpoint is left to check");
        };
        let tree_size = u64::try_from(tree_size)?;
        anyhow::ensure!(tree_size == tree.size(), "checkpoint {tree_size} checked at size {}", tree.size());
        let fail = |detail: String| Ok(Err(Failure::Checkpoint { tree_size, detail }));
        if self.keys.is_empty() {
            anyhow::bail!(
                "checkpoints are stored but there is no key to check their signatures: give --verifier-key, or \
                 --key-file with the signing key"
            );
        }
        let computed = tree.root();
        if root != computed.to_hex() {
            return fail(format!("its stored root {root} is not the root of the records, {computed}"));
        }
        let mut refused = Vec::new();
        let mut opened = None;
        for key in self.keys.iter().filter(|key| key.covers(tree_size)) {
            match Checkpoint::open(&note, &key.verifier) {
                Ok(checkpoint) if checkpoint.origin == key.verifier.name() => {
                    opened = Some(checkpoint);
                    break;
                }
                Ok(checkpoint) => refused.push(format!(
                    "it is for the log {:?}, not {:?}",
                    checkpoint.origin,
                    key.verifier.name()
                )),
                Err(error) => refused.push(error.to_string()),
            }
        }
        let Some(opened) = opened else {
            return match refused.is_empty() {
                true => fail("no key of the log signs checkpoints of this size".into()),
                false => fail(refused.join("; ")),
            };
        };
        if opened.tree_size != tree_size || opened.root != computed {
            return fail(format!(
                "the signed note says size {} and root {}, the records give size {tree_size} and root {computed}",
                opened.tree_size, opened.root
            ));
        }
        self.checked += 1;
        Ok(Ok(()))
    }
}

/// The largest tree size among the stored checkpoints.
pub(crate) async fn largest_size(pool: &AnyPool) -> Result<Option<i64>, sqlx::Error> {
    let (largest,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(tree_size) FROM checkpoints").fetch_one(pool).await?;
    Ok(largest)
}

/// The failure for a checkpoint (the `largest` stored, [`largest_size`]) that covers more than the
/// log's `records` records (read after it).
pub fn beyond(largest: Option<i64>, records: u64) -> Result<(), Failure> {
    match largest.map(u64::try_from) {
        Some(Ok(tree_size)) if tree_size > records => Err(Failure::Checkpoint {
            tree_size,
            detail: format!("it covers more records than the log's {records}"),
        }),
        _ => Ok(()),
    }
}
