//! The database a test runs on: a fresh SQLite file by default, or — when `AIDLEDGER_TEST_POSTGRES`
//! holds a server URL such as `postgres://postgres@127.0.0.1:5432` — a fresh PostgreSQL database
//! created for the test and dropped after it.

use sqlx::{Connection, Executor};

/// The variable that switches the suite to PostgreSQL.
pub const POSTGRES_VARIABLE: &str = "AIDLEDGER_TEST_POSTGRES";

/// A database of one test's own.
pub struct TestDatabase {
    /// The URL the server opens.
    pub url: String,
    postgres: Option<(String, String)>,
    dir: tempfile::TempDir,
}

impl TestDatabase {
    /// Creates the database.
    pub async fn create() -> TestDatabase {
        let dir = tempfile::tempdir().expect("temp dir");
        match std::env::var(POSTGRES_VARIABLE) {
            Ok(server) if !server.is_empty() => {
                let server = server.trim_end_matches('/').to_owned();
                let name = format!("aidledger_test_{}", uuid::Uuid::new_v4().simple());
                sqlx::any::install_default_drivers();
                let mut admin =
                    sqlx::AnyConnection::connect(&format!("{server}/postgres")).await.expect("PostgreSQL");
                admin.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create database");
                TestDatabase { url: format!("{server}/{name}"), postgres: Some((server, name)), dir }
            }
            _ => {
                let url = format!("sqlite://{}", dir.path().join("aidledger.db").display());
                TestDatabase { url, postgres: None, dir }
            }
        }
    }

    /// Whether this is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    /// A folder of the test's own (for key files, exports).
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((server, name)) = self.postgres.take() else { return };
        // Drop runs outside any runtime the test may still be inside of: use a thread of its own.
        let dropped = std::thread::spawn(move || {
            let runtime =
                tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async {
                let mut admin = sqlx::AnyConnection::connect(&format!("{server}/postgres")).await?;
                admin.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await?;
                Ok::<_, sqlx::Error>(())
            })
        })
        .join();
        if let Ok(Err(error)) = dropped {
            eprintln!("could not drop a test database: {error}");
        }
    }
}
