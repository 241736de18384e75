//! The Merkle tree's stored nodes: every perfect subtree's hash, written as the writer's
//! [`MerkleFrontier`] completes it, and read back O(log n) at a time for roots and proofs.
//!
//! Roots and proofs ask for exactly the nodes that `domain::merkle`'s `*_node_ids` functions name,
//! fetched in one query into a map that the domain's proof functions then read.

use std::collections::HashMap;

use domain::merkle::{
    consistency_proof, consistency_proof_node_ids, inclusion_proof, inclusion_proof_node_ids, tree_root,
    MerkleError, MerkleFrontier, Node, NodeId,
};
use domain::{Position, RecordHash};
use sql::{insert_rows, Dialect};
use sqlx::{Any, AnyConnection, AnyPool, Executor};

/// Most node rows written by one INSERT (three parameters each).
const NODES_PER_INSERT_MAX: usize = 300;
/// Most nodes asked for by one SELECT (two parameters each).
const NODES_PER_SELECT_MAX: usize = 300;
/// Records read at a time when building missing nodes from the log.
const RECORDS_PER_CATCH_UP_BATCH: i64 = 10_000;

/// Why a root, a proof or the stored tree could not be had.
#[derive(Debug, thiserror::Error)]
pub enum TreeError {
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The sizes asked for do not fit, or a node the proof needs is not stored.
    #[error(transparent)]
    Merkle(#[from] MerkleError),
    /// The store holds something it cannot read back.
    #[error("corrupt tree: {0}")]
    Corrupt(String),
}

fn to_i64(value: u64) -> Result<i64, TreeError> {
    i64::try_from(value).map_err(|_| TreeError::Corrupt(format!("{value} does not fit a database integer")))
}

/// Writes `nodes` (inside the caller's transaction).
pub(crate) async fn insert_nodes(
    connection: &mut AnyConnection,
    dialect: Dialect,
    nodes: &[Node],
) -> Result<(), TreeError> {
    let insert = "INSERT INTO merkle_nodes (level, node_index, hash)";
    insert_rows(connection, dialect, (insert, ""), 3, nodes, NODES_PER_INSERT_MAX, |query, node| {
        Ok::<_, TreeError>(
            query.bind(i64::from(node.id.level)).bind(to_i64(node.id.index)?).bind(node.hash.to_hex()),
        )
    })
    .await
}

async fn fetch_chunk<'e, E>(
    executor: E,
    ids: &[NodeId],
    into: &mut HashMap<NodeId, RecordHash>,
) -> Result<(), TreeError>
where
    E: Executor<'e, Database = Any>,
{
    if ids.is_empty() {
        return Ok(());
    }
    let mut sql = String::from("SELECT level, node_index, hash FROM merkle_nodes WHERE ");
    for row in 0..ids.len() {
        let first = row * 2 + 1;
        if row > 0 {
            sql.push_str(" OR ");
        }
        sql.push_str(&format!("(level = ${first} AND node_index = ${})", first + 1));
    }
    let mut query = sqlx::query_as::<_, (i64, i64, String)>(&sql);
    for id in ids {
        query = query.bind(i64::from(id.level)).bind(to_i64(id.index)?);
    }
    for (level, index, hash) in query.fetch_all(executor).await? {
        let id = match (u8::try_from(level), u64::try_from(index)) {
            (Ok(level), Ok(index)) => NodeId::new(level, index),
            _ => return Err(TreeError::Corrupt(format!("a node at level {level}, index {index}"))),
        };
        into.insert(id, RecordHash::from_hex(&hash).map_err(TreeError::Corrupt)?);
    }
    Ok(())
}

/// The stored hashes of `ids` (those stored; a missing one is simply absent).
pub(crate) async fn fetch_nodes(
    pool: &AnyPool,
    ids: &[NodeId],
) -> Result<HashMap<NodeId, RecordHash>, TreeError> {
    let mut found = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(NODES_PER_SELECT_MAX) {
        fetch_chunk(pool, chunk, &mut found).await?;
    }
    Ok(found)
}

async fn fetch_nodes_on(
    connection: &mut AnyConnection,
    ids: &[NodeId],
) -> Result<HashMap<NodeId, RecordHash>, TreeError> {
    let mut found = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(NODES_PER_SELECT_MAX) {
        fetch_chunk(&mut *connection, chunk, &mut found).await?;
    }
    Ok(found)
}

/// The frontier of the first `size` leaves from the stored nodes, or `None` when some are missing.
pub(crate) async fn load_frontier(
    connection: &mut AnyConnection,
    size: u64,
) -> Result<Option<MerkleFrontier>, TreeError> {
    let ids = MerkleFrontier::node_ids_at(size);
    let nodes = fetch_nodes_on(connection, &ids).await?;
    if nodes.len() < ids.len() {
        return Ok(None);
    }
    Ok(Some(MerkleFrontier::restore(&nodes, size)?))
}

/// The frontier of the log's first `head` records, writing whatever nodes are missing from the
/// records' hashes first (a log that predates the tree, or one appended to by another process).
/// Runs inside the caller's write transaction.
pub async fn catch_up(
    connection: &mut AnyConnection,
    dialect: Dialect,
    head: u64,
) -> Result<MerkleFrontier, TreeError> {
    if let Some(frontier) = load_frontier(connection, head).await? {
        return Ok(frontier);
    }
    let (stored_leaves,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(node_index) + 1 FROM merkle_nodes WHERE level = 0")
            .fetch_one(&mut *connection)
            .await?;
    let stored_leaves = u64::try_from(stored_leaves.unwrap_or(0)).unwrap_or(0);
    if stored_leaves > head {
        return Err(TreeError::Corrupt(format!(
            "the tree has {stored_leaves} leaves but the log only {head} records"
        )));
    }
    let mut frontier = load_frontier(connection, stored_leaves).await?.ok_or_else(|| {
        TreeError::Corrupt(format!("the stored tree is missing nodes below its leaf {stored_leaves}"))
    })?;
    if stored_leaves < head {
        tracing::info!(from = stored_leaves + 1, to = head, "building the Merkle tree's missing nodes");
    }
    while frontier.size() < head {
        let covered =
            Position::after_records(frontier.size()).map_err(|e| TreeError::Corrupt(e.to_string()))?;
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT position, hash FROM events WHERE position > $1 ORDER BY position LIMIT $2",
        )
        .bind(covered.stored())
        .bind(RECORDS_PER_CATCH_UP_BATCH)
        .fetch_all(&mut *connection)
        .await?;
        if rows.is_empty() {
            return Err(TreeError::Corrupt(format!("the log ends at position {}", frontier.size())));
        }
        let mut nodes = Vec::with_capacity(rows.len() * 2);
        for (position, hash) in rows {
            if Position::from_stored(position)
                != Position::after_records(frontier.size()).and_then(Position::next)
            {
                return Err(TreeError::Corrupt(format!(
                    "position {position} follows position {}",
                    frontier.size()
                )));
            }
            nodes.extend(frontier.push(&RecordHash::from_hex(&hash).map_err(TreeError::Corrupt)?));
        }
        insert_nodes(connection, dialect, &nodes).await?;
    }
    Ok(frontier)
}

/// The root of the tree of the first `tree_size` records.
pub async fn root(pool: &AnyPool, tree_size: u64) -> Result<RecordHash, TreeError> {
    let nodes = fetch_nodes(pool, &MerkleFrontier::node_ids_at(tree_size)).await?;
    Ok(tree_root(&nodes, tree_size)?)
}

/// The inclusion proof of each leaf of `leaf_indices` in the tree of `tree_size` records, fetching
/// every node they need at once.
pub async fn inclusion_proofs(
    pool: &AnyPool,
    leaf_indices: &[u64],
    tree_size: u64,
) -> Result<Vec<Vec<RecordHash>>, TreeError> {
    let mut ids = Vec::new();
    for &leaf_index in leaf_indices {
        ids.extend(inclusion_proof_node_ids(leaf_index, tree_size)?);
    }
    ids.sort_unstable();
    ids.dedup();
    let nodes = fetch_nodes(pool, &ids).await?;
    leaf_indices.iter().map(|&leaf_index| Ok(inclusion_proof(&nodes, leaf_index, tree_size)?)).collect()
}

/// The consistency proof between the trees of the first `first` and the first `second` records.
pub async fn consistency(pool: &AnyPool, first: u64, second: u64) -> Result<Vec<RecordHash>, TreeError> {
    let nodes = fetch_nodes(pool, &consistency_proof_node_ids(first, second)?).await?;
    Ok(consistency_proof(&nodes, first, second)?)
}
