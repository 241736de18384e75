//! The database a test runs on: a fresh SQLite file by default, or — when
//! [`POSTGRES_VARIABLE`](crate::POSTGRES_VARIABLE) names a server — a fresh PostgreSQL database
//! created for the test and dropped after it; either way with a folder of the test's own beside it.

use crate::postgres::PostgresDatabase;

/// A database of one test's own.
pub struct TestDatabase {
    /// The URL the server opens.
    pub url: String,
    postgres: Option<PostgresDatabase>,
    dir: tempfile::TempDir,
}

impl TestDatabase {
    /// Creates the database: PostgreSQL when the environment names a server, else SQLite.
    pub async fn create() -> TestDatabase {
        match PostgresDatabase::from_environment().await {
            Some(postgres) => {
                let dir = tempfile::tempdir().expect("temp dir");
                TestDatabase { url: postgres.url.clone(), postgres: Some(postgres), dir }
            }
            None => Self::sqlite(),
        }
    }

    /// Creates a SQLite database, whatever the environment says.
    pub fn sqlite() -> TestDatabase {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("aidledger.db").display());
        TestDatabase { url, postgres: None, dir }
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
