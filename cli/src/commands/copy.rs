//! `aidledger copy`: copies a whole ledger into an empty database, verifying both sides, with a
//! progress bar.

use clap::Args;

use crate::progress::progress_bar;

/// The arguments of `aidledger copy`.
#[derive(Debug, Args)]
pub struct CopyArgs {
    /// The ledger to copy.
    #[arg(long)]
    from: String,
    /// The empty (or new) database to copy it into.
    #[arg(long)]
    to: String,
}

/// Copies the ledger `args.from` names into `args.to`.
pub async fn run(args: CopyArgs) -> anyhow::Result<()> {
    let bar = progress_bar(0, "copying");
    let started = std::time::Instant::now();
    let outcome = aidledger_server::copy::copy(&args.from, &args.to, |done, total| {
        bar.set_length(total.max(0) as u64);
        bar.set_position(done.max(0) as u64);
    })
    .await?;
    bar.finish_and_clear();
    eprintln!(
        "copied {} records in {:.2} s; both sides verify with the same head at position {}",
        outcome.records,
        started.elapsed().as_secs_f64(),
        outcome.head_position
    );
    Ok(())
}
