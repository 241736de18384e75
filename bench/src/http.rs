//! Single-event appends over HTTP from concurrent clients against an in-process server on a free
//! port, each client appending to a stream of its own; then audit trails of random disbursements.

use std::sync::Arc;
use std::time::{Duration, Instant};

use aidledger_server::app::{App, AppSettings};
use aidledger_server::db::Database;
use aidledger_server::http::Limits;
use aidledger_server::privacy::Keyring;
use aidledger_server::signing::{NoteSigner, DEFAULT_LOG_ORIGIN};
use aidledger_server::store::Store;
use aidledger_server::tokens;
use anyhow::Context;
use domain::Role;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use crate::reads::percentile;
use crate::{progress_bar, BenchOptions, Throughput, HTTP_APPENDS_MAX, SEED, TRAIL_READS};

/// What the HTTP part measured.
#[derive(Clone, Copy, Debug)]
pub struct Served {
    /// The timed single-event appends.
    pub appends: Throughput,
    /// Their median latency.
    pub p50: Duration,
    /// Their 99th percentile latency.
    pub p99: Duration,
    /// The 99th percentile latency of an audit trail; `None` when the log holds no disbursement.
    pub trail_p99: Option<Duration>,
}

impl Served {
    /// Appends per second.
    pub(crate) fn rate(&self) -> f64 {
        self.appends.rate()
    }
}

/// Serves the API over `store` on a free port, times `min(log_events, HTTP_APPENDS_MAX)` single-event
/// appends from `options.clients` clients, then [`TRAIL_READS`] audit trails; stops the server.
pub async fn measure(
    database: &Database,
    store: &Store,
    keyring: Keyring,
    options: &BenchOptions,
    log_events: u64,
) -> anyhow::Result<Served> {
    let staff = tokens::create(&database.pool, Role::Staff, "zhao.min").await?;
    let auditor = tokens::create(&database.pool, Role::Auditor, "wu.shen").await?;
    let disbursements: Vec<(String,)> =
        sqlx::query_as("SELECT DISTINCT stream FROM events WHERE stream LIKE 'disbursement-%'")
            .fetch_all(&database.pool)
            .await
            .context("listing disbursements")?;
    let signer = Arc::new(NoteSigner::generate(DEFAULT_LOG_ORIGIN)?);
    let defaults = Limits::default();
    let concurrent =
        defaults.concurrent_requests_max.max(usize::try_from(options.clients * 2).unwrap_or(usize::MAX));
    let limits = Limits { concurrent_requests_max: concurrent, ..defaults };
    let listener = TcpListener::bind("127.0.0.1:0").await.context("binding a free port")?;
    let settings = AppSettings { keyring, signer, limits };
    let app = App::start_with_store(database, store.clone(), settings, listener).await?;
    let base = format!("http://{}", app.address());
    let client = reqwest::Client::new();
    let measured = async {
        let (appends, mut latencies) =
            appends(&client, &base, &staff, options.clients, log_events.min(HTTP_APPENDS_MAX)).await?;
        let streams: Vec<String> = disbursements.into_iter().map(|(stream,)| stream).collect();
        let mut trails = trails(&client, &base, &auditor, &streams).await?;
        let trail_p99 = (!trails.is_empty()).then(|| percentile(&mut trails, 99.0));
        let p50 = percentile(&mut latencies, 50.0);
        anyhow::Ok(Served { appends, p50, p99: percentile(&mut latencies, 99.0), trail_p99 })
    }
    .await;
    app.shut_down().await?;
    measured
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    body: &serde_json::Value,
) -> anyhow::Result<()> {
    let response =
        client.post(url).bearer_auth(token).json(body).send().await.context("posting an append")?;
    let status = response.status();
    anyhow::ensure!(status.as_u16() == 201, "an append answered {status}: {}", response.text().await?);
    Ok(())
}

/// Registers one beneficiary per client (untimed), then times `total` visits spread over the clients.
async fn appends(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    clients: u64,
    total: u64,
) -> anyhow::Result<(Throughput, Vec<Duration>)> {
    let register = json!({"expected_version": 0, "events": [{"type": "BeneficiaryRegistered",
        "data": {"name": "王建国", "category": "retired_staff", "district": "鼓楼区", "party_member": false}}]});
    let visit = json!({"events": [{"type": "VisitRecorded",
        "data": {"visit_kind": "phone", "staff": "zhao.min", "duration_minutes": 20, "summary": "电话问候"}}]});
    let mut urls = Vec::new();
    for _ in 0..clients {
        let url = format!("{base}/v1/streams/beneficiary-{}/events", uuid::Uuid::now_v7());
        post(client, &url, token, &register).await?;
        urls.push(url);
    }
    let bar = progress_bar(total, "appending over HTTP");
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for (index, url) in urls.into_iter().enumerate() {
        let count = total / clients + u64::from((index as u64) < total % clients);
        let (client, token, visit, bar) = (client.clone(), token.to_owned(), visit.clone(), bar.clone());
        tasks.spawn(async move {
            let mut latencies = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
            for _ in 0..count {
                let sent = Instant::now();
                post(&client, &url, &token, &visit).await?;
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

/// Times [`TRAIL_READS`] audit trails of disbursements picked at random from `streams`.
async fn trails(
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
