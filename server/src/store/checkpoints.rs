//! Signed checkpoints as stored: every one is kept, keyed by its tree size, which is stored as the
//! position of the last record it covers (and so converted as a [`Position`]).

use domain::{Position, RecordHash};
use sqlx::AnyPool;

use super::tree::TreeError;

/// A signed checkpoint as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredCheckpoint {
    /// How many records it covers.
    pub tree_size: u64,
    /// The tree's root at that size.
    pub root: RecordHash,
    /// The signed note, exactly as served.
    pub note: String,
    /// When it was signed (RFC 3339 UTC).
    pub signed_at: String,
}

type Row = (i64, String, String, String);

fn from_row((tree_size, root, note, signed_at): Row) -> Result<StoredCheckpoint, TreeError> {
    Ok(StoredCheckpoint {
        tree_size: Position::from_stored(tree_size)
            .map_err(|_| TreeError::Corrupt(format!("a checkpoint of size {tree_size}")))?
            .records(),
        root: RecordHash::from_hex(&root).map_err(TreeError::Corrupt)?,
        note,
        signed_at,
    })
}

/// Stores `checkpoint` unless one of its size is stored already (signatures are deterministic, so
/// the same key gives the same note); answers the one stored at its size.
///
/// The stored one is looked for in the INSERT itself: SQLite refuses any INSERT over an existing
/// checkpoint before its `ON CONFLICT` is reached (see migration 0009), and PostgreSQL still needs
/// the `ON CONFLICT` when another process stores the same size at the same moment.
pub async fn insert(pool: &AnyPool, checkpoint: &StoredCheckpoint) -> Result<StoredCheckpoint, TreeError> {
    let size = Position::after_records(checkpoint.tree_size)
        .map_err(|_| TreeError::Corrupt(format!("a checkpoint of size {}", checkpoint.tree_size)))?
        .stored();
    sqlx::query(
        "INSERT INTO checkpoints (tree_size, root, note, signed_at) SELECT $1, $2, $3, $4 \
         WHERE NOT EXISTS (SELECT 1 FROM checkpoints WHERE tree_size = $1) ON CONFLICT (tree_size) DO NOTHING",
    )
    .bind(size)
    .bind(checkpoint.root.to_hex())
    .bind(&checkpoint.note)
    .bind(&checkpoint.signed_at)
    .execute(pool)
    .await?;
    at_size(pool, checkpoint.tree_size)
        .await?
        .ok_or_else(|| TreeError::Corrupt(format!("the checkpoint of size {size} was not stored")))
}

/// The checkpoint of the largest tree.
pub async fn latest(pool: &AnyPool) -> Result<Option<StoredCheckpoint>, TreeError> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT tree_size, root, note, signed_at FROM checkpoints ORDER BY tree_size DESC LIMIT 1",
    )
    .fetch_optional(pool)
    .await?;
    row.map(from_row).transpose()
}

/// The checkpoint of the smallest tree of at least `tree_size` records, if one is signed yet.
pub(crate) async fn covering(pool: &AnyPool, tree_size: u64) -> Result<Option<StoredCheckpoint>, TreeError> {
    let Ok(head) = Position::after_records(tree_size) else {
        return Ok(None);
    };
    let row: Option<Row> = sqlx::query_as(
        "SELECT tree_size, root, note, signed_at FROM checkpoints WHERE tree_size >= $1 ORDER BY tree_size LIMIT 1",
    )
    .bind(head.stored())
    .fetch_optional(pool)
    .await?;
    row.map(from_row).transpose()
}

/// The checkpoint signed at `tree_size`, if one was.
pub(crate) async fn at_size(pool: &AnyPool, tree_size: u64) -> Result<Option<StoredCheckpoint>, TreeError> {
    let Ok(head) = Position::after_records(tree_size) else {
        return Ok(None);
    };
    let row: Option<Row> =
        sqlx::query_as("SELECT tree_size, root, note, signed_at FROM checkpoints WHERE tree_size = $1")
            .bind(head.stored())
            .fetch_optional(pool)
            .await?;
    row.map(from_row).transpose()
}
