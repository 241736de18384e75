//! The subcommands, one file each: its `clap` arguments, what it does, and what it prints.

pub mod backup;
pub mod bench;
pub mod copy;
pub mod demo;
pub mod export;
pub mod import;
pub mod keygen;
pub mod migrate;
pub mod rebuild;
pub mod report;
pub mod report_export;
pub mod serve;
pub mod token;
pub mod verify;
pub mod witness;

use clap::Subcommand;

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database and serve the HTTP API.
    Serve(serve::ServeArgs),
    /// Apply migrations and exit.
    Migrate,
    /// Manage API tokens.
    Token {
        /// What to do with tokens.
        #[command(subcommand)]
        command: token::TokenCommand,
    },
    /// Re-verify the hash chain, the Merkle tree and every signed checkpoint (or, with --export, an
    /// export offline): exit 0 when they verify, 1 (naming the first bad position) when not, 2 on any
    /// other error.
    Verify(verify::VerifyArgs),
    /// Write the records exactly as served, one per line, up to the latest signed checkpoint (signing
    /// one for the whole log first when the key file is at hand), and that checkpoint to FILE.checkpoint.
    Export(export::ExportArgs),
    /// Copy a SQLite ledger, consistently and while it is being served, into a new file, then verify
    /// the copy like `verify` does (exit 0, 1 naming the first bad position, 2 on other errors). For
    /// PostgreSQL, use pg_dump or pg_basebackup (see the README).
    Backup(backup::BackupArgs),
    /// Import a file of past records (CSV from a spreadsheet, UTF-8 or GB18030, or JSONL), every row
    /// checked first and all appended in one transaction or none: exit 0 when imported (or, with
    /// --dry-run, when every row is good), 1 when any row is bad (each printed), 2 on other errors.
    Import(import::ImportArgs),
    /// Create the checkpoint signing key (refusing to overwrite one) and print its verifier key.
    Keygen(keygen::KeygenArgs),
    /// Print the summary report's figures for a period (after bringing the projections up to date).
    Report(report::ReportArgs),
    /// Rebuild one projection (or all) from position 1.
    Rebuild(rebuild::RebuildArgs),
    /// Append a realistic, deterministic synthetic year of a city's care work.
    Demo(demo::DemoArgs),
    /// Measure appends, projection rebuild, verification, reports, audit trails and memory on a fresh
    /// database (a temporary SQLite file unless --database-url names an empty one) and print each
    /// figure beside its bound.
    Bench(bench::BenchArgs),
    /// Copy a whole ledger into an empty database (e.g. SQLite to PostgreSQL), verifying both sides.
    Copy(copy::CopyArgs),
    /// Be a witness of other logs (C2SP tlog-witness): make its key, or serve add-checkpoint; its
    /// state lives in --database-url.
    Witness {
        /// What to do as a witness.
        #[command(subcommand)]
        command: witness::WitnessCommand,
    },
}
