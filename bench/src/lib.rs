//! The benchmark behind `aidledger bench`: measures the figures of the design's performance table
//! on a fresh database of its own and prints each beside the bound it is measured against. It lives
//! outside the server library, which carries no load-generation code.
//!
//! # Layout
//! - [`target`]: the fresh database the run uses (a temporary SQLite file by default).
//! - [`append`]: batched appends through the store, and plain INSERTs of rows of the same size
//!   through sqlx (the bound on PostgreSQL).
//! - [`plain_sqlite`]: the same rows through SQLite's C API (the bound on SQLite).
//! - [`reads`]: projection rebuild, chain and tree verification, summary report latency.
//! - [`http`]: single-event appends over HTTP from concurrent clients, and audit-trail latency.
//! - [`table`]: the figures, their bounds and the printed table.

pub(crate) mod append;
pub(crate) mod http;
pub(crate) mod plain_sqlite;
pub(crate) mod reads;
pub mod table;
pub(crate) mod target;

use std::time::Duration;

use anyhow::Context;

use indicatif::{ProgressBar, ProgressStyle};

use aidledger_server::db::Database;
use aidledger_server::privacy::Keyring;
use aidledger_server::store::Store;
use table::{Bound, Figure};

/// The year the benchmark's demo events happen in.
pub const YEAR: i32 = 2022;
/// The seed of the benchmark's demo events.
pub(crate) const SEED: u64 = 1;
/// At most this many single-event HTTP appends are timed.
pub(crate) const HTTP_APPENDS_MAX: u64 = 20_000;
/// How many times the full-year summary report is run.
pub(crate) const SUMMARY_RUNS: usize = 20;
/// How many random disbursement audit trails are read.
pub(crate) const TRAIL_READS: usize = 200;

/// What a benchmark run is asked to do (each count at least 1).
#[derive(Clone, Copy, Debug)]
pub struct BenchOptions {
    /// How many demo events to append (and to rebuild, verify and report over).
    pub events: u64,
    /// Append requests (one event each) per call to the store, and rows per transaction of the
    /// plain-INSERT bound.
    pub batch: u64,
    /// Concurrent HTTP clients for the single-event appends.
    pub clients: u64,
}

/// Runs the benchmark on `database_url` (a temporary SQLite file when `None`) and prints the table
/// to stdout; progress goes to stderr.
pub async fn run(database_url: Option<&str>, options: &BenchOptions) -> anyhow::Result<()> {
    let target = target::BenchDatabase::prepare(database_url).await?;
    let outcome = measure(&target.database, options).await;
    target.finish().await;
    let figures = outcome?;
    println!(
        "aidledger bench: {} backend, {} events, batches of {}, {} HTTP clients",
        target.backend_name(),
        options.events,
        options.batch,
        options.clients
    );
    print!("{}", table::render(&figures));
    println!(
        "ratio: the figure over its bound (the bound over the figure for latencies); 1.00 or more meets it."
    );
    println!("the report, trail and memory bounds are the design's at 1 000 000 events.");
    Ok(())
}

async fn measure(database: &Database, options: &BenchOptions) -> anyhow::Result<Vec<Figure>> {
    let keyring = Keyring::new(random_key()?);
    let store = Store::open(database, Some(keyring.clone())).await?;
    let mut figures = Vec::new();

    let appended = append::store_batched(&store, options.events, options.batch).await?;
    let body_bytes = append::average_body_bytes(database).await?;
    // The bound: on SQLite, the same rows through SQLite's own C API; on PostgreSQL, a plain
    // prepared INSERT.
    let (plain, bound) = match database.sqlite_file().await? {
        Some(file) => {
            let (rows, batch) = (appended.events, options.batch);
            let inserted =
                tokio::task::spawn_blocking(move || plain_sqlite::inserts(&file, rows, batch, body_bytes));
            (inserted.await.context("the plain SQLite inserts")??, "plain SQLite")
        }
        None => (
            append::plain_inserts(database, appended.events, options.batch, body_bytes).await?,
            "plain INSERTs",
        ),
    };
    figures.push(Figure::new(
        "append_batched",
        appended.rate(),
        "events/s",
        Bound::AtLeast(plain.rate(), bound),
    ));
    figures.push(Figure::new("plain_insert", plain.rate(), "rows/s", Bound::AtLeast(100_000.0, "design")));

    note_memory("appends");
    let rebuilt = reads::rebuild(database).await?;
    figures.push(Figure::new(
        "projection_rebuild",
        rebuilt.rate(),
        "events/s",
        Bound::AtLeast(200_000.0, "design"),
    ));
    note_memory("the rebuild");
    let verified = reads::verify(database).await?;
    figures.push(Figure::new(
        "verify_chain_tree",
        verified.rate(),
        "records/s",
        Bound::AtLeast(500_000.0, "design"),
    ));
    note_memory("verification");
    let summary = reads::summary_median(database).await?;
    figures.push(Figure::new("summary_report_p50", millis(summary), "ms", Bound::AtMost(50.0, "design")));

    note_memory("the summaries");
    let served = http::measure(database, &store, keyring, options, appended.events).await?;
    figures.push(Figure::new("http_append", served.rate(), "events/s", Bound::AtLeast(10_000.0, "design")));
    figures.push(Figure::new("http_append_p50", millis(served.p50), "ms", Bound::None));
    figures.push(Figure::new("http_append_p99", millis(served.p99), "ms", Bound::AtMost(20.0, "design")));
    let trail = served.trail_p99.map(millis).unwrap_or(f64::NAN);
    figures.push(Figure::new("audit_trail_p99", trail, "ms", Bound::AtMost(5.0, "design")));

    figures.push(Figure::new(
        "rss",
        rss_megabytes().unwrap_or(f64::NAN),
        "MB",
        Bound::AtMost(150.0, "design"),
    ));
    Ok(figures)
}

/// Notes on stderr the process's resident memory after `stage`, which shows what each stage leaves
/// behind in the final `rss`.
fn note_memory(stage: &str) {
    if let Some(megabytes) = rss_megabytes() {
        eprintln!("resident memory after {stage}: {megabytes:.0} MB");
    }
}

/// A fresh random master key: the benchmark's sealed fields need opening by nobody.
fn random_key() -> anyhow::Result<chacha20poly1305::Key> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness for a master key: {e}"))?;
    Ok(*chacha20poly1305::Key::from_slice(&bytes))
}

/// A duration in milliseconds.
pub(crate) fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// The process's resident set size in megabytes (10^6 bytes), from `/proc/self/status`.
pub(crate) fn rss_megabytes() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kilobytes: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kilobytes * 1024.0 / 1_000_000.0)
}

/// A progress bar on stderr (hidden when stderr is not a terminal).
pub fn progress_bar(length: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(length);
    bar.set_style(
        ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(what.to_owned());
    bar
}

/// A count done in a time.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Throughput {
    /// How many (events, rows or records).
    pub events: u64,
    /// How long they took.
    pub elapsed: Duration,
}

impl Throughput {
    /// Per second.
    pub(crate) fn rate(&self) -> f64 {
        self.events as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}
