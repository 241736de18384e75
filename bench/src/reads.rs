//! The figures read from the appended log: projection rebuild, chain and tree verification, and the
//! summary report's latency.

use std::time::{Duration, Instant};

use anyhow::Context;
use projections::queries::summary::{self, SummaryQuery};
use projections::queries::Period;
use projections::runner::REBUILD_CHUNK_EVENTS;
use projections::ProjectionName;

use crate::{progress_bar, Throughput, SUMMARY_RUNS, YEAR};
use aidledger_server::db::Database;
use aidledger_server::projector::{catch_up, committed_head};

/// Resets every projection and applies the whole log again.
pub async fn rebuild(database: &Database) -> anyhow::Result<Throughput> {
    let head = committed_head(database).await?;
    let mut connection = database.connect_for_projections().await?;
    let bar = progress_bar(u64::try_from(head).unwrap_or(0), "rebuilding projections");
    let started = Instant::now();
    for projection in ProjectionName::ALL {
        projections::runner::reset(&mut connection, database.dialect, projection).await?;
    }
    let reached = catch_up(&mut connection, database, REBUILD_CHUNK_EVENTS, |outcome| {
        bar.set_position(outcome.checkpoint.max(0) as u64)
    })
    .await?;
    let elapsed = started.elapsed();
    bar.finish_and_clear();
    anyhow::ensure!(reached == head, "the projections reached {reached}, not the head {head}");
    Ok(Throughput { events: u64::try_from(head).unwrap_or(0), elapsed })
}

/// Verifies the whole chain and Merkle tree (and every signed checkpoint, of which there are none
/// yet).
pub async fn verify(database: &Database) -> anyhow::Result<Throughput> {
    eprintln!("verifying the chain and the tree");
    let started = Instant::now();
    let outcome = aidledger_server::verify::database::verify(database, None).await?;
    let elapsed = started.elapsed();
    let verified = outcome.map_err(|failure| anyhow::anyhow!("the log does not verify: {failure}"))?;
    Ok(Throughput { events: verified.records, elapsed })
}

/// The median time of the full-year summary report over [`SUMMARY_RUNS`] runs.
pub(crate) async fn summary_median(database: &Database) -> anyhow::Result<Duration> {
    let period = Period::parse(&format!("{YEAR}-01-01"), &format!("{}-01-01", YEAR + 1))
        .map_err(anyhow::Error::msg)?;
    let query = SummaryQuery { period, district: None, currency: None };
    let bar = progress_bar(SUMMARY_RUNS as u64, "summary reports");
    let mut times = Vec::with_capacity(SUMMARY_RUNS);
    for _ in 0..SUMMARY_RUNS {
        let started = Instant::now();
        summary::summary(&database.pool, &query).await.context("running the summary report")?;
        times.push(started.elapsed());
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(percentile(&mut times, 50.0))
}

/// The `p`th percentile (nearest rank) of `times`; zero when there are none.
pub(crate) fn percentile(times: &mut [Duration], p: f64) -> Duration {
    if times.is_empty() {
        return Duration::ZERO;
    }
    times.sort_unstable();
    let rank = ((p / 100.0) * times.len() as f64).ceil() as usize;
    times[rank.clamp(1, times.len()) - 1]
}
