//! What is read from the database when `/metrics` is scraped rather than counted as it happens:
//! the head, each projection's lag, how old and how far behind the latest checkpoint is, and how
//! long ago each witness last cosigned.

use anyhow::Context;
use metrics::gauge;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::{witness_cosignature_age, CHECKPOINT_AGE, CHECKPOINT_UNSIGNED, HEAD_POSITION, PROJECTION_LAG};
use crate::cosigning::stored;
use crate::projector::Projector;
use crate::store::Store;

/// Sets the gauges read at scrape time from `projector`'s and `store`'s database.
pub async fn read_gauges(projector: &Projector, store: &Store) -> anyhow::Result<()> {
    let (head, projections) = projector.status().await?;
    gauge!(HEAD_POSITION).set(head as f64);
    for projection in projections {
        gauge!(PROJECTION_LAG, "projection" => projection.name).set(projection.lag as f64);
    }
    if let Some(checkpoint) = store.latest_checkpoint().await? {
        gauge!(CHECKPOINT_AGE).set(seconds_since(&checkpoint.signed_at)?);
        let unsigned = u64::try_from(head).unwrap_or(0).saturating_sub(checkpoint.tree_size);
        gauge!(CHECKPOINT_UNSIGNED).set(unsigned as f64);
    }
    for (witness_key, recorded_at) in stored::latest_by_witness(store.pool()).await? {
        let witness = witness_key.split('+').next().unwrap_or(&witness_key);
        witness_cosignature_age(witness, seconds_since(&recorded_at)?);
    }
    Ok(())
}

/// Seconds from `time` (RFC 3339) to now, never negative.
fn seconds_since(time: &str) -> anyhow::Result<f64> {
    let then = OffsetDateTime::parse(time, &Rfc3339).with_context(|| format!("reading the time {time:?}"))?;
    Ok((OffsetDateTime::now_utc() - then).as_seconds_f64().max(0.0))
}
