//! The projection runner: one task that keeps every projection caught up with the log, woken by each
//! commit (no polling delay), and the waits that let a query see every append acknowledged before it.

use std::time::Duration;

use anyhow::Context;
use projections::runner::{self, BatchOutcome};
use projections::ProjectionName;
use sqlx::AnyConnection;
use tokio::sync::watch;

use crate::db::Database;

/// How long a query waits for the projections to reach the head before answering from what they
/// have (and saying how far behind they are).
pub const CATCH_UP_WAIT: Duration = Duration::from_secs(5);

/// A handle on the running projections; cheap to clone.
#[derive(Clone)]
pub struct Projector {
    database: Database,
    head: watch::Receiver<i64>,
    checkpoint: watch::Receiver<i64>,
    wake: watch::Sender<()>,
}

/// One projection's standing.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ProjectionStatus {
    /// Its name.
    pub name: String,
    /// The last position applied.
    pub checkpoint: i64,
    /// How many committed events it has yet to apply.
    pub lag: i64,
}

/// Applies batches until every projection has reached the log's head.
pub async fn catch_up(
    connection: &mut AnyConnection,
    mut progress: impl FnMut(BatchOutcome),
) -> anyhow::Result<i64> {
    loop {
        let outcome = runner::apply_batch(connection).await.context("applying events to projections")?;
        progress(outcome);
        if outcome.applied == 0 {
            return Ok(outcome.checkpoint);
        }
    }
}

impl Projector {
    /// Starts the runner on `database`, following `head` (the store's committed head).
    pub async fn start(database: &Database, head: watch::Receiver<i64>) -> anyhow::Result<Projector> {
        let mut connection = database.connect_one().await?;
        let initial = catch_up(&mut connection, |_| {}).await?;
        let (checkpoint_sender, checkpoint) = watch::channel(initial);
        let (wake, woken) = watch::channel(());
        tokio::spawn(run(connection, head.clone(), woken, checkpoint_sender));
        Ok(Projector { database: database.clone(), head, checkpoint, wake })
    }

    /// Waits until every projection has applied everything committed now, for at most
    /// [`CATCH_UP_WAIT`]; answers how many events they are still behind (0 when caught up).
    pub async fn wait_caught_up(&self) -> i64 {
        let target = *self.head.borrow();
        let mut checkpoint = self.checkpoint.clone();
        let reached = tokio::time::timeout(CATCH_UP_WAIT, checkpoint.wait_for(|c| *c >= target)).await;
        match reached {
            Ok(Ok(_)) => 0,
            _ => target - *self.checkpoint.borrow(),
        }
    }

    /// Every projection's checkpoint and lag.
    pub async fn status(&self) -> anyhow::Result<(i64, Vec<ProjectionStatus>)> {
        let head = *self.head.borrow();
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
    /// checkpoint it reached). The runner may apply some of the same batches meanwhile; checkpoints
    /// are read under the write lock, so each event is still applied once.
    pub async fn rebuild(&self, projection: ProjectionName) -> anyhow::Result<i64> {
        let mut connection = self.database.connect_one().await?;
        runner::reset(&mut connection, projection).await?;
        let reached = catch_up(&mut connection, |_| {}).await?;
        let _ = self.wake.send(());
        Ok(reached)
    }
}

async fn run(
    mut connection: AnyConnection,
    mut head: watch::Receiver<i64>,
    mut woken: watch::Receiver<()>,
    checkpoint: watch::Sender<i64>,
) {
    loop {
        match catch_up(&mut connection, |outcome| {
            checkpoint.send_replace(outcome.checkpoint);
        })
        .await
        {
            Ok(_) => {}
            Err(error) => {
                tracing::error!(error = format!("{error:#}"), "projection runner failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        }
        tokio::select! {
            changed = head.changed() => if changed.is_err() { return },
            changed = woken.changed() => if changed.is_err() { return },
        }
    }
}
