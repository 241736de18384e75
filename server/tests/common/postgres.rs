//! A PostgreSQL database of a test's own, created on the server `AIDLEDGER_TEST_POSTGRES` names and
//! dropped when the test ends.

use sqlx::{Connection, Executor};

/// A fresh PostgreSQL database, dropped on drop.
pub struct PostgresDatabase {
    server: String,
    name: String,
    /// Its URL.
    pub url: String,
}

impl PostgresDatabase {
    /// A new database, or `None` when `AIDLEDGER_TEST_POSTGRES` is not set (the test then does
    /// nothing).
    pub async fn create() -> Option<PostgresDatabase> {
        let server = std::env::var("AIDLEDGER_TEST_POSTGRES").ok().filter(|s| !s.is_empty())?;
        let server = server.trim_end_matches('/').to_owned();
        let name = format!("aidledger_test_{}", uuid::Uuid::new_v4().simple());
        sqlx::any::install_default_drivers();
        let mut admin = sqlx::AnyConnection::connect(&format!("{server}/postgres")).await.unwrap();
        admin.execute(format!("CREATE DATABASE {name}").as_str()).await.unwrap();
        Some(PostgresDatabase { url: format!("{server}/{name}"), server, name })
    }
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        let (server, name) = (self.server.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async {
                let mut admin = sqlx::AnyConnection::connect(&format!("{server}/postgres")).await?;
                admin.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await?;
                Ok::<_, sqlx::Error>(())
            })
        })
        .join();
    }
}
