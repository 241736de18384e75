//! The classification against real errors from real databases: a SQLite file whose write lock
//! another connection holds, a pool whose one connection is taken, and (when
//! `AIDLEDGER_TEST_POSTGRES` names a server) a PostgreSQL lock another session holds.

use std::time::Duration;

use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use sqlx::any::AnyPoolOptions;
use sqlx::{Connection, Executor};

use super::*;
use crate::db::Database;
use crate::http::problem::ApiError;

/// What the API answers for `error`, met while `doing`.
fn answer_for(error: sqlx::Error, doing: &'static str) -> axum::response::Response {
    ApiError::from(anyhow::Error::from(error).context(doing)).into_response()
}

#[track_caller]
fn assert_busy_answer(response: &axum::response::Response) {
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/problem+json");
}

#[tokio::test]
async fn a_sqlite_write_lock_held_past_the_busy_timeout_is_a_503_with_retry_after() {
    let directory = tempfile::tempdir().expect("a directory");
    let url = format!("sqlite://{}", directory.path().join("busy.db").display());
    let database = Database::open(&url).await.expect("open");
    database.pool.execute("CREATE TABLE t (x INTEGER)").await.expect("a table");
    let mut holder = database.connect_one().await.expect("a connection");
    holder.execute("BEGIN EXCLUSIVE").await.expect("the write lock");
    let mut writer = database.connect_one().await.expect("another connection");
    writer.execute("PRAGMA busy_timeout = 0").await.expect("no waiting");
    let error = writer.execute("INSERT INTO t (x) VALUES (1)").await.expect_err("the lock is held");
    assert!(is_busy_sqlx(&error), "{error}");
    assert_busy_answer(&answer_for(error, "appending"));

    // Any other database error stays a 500.
    let error = writer.execute("SELECT * FROM no_such_table").await.expect_err("no such table");
    assert!(!is_busy_sqlx(&error), "{error}");
    let response = answer_for(error, "reading");
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    holder.execute("ROLLBACK").await.expect("release");
}

#[tokio::test]
async fn a_pool_whose_connections_stay_taken_past_the_acquire_timeout_is_a_503_with_retry_after() {
    let directory = tempfile::tempdir().expect("a directory");
    let url = format!("sqlite://{}?mode=rwc", directory.path().join("pool.db").display());
    sqlx::any::install_default_drivers();
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        // Long enough to open the one connection, short enough not to hold the test up.
        .acquire_timeout(Duration::from_millis(250))
        .connect(&url)
        .await
        .expect("a pool");
    let _taken = pool.acquire().await.expect("the one connection");
    let error = pool.acquire().await.expect_err("no connection is free");
    assert!(matches!(error, sqlx::Error::PoolTimedOut), "{error}");
    assert_busy_answer(&answer_for(error, "looking up a token"));
}

#[tokio::test]
async fn a_postgres_lock_held_past_the_lock_timeout_is_a_503_with_retry_after() {
    let Some(server) = std::env::var("AIDLEDGER_TEST_POSTGRES").ok().filter(|s| !s.is_empty()) else {
        return;
    };
    sqlx::any::install_default_drivers();
    let url = format!("{}/postgres", server.trim_end_matches('/'));
    let mut holder = sqlx::AnyConnection::connect(&url).await.expect("a connection");
    let mut waiter = sqlx::AnyConnection::connect(&url).await.expect("another connection");
    let key = i64::from(std::process::id());
    holder.execute(sqlx::query("SELECT pg_advisory_lock($1)").bind(key)).await.expect("the lock");
    waiter.execute("SET lock_timeout = '1ms'").await.expect("a short lock timeout");
    let error = waiter
        .execute(sqlx::query("SELECT pg_advisory_lock($1)").bind(key))
        .await
        .expect_err("the lock is held");
    assert!(is_busy_sqlx(&error), "{error}");
    assert_busy_answer(&answer_for(error, "appending"));
    holder.execute(sqlx::query("SELECT pg_advisory_unlock($1)").bind(key)).await.expect("release");
}
