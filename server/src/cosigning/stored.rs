//! The witnesses' cosignatures as the log keeps them: one row per (checkpoint tree size, witness key
//! id), the line exactly as the witness answered it, never updated or deleted.

use anyhow::Context;
use domain::record::format_recorded_at;
use sqlx::AnyPool;
use time::OffsetDateTime;

use crate::signing::NoteVerifier;

/// A stored cosignature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredCosignature {
    /// The tree size of the checkpoint it cosigns.
    pub tree_size: u64,
    /// The witness's verifier key.
    pub witness_key: String,
    /// The signature line, ending in `\n`.
    pub line: String,
}

/// Keeps `line`, `witness`'s cosignature of the checkpoint of `tree_size` (a second one for the same
/// checkpoint and witness is ignored).
pub async fn insert(
    pool: &AnyPool,
    tree_size: u64,
    witness: &NoteVerifier,
    line: &str,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO cosignatures (tree_size, key_id, witness_key, line, recorded_at) SELECT $1, $2, $3, $4, $5 \
         WHERE NOT EXISTS (SELECT 1 FROM cosignatures WHERE tree_size = $1 AND key_id = $2) \
         ON CONFLICT (tree_size, key_id) DO NOTHING",
    )
    .bind(i64::try_from(tree_size)?)
    .bind(hex::encode(witness.id()))
    .bind(witness.to_string())
    .bind(line)
    .bind(format_recorded_at(OffsetDateTime::now_utc()))
    .execute(pool)
    .await
    .context("keeping a cosignature")?;
    Ok(())
}

/// Each witness's verifier key with when the log kept its latest cosignature (RFC 3339 UTC), in
/// key order.
pub async fn latest_by_witness(pool: &AnyPool) -> anyhow::Result<Vec<(String, String)>> {
    sqlx::query_as(
        "SELECT witness_key, MAX(recorded_at) FROM cosignatures GROUP BY witness_key ORDER BY witness_key",
    )
    .fetch_all(pool)
    .await
    .context("reading when each witness last cosigned")
}

/// The cosignature lines of the checkpoint of `tree_size`, in key id order.
pub async fn lines(pool: &AnyPool, tree_size: u64) -> anyhow::Result<Vec<String>> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT line FROM cosignatures WHERE tree_size = $1 ORDER BY key_id")
            .bind(i64::try_from(tree_size)?)
            .fetch_all(pool)
            .await
            .context("reading cosignatures")?;
    Ok(rows.into_iter().map(|(line,)| line).collect())
}

/// The tree size of the checkpoint of at least `min_size` records with the most cosignatures (the
/// largest among those), if any is cosigned.
pub async fn best_cosigned(pool: &AnyPool, min_size: u64) -> anyhow::Result<Option<u64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT tree_size FROM cosignatures WHERE tree_size >= $1 GROUP BY tree_size \
         ORDER BY COUNT(*) DESC, tree_size DESC LIMIT 1",
    )
    .bind(i64::try_from(min_size)?)
    .fetch_optional(pool)
    .await
    .context("reading cosignatures")?;
    row.map(|(size,)| u64::try_from(size).context("a cosigned tree size")).transpose()
}

/// Every stored cosignature, in tree-size order (for `verify`).
pub async fn all(pool: &AnyPool) -> anyhow::Result<Vec<StoredCosignature>> {
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT tree_size, witness_key, line FROM cosignatures ORDER BY tree_size, key_id")
            .fetch_all(pool)
            .await
            .context("reading cosignatures")?;
    rows.into_iter()
        .map(|(tree_size, witness_key, line)| {
            Ok(StoredCosignature { tree_size: u64::try_from(tree_size)?, witness_key, line })
        })
        .collect()
}

/// The largest tree size `witness` has cosigned, as far as the log keeps.
pub async fn largest_cosigned_by(pool: &AnyPool, witness: &NoteVerifier) -> anyhow::Result<Option<u64>> {
    let (largest,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(tree_size) FROM cosignatures WHERE key_id = $1")
            .bind(hex::encode(witness.id()))
            .fetch_one(pool)
            .await
            .context("reading cosignatures")?;
    largest.map(|size| u64::try_from(size).context("a cosigned tree size")).transpose()
}
