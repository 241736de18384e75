//! Verifying the database: the chain record by record, then every stored Merkle tree node against
//! the tree recomputed from the records' hashes, then every stored checkpoint.
//!
//! The recomputed tree is held in memory (two hashes per record), which is what lets every stored
//! node and every checkpoint's root be compared at once.

use domain::chain::ChainVerifier;
use domain::merkle::{tree_root, MemoryTree, NodeId, NodeSource};
use domain::RecordHash;
use futures_util::TryStreamExt;
use sqlx::AnyPool;

use super::{Failure, Outcome, Verified};
use crate::signing::{Checkpoint, NoteVerifier};

/// Verifies the log in `pool`; the checkpoints' signatures with `verifier`, which is needed only when
/// checkpoints are stored.
pub async fn verify(pool: &AnyPool, verifier: Option<&NoteVerifier>) -> anyhow::Result<Outcome> {
    let (tree, head_hash) = match chain(pool).await? {
        Ok(walked) => walked,
        Err(failure) => return Ok(Err(failure)),
    };
    if let Err(failure) = nodes(pool, &tree).await? {
        return Ok(Err(failure));
    }
    let checkpoints = match checkpoints(pool, &tree, verifier).await? {
        Ok(count) => count,
        Err(failure) => return Ok(Err(failure)),
    };
    Ok(Ok(Verified { records: tree.size(), head_hash, root: tree.root(), checkpoints }))
}

/// Walks the chain, building the tree of the records' hashes.
async fn chain(pool: &AnyPool) -> anyhow::Result<Result<(MemoryTree, RecordHash), Failure>> {
    let mut verifier = ChainVerifier::new();
    let mut tree = MemoryTree::new();
    let mut rows = sqlx::query_as::<_, (i64, String, String)>(
        "SELECT position, body, hash FROM events ORDER BY position",
    )
    .fetch(pool);
    while let Some((position, body, hash)) = rows.try_next().await? {
        if let Err(detail) = verifier.check(position, &body, &hash) {
            let position = u64::try_from(verifier.checked()).unwrap_or(0) + 1;
            return Ok(Err(Failure::Record { position, detail }));
        }
        tree.push(&verifier.head_hash());
    }
    Ok(Ok((tree, verifier.head_hash())))
}

fn node_failure(id: NodeId, detail: &str) -> Failure {
    let positions = if id.level == 0 {
        format!("position {}", id.start() + 1)
    } else {
        format!("positions {}–{}", id.start() + 1, id.end())
    };
    Failure::Record {
        position: id.start() + 1,
        detail: format!("the stored tree node {id} over {positions} {detail}"),
    }
}

/// How many perfect subtrees of `level` a tree of `size` leaves has.
fn nodes_at_level(size: u64, level: u8) -> u64 {
    size.checked_shr(u32::from(level)).unwrap_or(0)
}

/// Compares every stored node with the recomputed tree: none missing, none extra, none different.
async fn nodes(pool: &AnyPool, tree: &MemoryTree) -> anyhow::Result<Result<(), Failure>> {
    let size = tree.size();
    let mut expected = NodeId::new(0, 0);
    // Every node of `expected.level` from `expected.index` on, and of the levels above it up to
    // `until`, must have been seen: the first that was not is missing.
    let missing_before = |expected: NodeId, until: NodeId| -> Result<(), Failure> {
        let mut at = expected;
        while at < until && nodes_at_level(size, at.level) > 0 {
            if at.index < nodes_at_level(size, at.level) {
                return Err(node_failure(at, "is missing"));
            }
            at = NodeId::new(at.level + 1, 0);
        }
        Ok(())
    };
    let mut rows = sqlx::query_as::<_, (i64, i64, String)>(
        "SELECT level, node_index, hash FROM merkle_nodes ORDER BY level, node_index",
    )
    .fetch(pool);
    while let Some((level, index, hash)) = rows.try_next().await? {
        let id = match (u8::try_from(level), u64::try_from(index)) {
            (Ok(level), Ok(index)) if level < 64 => NodeId::new(level, index),
            _ => {
                return Ok(Err(Failure::Record {
                    position: size,
                    detail: format!("a stored tree node has level {level} and index {index}"),
                }))
            }
        };
        if let Err(failure) = missing_before(expected, id) {
            return Ok(Err(failure));
        }
        match tree.node(id) {
            Err(_) => return Ok(Err(node_failure(id, "lies beyond the log's last record"))),
            Ok(computed) if computed.to_hex() != hash => {
                return Ok(Err(node_failure(id, "does not match the records' hashes")))
            }
            Ok(_) => {}
        }
        expected = NodeId::new(id.level, id.index + 1);
    }
    Ok(missing_before(expected, NodeId::new(u8::MAX, 0)))
}

/// Checks every stored checkpoint: signed by `verifier`, for this log's origin, and with the root of
/// the recomputed tree at its size.
async fn checkpoints(
    pool: &AnyPool,
    tree: &MemoryTree,
    verifier: Option<&NoteVerifier>,
) -> anyhow::Result<Result<u64, Failure>> {
    let mut rows = sqlx::query_as::<_, (i64, String, String)>(
        "SELECT tree_size, root, note FROM checkpoints ORDER BY tree_size",
    )
    .fetch(pool);
    let mut count = 0;
    while let Some((tree_size, root, note)) = rows.try_next().await? {
        let tree_size = u64::try_from(tree_size).unwrap_or(u64::MAX);
        let fail = |detail: String| Ok(Err(Failure::Checkpoint { tree_size, detail }));
        let Some(verifier) = verifier else {
            anyhow::bail!(
                "checkpoints are stored but there is no key to check their signatures: give --verifier-key, or \
                 --key-file with the signing key"
            );
        };
        if tree_size > tree.size() {
            return fail(format!("it covers more records than the log's {}", tree.size()));
        }
        let computed = tree_root(tree, tree_size)?;
        if root != computed.to_hex() {
            return fail(format!("its stored root {root} is not the root of the records, {computed}"));
        }
        let opened = match Checkpoint::open(&note, verifier) {
            Ok(opened) => opened,
            Err(error) => return fail(error.to_string()),
        };
        if opened.origin != verifier.name() {
            return fail(format!("it is for the log {:?}, not {:?}", opened.origin, verifier.name()));
        }
        if opened.tree_size != tree_size || opened.root != computed {
            return fail(format!(
                "the signed note says size {} and root {}, the records give size {tree_size} and root {computed}",
                opened.tree_size, opened.root
            ));
        }
        count += 1;
    }
    Ok(Ok(count))
}
