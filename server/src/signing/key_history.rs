//! The keys that have signed the log's checkpoints, kept in the database by their public half only,
//! each with the tree size it started at, so that a checkpoint signed before a rotation still
//! verifies with the key that signed it, however many rotations later.

use anyhow::Context;
use domain::record::format_recorded_at;
use sqlx::AnyPool;
use time::OffsetDateTime;

use super::NoteVerifier;

/// A key that has signed (or signs) the log's checkpoints.
#[derive(Clone, Debug)]
pub struct SigningKey {
    /// Its public half.
    pub verifier: NoteVerifier,
    /// The tree size it started at: the checkpoints it signs cover at least this many records.
    pub tree_size: u64,
    /// When it was first recorded (RFC 3339 UTC).
    pub recorded_at: String,
}

/// Records `verifier` as a key of the log, starting at `tree_size` records — or at 0 when no key is
/// recorded yet, since then it signed every checkpoint there is. A key recorded already is left as
/// it was.
pub async fn record(pool: &AnyPool, verifier: &NoteVerifier, tree_size: u64) -> anyhow::Result<()> {
    let (recorded,): (i64,) = sqlx::query_as("SELECT CAST(COUNT(*) AS BIGINT) FROM signing_keys")
        .fetch_one(pool)
        .await
        .context("reading the log's signing keys")?;
    let starts_at = if recorded == 0 { 0 } else { i64::try_from(tree_size)? };
    sqlx::query(
        "INSERT INTO signing_keys (verifier_key, tree_size, recorded_at) SELECT $1, $2, $3 \
         WHERE NOT EXISTS (SELECT 1 FROM signing_keys WHERE verifier_key = $1) ON CONFLICT (verifier_key) DO NOTHING",
    )
    .bind(verifier.to_string())
    .bind(starts_at)
    .bind(format_recorded_at(OffsetDateTime::now_utc()))
    .execute(pool)
    .await
    .context("recording the log's signing key")?;
    Ok(())
}

/// Every key recorded, in the order they started.
pub async fn keys(pool: &AnyPool) -> anyhow::Result<Vec<SigningKey>> {
    let rows: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT verifier_key, tree_size, recorded_at FROM signing_keys ORDER BY tree_size, recorded_at, verifier_key",
    )
    .fetch_all(pool)
    .await
    .context("reading the log's signing keys")?;
    rows.into_iter()
        .map(|(text, tree_size, recorded_at)| {
            let verifier =
                NoteVerifier::parse(&text).with_context(|| format!("the stored signing key {text:?}"))?;
            Ok(SigningKey { verifier, tree_size: u64::try_from(tree_size)?, recorded_at })
        })
        .collect()
}
