//! Connecting to the database a URL names, and applying that backend's migrations.
//!
//! Everything above this module speaks sqlx's `Any` driver with `$1`-style parameters, which both
//! SQLite and PostgreSQL accept, so the SQL that differs between backends stays small and visible.
//! The [`Dialect`] is read from the URL here, once, when the database is opened, and carried with
//! it to whatever writes SQL differently for each backend.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sql::Dialect;
use sqlx::any::{install_default_drivers, AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Executor};

/// The database URL used when none is given.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://aidledger.db";

/// A database URL and the dialect its scheme names, read from it once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatabaseUrl {
    url: String,
    dialect: Dialect,
}

impl DatabaseUrl {
    /// `url`, when it names a SQLite or PostgreSQL database.
    pub fn parse(url: &str) -> anyhow::Result<DatabaseUrl> {
        Ok(DatabaseUrl { url: url.to_owned(), dialect: Dialect::of_url(url)? })
    }

    /// The dialect of the database it names.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The URL with SQLite told to open an existing file only (where no mode is given already), so
    /// that a mistyped path opens no new, empty ledger.
    pub(crate) fn existing_only(self) -> DatabaseUrl {
        if self.dialect != Dialect::Sqlite || self.url.contains("mode=") {
            return self;
        }
        let url = format!("{}{}mode=rw", self.url, if self.url.contains('?') { '&' } else { '?' });
        DatabaseUrl { url, ..self }
    }
}

/// The URL as handed to the driver: a SQLite file is created when missing.
fn driver_url(url: &str, dialect: Dialect) -> String {
    match dialect {
        Dialect::Sqlite if !url.contains("mode=") => {
            format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
        }
        _ => url.to_owned(),
    }
}

fn options(url: &str, dialect: Dialect) -> anyhow::Result<AnyConnectOptions> {
    install_default_drivers();
    let url = driver_url(url, dialect);
    let options: AnyConnectOptions = url.parse().with_context(|| format!("parsing database URL {url:?}"))?;
    Ok(options.log_statements(tracing::log::LevelFilter::Trace))
}

/// SQLite's dedicated writer and projector connections checkpoint the WAL inside their commits only
/// as a last resort, past 100 000 pages: the background task of [`crate::store::wal`] does it.
const SQLITE_NO_INLINE_CHECKPOINTS: &str = "PRAGMA wal_autocheckpoint = 100000";

/// The projector's page cache on SQLite: 32 MiB (a negative size is in KiB), for the read models'
/// indexes.
const SQLITE_LARGE_CACHE: &str = "PRAGMA cache_size = -32768";

/// How long a SQLite connection waits for another one's lock before it gives up, in milliseconds.
pub(crate) const SQLITE_BUSY_MS: u64 = 10_000;

/// The writer's connection on SQLite zeroes whatever it deletes or overwrites, in the page and in
/// freed pages (`secure_delete`), so that a destroyed subject key leaves no bytes behind in the page
/// that held it; and keeps its temporary journals in memory (`temp_store`), since a savepoint's
/// journal holds pages as they were before it, the key's among them.
const SQLITE_WRITER_ERASES: &str = "PRAGMA secure_delete = ON; PRAGMA temp_store = MEMORY;";

/// Per-connection settings. SQLite: WAL, and `synchronous=FULL` so that a commit is durable before it
/// is acknowledged; a busy timeout for the moments two connections want to write.
async fn prepare(connection: &mut AnyConnection, dialect: Dialect) -> Result<(), sqlx::Error> {
    if dialect == Dialect::Sqlite {
        let settings = format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = {SQLITE_BUSY_MS}; \
             PRAGMA foreign_keys = ON;"
        );
        connection.execute(settings.as_str()).await?;
    }
    Ok(())
}

/// An open database: its URL, its dialect and a pool for reads, migrations and tokens.
#[derive(Clone, Debug)]
pub struct Database {
    /// The URL it was opened with.
    pub url: String,
    /// Its engine, and so the SQL it takes where the backends differ.
    pub dialect: Dialect,
    /// A pool of connections.
    pub pool: AnyPool,
    /// Turns at SQLite's one write lock for this process's writer, projector and WAL checkpoints.
    pub write_turns: WriteTurns,
}

/// Turns at SQLite's write lock, taken in the order they are asked for.
///
/// SQLite lets one connection write at a time, and one that finds the lock taken sleeps in growing
/// steps (up to 100 ms) before it tries again; two connections of one process that both write often
/// — the append writer and the projector — would then win and lose the lock by chance, and an
/// append could wait through many projector batches. Taking a turn here first makes them alternate.
/// PostgreSQL needs none (its writers lock what they touch and queue fairly): `take` is then free.
#[derive(Clone, Debug)]
pub struct WriteTurns(Option<Arc<tokio::sync::Mutex<()>>>);

impl WriteTurns {
    /// Turns for a database of `dialect`.
    fn for_dialect(dialect: Dialect) -> Self {
        WriteTurns((dialect == Dialect::Sqlite).then(|| Arc::new(tokio::sync::Mutex::new(()))))
    }

    /// Waits for this process's turn to write (none on PostgreSQL); the turn ends when it is dropped.
    pub async fn take(&self) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        match &self.0 {
            Some(turns) => Some(turns.clone().lock_owned().await),
            None => None,
        }
    }
}

impl Database {
    /// Opens the database `url` names (a SQLite file is created if missing).
    pub async fn open(url: &str) -> anyhow::Result<Database> {
        Database::open_url(DatabaseUrl::parse(url)?).await
    }

    /// Opens the database `url` names.
    pub(crate) async fn open_url(url: DatabaseUrl) -> anyhow::Result<Database> {
        let DatabaseUrl { url, dialect } = url;
        let url = url.as_str();
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |connection, _| Box::pin(prepare(connection, dialect)))
            .connect_with(options(url, dialect)?)
            .await
            .with_context(|| format!("opening database {url:?}"))?;
        Ok(Database { url: url.to_owned(), dialect, pool, write_turns: WriteTurns::for_dialect(dialect) })
    }

    /// One dedicated connection (the append writer's, the projection runner's).
    pub async fn connect_one(&self) -> anyhow::Result<AnyConnection> {
        let url = &self.url;
        let mut connection = options(url, self.dialect)?
            .connect()
            .await
            .with_context(|| format!("opening database {url:?}"))?;
        prepare(&mut connection, self.dialect).await.context("preparing a connection")?;
        Ok(connection)
    }

    /// The append writer's dedicated connection: on SQLite, with WAL checkpoints inside its commits
    /// only as a last resort (see [`crate::store::wal`]), and erasing what it deletes (it is the one
    /// connection that writes subject keys, and destroys them).
    pub(crate) async fn connect_for_writer(&self) -> anyhow::Result<AnyConnection> {
        let mut connection = self.connect_one().await?;
        if self.dialect == Dialect::Sqlite {
            connection
                .execute(SQLITE_NO_INLINE_CHECKPOINTS)
                .await
                .context("leaving checkpoints to the background")?;
            connection
                .execute(SQLITE_WRITER_ERASES)
                .await
                .context("making the writer erase what it deletes")?;
        }
        Ok(connection)
    }

    /// The SQLite database's file, as SQLite names it (`None` on PostgreSQL, or in memory).
    pub async fn sqlite_file(&self) -> anyhow::Result<Option<std::path::PathBuf>> {
        if self.dialect != Dialect::Sqlite {
            return Ok(None);
        }
        // (seq, schema name, file): the main schema's file is empty for an in-memory database.
        let files: Vec<(i64, String, String)> = sqlx::query_as("PRAGMA database_list")
            .fetch_all(&self.pool)
            .await
            .context("asking for the file")?;
        Ok(files
            .into_iter()
            .find(|(_, name, file)| name == "main" && !file.is_empty())
            .map(|(_, _, file)| file.into()))
    }

    /// One dedicated connection for applying events to the projections, with a larger page cache
    /// (32 MiB on SQLite) for the read models' indexes and no inline WAL checkpoints. Its commits need not be
    /// durable before the next one starts (SQLite `synchronous=NORMAL`, PostgreSQL
    /// `synchronous_commit=off`): a crash can only undo the last batches, checkpoint and rows
    /// together, and the runner applies them again. The writer's commits stay fully durable.
    pub async fn connect_for_projections(&self) -> anyhow::Result<AnyConnection> {
        let mut connection = self.connect_one().await?;
        let relax = match self.dialect {
            Dialect::Sqlite => "PRAGMA synchronous = NORMAL",
            Dialect::Postgres => "SET synchronous_commit = off",
        };
        connection.execute(relax).await.context("relaxing the projection connection's commits")?;
        if self.dialect == Dialect::Sqlite {
            connection
                .execute(SQLITE_NO_INLINE_CHECKPOINTS)
                .await
                .context("leaving checkpoints to the background")?;
            connection.execute(SQLITE_LARGE_CACHE).await.context("sizing the projector's page cache")?;
        }
        Ok(connection)
    }

    /// The migrations of this database's backend, as embedded in the binary.
    fn migrator(&self) -> sqlx::migrate::Migrator {
        match self.dialect {
            Dialect::Sqlite => sqlx::migrate!("../migrations/sqlite"),
            Dialect::Postgres => sqlx::migrate!("../migrations/postgres"),
        }
    }

    /// Applies every migration not yet applied.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        self.migrator().run(&self.pool).await.context("applying migrations")
    }

    /// How many of the binary's migrations the database has not applied (all of them when it has
    /// never been migrated).
    pub async fn migrations_pending(&self) -> anyhow::Result<usize> {
        let migrator = self.migrator();
        let embedded: Vec<i64> = migrator
            .iter()
            .filter(|migration| !migration.migration_type.is_down_migration())
            .map(|migration| migration.version)
            .collect();
        let applied: Vec<i64> = match sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(&self.pool)
            .await
        {
            Ok(applied) => applied,
            // No table of applied migrations: nothing was ever applied.
            Err(sqlx::Error::Database(_)) => Vec::new(),
            Err(error) => return Err(error).context("reading the applied migrations"),
        };
        Ok(embedded.iter().filter(|version| !applied.contains(version)).count())
    }
}
