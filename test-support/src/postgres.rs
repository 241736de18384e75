//! A PostgreSQL database of a test's own, created on the server [`POSTGRES_VARIABLE`] names (such
//! as `postgres://postgres@127.0.0.1:5432`) and dropped, connections and all, when the test ends.

use sqlx::{Connection, Executor};

/// The variable that names the PostgreSQL server tests create their databases on; unset or empty,
/// tests run on SQLite only.
pub const POSTGRES_VARIABLE: &str = "AIDLEDGER_TEST_POSTGRES";

/// A fresh PostgreSQL database, dropped on drop.
pub struct PostgresDatabase {
    server: String,
    name: String,
    /// Its URL.
    pub url: String,
}

impl PostgresDatabase {
    /// A new database on the server [`POSTGRES_VARIABLE`] names, or `None` when it names none.
    pub async fn from_environment() -> Option<PostgresDatabase> {
        let server = std::env::var(POSTGRES_VARIABLE).ok().filter(|server| !server.is_empty())?;
        Some(Self::create_on(&server).await)
    }

    /// A new database on the PostgreSQL server at `server` (a URL without a database name).
    pub async fn create_on(server: &str) -> PostgresDatabase {
        let server = server.trim_end_matches('/').to_owned();
        let name = format!("aidledger_test_{}", uuid::Uuid::new_v4().simple());
        sqlx::any::install_default_drivers();
        let mut admin =
            sqlx::AnyConnection::connect(&format!("{server}/postgres")).await.expect("PostgreSQL");
        admin.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create database");
        PostgresDatabase { url: format!("{server}/{name}"), server, name }
    }
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        let (server, name) = (self.server.clone(), self.name.clone());
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
