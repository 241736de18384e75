//! The projection runner: one task that keeps every projection caught up with the log, woken by each
//! local commit, and the waits that let a query see every append acknowledged before it.
//!
//! On PostgreSQL several server processes share one database: exactly one of them leads (holds a
//! session advisory lock) and applies events; the others serve reads and try for the lock every
//! second, so when the leader dies another takes over within seconds. The leader also looks for other
//! processes' appends every [`FOLLOW_INTERVAL`]. Batches read checkpoints under the write lock, so
//! even two appliers at once (a leader and a rebuild) apply each event exactly once.

use std::time::{Duration, Instant};

use anyhow::Context;
use domain::Position;
use projections::runner::{self, BatchOutcome};
use projections::ProjectionName;
use sql::Dialect;
use sqlx::AnyConnection;
use tokio::sync::watch;

use crate::db::Database;

/// How long a query waits for the projections to reach the head before answering from what they
/// have (and saying how far behind they are).
pub(crate) const CATCH_UP_WAIT: Duration = Duration::from_secs(5);
/// How often a PostgreSQL leader looks for appends made by other processes.
pub(crate) const FOLLOW_INTERVAL: Duration = Duration::from_millis(100);
/// How often a process that does not lead tries to take the lead.
pub(crate) const LEADER_RETRY: Duration = Duration::from_secs(1);
/// How often a waiting query re-reads the shared checkpoints.
const CHECKPOINT_POLL: Duration = Duration::from_millis(20);
/// The PostgreSQL advisory lock key the projection leader holds ("aidledgr").
pub const LEADER_LOCK_KEY: i64 = 0x6169_646c_6564_6772;

/// A handle on the running projections; cheap to clone.
#[derive(Clone)]
pub struct Projector {
    database: Database,
    head: watch::Receiver<Position>,
    checkpoint: watch::Receiver<i64>,
    leader: watch::Receiver<bool>,
    wake: watch::Sender<()>,
}

/// One projection's standing.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ProjectionStatus {
    // Fields in name order, the order they are served in.
    /// The last position applied.
    pub checkpoint: i64,
    /// How many committed events it has yet to apply.
    pub lag: i64,
    /// Its name.
    pub name: String,
}

/// Applies chunks of at most `events_max` events until every projection has reached the log's head,
/// on `connection` to `database`, each chunk in its turn at the write lock: the live runner's
/// [`runner::BATCH_EVENTS_MAX`], or a rebuild's [`runner::REBUILD_CHUNK_EVENTS`].
pub async fn catch_up(
    connection: &mut AnyConnection,
    database: &Database,
    events_max: i64,
    mut progress: impl FnMut(BatchOutcome),
) -> anyhow::Result<i64> {
    let mut applied = 0;
    loop {
        let turn = database.write_turns.take().await;
        let outcome = runner::apply_chunk(connection, database.dialect, events_max)
            .await
            .context("applying events to projections")?;
        drop(turn);
        progress(outcome);
        applied += outcome.applied;
        if outcome.applied == 0 {
            if applied >= STATISTICS_AFTER_EVENTS {
                if let Err(error) = runner::refresh_statistics(connection, database.dialect).await {
                    tracing::warn!(%error, "could not refresh the projections' planner statistics");
                }
            }
            return Ok(outcome.checkpoint);
        }
    }
}

/// A catch-up that applied at least this many events refreshes the planner's statistics.
const STATISTICS_AFTER_EVENTS: usize = 10_000;

/// The committed head of the log, as the database has it (every process's appends).
pub async fn committed_head(database: &Database) -> anyhow::Result<i64> {
    crate::store::read::committed_head(&database.pool).await.context("reading the head of the log")
}

async fn lowest_checkpoint(database: &Database) -> anyhow::Result<i64> {
    let checkpoints = runner::checkpoints(&database.pool).await?;
    Ok(checkpoints.iter().map(|(_, position)| *position).min().unwrap_or(0))
}

impl Projector {
    /// Starts the runner on `database`, woken by `head` (this process's committed head).
    pub async fn start(database: &Database, head: watch::Receiver<Position>) -> anyhow::Result<Projector> {
        let connection = database.connect_for_projections().await?;
        let (checkpoint_sender, checkpoint) = watch::channel(lowest_checkpoint(database).await?);
        let (leader_sender, leader) = watch::channel(false);
        let (wake, woken) = watch::channel(());
        let runner = Runner {
            database: database.clone(),
            head: head.clone(),
            woken,
            checkpoint: checkpoint_sender,
            leader: leader_sender,
        };
        tokio::spawn(runner.run(connection));
        Ok(Projector { database: database.clone(), head, checkpoint, leader, wake })
    }

    /// Waits until every projection has applied everything committed now, for at most
    /// [`CATCH_UP_WAIT`]; answers how many events they are still behind (0 when caught up).
    pub(crate) async fn wait_caught_up(&self) -> i64 {
        let deadline = Instant::now() + CATCH_UP_WAIT;
        let local = self.head.borrow().stored();
        let target = committed_head(&self.database).await.unwrap_or(local).max(local);
        let mut checkpoint = self.checkpoint.clone();
        loop {
            if *checkpoint.borrow_and_update() >= target {
                return 0;
            }
            let shared = lowest_checkpoint(&self.database).await.unwrap_or(0);
            if shared >= target {
                return 0;
            }
            if Instant::now() >= deadline {
                return target - shared;
            }
            tokio::select! {
                _ = checkpoint.changed() => {}
                _ = tokio::time::sleep(CHECKPOINT_POLL) => {}
            }
        }
    }

    /// The checkpoint of the projection furthest behind, as the database has it (whichever
    /// process applied it).
    pub(crate) async fn lowest_checkpoint(&self) -> anyhow::Result<i64> {
        lowest_checkpoint(&self.database).await
    }

    /// Whether this process applies events (always, on SQLite).
    pub(crate) fn is_leader(&self) -> bool {
        *self.leader.borrow()
    }

    /// The log's head and every projection's checkpoint and lag.
    pub async fn status(&self) -> anyhow::Result<(i64, Vec<ProjectionStatus>)> {
        let head = committed_head(&self.database).await?;
        let checkpoints = runner::checkpoints(&self.database.pool).await?;
        Ok((
            head,
            checkpoints
                .into_iter()
                .map(|(name, checkpoint)| ProjectionStatus {
                    name: name.to_string(),
                    checkpoint,
                    lag: (head - checkpoint).max(0),
                })
                .collect(),
        ))
    }

    /// Rebuilds `projection` from position 1 and returns once it has caught up again (the
    /// checkpoint it reached).
    pub async fn rebuild(&self, projection: ProjectionName) -> anyhow::Result<i64> {
        let mut connection = self.database.connect_for_projections().await?;
        runner::reset(&mut connection, self.database.dialect, projection).await?;
        let reached = catch_up(&mut connection, &self.database, runner::REBUILD_CHUNK_EVENTS, |_| {}).await?;
        let _ = self.wake.send(());
        Ok(reached)
    }
}

/// The runner task's state.
struct Runner {
    database: Database,
    head: watch::Receiver<Position>,
    woken: watch::Receiver<()>,
    checkpoint: watch::Sender<i64>,
    leader: watch::Sender<bool>,
}

impl Runner {
    /// Takes the lead if it is free (always, on SQLite, which has one process).
    async fn try_lead(&self, connection: &mut AnyConnection) -> anyhow::Result<bool> {
        if self.database.dialect == Dialect::Sqlite {
            return Ok(true);
        }
        let (locked,): (bool,) = sqlx::query_as("SELECT pg_try_advisory_lock($1)")
            .bind(LEADER_LOCK_KEY)
            .fetch_one(&mut *connection)
            .await
            .context("trying for the projection lead")?;
        Ok(locked)
    }

    async fn run(mut self, mut connection: AnyConnection) {
        let follows_others = self.database.dialect == Dialect::Postgres;
        loop {
            if !*self.leader.borrow() {
                match self.try_lead(&mut connection).await {
                    Ok(true) => {
                        // The flag first: whoever reads the log line may ask who leads at once.
                        self.leader.send_replace(true);
                        tracing::info!("this process now applies events to the projections");
                    }
                    Ok(false) => {
                        tokio::time::sleep(LEADER_RETRY).await;
                        continue;
                    }
                    Err(error) => {
                        tracing::warn!(
                            error = format!("{error:#}"),
                            "projection runner cannot reach the database"
                        );
                        tokio::time::sleep(LEADER_RETRY).await;
                        if let Ok(fresh) = self.database.connect_for_projections().await {
                            connection = fresh;
                        }
                        continue;
                    }
                }
            }
            let checkpoint = &self.checkpoint;
            if let Err(error) =
                catch_up(&mut connection, &self.database, runner::BATCH_EVENTS_MAX, |outcome| {
                    checkpoint.send_replace(outcome.checkpoint);
                })
                .await
            {
                tracing::error!(error = format!("{error:#}"), "projection runner failed; retrying");
                tokio::time::sleep(LEADER_RETRY).await;
                // A broken connection also loses the lead's lock: start over on a new one.
                if let Ok(fresh) = self.database.connect_for_projections().await {
                    connection = fresh;
                    self.leader.send_replace(false);
                }
                continue;
            }
            tokio::select! {
                changed = self.head.changed() => if changed.is_err() { return },
                changed = self.woken.changed() => if changed.is_err() { return },
                _ = tokio::time::sleep(FOLLOW_INTERVAL), if follows_others => {}
            }
        }
    }
}
