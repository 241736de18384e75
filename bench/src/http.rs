//! The HTTP figures, against `aidledger serve` in a child process on the run's database: batched
//! appends, single-event appends from concurrent clients, live feed latency and audit trails, then
//! the child's memory. The bounds of the appends (plain inserts of 1 000 rows, and of one row, a
//! transaction) are measured first, while nothing else writes; and the bench's own store is closed
//! by then, so that the child is the only writer.

use std::time::Instant;

use anyhow::Context;
use domain::Role;
use reqwest::header::CONTENT_TYPE;
use serde_json::json;

use crate::bounds::plain_rows;
use crate::keys::RunKeys;
use crate::reads::percentile;
use crate::serve_child::ServeChild;
use crate::table::{Bound, Figure};
use crate::{feed_latency, http_appends, memory, millis, trails, BenchOptions};
use aidledger_server::db::Database;
use aidledger_server::http::Limits;
use aidledger_server::tokens;

/// Events in one batched append: as many as an append may hold ([`Limits::events_per_append_max`]'s
/// default), the design's 1 000.
const HTTP_BATCH_EVENTS: u64 = 1_000;
/// At most this many events are appended in batches over HTTP.
const HTTP_BATCHED_EVENTS_MAX: u64 = 100_000;
/// At most this many single-event HTTP appends are timed.
const HTTP_APPENDS_MAX: u64 = 20_000;
/// At most this many rows are inserted one a transaction for the single appends' bound (each waits
/// for its own fsync; the rate is steady long before).
const PLAIN_SINGLE_ROWS_MAX: u64 = 1_000;

/// Measures the HTTP figures on `database`, whose log holds `log_events` events of `body_bytes`
/// bytes on average, against a `serve` child opened with `keys`.
pub(crate) async fn figures(
    database: &Database,
    keys: &RunKeys,
    options: &BenchOptions,
    log_events: u64,
    body_bytes: usize,
) -> anyhow::Result<Vec<Figure>> {
    let batched_events = log_events.min(HTTP_BATCHED_EVENTS_MAX);
    let batch = batched_events.min(HTTP_BATCH_EVENTS);
    let singles = log_events.min(HTTP_APPENDS_MAX);
    let plain_batched = plain_rows(database, batched_events, batch, body_bytes).await?;
    let plain_single = plain_rows(database, singles.min(PLAIN_SINGLE_ROWS_MAX), 1, body_bytes).await?;

    let staff = tokens::create(&database.pool, Role::Staff, "zhao.min").await?;
    let auditor = tokens::create(&database.pool, Role::Auditor, "wu.shen").await?;
    let disbursements: Vec<(String,)> =
        sqlx::query_as("SELECT DISTINCT stream FROM events WHERE stream LIKE 'disbursement-%'")
            .fetch_all(&database.pool)
            .await
            .context("listing disbursements")?;
    let disbursements: Vec<String> = disbursements.into_iter().map(|(stream,)| stream).collect();
    let concurrent = Limits::default()
        .concurrent_requests_max
        .max(usize::try_from(options.clients * 2).unwrap_or(usize::MAX));

    let server = ServeChild::start(&database.url, keys, concurrent).await?;
    let (client, base) = (reqwest::Client::new(), server.base.as_str());
    let batched = http_appends::batched(&client, base, &staff, batched_events, batch).await?;
    let (single, mut latencies) =
        http_appends::single(&client, base, &staff, options.clients, singles).await?;
    let mut feed = feed_latency::measure(&client, base, &staff, &auditor).await?;
    let mut trails = trails::read(&client, base, &auditor, &disbursements).await?;
    let served = server.memory()?;
    server.stop()?;
    if let Some(megabytes) = memory::own_resident_megabytes() {
        eprintln!("resident memory of the bench process (the HTTP clients): {megabytes:.0} MB");
    }

    let trail_p99 = if trails.is_empty() { f64::NAN } else { millis(percentile(&mut trails, 99.0)) };
    let design = |value| Bound::AtMost(value, "design");
    Ok(vec![
        Figure::new("http_append_batched", batched.rate(), "events/s", plain_batched.times(0.5)),
        Figure::new("http_append", single.rate(), "events/s", plain_single.times(3.0)),
        Figure::new("http_append_p50", millis(percentile(&mut latencies, 50.0)), "ms", Bound::None),
        Figure::new("http_append_p99", millis(percentile(&mut latencies, 99.0)), "ms", design(20.0)),
        Figure::new("feed_latency_p50", millis(percentile(&mut feed, 50.0)), "ms", Bound::None),
        Figure::new("feed_latency_p99", millis(percentile(&mut feed, 99.0)), "ms", design(50.0)),
        Figure::new("audit_trail_p99", trail_p99, "ms", design(5.0)),
        Figure::new("serve_rss_peak", served.peak_megabytes, "MB", design(150.0)),
        Figure::new("serve_rss", served.resident_megabytes, "MB", design(150.0)),
    ])
}

/// The body of an append of `count` visits.
pub(crate) fn visits_body(count: u64) -> String {
    let visit = json!({"type": "VisitRecorded",
        "data": {"visit_kind": "phone", "staff": "zhao.min", "duration_minutes": 20, "summary": "电话问候"}});
    let events = vec![visit; usize::try_from(count).unwrap_or(0)];
    json!({ "events": events }).to_string()
}

/// Registers a new beneficiary; answers the URL its events are appended to.
pub(crate) async fn register_beneficiary(
    client: &reqwest::Client,
    base: &str,
    token: &str,
) -> anyhow::Result<String> {
    let url = format!("{base}/v1/streams/beneficiary-{}/events", uuid::Uuid::now_v7());
    let register = json!({"expected_version": 0, "events": [{"type": "BeneficiaryRegistered",
        "data": {"name": "王建国", "category": "retired_staff", "district": "鼓楼区", "party_member": false}}]});
    append(client, &url, token, register.to_string()).await?;
    Ok(url)
}

/// Appends `body` (JSON) at `url`; answers once the whole answer has been read.
pub(crate) async fn append(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    body: String,
) -> anyhow::Result<()> {
    let (_, response) = post(client, url, token, body).await?;
    response.bytes().await.context("reading an append's answer")?;
    Ok(())
}

/// Posts the append `body` (JSON) at `url`: the instant its 201 arrived, and the answer (its body
/// still to read).
pub(crate) async fn post(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    body: String,
) -> anyhow::Result<(Instant, reqwest::Response)> {
    let response = client
        .post(url)
        .bearer_auth(token)
        .header(CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .context("posting an append")?;
    let arrived = Instant::now();
    let status = response.status();
    if status.as_u16() != 201 {
        let text = response.text().await.unwrap_or_default();
        anyhow::bail!("an append answered {status}: {text}");
    }
    Ok((arrived, response))
}
