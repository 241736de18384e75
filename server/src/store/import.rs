//! An import's one transaction: the writer takes the file's appends in chunks as the file is read,
//! holds each to exactly what an append is held to (every chunk a group of its own, on the same
//! open transaction, so that later rows see earlier ones), answers each chunk's results, and at the
//! end commits — only when the importer asks it to and no row was refused — or rolls everything back.
//!
//! A chunk's rows and tree nodes are written to the transaction before the next chunk is taken, and
//! the stream states it leaves are remembered as the writer remembers any (a bounded number), so a
//! file of any length takes about the memory of one chunk. While an
//! import runs, the writer holds the log's write lock: other appends wait for it to end.

use domain::merkle::MerkleFrontier;
use domain::record::format_recorded_at;
use domain::Position;
use sql::{execute, Dialect};
use sqlx::AnyConnection;
use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot};

use super::group::{tree_error, Group};
use super::known::Known;
use super::writer::{begin_write, read_head, recorded_ids};
use super::{tree, AppendError, AppendOutcome, AppendRequest};
use crate::privacy::Keyring;

/// How many chunks may wait for the writer (each is answered before the next is read, so one).
pub(super) const PENDING_CHUNKS_MAX: usize = 1;

/// The results of one chunk, one per request, in order.
pub type ChunkResults = Vec<Result<AppendOutcome, AppendError>>;

/// What an importer sends the writer.
pub(crate) enum ImportMessage {
    /// Appends to check and write, each answered.
    Chunk(Vec<AppendRequest>, oneshot::Sender<ChunkResults>),
    /// The end of the file: commit (when asked and nothing was refused) or roll back; answers the
    /// head after the commit, or `None` when nothing was committed.
    End {
        /// Whether the importer asks for a commit (not for a dry run or a file with bad rows).
        commit: bool,
        /// Where the head after the commit (or `None`) is answered.
        reply: oneshot::Sender<Result<Option<Position>, AppendError>>,
    },
}

/// An import the writer is to run: it reads the importer's messages until [`ImportMessage::End`]
/// (or until the importer goes away, which rolls back).
pub(crate) struct ImportJob {
    pub(super) messages: mpsc::Receiver<ImportMessage>,
}

/// Runs `job` in one transaction on `connection`; answers the head when it committed. On any error,
/// and whenever nothing is committed, the transaction is rolled back and `frontier` put back.
pub(super) async fn run(
    connection: &mut AnyConnection,
    dialect: Dialect,
    mut job: ImportJob,
    frontier: &mut MerkleFrontier,
    known: &mut Known,
    keyring: Option<&Keyring>,
) -> Option<Position> {
    let before = frontier.clone();
    // What is known describes the log before the import; the import's chunks fold what they need
    // from its own transaction instead.
    known.clear();
    let mut end = None;
    let outcome = take(connection, dialect, &mut job, frontier, known, keyring, &mut end).await;
    if let Err(error) = &outcome {
        tracing::error!(%error, "import failed");
    }
    let committed = outcome.as_ref().ok().copied().flatten();
    if committed.is_none() {
        let _ = execute(connection, "ROLLBACK").await;
        *frontier = before;
        known.clear();
    }
    if let Some(reply) = end {
        let _ = reply.send(outcome.map(|_| committed));
    }
    committed
}

/// The import's transaction: each chunk appended as a group, then the commit if asked for and
/// possible. `end` receives the importer's final reply channel.
async fn take(
    connection: &mut AnyConnection,
    dialect: Dialect,
    job: &mut ImportJob,
    frontier: &mut MerkleFrontier,
    known: &mut Known,
    keyring: Option<&Keyring>,
    end: &mut Option<oneshot::Sender<Result<Option<Position>, AppendError>>>,
) -> Result<Option<Position>, AppendError> {
    begin_write(connection, dialect).await?;
    let mut head = read_head(connection).await?;
    if frontier.size() != head.position.records() {
        *frontier = tree::catch_up(connection, dialect, head.position.records()).await.map_err(tree_error)?;
    }
    // One recording time for the whole file, as for one group.
    let at = format_recorded_at(OffsetDateTime::now_utc());
    let mut refused = false;
    while let Some(message) = job.messages.recv().await {
        match message {
            ImportMessage::Chunk(requests, reply) => {
                let all: Vec<&AppendRequest> = requests.iter().collect();
                let ids = recorded_ids(connection, dialect, &all).await?;
                let mut group =
                    Group::new(connection, dialect, keyring, known, frontier, head, at.clone(), ids);
                let mut results = Vec::with_capacity(requests.len());
                for request in &requests {
                    let result = group.append(request).await?;
                    refused |= result.is_err();
                    results.push(result);
                }
                let (staged, after) = group.finish().await?;
                // What the chunk changed is what the transaction now holds (streams folded from it
                // were remembered as they are inside it too); all of it is forgotten on a rollback.
                known.keep(staged);
                head = after;
                // An importer that went away rolls back below, when its channel closes.
                let _ = reply.send(results);
            }
            ImportMessage::End { commit, reply } => {
                *end = Some(reply);
                if !commit || refused {
                    return Ok(None);
                }
                execute(connection, "COMMIT").await?;
                return Ok(Some(head.position));
            }
        }
    }
    Ok(None)
}
