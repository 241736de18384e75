//! The event store: appends go through one writer task that commits them in groups (one transaction
//! and one fsync shared by every append waiting at that moment), reads go through a pool.
//!
//! # Layout
//! - [`append`]: what an append asks for and what it answers.
//! - [`writer`]: the writer task: replay detection, expected versions, domain rules, references,
//!   hashing and inserting, one savepoint per append inside a group transaction.
//! - [`streams`]: folding a stream's recorded events into its state.
//! - [`read`]: paged reads of the log and of a stream, and chain verification.

pub mod append;
pub mod read;
pub mod streams;
pub mod writer;

use anyhow::Context;
use sqlx::AnyPool;

use crate::db::Database;
use tokio::sync::{mpsc, oneshot, watch};

pub use append::{AppendError, AppendOutcome, AppendRequest, Appended, ExpectedVersion, ProposedEvent};
pub use read::{Page, VerifyReport};

/// How many appends may wait for the writer before callers queue on the channel.
const PENDING_APPENDS_MAX: usize = 4096;

/// A handle on the store; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    writer: mpsc::Sender<writer::AppendJob>,
    head: watch::Receiver<i64>,
}

impl Store {
    /// Opens the store on `database` (which must already be migrated) and starts its writer task.
    pub async fn open(database: &Database) -> anyhow::Result<Store> {
        let mut connection = database.connect_one().await?;
        let committed = writer::committed_head(&mut connection).await?;
        let (head_sender, head) = watch::channel(committed);
        let (sender, receiver) = mpsc::channel(PENDING_APPENDS_MAX);
        tokio::spawn(writer::run(connection, receiver, head_sender));
        Ok(Store { pool: database.pool.clone(), writer: sender, head })
    }

    /// The read pool.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Appends `request` atomically; answers once the commit is durable.
    pub async fn append(&self, request: AppendRequest) -> Result<AppendOutcome, AppendError> {
        self.append_each(vec![request]).await.pop().unwrap_or(Err(AppendError::WriterStopped))
    }

    /// Appends each request atomically and in order, all in one commit; answers once it is durable,
    /// with one result per request (a refused request leaves the others standing).
    pub async fn append_each(&self, requests: Vec<AppendRequest>) -> Vec<Result<AppendOutcome, AppendError>> {
        let count = requests.len();
        let stopped = || (0..count).map(|_| Err(AppendError::WriterStopped)).collect();
        let (reply, answer) = oneshot::channel();
        if self.writer.send(writer::AppendJob { requests, reply }).await.is_err() {
            return stopped();
        }
        answer.await.unwrap_or_else(|_| stopped())
    }

    /// The head position as of the last commit, updated after every commit.
    pub fn head(&self) -> watch::Receiver<i64> {
        self.head.clone()
    }

    /// Records from `from_position` on, at most `limit`.
    pub async fn read_log(&self, from_position: i64, limit: i64) -> anyhow::Result<Page> {
        read::log_page(&self.pool, from_position, limit).await.context("reading the log")
    }

    /// Records of `stream` from `from_version` on, at most `limit`; `None` when the stream has no events.
    pub async fn read_stream(
        &self,
        stream: &str,
        from_version: i64,
        limit: i64,
    ) -> anyhow::Result<Option<Page>> {
        read::stream_page(&self.pool, stream, from_version, limit).await.context("reading a stream")
    }

    /// Every record of `stream`, as served, in version order (empty when it has none).
    pub async fn read_stream_all(&self, stream: &str) -> anyhow::Result<Vec<String>> {
        let mut records = Vec::new();
        let mut from = 1;
        while let Some(page) = self.read_stream(stream, from, 1000).await? {
            records.extend(page.records);
            match page.next {
                Some(next) => from = next,
                None => break,
            }
        }
        Ok(records)
    }

    /// The record at `position`, as served.
    pub async fn read_one(&self, position: i64) -> anyhow::Result<Option<String>> {
        read::one(&self.pool, position).await.context("reading a record")
    }

    /// Re-verifies the whole chain.
    pub async fn verify(&self) -> anyhow::Result<VerifyReport> {
        read::verify(&self.pool).await.context("verifying the chain")
    }
}
