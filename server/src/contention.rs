//! Recognising a database that stayed busy past its timeout: a moment's contention the client may
//! retry (503 with `Retry-After`), not a fault of the server (500).
//!
//! Busy means: every pooled connection stayed taken past the pool's acquire timeout; SQLite's write
//! lock stayed held by another connection past its busy timeout (`SQLITE_BUSY`, `SQLITE_LOCKED` and
//! their extended codes); or PostgreSQL gave up waiting for a lock (`lock_not_available`), a
//! statement ran past its timeout (`query_canceled`), it refused a connection for having too many
//! (`too_many_connections`), or it chose this transaction to break a deadlock or a serialization
//! conflict (`deadlock_detected`, `serialization_failure`).

use sqlx::error::DatabaseError;
use sqlx::postgres::PgDatabaseError;
use sqlx::sqlite::SqliteError;

/// SQLite's primary result codes for a lock held elsewhere: `SQLITE_BUSY` and `SQLITE_LOCKED`.
const SQLITE_BUSY_CODES: [i32; 2] = [5, 6];

/// PostgreSQL's SQLSTATEs for contention (see the module documentation).
const POSTGRES_BUSY_STATES: [&str; 5] = ["55P03", "57014", "53300", "40P01", "40001"];

/// Whether `error`, or any error in its chain, is a database that stayed busy past its timeout.
pub(crate) fn is_busy(error: &anyhow::Error) -> bool {
    error.chain().filter_map(|cause| cause.downcast_ref::<sqlx::Error>()).any(is_busy_sqlx)
}

/// Whether `error` is a database that stayed busy past its timeout.
pub(crate) fn is_busy_sqlx(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut => true,
        sqlx::Error::Database(database) => {
            if let Some(sqlite) = database.try_downcast_ref::<SqliteError>() {
                let code: Option<i32> = sqlite.code().and_then(|code| code.parse().ok());
                // The extended codes (SQLITE_BUSY_SNAPSHOT, …) keep the primary code in the low byte.
                code.is_some_and(|code| SQLITE_BUSY_CODES.contains(&(code & 0xff)))
            } else if let Some(postgres) = database.try_downcast_ref::<PgDatabaseError>() {
                POSTGRES_BUSY_STATES.contains(&postgres.code())
            } else {
                false
            }
        }
        _ => false,
    }
}

#[cfg(test)]
#[path = "contention_tests.rs"]
mod tests;
