//! The token check every request makes, answered from memory while this process's view of the
//! revocations is known to be recent, and from the database otherwise.
//!
//! A watcher reads how many tokens were ever revoked (a count that only grows: tokens are never
//! deleted and never un-revoked) every [`WATCH_INTERVAL`]. When it grows, every remembered token is
//! forgotten. A remembered token is answered only while the last successful read *began* less than
//! [`REVOCATION_LEASE`] ago; past that (a database that stopped answering, a watcher that stalled)
//! every request reads the database as before. [`super::revoke`] answers only once the lease has run
//! out after its commit, so when a revocation is answered, every process that still answers from
//! memory has begun a read after the commit and forgotten the token: the revoked token is refused
//! from its next request on every server, as when each request read the database.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use anyhow::Context;
use sqlx::AnyPool;

use super::{look_up, secret_hash, Caller};

/// How long a read of the revocations vouches for what is remembered.
pub const REVOCATION_LEASE: Duration = Duration::from_millis(500);

/// How often the watcher reads the revocations: well inside the lease, so that one slow read does not
/// send every request to the database.
const WATCH_INTERVAL: Duration = Duration::from_millis(100);

/// Tokens remembered at most; past that the memory starts again empty.
const REMEMBERED_MAX: usize = 10_000;

/// The token check, shared by every request of a process.
#[derive(Clone)]
pub struct TokenCheck {
    shared: Arc<Shared>,
}

struct Shared {
    pool: AnyPool,
    /// What `vouched_since` counts from.
    started: Instant,
    /// Nanoseconds after `started` at which the last successful read of the revocations began, plus
    /// one (0: never).
    vouched_since: AtomicU64,
    remembered: Mutex<Remembered>,
}

#[derive(Default)]
struct Remembered {
    /// Tokens ever revoked, as last read.
    revoked: i64,
    /// Bumped whenever the memory is emptied, so a lookup that began before is not kept after.
    era: u64,
    /// Live tokens by the SHA-256 of their secret (never the secret).
    callers: HashMap<String, Caller>,
}

impl TokenCheck {
    /// A check over the tokens of `pool`, with its watcher running until every copy is dropped.
    pub async fn start(pool: AnyPool) -> anyhow::Result<TokenCheck> {
        let shared = Arc::new(Shared {
            pool,
            started: Instant::now(),
            vouched_since: AtomicU64::new(0),
            remembered: Mutex::new(Remembered::default()),
        });
        shared.watch_once().await?;
        let watched = Arc::downgrade(&shared);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(WATCH_INTERVAL);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let Some(shared) = watched.upgrade() else { break };
                if let Err(error) = shared.watch_once().await {
                    tracing::warn!(%error, "reading the token revocations failed; tokens are looked up per request");
                }
            }
        });
        Ok(TokenCheck { shared })
    }

    /// The caller `secret` authenticates, `None` when it is unknown or revoked.
    pub async fn authenticate(&self, secret: &str) -> anyhow::Result<Option<Caller>> {
        let hash = secret_hash(secret);
        let era = {
            let remembered = self.shared.remembered();
            if self.shared.vouched() {
                if let Some(caller) = remembered.callers.get(&hash) {
                    return Ok(Some(caller.clone()));
                }
            }
            remembered.era
        };
        let caller = look_up(&self.shared.pool, &hash).await?;
        if let Some(caller) = &caller {
            let mut remembered = self.shared.remembered();
            if remembered.era == era {
                if remembered.callers.len() >= REMEMBERED_MAX {
                    remembered.callers.clear();
                }
                remembered.callers.insert(hash, caller.clone());
            }
        }
        Ok(caller)
    }
}

impl Shared {
    fn remembered(&self) -> MutexGuard<'_, Remembered> {
        self.remembered.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether the last successful read of the revocations began within the lease.
    fn vouched(&self) -> bool {
        let since = self.vouched_since.load(Ordering::Acquire);
        since != 0 && self.nanos_now().saturating_sub(since - 1) < REVOCATION_LEASE.as_nanos() as u64
    }

    fn nanos_now(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    /// Reads the revocations; forgets every remembered token when there are new ones.
    async fn watch_once(&self) -> anyhow::Result<()> {
        let began = self.nanos_now();
        let (revoked,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM tokens WHERE revoked_at IS NOT NULL")
            .fetch_one(&self.pool)
            .await
            .context("counting revoked tokens")?;
        {
            let mut remembered = self.remembered();
            if remembered.revoked != revoked {
                remembered.revoked = revoked;
                remembered.era += 1;
                remembered.callers.clear();
            }
        }
        self.vouched_since.fetch_max(began + 1, Ordering::AcqRel);
        Ok(())
    }
}
