//! Appends over HTTP: batched (one client, each request a batch of visits to a beneficiary of its
//! own) and single-event (concurrent clients, each appending to a stream of its own).

use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::task::JoinSet;

use crate::http::{append, register_beneficiary, visits_body};
use crate::{progress_bar, Throughput};

/// Registers a beneficiary for every `batch` of `events` (untimed), then times one append of
/// `batch` visits to each (the last may hold fewer), one request after another.
pub(crate) async fn batched(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    events: u64,
    batch: u64,
) -> anyhow::Result<Throughput> {
    let mut streams = Vec::new();
    for _ in 0..events.div_ceil(batch) {
        streams.push(register_beneficiary(client, base, token).await?);
    }
    let full = visits_body(batch);
    let bar = progress_bar(events, "appending batches over HTTP");
    let (mut appended, mut elapsed) = (0_u64, Duration::ZERO);
    for url in streams {
        let count = batch.min(events - appended);
        let body = if count == batch { full.clone() } else { visits_body(count) };
        let started = Instant::now();
        append(client, &url, token, body).await?;
        elapsed += started.elapsed();
        appended += count;
        bar.set_position(appended);
    }
    bar.finish_and_clear();
    Ok(Throughput { events: appended, elapsed })
}

/// Registers one beneficiary per client (untimed), then times `total` single visits spread over the
/// clients; answers their throughput and each one's latency.
pub(crate) async fn single(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    clients: u64,
    total: u64,
) -> anyhow::Result<(Throughput, Vec<Duration>)> {
    let mut streams = Vec::new();
    for _ in 0..clients {
        streams.push(register_beneficiary(client, base, token).await?);
    }
    let visit = visits_body(1);
    let bar = progress_bar(total, "appending single events over HTTP");
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for (index, url) in streams.into_iter().enumerate() {
        let count = total / clients + u64::from((index as u64) < total % clients);
        let (client, token, visit, bar) = (client.clone(), token.to_owned(), visit.clone(), bar.clone());
        tasks.spawn(async move {
            let mut latencies = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
            for _ in 0..count {
                let sent = Instant::now();
                append(&client, &url, &token, visit.clone()).await?;
                latencies.push(sent.elapsed());
                bar.inc(1);
            }
            anyhow::Ok(latencies)
        });
    }
    let mut latencies = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        latencies.extend(joined.context("an HTTP client task")??);
    }
    let elapsed = started.elapsed();
    bar.finish_and_clear();
    Ok((Throughput { events: latencies.len() as u64, elapsed }, latencies))
}
