//! The event store: appends go through one writer task that commits them in groups (one transaction
//! and one fsync shared by every append waiting at that moment), reads go through a pool.
//!
//! # Layout
//! - [`append`]: what an append asks for and what it answers.
//! - [`writer`]: the writer task: takes the waiting appends as a group, commits them in one
//!   transaction and answers each.
//! - [`import`]: an import's one transaction, its rows taken in chunks as the file is read.
//! - [`group`]: one group's transaction: expected versions, domain rules, references, sealing,
//!   hashing and chaining, multi-row INSERTs, a savepoint for each append that needs one.
//! - [`budget`]: what each fund has committed and paid, for the rule that keeps it within budget.
//! - [`known`]: the stream states and sealing keys the writer remembers between groups.
//! - [`recent`]: the bounded map they are remembered in.
//! - [`replay`]: answering an append whose ids are already recorded.
//! - [`streams`]: folding a stream's recorded events into its state.
//! - [`read`]: paged reads of the log and of a stream, and chain verification.
//! - [`tree`]: the Merkle tree's stored nodes, roots and proofs.
//! - [`checkpoints`]: the signed checkpoints, every one kept.
//! - [`wal`]: SQLite's write-ahead log, checkpointed in the background rather than inside commits,
//!   and emptied after a subject's key is destroyed.

pub mod append;
pub mod budget;
pub mod checkpoints;
pub mod group;
pub mod import;
pub mod known;
pub mod read;
pub mod recent;
pub mod replay;
pub mod streams;
pub mod tree;
pub mod wal;
pub mod writer;

use anyhow::Context;
use domain::{Position, RecordHash};
use sql::Dialect;
use sqlx::{AnyConnection, AnyPool};

use crate::db::{Database, WriteTurns};
use crate::privacy::Keyring;
use tokio::sync::{mpsc, oneshot, watch};

pub use append::{AppendError, AppendOutcome, AppendRequest, Appended, ExpectedVersion, ProposedEvent};
pub use checkpoints::StoredCheckpoint;
pub use read::{Page, VerifyReport};
pub use tree::TreeError;

/// How many appends may wait for the writer before callers queue on the channel.
const PENDING_APPENDS_MAX: usize = 4096;

/// How many scrub requests may wait for SQLite's WAL task (one scrub answers them all).
const PENDING_SCRUBS_MAX: usize = 64;

/// How long an append that destroyed a key waits for the WAL to be scrubbed before it answers
/// anyway (the scrub goes on; a reader that holds an old snapshot this long is rare).
const SCRUB_WAIT_MAX: std::time::Duration = std::time::Duration::from_secs(30);

/// A handle on the store; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    dialect: Dialect,
    writer: mpsc::Sender<writer::Job>,
    head: watch::Receiver<Position>,
    write_turns: WriteTurns,
    /// Asks SQLite's WAL task for a scrub (none on PostgreSQL).
    scrubs: Option<mpsc::Sender<wal::ScrubRequest>>,
}

impl Store {
    /// Opens the store on `database` (which must already be migrated) and starts its writer task,
    /// first building whatever Merkle tree nodes the log is missing (all of them, for a log that
    /// predates the tree).
    ///
    /// `keyring` seals personal fields; without one (read-only commands) an append that carries a
    /// personal field is refused.
    pub async fn open(database: &Database, keyring: Option<Keyring>) -> anyhow::Result<Store> {
        let mut connection = database.connect_for_writer().await?;
        let dialect = database.dialect;
        let (committed, frontier) = tree_caught_up(&mut connection, dialect).await?;
        let (head_sender, head) = watch::channel(committed);
        let (sender, receiver) = mpsc::channel(PENDING_APPENDS_MAX);
        let turns = database.write_turns.clone();
        tokio::spawn(writer::run(
            connection,
            dialect,
            receiver,
            head_sender,
            frontier,
            keyring,
            turns.clone(),
        ));
        let mut scrubs = None;
        if dialect == Dialect::Sqlite {
            let (scrub_sender, scrub_requests) = mpsc::channel(PENDING_SCRUBS_MAX);
            tokio::spawn(wal::run(database.clone(), head.clone(), scrub_requests));
            scrubs = Some(scrub_sender);
        }
        Ok(Store { pool: database.pool.clone(), dialect, writer: sender, head, write_turns: turns, scrubs })
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
    ///
    /// A request that forgets a subject answers only once no earlier copy of the key it destroyed is
    /// left in SQLite's WAL (or after [`SCRUB_WAIT_MAX`], the scrub going on).
    pub async fn append_each(&self, requests: Vec<AppendRequest>) -> Vec<Result<AppendOutcome, AppendError>> {
        let started = std::time::Instant::now();
        let count = requests.len();
        let stopped = || (0..count).map(|_| Err(AppendError::WriterStopped)).collect();
        let forgets: Vec<bool> = requests.iter().map(|request| request.erasure_reason.is_some()).collect();
        let events: Vec<usize> = requests.iter().map(|request| request.events.len()).collect();
        let (reply, answer) = oneshot::channel();
        if self.writer.send(writer::Job::Append(writer::AppendJob { requests, reply })).await.is_err() {
            return stopped();
        }
        let results: Vec<_> = answer.await.unwrap_or_else(|_| stopped());
        let destroyed = results
            .iter()
            .zip(forgets)
            .any(|(result, forgets)| forgets && matches!(result, Ok(outcome) if !outcome.replayed));
        if destroyed {
            self.scrub_wal().await;
        }
        let took = started.elapsed();
        for (result, events) in results.iter().zip(events) {
            crate::telemetry::appends::answered(result, events, took);
        }
        results
    }

    /// Waits (at most [`SCRUB_WAIT_MAX`]) until SQLite's WAL holds nothing committed before now.
    async fn scrub_wal(&self) {
        let Some(scrubs) = &self.scrubs else { return };
        let (request, scrubbed) = oneshot::channel();
        if scrubs.send(request).await.is_err() {
            return;
        }
        if tokio::time::timeout(SCRUB_WAIT_MAX, scrubbed).await.is_err() {
            tracing::warn!(
                wait_seconds = SCRUB_WAIT_MAX.as_secs(),
                "a destroyed key's old pages are still in the WAL (a reader holds an old snapshot); \
                 the scrub goes on in the background"
            );
        }
    }

    /// Starts an import: the writer holds the log's write lock for it until [`ImportSession::end`]
    /// (or until the session is dropped, which rolls everything back).
    pub async fn import(&self) -> Result<ImportSession, AppendError> {
        let (sender, messages) = mpsc::channel(import::PENDING_CHUNKS_MAX);
        self.writer
            .send(writer::Job::Import(import::ImportJob { messages }))
            .await
            .map_err(|_| AppendError::WriterStopped)?;
        Ok(ImportSession { writer: sender })
    }

    /// The head position as of the last commit, updated after every commit.
    pub fn head(&self) -> watch::Receiver<Position> {
        self.head.clone()
    }

    /// Records from `from_position` on, at most `limit`.
    pub(crate) async fn read_log(&self, from_position: i64, limit: i64) -> anyhow::Result<Page> {
        read::log_page(&self.pool, from_position, limit).await.context("reading the log")
    }

    /// Records of `stream` from `from_version` on, at most `limit`; `None` when the stream has no events.
    pub(crate) async fn read_stream(
        &self,
        stream: &str,
        from_version: i64,
        limit: i64,
    ) -> anyhow::Result<Option<Page>> {
        read::stream_page(&self.pool, stream, from_version, limit).await.context("reading a stream")
    }

    /// Every record of `stream`, as served, in version order (empty when it has none).
    pub(crate) async fn read_stream_all(&self, stream: &str) -> anyhow::Result<Vec<String>> {
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
    pub(crate) async fn read_one(&self, position: i64) -> anyhow::Result<Option<String>> {
        read::one(&self.pool, position).await.context("reading a record")
    }

    /// Re-verifies the whole chain.
    pub async fn verify(&self) -> anyhow::Result<VerifyReport> {
        read::verify(&self.pool, self.dialect).await.context("verifying the chain")
    }

    /// How many records the committed log (and so the Merkle tree) holds now.
    pub fn tree_size(&self) -> u64 {
        self.head.borrow().records()
    }

    /// The Merkle root of the first `tree_size` records (which must be committed).
    pub async fn tree_root(&self, tree_size: u64) -> Result<RecordHash, TreeError> {
        tree::root(&self.pool, tree_size).await
    }

    /// The inclusion proof of each of `leaf_indices` (position − 1) in the tree of `tree_size` records.
    pub async fn inclusion_proofs(
        &self,
        leaf_indices: &[u64],
        tree_size: u64,
    ) -> Result<Vec<Vec<RecordHash>>, TreeError> {
        tree::inclusion_proofs(&self.pool, leaf_indices, tree_size).await
    }

    /// The consistency proof between the trees of the first `first` and `second` records.
    pub async fn consistency_proof(&self, first: u64, second: u64) -> Result<Vec<RecordHash>, TreeError> {
        tree::consistency(&self.pool, first, second).await
    }

    /// The checkpoint of the largest tree signed so far.
    pub async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, TreeError> {
        checkpoints::latest(&self.pool).await
    }

    /// The checkpoint signed at `tree_size`, if one was.
    pub async fn checkpoint_at(&self, tree_size: u64) -> Result<Option<StoredCheckpoint>, TreeError> {
        checkpoints::at_size(&self.pool, tree_size).await
    }

    /// The first checkpoint signed over at least `tree_size` records, if one is yet.
    pub async fn checkpoint_covering(&self, tree_size: u64) -> Result<Option<StoredCheckpoint>, TreeError> {
        checkpoints::covering(&self.pool, tree_size).await
    }

    /// Stores a signed checkpoint (a second one of the same size is ignored); answers the stored one.
    /// On SQLite it takes its turn at the write lock with the writer and the projector, rather than
    /// waiting in SQLite's busy handler while they take turns.
    pub async fn insert_checkpoint(
        &self,
        checkpoint: &StoredCheckpoint,
    ) -> Result<StoredCheckpoint, TreeError> {
        let _turn = self.write_turns.take().await;
        checkpoints::insert(&self.pool, checkpoint).await
    }
}

/// An import in progress: its chunks are appended in one open transaction, which [`Self::end`]
/// commits or rolls back.
pub struct ImportSession {
    writer: mpsc::Sender<import::ImportMessage>,
}

impl ImportSession {
    /// Checks and writes `requests` (rows of the file, in order) in the import's transaction;
    /// answers each, as an append would be answered.
    pub(crate) async fn append_chunk(
        &self,
        requests: Vec<AppendRequest>,
    ) -> Result<import::ChunkResults, AppendError> {
        let (reply, answer) = oneshot::channel();
        self.writer
            .send(import::ImportMessage::Chunk(requests, reply))
            .await
            .map_err(|_| AppendError::WriterStopped)?;
        answer.await.map_err(|_| AppendError::WriterStopped)
    }

    /// Ends the import: commits when `commit` and no chunk had a refused row, else rolls back;
    /// answers the head after the commit, or `None` when nothing was appended.
    pub async fn end(self, commit: bool) -> Result<Option<Position>, AppendError> {
        let (reply, answer) = oneshot::channel();
        self.writer
            .send(import::ImportMessage::End { commit, reply })
            .await
            .map_err(|_| AppendError::WriterStopped)?;
        answer.await.map_err(|_| AppendError::WriterStopped)?
    }
}

/// The committed head and the Merkle frontier over it, writing missing tree nodes under the write lock.
async fn tree_caught_up(
    connection: &mut AnyConnection,
    dialect: Dialect,
) -> anyhow::Result<(Position, domain::merkle::MerkleFrontier)> {
    writer::begin_write(connection, dialect).await.context("starting the tree catch-up")?;
    let caught_up = async {
        let committed = writer::committed_head(connection).await?;
        let frontier = tree::catch_up(connection, dialect, committed.records()).await?;
        sqlx::query("COMMIT").execute(&mut *connection).await?;
        anyhow::Ok((committed, frontier))
    }
    .await;
    if caught_up.is_err() {
        let _ = sqlx::query("ROLLBACK").execute(&mut *connection).await;
    }
    caught_up.context("building the Merkle tree's missing nodes")
}
