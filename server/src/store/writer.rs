//! The single writer: it takes every append waiting at a moment, runs each inside its own savepoint
//! of one `BEGIN IMMEDIATE` transaction, commits once, and only then answers each caller.
//!
//! One writer is what makes positions dense and in commit order, and the shared commit is what makes
//! durable single-event appends fast (group commit). A refused append rolls back to its savepoint and
//! leaves the others of its group untouched.
//!
//! The writer also keeps the Merkle tree's frontier: each record's hash is pushed as the record is
//! inserted, and the tree nodes this completes are written in the same transaction, so that the tree
//! always covers exactly the committed records. A refused append, or a group that fails, puts the
//! frontier back as it was.

use domain::events::disbursement::DisbursementRequested;
use domain::events::{DisbursementEvent, Event};
use domain::merkle::{MerkleFrontier, Node};
use domain::record::{format_recorded_at, Meta, Record, RecordHash};
use domain::values::Id;
use domain::{EventType, RuleBreach, StreamKind, StreamName};
use serde_json::Value;
use sqlx::AnyConnection;
use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot, watch};

use super::streams;
use super::tree;
use super::{AppendError, AppendOutcome, AppendRequest, Appended, ExpectedVersion};
use crate::privacy::keyring::KeyError;
use crate::privacy::{sealing, Keyring};

/// The PostgreSQL advisory lock key every writer holds while it appends ("aidlappd").
const APPEND_LOCK_KEY: i64 = 0x6169_646c_6170_7064;

/// Appends committed together at most.
const GROUP_APPENDS_MAX: usize = 512;

/// Appends waiting for the writer together: each is its own atomic append, answered in order.
pub struct AppendJob {
    /// What to append.
    pub requests: Vec<AppendRequest>,
    /// Where to answer, one result per request.
    pub reply: oneshot::Sender<Vec<Result<AppendOutcome, AppendError>>>,
}

/// The last record of the log: where the next one goes and what it links to.
#[derive(Clone, Copy)]
struct Head {
    position: i64,
    hash: RecordHash,
}

/// Runs until every sender is dropped, publishing the log's head position after each commit.
/// `frontier` is the Merkle tree's frontier over the records committed when the writer starts.
pub async fn run(
    mut connection: AnyConnection,
    mut jobs: mpsc::Receiver<AppendJob>,
    head: watch::Sender<i64>,
    mut frontier: MerkleFrontier,
    keyring: Option<Keyring>,
) {
    let mut group: Vec<AppendJob> = Vec::new();
    while let Some(job) = jobs.recv().await {
        let mut requests = job.requests.len();
        group.push(job);
        while requests < GROUP_APPENDS_MAX {
            match jobs.try_recv() {
                Ok(job) => {
                    requests += job.requests.len();
                    group.push(job);
                }
                Err(_) => break,
            }
        }
        let all: Vec<&AppendRequest> = group.iter().flat_map(|job| job.requests.iter()).collect();
        let (mut results, committed_head) =
            commit_group(&mut connection, &all, &mut frontier, keyring.as_ref()).await;
        if let Some(position) = committed_head {
            head.send_if_modified(|current| {
                let advanced = position > *current;
                *current = (*current).max(position);
                advanced
            });
        }
        for job in group.drain(..) {
            let rest = results.split_off(job.requests.len());
            // A caller that went away no longer needs its answer; its appends stand.
            let _ = job.reply.send(std::mem::replace(&mut results, rest));
        }
    }
}

/// The log's head position as committed now (0 when empty).
pub async fn committed_head(connection: &mut AnyConnection) -> Result<i64, AppendError> {
    Ok(read_head(connection).await?.position)
}

async fn execute(connection: &mut AnyConnection, sql: &str) -> Result<(), sqlx::Error> {
    sqlx::query(sql).execute(&mut *connection).await.map(|_| ())
}

/// Starts a transaction that holds the log's write lock from its first statement (SQLite's
/// `BEGIN IMMEDIATE`), so that the head it reads stays the head until it commits.
pub async fn begin_write(connection: &mut AnyConnection) -> Result<(), sqlx::Error> {
    if connection.backend_name().eq_ignore_ascii_case("sqlite") {
        return execute(connection, "BEGIN IMMEDIATE").await;
    }
    // PostgreSQL: every process's writer takes the same transaction-scoped advisory lock, so appends
    // from all of them are serialized and commit in position order (no gaps, ever, for readers).
    execute(connection, "BEGIN").await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(APPEND_LOCK_KEY).execute(&mut *connection).await?;
    Ok(())
}

/// Commits `group` in one transaction; answers each request and, when the commit succeeded, the head.
/// On failure the transaction is rolled back and `frontier` is put back as it was.
async fn commit_group(
    connection: &mut AnyConnection,
    group: &[&AppendRequest],
    frontier: &mut MerkleFrontier,
    keyring: Option<&Keyring>,
) -> (Vec<Result<AppendOutcome, AppendError>>, Option<i64>) {
    let before = frontier.clone();
    match try_commit_group(connection, group, frontier, keyring).await {
        Ok((results, head)) => (results, Some(head)),
        Err(error) => {
            *frontier = before;
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
    group: &[&AppendRequest],
    frontier: &mut MerkleFrontier,
    keyring: Option<&Keyring>,
) -> Result<(Vec<Result<AppendOutcome, AppendError>>, i64), AppendError> {
    begin_write(connection).await?;
    let mut head = read_head(connection).await?;
    if frontier.size() != head.position as u64 {
        // Another process appended since (or a commit failed after all): follow the stored tree.
        *frontier = tree::catch_up(connection, head.position as u64).await.map_err(tree_error)?;
    }
    let recorded_at = format_recorded_at(OffsetDateTime::now_utc());
    let mut results = Vec::with_capacity(group.len());
    let mut nodes: Vec<Node> = Vec::new();
    for request in group {
        execute(connection, "SAVEPOINT append").await?;
        let (head_before, frontier_before, nodes_before) = (head, frontier.clone(), nodes.len());
        let result =
            append_one(connection, request, &mut head, &recorded_at, frontier, &mut nodes, keyring).await;
        if result.is_err() {
            head = head_before;
            *frontier = frontier_before;
            nodes.truncate(nodes_before);
            execute(connection, "ROLLBACK TO append").await?;
        }
        execute(connection, "RELEASE append").await?;
        results.push(result);
    }
    tree::insert_nodes(connection, &nodes).await.map_err(tree_error)?;
    execute(connection, "COMMIT").await?;
    Ok((results, head.position))
}

fn tree_error(error: tree::TreeError) -> AppendError {
    match error {
        tree::TreeError::Database(error) => AppendError::Database(error),
        other => AppendError::Corrupt(other.to_string()),
    }
}

async fn read_head(connection: &mut AnyConnection) -> Result<Head, AppendError> {
    let row: Option<(i64, String)> =
        sqlx::query_as("SELECT position, hash FROM events ORDER BY position DESC LIMIT 1")
            .fetch_optional(&mut *connection)
            .await?;
    match row {
        None => Ok(Head { position: 0, hash: RecordHash::ZERO }),
        Some((position, hash)) => {
            Ok(Head { position, hash: RecordHash::from_hex(&hash).map_err(AppendError::Corrupt)? })
        }
    }
}

async fn append_one(
    connection: &mut AnyConnection,
    request: &AppendRequest,
    head: &mut Head,
    recorded_at: &str,
    frontier: &mut MerkleFrontier,
    nodes: &mut Vec<Node>,
    keyring: Option<&Keyring>,
) -> Result<AppendOutcome, AppendError> {
    if let Some(replayed) = replay(connection, request, keyring).await? {
        return Ok(replayed);
    }
    let loaded = streams::load(connection, &request.stream).await?;
    let mut state = loaded.state;
    if let ExpectedVersion::Exactly(expected) = request.expected_version {
        if expected != loaded.version {
            return Err(AppendError::VersionConflict { current_version: loaded.version });
        }
    }
    let stream = request.stream.to_string();
    let mut appended = Vec::with_capacity(request.events.len());
    for (index, proposed) in request.events.iter().enumerate() {
        let rule = |breach: RuleBreach| AppendError::Rule { index, breach };
        state.decide(&proposed.event, &request.actor).map_err(rule)?;
        if let Event::Disbursement(DisbursementEvent::DisbursementRequested(requested)) = &proposed.event {
            check_disbursement_references(connection, requested).await?.map_err(rule)?;
        }
        let event_type = proposed.event.event_type();
        let subject = state.subject_of(&request.stream, &proposed.event).to_string();
        state.apply(&proposed.event, &request.actor);
        let data =
            seal_personal_fields(connection, keyring, &subject, event_type, proposed.event.data_value())
                .await
                .map_err(|error| match error {
                    KeyError::Forgotten(detail) => rule(RuleBreach::new(
                        "subject_forgotten",
                        format!("{detail} was forgotten; nothing personal is recorded about them any more"),
                    )),
                    other => AppendError::Corrupt(other.to_string()),
                })?;

        let id = proposed.id.unwrap_or_else(|| Id(uuid::Uuid::now_v7())).to_string();
        let record = Record {
            position: head.position + 1,
            stream: stream.clone(),
            version: loaded.version + index as i64 + 1,
            id: id.clone(),
            event_type: event_type.as_str().to_owned(),
            data,
            meta: Meta {
                actor: request.actor.clone(),
                recorded_at: recorded_at.to_owned(),
                occurred_at: proposed.occurred_at.clone().unwrap_or_else(|| recorded_at.to_owned()),
                correlation_id: proposed.correlation_id.map(|id| id.to_string()),
                causation_id: proposed.causation_id.map(|id| id.to_string()),
            },
            prev_hash: head.hash,
        };
        let (body, hash) = record.seal().map_err(|e| AppendError::Corrupt(e.to_string()))?;
        sqlx::query("INSERT INTO events (position, stream, version, id, type, body, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(record.position)
            .bind(&record.stream)
            .bind(record.version)
            .bind(&record.id)
            .bind(&record.event_type)
            .bind(&body)
            .bind(hash.to_hex())
            .execute(&mut *connection)
            .await?;
        if event_type == EventType::BeneficiaryForgotten {
            // The key goes in the same transaction as the event that says so.
            let (keyring, reason) =
                (keyring.ok_or(AppendError::NoMasterKey)?, request.erasure_reason.as_deref());
            keyring
                .destroy(connection, &stream, &request.actor, reason.unwrap_or("not given"))
                .await
                .map_err(|e| AppendError::Corrupt(e.to_string()))?;
        }
        *head = Head { position: record.position, hash };
        nodes.extend(frontier.push(&hash));
        appended.push(Appended { position: record.position, version: record.version, id, hash });
    }
    Ok(AppendOutcome {
        next_expected_version: loaded.version + appended.len() as i64,
        events: appended,
        replayed: false,
    })
}

/// `data` with its personal fields sealed with `subject`'s key (made on first use).
async fn seal_personal_fields(
    connection: &mut AnyConnection,
    keyring: Option<&Keyring>,
    subject: &str,
    event_type: EventType,
    data: Value,
) -> Result<Value, KeyError> {
    let has_personal = event_type.personal_fields().iter().any(|field| data.get(*field).is_some());
    if !has_personal {
        return Ok(data);
    }
    let Some(keyring) = keyring else {
        return Err(KeyError::Unwrap(format!(
            "{subject} (no master key is loaded, so nothing personal can be sealed)"
        )));
    };
    let key = keyring.key_for_sealing(connection, subject).await?;
    sealing::seal_data(&key, subject, event_type, &data).map_err(|_| KeyError::Unwrap(subject.to_owned()))
}

/// The beneficiary and the fund exist, and the currency is the fund's.
async fn check_disbursement_references(
    connection: &mut AnyConnection,
    requested: &DisbursementRequested,
) -> Result<Result<(), RuleBreach>, AppendError> {
    let beneficiary = StreamName::new(StreamKind::Beneficiary, requested.beneficiary_id);
    if !streams::exists(connection, &beneficiary).await? {
        return Ok(Err(RuleBreach::new(
            "beneficiary_exists",
            format!("there is no beneficiary {beneficiary}"),
        )));
    }
    let fund_stream = StreamName::new(StreamKind::Fund, requested.fund_id);
    let fund = streams::load(connection, &fund_stream).await?;
    let Some(fund) = fund.state.as_fund() else {
        return Ok(Err(RuleBreach::new("fund_exists", format!("there is no fund {fund_stream}"))));
    };
    if fund.currency != requested.currency {
        return Ok(Err(RuleBreach::new(
            "currency_is_the_funds",
            format!("the fund pays in {}, not {}", fund.currency, requested.currency),
        )));
    }
    Ok(Ok(()))
}

/// When every event of `request` carries an id already recorded with the same content, the original
/// outcome; when none is recorded, `None`; anything in between is a conflict.
async fn replay(
    connection: &mut AnyConnection,
    request: &AppendRequest,
    keyring: Option<&Keyring>,
) -> Result<Option<AppendOutcome>, AppendError> {
    let mut known = Vec::new();
    for proposed in &request.events {
        let Some(id) = proposed.id else { continue };
        let row: Option<(i64, i64, String, String)> =
            sqlx::query_as("SELECT position, version, body, hash FROM events WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(&mut *connection)
                .await?;
        if let Some(row) = row {
            known.push((proposed, row));
        }
    }
    if known.is_empty() {
        return Ok(None);
    }
    if known.len() != request.events.len() {
        return Err(AppendError::IdConflict(format!(
            "{} of the {} events carry ids that are already recorded: a batch is either all new or a replay of one \
             earlier append",
            known.len(),
            request.events.len()
        )));
    }
    let stream = request.stream.to_string();
    let state = streams::load(connection, &request.stream).await?.state;
    let mut events = Vec::with_capacity(known.len());
    for (proposed, (position, version, body, hash)) in known {
        let record = streams::parse_record(&body)?;
        // Personal fields are stored sealed with a fresh nonce: compare what they open to.
        let subject = state.subject_of(&request.stream, &proposed.event).to_string();
        let key = match keyring {
            Some(keyring) => keyring
                .key_for_opening(&mut *connection, &subject)
                .await
                .map_err(|e| AppendError::Corrupt(e.to_string()))?,
            None => None,
        };
        let mut stored_data = record.data.clone();
        if let (Some(object), Ok(event_type)) =
            (stored_data.as_object_mut(), record.event_type.parse::<EventType>())
        {
            for (field, value) in sealing::open_fields(key.as_ref(), &subject, event_type, &record.data) {
                object.insert(field, value);
            }
        }
        let sent_occurred_at = proposed.occurred_at.as_deref().unwrap_or(&record.meta.recorded_at);
        let same = record.stream == stream
            && record.event_type == proposed.event.event_type().as_str()
            && stored_data == proposed.event.data_value()
            && record.meta.occurred_at == sent_occurred_at
            && record.meta.correlation_id == proposed.correlation_id.map(|id| id.to_string())
            && record.meta.causation_id == proposed.causation_id.map(|id| id.to_string());
        if !same {
            return Err(AppendError::IdConflict(format!(
                "event id {} is already recorded (position {position}) with other content",
                record.id
            )));
        }
        let hash = RecordHash::from_hex(&hash).map_err(AppendError::Corrupt)?;
        events.push(Appended { position, version, id: record.id, hash });
    }
    let next_expected_version = events.iter().map(|e| e.version).max().unwrap_or(0);
    Ok(Some(AppendOutcome { events, next_expected_version, replayed: true }))
}
