//! `aidledger rebuild`: empties one projection (or all) and applies the log again from position 1.

use aidledger_server::app::{open_database, Migrations};
use clap::Args;
use projections::ProjectionName;

use crate::progress::catch_up_with_progress;

/// The arguments of `aidledger rebuild`.
#[derive(Debug, Args)]
pub struct RebuildArgs {
    /// The projection; all when omitted.
    name: Option<String>,
}

/// Rebuilds the projection `args` names (or every one) in the database `url` names.
pub async fn run(url: &str, args: RebuildArgs) -> anyhow::Result<()> {
    let database = open_database(url, Migrations::Apply).await?;
    // Parsed here, not by clap: an unknown name is this command's error (exit 2, naming every
    // projection), as it always was.
    let chosen: Vec<ProjectionName> = match args.name {
        Some(name) => vec![name.parse().map_err(anyhow::Error::msg)?],
        None => ProjectionName::ALL.to_vec(),
    };
    let started = std::time::Instant::now();
    let mut connection = database.connect_one().await?;
    for projection in &chosen {
        projections::runner::reset(&mut connection, database.dialect, *projection).await?;
    }
    let reached = catch_up_with_progress(&database).await?;
    let seconds = started.elapsed().as_secs_f64();
    let names: Vec<&str> = chosen.iter().map(|p| p.as_str()).collect();
    eprintln!(
        "rebuilt {} to position {reached} in {seconds:.2} s ({:.0} events/s)",
        names.join(", "),
        reached as f64 / seconds.max(1e-9)
    );
    Ok(())
}
