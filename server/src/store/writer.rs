//! The single writer: it takes every append waiting at a moment, runs them all in one `BEGIN
//! IMMEDIATE` transaction (see [`super::group`]), commits once, and only then answers each caller.
//!
//! One writer is what makes positions dense and in commit order, and the shared commit is what makes
//! durable single-event appends fast (group commit). A refused append leaves the others of its group
//! untouched.
//!
//! The writer also keeps the Merkle tree's frontier: each record's hash is pushed as the record is
//! appended, and the tree nodes this completes are written in the same transaction, so that the tree
//! always covers exactly the committed records. A refused append, or a group that fails, puts the
//! frontier back as it was. Between groups it remembers recent streams' states and subjects' sealing
//! keys ([`super::known`]), so that an append reads nothing from the log in the usual case.

use std::collections::HashSet;

use domain::merkle::MerkleFrontier;
use domain::record::{format_recorded_at, RecordHash};
use domain::{Position, StreamName};
use sql::{execute, values_list, Dialect};
use sqlx::AnyConnection;
use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot, watch};

use super::group::{tree_error, Group, Head};
use super::import::{self, ImportJob};
use super::known::Known;
use super::{streams, tree};
use super::{AppendError, AppendOutcome, AppendRequest};
use crate::db::WriteTurns;
use crate::privacy::Keyring;

/// The PostgreSQL advisory lock key every writer holds while it appends ("aidlappd").
const APPEND_LOCK_KEY: i64 = 0x6169_646c_6170_7064;

/// Appends committed together at most.
const GROUP_APPENDS_MAX: usize = 512;

/// Records appended by other processes since the writer's last group that it reads to follow them;
/// past this many it forgets everything it knew instead.
const FOREIGN_RECORDS_READ_MAX: u64 = 10_000;

/// Client ids looked up per query when a group starts.
const IDS_PER_LOOKUP_MAX: usize = 500;

/// What the writer is asked to do.
pub(crate) enum Job {
    /// Appends, committed with whatever else waits.
    Append(AppendJob),
    /// A whole import, in a transaction of its own.
    Import(ImportJob),
}

/// Appends waiting for the writer together: each is its own atomic append, answered in order.
pub struct AppendJob {
    /// What to append.
    pub requests: Vec<AppendRequest>,
    /// Where to answer, one result per request.
    pub reply: oneshot::Sender<Vec<Result<AppendOutcome, AppendError>>>,
}

/// Runs until every sender is dropped, publishing the log's head position after each commit, on
/// `connection` to a database of `dialect`. `frontier` is the Merkle tree's frontier over the records
/// committed when the writer starts; each group waits for its turn in `write_turns`.
pub(crate) async fn run(
    mut connection: AnyConnection,
    dialect: Dialect,
    mut jobs: mpsc::Receiver<Job>,
    head: watch::Sender<Position>,
    mut frontier: MerkleFrontier,
    keyring: Option<Keyring>,
    write_turns: WriteTurns,
) {
    let mut group: Vec<AppendJob> = Vec::new();
    let mut known = Known::default();
    let mut waiting = None;
    loop {
        let job = match waiting.take() {
            Some(job) => job,
            None => match jobs.recv().await {
                Some(job) => job,
                None => break,
            },
        };
        let job = match job {
            Job::Append(job) => job,
            Job::Import(import) => {
                let turn = write_turns.take().await;
                let committed = import::run(
                    &mut connection,
                    dialect,
                    import,
                    &mut frontier,
                    &mut known,
                    keyring.as_ref(),
                )
                .await;
                drop(turn);
                if let Some(position) = committed {
                    publish(&head, position);
                }
                continue;
            }
        };
        let mut requests = job.requests.len();
        group.push(job);
        while requests < GROUP_APPENDS_MAX {
            match jobs.try_recv() {
                Ok(Job::Append(job)) => {
                    requests += job.requests.len();
                    group.push(job);
                }
                // An import waits for the appends taken before it.
                Ok(import) => {
                    waiting = Some(import);
                    break;
                }
                Err(_) => break,
            }
        }
        let all: Vec<&AppendRequest> = group.iter().flat_map(|job| job.requests.iter()).collect();
        crate::telemetry::appends::group_committed(all.len());
        let turn = write_turns.take().await;
        let (mut results, committed_head) =
            commit_group(&mut connection, dialect, &all, &mut frontier, &mut known, keyring.as_ref()).await;
        drop(turn);
        if let Some(position) = committed_head {
            publish(&head, position);
        }
        for job in group.drain(..) {
            let rest = results.split_off(job.requests.len());
            // A caller that went away no longer needs its answer; its appends stand.
            let _ = job.reply.send(std::mem::replace(&mut results, rest));
        }
    }
}

/// Publishes `position` as the head, unless a later one already is.
fn publish(head: &watch::Sender<Position>, position: Position) {
    head.send_if_modified(|current| {
        let advanced = position > *current;
        *current = (*current).max(position);
        advanced
    });
}

/// The log's head position as committed now (0 when empty).
pub async fn committed_head(connection: &mut AnyConnection) -> Result<Position, AppendError> {
    Ok(read_head(connection).await?.position)
}

/// Starts a transaction that holds the log's write lock from its first statement (SQLite's
/// `BEGIN IMMEDIATE`), so that the head it reads stays the head until it commits.
pub async fn begin_write(connection: &mut AnyConnection, dialect: Dialect) -> Result<(), sqlx::Error> {
    execute(connection, dialect.begin_write()).await?;
    if dialect == Dialect::Sqlite {
        return Ok(());
    }
    // PostgreSQL: every process's writer takes the same transaction-scoped advisory lock, so appends
    // from all of them are serialized and commit in position order (no gaps, ever, for readers).
    sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(APPEND_LOCK_KEY).execute(&mut *connection).await?;
    Ok(())
}

/// Commits `group` in one transaction; answers each request and, when the commit succeeded, the head.
/// On failure the transaction is rolled back, `frontier` is put back as it was and nothing stays known.
async fn commit_group(
    connection: &mut AnyConnection,
    dialect: Dialect,
    group: &[&AppendRequest],
    frontier: &mut MerkleFrontier,
    known: &mut Known,
    keyring: Option<&Keyring>,
) -> (Vec<Result<AppendOutcome, AppendError>>, Option<Position>) {
    let before = frontier.clone();
    match try_commit_group(connection, dialect, group, frontier, known, keyring).await {
        Ok((results, head)) => (results, Some(head)),
        Err(error) => {
            *frontier = before;
            known.clear();
            let _ = execute(connection, "ROLLBACK").await;
            tracing::error!(%error, "append group failed");
            let results = group
                .iter()
                .map(|_| Err(AppendError::Corrupt(format!("the append could not be committed: {error}"))))
                .collect();
            (results, None)
        }
    }
}

/// The group's transaction; an error means it must be rolled back as a whole.
async fn try_commit_group(
    connection: &mut AnyConnection,
    dialect: Dialect,
    group: &[&AppendRequest],
    frontier: &mut MerkleFrontier,
    known: &mut Known,
    keyring: Option<&Keyring>,
) -> Result<(Vec<Result<AppendOutcome, AppendError>>, Position), AppendError> {
    begin_write(connection, dialect).await?;
    let head = read_head(connection).await?;
    if frontier.size() != head.position.records() {
        // Another process appended since (or a commit failed after all): follow the stored tree and
        // the records appended since.
        let since = frontier.size();
        *frontier = tree::catch_up(connection, dialect, head.position.records()).await.map_err(tree_error)?;
        follow_what_others_appended(connection, known, since, head.position.records()).await?;
    }
    let recorded_ids = recorded_ids(connection, dialect, group).await?;
    let recorded_at = format_recorded_at(OffsetDateTime::now_utc());
    let mut appending =
        Group::new(connection, dialect, keyring, known, frontier, head, recorded_at, recorded_ids);
    let mut results = Vec::with_capacity(group.len());
    for request in group {
        results.push(appending.append(request).await?);
    }
    let (staged, head) = appending.finish().await?;
    execute(connection, "COMMIT").await?;
    known.keep(staged);
    Ok((results, head.position))
}

/// Makes `known` take on the records after the first `since` records, up to `head` records, which
/// another process appended ([`Known::follow`]); when the log went back, or too much was appended
/// to read through, it forgets everything instead.
async fn follow_what_others_appended(
    connection: &mut AnyConnection,
    known: &mut Known,
    since: u64,
    head: u64,
) -> Result<(), AppendError> {
    if head < since || head - since > FOREIGN_RECORDS_READ_MAX {
        known.clear();
        return Ok(());
    }
    let bodies: Vec<(String,)> =
        sqlx::query_as("SELECT body FROM events WHERE position > $1 AND position <= $2 ORDER BY position")
            .bind(i64::try_from(since).unwrap_or(i64::MAX))
            .bind(i64::try_from(head).unwrap_or(i64::MAX))
            .fetch_all(&mut *connection)
            .await?;
    for (body,) in &bodies {
        let (record, event, actor) = streams::read_for_fold(body)?;
        let stream: StreamName = record.stream.parse().map_err(AppendError::Corrupt)?;
        known.follow(&stream, record.version, &event, &actor);
    }
    Ok(())
}

/// Which of the client ids in `group` are already in the log.
pub(super) async fn recorded_ids(
    connection: &mut AnyConnection,
    dialect: Dialect,
    group: &[&AppendRequest],
) -> Result<HashSet<String>, AppendError> {
    let ids: Vec<String> = group
        .iter()
        .flat_map(|request| request.events.iter().filter_map(|event| event.id))
        .map(|id| id.to_string())
        .collect();
    let mut recorded = HashSet::new();
    for chunk in ids.chunks(IDS_PER_LOOKUP_MAX) {
        // One row of `chunk.len()` values is a list of `chunk.len()` markers.
        let markers = values_list(dialect, 1, chunk.len());
        let sql = format!("SELECT id FROM events WHERE id IN {markers}");
        let mut query = sqlx::query_as::<_, (String,)>(&sql);
        for id in chunk {
            query = query.bind(id.as_str());
        }
        recorded.extend(query.fetch_all(&mut *connection).await?.into_iter().map(|(id,)| id));
    }
    Ok(recorded)
}

pub(super) async fn read_head(connection: &mut AnyConnection) -> Result<Head, AppendError> {
    let row: Option<(i64, String)> =
        sqlx::query_as("SELECT position, hash FROM events ORDER BY position DESC LIMIT 1")
            .fetch_optional(&mut *connection)
            .await?;
    match row {
        None => Ok(Head { position: Position::ZERO, hash: RecordHash::ZERO }),
        Some((position, hash)) => Ok(Head {
            position: Position::from_stored(position).map_err(|e| AppendError::Corrupt(e.to_string()))?,
            hash: RecordHash::from_hex(&hash).map_err(AppendError::Corrupt)?,
        }),
    }
}
