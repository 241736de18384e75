//! Audit-trail latency: `GET /v1/audit/disbursements/{id}` of disbursements picked at random.

use std::time::{Duration, Instant};

use anyhow::Context;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::{progress_bar, SEED, TRAIL_READS};

/// Times [`TRAIL_READS`] audit trails of disbursements picked at random from `streams`, each read
/// to its end; none when `streams` is empty.
pub(crate) async fn read(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    streams: &[String],
) -> anyhow::Result<Vec<Duration>> {
    if streams.is_empty() {
        return Ok(Vec::new());
    }
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let bar = progress_bar(TRAIL_READS as u64, "audit trails");
    let mut times = Vec::with_capacity(TRAIL_READS);
    for _ in 0..TRAIL_READS {
        let stream = &streams[rng.random_range(0..streams.len())];
        let id = stream.trim_start_matches("disbursement-");
        let started = Instant::now();
        let response = client
            .get(format!("{base}/v1/audit/disbursements/{id}"))
            .bearer_auth(token)
            .send()
            .await
            .context("reading an audit trail")?;
        let status = response.status();
        response.bytes().await.context("reading an audit trail's body")?;
        times.push(started.elapsed());
        anyhow::ensure!(status.is_success(), "an audit trail answered {status}");
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(times)
}
