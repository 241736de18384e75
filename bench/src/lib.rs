//! The benchmark behind `aidledger bench`: measures the figures of the design's performance table
//! on a fresh database of its own and prints each beside the bound it is measured against. It lives
//! outside the server library, which carries no load-generation code.
//!
//! The store and read figures are measured in this process; the HTTP ones against the `aidledger`
//! binary itself started again as `serve` on the same database, so that the load comes from another
//! process and the memory measured is the server's alone. [`run`] must therefore be called from the
//! `aidledger` binary.
//!
//! # Layout
//! - [`target`]: the fresh database the run uses (a temporary SQLite file by default).
//! - [`keys`]: the run's master key and signing key, in a temporary directory of their own.
//! - [`append`]: batched appends through the store, and plain INSERTs of rows of the same size
//!   through sqlx (the bound on PostgreSQL).
//! - [`plain_sqlite`]: the same rows through SQLite's C API (the bound on SQLite).
//! - [`bounds`]: which of the two a run measures its appends against.
//! - [`reads`]: projection rebuild, chain and tree verification, summary report latency.
//! - [`serve_child`]: the `serve` child process, killed when its handle is dropped.
//! - [`http`]: the HTTP figures against it, and the requests they share.
//! - [`http_appends`]: batched and single-event appends over HTTP.
//! - [`feed_latency`]: how long a committed record takes to reach 100 live subscribers.
//! - [`trails`]: audit-trail latency.
//! - [`memory`]: a process's resident memory, from `/proc`.
//! - [`table`]: the figures, their bounds and the printed table.

pub(crate) mod append;
pub(crate) mod bounds;
pub(crate) mod feed_latency;
pub(crate) mod http;
pub(crate) mod http_appends;
pub(crate) mod keys;
pub(crate) mod memory;
pub(crate) mod plain_sqlite;
pub(crate) mod reads;
pub(crate) mod serve_child;
pub mod table;
pub(crate) mod target;
pub(crate) mod trails;

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use aidledger_server::db::Database;
use aidledger_server::store::Store;
use keys::RunKeys;
use table::{Bound, Figure};

/// The year the benchmark's demo events happen in.
pub const YEAR: i32 = 2022;
/// The seed of the benchmark's demo events.
pub(crate) const SEED: u64 = 1;
/// How many times the full-year summary report is run.
pub(crate) const SUMMARY_RUNS: usize = 20;
/// How many random disbursement audit trails are read.
pub(crate) const TRAIL_READS: usize = 200;

/// What a benchmark run is asked to do (each count at least 1).
#[derive(Clone, Copy, Debug)]
pub struct BenchOptions {
    /// How many demo events to append (and to rebuild, verify and report over).
    pub events: u64,
    /// Append requests (one event each) per call to the store, and rows per transaction of their
    /// plain-insert bound (the HTTP appends' bounds are at 1 000 rows and one row a transaction).
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
    println!("a bound `F x R` is F times the rate R of plain inserts measured in this run.");
    println!("the report, trail and memory bounds are the design's at 1 000 000 events.");
    Ok(())
}

async fn measure(database: &Database, options: &BenchOptions) -> anyhow::Result<Vec<Figure>> {
    let keys = RunKeys::create()?;
    let store = Store::open(database, Some(keys.keyring.clone())).await?;
    let appended = append::store_batched(&store, options.events, options.batch).await?;
    // From here on the `serve` child is the log's only writer.
    drop(store);
    let body_bytes = append::average_body_bytes(database).await?;
    let plain = bounds::plain_rows(database, appended.events, options.batch, body_bytes).await?;
    let mut figures = vec![
        Figure::new("append_batched", appended.rate(), "events/s", plain.times(0.5)),
        Figure::new("plain_insert", plain.inserted.rate(), "rows/s", Bound::None),
    ];

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

    figures.extend(http::figures(database, &keys, options, appended.events, body_bytes).await?);
    Ok(figures)
}

/// Notes on stderr this process's resident memory after `stage` (the figures are the `serve`
/// child's; this is the bench's own).
fn note_memory(stage: &str) {
    if let Some(megabytes) = memory::own_resident_megabytes() {
        eprintln!("resident memory of the bench process after {stage}: {megabytes:.0} MB");
    }
}

/// A duration in milliseconds.
pub(crate) fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
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
