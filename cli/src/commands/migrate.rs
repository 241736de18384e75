//! `aidledger migrate`: applies the migrations and exits.

use aidledger_server::app::{open_database, Migrations};

/// Migrates the database `url` names and says so.
pub async fn run(url: &str) -> anyhow::Result<()> {
    open_database(url, Migrations::Apply).await?;
    println!("migrations applied to {url}");
    Ok(())
}
