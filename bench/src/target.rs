//! The fresh database a benchmark runs on: a temporary SQLite file (deleted afterwards) unless a URL
//! is given, and then only a database that holds no events yet.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use sql::Dialect;

use aidledger_server::db::Database;
use aidledger_server::projector::committed_head;

/// The database a benchmark runs on.
pub(crate) struct BenchDatabase {
    /// The open, migrated database.
    pub database: Database,
    temp_dir: Option<PathBuf>,
}

impl BenchDatabase {
    /// Opens and migrates `url` (refusing one that already holds events), or creates a temporary
    /// SQLite file when `url` is `None`.
    pub(crate) async fn prepare(url: Option<&str>) -> anyhow::Result<BenchDatabase> {
        let (url, temp_dir) = match url {
            Some(url) => (url.to_owned(), None),
            None => {
                let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
                let dir =
                    std::env::temp_dir().join(format!("aidledger-bench-{}-{nanos}", std::process::id()));
                std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
                (format!("sqlite://{}", dir.join("bench.db").display()), Some(dir))
            }
        };
        let prepared = async {
            let database = Database::open(&url).await?;
            database.migrate().await?;
            let head = committed_head(&database).await?;
            anyhow::ensure!(
                head == 0,
                "the database already holds {head} events: bench runs only on a fresh database (omit \
                 --database-url for a temporary SQLite file, or give the URL of an empty PostgreSQL database)"
            );
            Ok(database)
        }
        .await;
        match prepared {
            Ok(database) => Ok(BenchDatabase { database, temp_dir }),
            Err(error) => {
                if let Some(dir) = &temp_dir {
                    let _ = std::fs::remove_dir_all(dir);
                }
                Err(error)
            }
        }
    }

    /// The backend's name, as the table's heading says it.
    pub(crate) fn backend_name(&self) -> &'static str {
        match self.database.dialect {
            Dialect::Sqlite => "SQLite",
            Dialect::Postgres => "PostgreSQL",
        }
    }

    /// Closes the pool and deletes the temporary SQLite file, if the benchmark made one.
    pub(crate) async fn finish(&self) {
        self.database.pool.close().await;
        if let Some(dir) = &self.temp_dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
