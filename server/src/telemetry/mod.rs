//! What the server counts and measures for Prometheus (`GET /metrics`), on the `metrics` facade
//! with `metrics-exporter-prometheus`'s recorder.
//!
//! A process has one global recorder: [`handle`] installs it the first time any app starts (the
//! test suite starts many apps in one process, and they share it) and starts the thread that runs
//! the recorder's upkeep, without which its histograms would grow without bound. Everything is
//! named `aidledger_…` with its unit last; the names are the constants below, each described once.
//!
//! # Layout
//! - this file: the names, their descriptions, the recorder and its upkeep.
//! - [`appends`]: appends and their events by result, append latency, group sizes.
//! - [`requests`]: HTTP requests by route (the matched path, never the raw URI) and status.
//! - [`scrape`]: what is read when scraped (head, projection lag, checkpoint age).
//! - [`subscribers`]: open live-feed subscriptions.

pub mod appends;
pub mod requests;
pub mod scrape;
pub mod subscribers;

use std::sync::OnceLock;
use std::time::Duration;

use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Append requests, by result (`appended`, `replayed`, `rule`, `version_conflict`, `id_conflict`,
/// `failed`).
pub const APPENDS: &str = "aidledger_appends_total";
/// Events in append requests, by the request's result.
pub const EVENTS: &str = "aidledger_events_total";
/// Seconds from an append's arrival at the store to its durable answer.
pub const APPEND_DURATION: &str = "aidledger_append_duration_seconds";
/// Append requests committed together in one group (one transaction, one fsync).
pub const APPEND_GROUP: &str = "aidledger_append_group_appends";
/// The log's last committed position.
pub const HEAD_POSITION: &str = "aidledger_head_position";
/// Events each projection has yet to apply, by projection.
pub const PROJECTION_LAG: &str = "aidledger_projection_lag_events";
/// Open live-feed subscriptions, by feed (`records`, `head`).
pub const SUBSCRIBERS: &str = "aidledger_subscribers";
/// Seconds since the latest signed checkpoint was signed.
pub const CHECKPOINT_AGE: &str = "aidledger_checkpoint_age_seconds";
/// Committed records the latest signed checkpoint does not cover yet.
pub const CHECKPOINT_UNSIGNED: &str = "aidledger_checkpoint_unsigned_records";
/// Seconds since a witness last cosigned a checkpoint, by witness (absent until one has).
pub const WITNESS_COSIGNATURE_AGE: &str = "aidledger_witness_cosignature_age_seconds";
/// HTTP requests answered, by method, route and status.
pub const HTTP_REQUESTS: &str = "aidledger_http_requests_total";
/// Seconds to answer an HTTP request (to its headers), by method and route.
pub const HTTP_DURATION: &str = "aidledger_http_request_duration_seconds";

/// How often the recorder's upkeep runs.
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

/// Histogram buckets for durations: 0.5 ms to 10 s.
const SECONDS_BUCKETS: [f64; 15] =
    [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, f64::INFINITY];
/// Histogram buckets for group sizes: 1 to 4096 appends.
const GROUP_BUCKETS: [f64; 14] =
    [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0, 2048.0, 4096.0, f64::INFINITY];

/// The process's recorder, installed (with its upkeep thread) on first use.
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = builder().build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder is installed: /metrics will show nothing");
        }
        describe();
        let upkeep = handle.clone();
        let started = std::thread::Builder::new().name("metrics-upkeep".into()).spawn(move || loop {
            std::thread::sleep(UPKEEP_INTERVAL);
            upkeep.run_upkeep();
        });
        if let Err(error) = started {
            tracing::warn!(%error, "could not start the metrics upkeep thread");
        }
        handle
    })
}

fn builder() -> PrometheusBuilder {
    let seconds = Matcher::Suffix("_seconds".into());
    let builder = PrometheusBuilder::new().set_buckets_for_metric(seconds, &SECONDS_BUCKETS);
    let builder = builder.and_then(|builder| {
        builder.set_buckets_for_metric(Matcher::Full(APPEND_GROUP.into()), &GROUP_BUCKETS)
    });
    // The bucket lists above are constant and non-empty: setting them cannot fail.
    builder.unwrap_or_else(|_| PrometheusBuilder::new())
}

fn describe() {
    describe_counter!(APPENDS, "Append requests, by result.");
    describe_counter!(EVENTS, "Events in append requests, by the request's result.");
    describe_histogram!(
        APPEND_DURATION,
        Unit::Seconds,
        "From an append's arrival at the store to its durable answer."
    );
    describe_histogram!(APPEND_GROUP, "Append requests committed together in one transaction.");
    describe_gauge!(HEAD_POSITION, "The log's last committed position.");
    describe_gauge!(PROJECTION_LAG, "Events each projection has yet to apply.");
    describe_gauge!(SUBSCRIBERS, "Open live-feed subscriptions, by feed.");
    describe_gauge!(CHECKPOINT_AGE, Unit::Seconds, "Seconds since the latest checkpoint was signed.");
    describe_gauge!(CHECKPOINT_UNSIGNED, "Committed records the latest signed checkpoint does not cover.");
    describe_gauge!(
        WITNESS_COSIGNATURE_AGE,
        Unit::Seconds,
        "Seconds since each witness last cosigned a checkpoint."
    );
    describe_counter!(HTTP_REQUESTS, "HTTP requests answered, by method, route and status.");
    describe_histogram!(HTTP_DURATION, Unit::Seconds, "Time to answer an HTTP request, by method and route.");
}

/// Records that `witness` (its key name) last cosigned a checkpoint `age_seconds` ago (set when
/// `/metrics` is scraped, from the cosignatures the log keeps).
pub fn witness_cosignature_age(witness: &str, age_seconds: f64) {
    metrics::gauge!(WITNESS_COSIGNATURE_AGE, "witness" => witness.to_owned()).set(age_seconds);
}
