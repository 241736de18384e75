//! Live feed latency: [`SUBSCRIBERS`] subscribers on `GET /v1/subscribe`, then [`FEED_APPENDS`]
//! single appends at a steady rate; for each append and each subscriber, the time from the append's
//! 201 arriving at the appender to its record (matched by position) arriving at the subscriber.
//!
//! Every subscriber is live before the timed appends start: each first receives a record appended
//! for that purpose after all of them have subscribed.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::http::{append, post, register_beneficiary, visits_body};
use crate::progress_bar;

/// Subscribers following the feed.
const SUBSCRIBERS: usize = 100;
/// Timed appends.
const FEED_APPENDS: usize = 200;
/// The time between two timed appends' starts: a steady, modest 50 a second.
const APPEND_INTERVAL: Duration = Duration::from_millis(20);
/// A guard against a feed that stops delivering (the run fails), not a measure of speed.
const PATIENCE: Duration = Duration::from_secs(120);

/// The latencies of every (append, subscriber) pair; an arrival before the 201 counts as zero.
pub(crate) async fn measure(
    client: &reqwest::Client,
    base: &str,
    staff: &str,
    reader: &str,
) -> anyhow::Result<Vec<Duration>> {
    tokio::time::timeout(PATIENCE, measure_within(client, base, staff, reader)).await.map_err(|_| {
        anyhow::anyhow!("the live feed did not deliver every record within {} s", PATIENCE.as_secs())
    })?
}

async fn measure_within(
    client: &reqwest::Client,
    base: &str,
    staff: &str,
    reader: &str,
) -> anyhow::Result<Vec<Duration>> {
    let stream = register_beneficiary(client, base, staff).await?;
    let (live, mut went_live) = mpsc::channel(SUBSCRIBERS);
    let mut subscribers = JoinSet::new();
    let bar = progress_bar(SUBSCRIBERS as u64, "subscribing to the live feed");
    for _ in 0..SUBSCRIBERS {
        let response = client
            .get(format!("{base}/v1/subscribe"))
            .bearer_auth(reader)
            .send()
            .await
            .context("subscribing")?;
        let status = response.status();
        anyhow::ensure!(status.as_u16() == 200, "a subscription answered {status}");
        // The server fixed where the subscription starts before it answered: the warm-up record
        // appended below reaches every subscriber.
        subscribers.spawn(follow(Subscription::new(response), live.clone()));
        bar.inc(1);
    }
    bar.finish_and_clear();
    append(client, &stream, staff, visits_body(1)).await?;
    drop(live);
    for _ in 0..SUBSCRIBERS {
        tokio::select! {
            Some(()) = went_live.recv() => {}
            Some(ended) = subscribers.join_next() => {
                ended.context("a subscriber task")??;
                anyhow::bail!("a subscriber stopped before it went live");
            }
            else => anyhow::bail!("every subscriber stopped before it went live"),
        }
    }

    let bar = progress_bar(FEED_APPENDS as u64, "appending to live subscribers");
    let mut acknowledged = HashMap::with_capacity(FEED_APPENDS);
    let mut ticks = tokio::time::interval(APPEND_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    for _ in 0..FEED_APPENDS {
        ticks.tick().await;
        let (arrived, response) = post(client, &stream, staff, visits_body(1)).await?;
        let answer: serde_json::Value = response.json().await.context("reading an append's answer")?;
        let position =
            answer["events"][0]["position"].as_i64().context("an append's answer without a position")?;
        acknowledged.insert(position, arrived);
        bar.inc(1);
    }
    bar.finish_and_clear();

    let mut latencies = Vec::with_capacity(SUBSCRIBERS * FEED_APPENDS);
    while let Some(followed) = subscribers.join_next().await {
        for (position, delivered) in followed.context("a subscriber task")?? {
            let appended = acknowledged.get(&position).with_context(|| {
                format!("a subscriber was sent position {position}, which the bench did not append")
            })?;
            latencies.push(delivered.saturating_duration_since(*appended));
        }
    }
    Ok(latencies)
}

/// Waits for the warm-up record and says so on `live`, then answers when each of the next
/// [`FEED_APPENDS`] records arrived, by position.
async fn follow(
    mut subscription: Subscription,
    live: mpsc::Sender<()>,
) -> anyhow::Result<Vec<(i64, Instant)>> {
    subscription.next_record().await?;
    live.send(()).await.context("telling that a subscriber is live")?;
    let mut arrivals = Vec::with_capacity(FEED_APPENDS);
    while arrivals.len() < FEED_APPENDS {
        arrivals.push(subscription.next_record().await?);
    }
    Ok(arrivals)
}

/// An open subscription, read record by record.
struct Subscription {
    response: reqwest::Response,
    /// What has arrived and is not read yet.
    unread: Vec<u8>,
    /// When the last chunk arrived (which completed every event still in `unread`).
    arrived: Instant,
}

impl Subscription {
    fn new(response: reqwest::Response) -> Subscription {
        Subscription { response, unread: Vec::new(), arrived: Instant::now() }
    }

    /// The next record's position, and when the chunk that completed it arrived.
    async fn next_record(&mut self) -> anyhow::Result<(i64, Instant)> {
        loop {
            if let Some(end) = self.unread.windows(2).position(|pair| pair == b"\n\n") {
                let event: Vec<u8> = self.unread.drain(..end + 2).collect();
                if let Some(position) = record_position(&event)? {
                    return Ok((position, self.arrived));
                }
                continue;
            }
            let chunk = self.response.chunk().await.context("reading the live feed")?;
            self.arrived = Instant::now();
            self.unread.extend_from_slice(&chunk.context("the live feed ended")?);
        }
    }
}

/// The position (`id:`) of a `record` event; `None` for a comment (keep-alive).
fn record_position(event: &[u8]) -> anyhow::Result<Option<i64>> {
    let text = std::str::from_utf8(event).context("an event of the live feed is not UTF-8")?;
    if !text.lines().any(|line| line == "event: record") {
        return Ok(None);
    }
    let id =
        text.lines().find_map(|line| line.strip_prefix("id: ")).context("a record event without an id")?;
    Ok(Some(id.trim().parse().with_context(|| format!("a record event's id is not a position: {id:?}"))?))
}
