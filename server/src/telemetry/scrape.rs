//! What is read from the database when `/metrics` is scraped rather than counted as it happens:
//! the head, each projection's lag, and how old and how far behind the latest checkpoint is.

use anyhow::Context;
use metrics::gauge;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::{CHECKPOINT_AGE, CHECKPOINT_UNSIGNED, HEAD_POSITION, PROJECTION_LAG};
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
        let signed_at = OffsetDateTime::parse(&checkpoint.signed_at, &Rfc3339)
            .with_context(|| format!("reading the checkpoint's time {:?}", checkpoint.signed_at))?;
        let age = (OffsetDateTime::now_utc() - signed_at).as_seconds_f64().max(0.0);
        gauge!(CHECKPOINT_AGE).set(age);
        let unsigned = u64::try_from(head).unwrap_or(0).saturating_sub(checkpoint.tree_size);
        gauge!(CHECKPOINT_UNSIGNED).set(unsigned as f64);
    }
    Ok(())
}
