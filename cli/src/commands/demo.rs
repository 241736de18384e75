//! `aidledger demo`: appends the synthetic city of `aidledger-demo` through the store, with a
//! progress bar.

use aidledger_server::app::{open_database, Migrations};
use aidledger_server::privacy::master_key::MasterKeyOptions;
use aidledger_server::store::Store;
use clap::Args;

use crate::progress::progress_bar;

/// The arguments of `aidledger demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many events to append.
    #[arg(long, default_value_t = 10_000)]
    events: u64,
    /// The seed: the same seed gives the same events.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The year the events happen in.
    #[arg(long, default_value_t = 2022)]
    year: i32,
    /// The master key that wraps every subject's key.
    #[command(flatten)]
    master_key: MasterKeyOptions,
}

/// Appends the demo's events to the database `url` names.
pub async fn run(url: &str, args: DemoArgs) -> anyhow::Result<()> {
    let DemoArgs { events, seed, year, master_key } = args;
    let database = open_database(url, Migrations::Apply).await?;
    let store = Store::open(&database, Some(master_key.keyring()?)).await?;
    let bar = progress_bar(events, "appending");
    let started = std::time::Instant::now();
    let outcome = aidledger_demo::generate(&store, events, seed, year, |done| bar.set_position(done)).await?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "appended {} events ({} beneficiaries, year {year}, seed {seed}) in {seconds:.2} s ({:.0} events/s)",
        outcome.events,
        outcome.beneficiaries,
        outcome.events as f64 / seconds.max(1e-9)
    );
    Ok(())
}
