//! `aidledger bench`: runs the benchmark of `aidledger-bench` on a fresh database and prints its
//! figures beside their bounds.

use aidledger_bench::BenchOptions;
use clap::Args;

/// The arguments of `aidledger bench`: how many events, in what batches, from how many clients.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// How many demo events to append (and to rebuild, verify and report over).
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..))]
    events: u64,
    /// Append requests (one event each) per call to the store, and rows per transaction of their
    /// plain-insert bound (the HTTP appends' bounds are at 1 000 rows and one row a transaction).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..))]
    batch: u64,
    /// Concurrent HTTP clients for the single-event appends.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..))]
    clients: u64,
}

/// Benchmarks on `database_url` (a temporary SQLite file when `None`).
pub async fn run(database_url: Option<&str>, args: BenchArgs) -> anyhow::Result<()> {
    let options = BenchOptions { events: args.events, batch: args.batch, clients: args.clients };
    aidledger_bench::run(database_url, &options).await
}
