//! Connecting to the database named by a URL, and applying migrations.

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{SqliteConnection, SqlitePool};

/// The database URL used when none is given.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://aidledger.db";

/// Connection options for `url`: the file is created if missing, WAL journal, and `synchronous=FULL`
/// so that a commit is durable before it is acknowledged.
pub fn sqlite_options(url: &str) -> anyhow::Result<SqliteConnectOptions> {
    if !url.starts_with("sqlite:") {
        anyhow::bail!("unsupported database URL {url:?}: expected sqlite://FILE");
    }
    Ok(SqliteConnectOptions::from_str(url)
        .with_context(|| format!("parsing database URL {url:?}"))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true))
}

/// A pool for reads (and for migrations and tokens).
pub async fn connect(url: &str) -> anyhow::Result<SqlitePool> {
    let options = sqlite_options(url)?;
    SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .with_context(|| format!("opening database {url:?}"))
}

/// The one connection the append writer owns.
pub async fn connect_writer(url: &str) -> anyhow::Result<SqliteConnection> {
    use sqlx::ConnectOptions;
    sqlite_options(url)?.connect().await.with_context(|| format!("opening database {url:?} for writing"))
}

/// Applies every migration not yet applied.
pub async fn migrate(pool: &SqlitePool) -> anyhow::Result<()> {
    sqlx::migrate!("../migrations/sqlite").run(pool).await.context("applying migrations")
}
