//! One group's transaction: every append waiting at a moment, each checked against its stream's state
//! (remembered by the writer, read from the log only when it is not), hashed and chained, its rows
//! buffered and written with multi-row INSERTs.
//!
//! An append that can only fail before it writes anything (one event, not a forget) runs without a
//! savepoint; anything bigger gets one, so that a refusal half-way rolls back only its own rows.
//! A database error in an unguarded append fails the whole group, which is then rolled back.

use std::collections::HashSet;

use chacha20poly1305::Key;
use domain::events::disbursement::DisbursementRequested;
use domain::events::fund::FundMovement;
use domain::events::{DisbursementEvent, Event, VolunteerEvent};
use domain::merkle::{MerkleFrontier, Node};
use domain::record::{Meta, Record, RecordHash};
use domain::values::Id;
use domain::{EventType, Position, RuleBreach, StreamKind, StreamName, StreamState};
use serde_json::Value;
use sql::{execute, insert_rows, Dialect};
use sqlx::AnyConnection;

use super::known::{Known, Staged, StreamAt};
use super::replay::replay;
use super::{budget, streams, tree, AppendError, AppendOutcome, AppendRequest, Appended, ExpectedVersion};
use crate::principal;
use crate::privacy::keyring::KeyError;
use crate::privacy::{sealing, Keyring};

/// Rows per multi-row INSERT into `events` (seven parameters each).
const ROWS_PER_INSERT_MAX: usize = 200;

/// The last record of the log: where the next one goes and what it links to.
#[derive(Clone, Copy)]
pub struct Head {
    /// Its position (0: the log is empty).
    pub position: Position,
    /// Its hash (zeros: the log is empty).
    pub hash: RecordHash,
}

/// A record waiting to be inserted.
struct Row {
    position: i64,
    stream: String,
    version: i64,
    id: String,
    event_type: &'static str,
    body: String,
    hash: String,
}

/// The state of one group's open transaction.
pub struct Group<'a> {
    connection: &'a mut AnyConnection,
    dialect: Dialect,
    keyring: Option<&'a Keyring>,
    known: &'a mut Known,
    frontier: &'a mut MerkleFrontier,
    head: Head,
    recorded_at: String,
    recorded_ids: HashSet<String>,
    nodes: Vec<Node>,
    rows: Vec<Row>,
    staged: Staged,
}

impl<'a> Group<'a> {
    /// A group appending after `head`, inside the transaction already begun on `connection` (a
    /// database of `dialect`); `recorded_ids` are the group's client ids found in the log before it
    /// started.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        connection: &'a mut AnyConnection,
        dialect: Dialect,
        keyring: Option<&'a Keyring>,
        known: &'a mut Known,
        frontier: &'a mut MerkleFrontier,
        head: Head,
        recorded_at: String,
        recorded_ids: HashSet<String>,
    ) -> Self {
        Group {
            connection,
            dialect,
            keyring,
            known,
            frontier,
            head,
            recorded_at,
            recorded_ids,
            nodes: Vec::new(),
            rows: Vec::new(),
            staged: Staged::default(),
        }
    }

    /// Appends `request` (or answers its replay); the outer error means the group must be rolled back.
    pub async fn append(
        &mut self,
        request: &AppendRequest,
    ) -> Result<Result<AppendOutcome, AppendError>, AppendError> {
        if self.carries_recorded_id(request) {
            // The rows it may replay must be in the table for the comparison.
            self.flush_rows().await?;
            // The state only names whose key opens the personal fields compared: the writer's own
            // (remembered, else folded once and remembered) rather than a fold per replay.
            let state = self.stream_at(&request.stream, &Staged::default()).await?.state;
            match replay(self.connection, request, &state, self.keyring).await {
                Ok(Some(replayed)) => return Ok(Ok(replayed)),
                Ok(None) => {}
                Err(AppendError::Database(error)) => return Err(AppendError::Database(error)),
                Err(refused) => return Ok(Err(refused)),
            }
        }
        let guarded = request.events.len() > 1
            || request.events.iter().any(|e| e.event.event_type() == EventType::BeneficiaryForgotten);
        if guarded {
            self.flush_rows().await?;
            execute(self.connection, "SAVEPOINT append").await?;
        }
        let (head, frontier, nodes, rows) =
            (self.head, self.frontier.clone(), self.nodes.len(), self.rows.len());
        let mut staged = Staged::default();
        let mut result = self.append_new(request, &mut staged).await;
        if result.is_ok() && guarded {
            if let Err(error) = self.flush_rows().await {
                result = Err(error);
            }
        }
        match result {
            Ok(outcome) => {
                if guarded {
                    execute(self.connection, "RELEASE append").await?;
                }
                self.staged.absorb(staged);
                Ok(Ok(outcome))
            }
            Err(error) => {
                (self.head, *self.frontier) = (head, frontier);
                self.nodes.truncate(nodes);
                self.rows.truncate(rows);
                if guarded {
                    execute(self.connection, "ROLLBACK TO append").await?;
                    execute(self.connection, "RELEASE append").await?;
                } else if let AppendError::Database(error) = error {
                    return Err(AppendError::Database(error));
                }
                Ok(Err(error))
            }
        }
    }

    /// Writes what is still buffered (records and tree nodes); answers what the group changed, for
    /// after the commit, and the log's head after its last record.
    pub async fn finish(mut self) -> Result<(Staged, Head), AppendError> {
        self.flush_rows().await?;
        tree::insert_nodes(self.connection, self.dialect, &self.nodes).await.map_err(tree_error)?;
        Ok((self.staged, self.head))
    }

    fn carries_recorded_id(&self, request: &AppendRequest) -> bool {
        request.events.iter().filter_map(|e| e.id).any(|id| {
            let id = id.to_string();
            self.recorded_ids.contains(&id) || self.staged.has_id(&id)
        })
    }

    async fn append_new(
        &mut self,
        request: &AppendRequest,
        staged: &mut Staged,
    ) -> Result<AppendOutcome, AppendError> {
        let current = self.stream_at(&request.stream, staged).await?;
        if let ExpectedVersion::Exactly(expected) = request.expected_version {
            if expected != current.version {
                return Err(AppendError::VersionConflict { current_version: current.version });
            }
        }
        let mut state = current.state;
        // The rules see the actor as [`streams::load`] folds recorded ones, so that a name recorded
        // before names were normalized and its normalized twin are one person to them.
        let actor = principal::fold(&request.actor);
        let stream = request.stream.to_string();
        let mut appended = Vec::with_capacity(request.events.len());
        for (index, proposed) in request.events.iter().enumerate() {
            let rule = |breach: RuleBreach| AppendError::Rule { index, breach };
            state.decide(&proposed.event, &actor).map_err(rule)?;
            self.check_references(&proposed.event, staged).await?.map_err(rule)?;
            let fund_movement =
                self.check_fund_budget(&state, &proposed.event, staged).await?.map_err(rule)?;
            let event_type = proposed.event.event_type();
            let subject = state.subject_of(&request.stream, &proposed.event).to_string();
            state.apply(&proposed.event, &actor);
            let data = self
                .seal_personal_fields(&subject, event_type, proposed.event.data_value(), staged)
                .await
                .map_err(|error| match error {
                    KeyError::Forgotten(detail) => rule(RuleBreach::new(
                        "subject_forgotten",
                        format!("{detail} was forgotten; nothing personal is recorded about them any more"),
                    )),
                    KeyError::Database(error) => AppendError::Database(error),
                    other => AppendError::Corrupt(other.to_string()),
                })?;

            let id = proposed.id.unwrap_or_else(|| Id(uuid::Uuid::now_v7())).to_string();
            let position = self.head.position.next().map_err(|e| AppendError::Corrupt(e.to_string()))?;
            let record = Record {
                position: position.stored(),
                stream: stream.clone(),
                version: current.version + index as i64 + 1,
                id: id.clone(),
                event_type: event_type.as_str().to_owned(),
                data,
                meta: Meta {
                    actor: request.actor.clone(),
                    recorded_at: self.recorded_at.clone(),
                    occurred_at: proposed.occurred_at.clone().unwrap_or_else(|| self.recorded_at.clone()),
                    correlation_id: proposed.correlation_id.map(|id| id.to_string()),
                    causation_id: proposed.causation_id.map(|id| id.to_string()),
                },
                prev_hash: self.head.hash,
            };
            let (body, hash) = record.seal().map_err(|e| AppendError::Corrupt(e.to_string()))?;
            if event_type == EventType::BeneficiaryForgotten {
                // The key goes in the same transaction as the event that says so.
                let (keyring, reason) =
                    (self.keyring.ok_or(AppendError::NoMasterKey)?, request.erasure_reason.as_deref());
                keyring
                    .destroy(self.connection, &stream, &request.actor, reason.unwrap_or("not given"))
                    .await
                    .map_err(|e| AppendError::Corrupt(e.to_string()))?;
                staged.set_key(stream.clone(), None);
            }
            self.rows.push(Row {
                position: record.position,
                stream: stream.clone(),
                version: record.version,
                id: id.clone(),
                event_type: event_type.as_str(),
                body,
                hash: hash.to_hex(),
            });
            if let Some((fund_id, movement)) = fund_movement {
                let fund_id = fund_id.to_string();
                let spent = self.fund_spent(&fund_id, staged).await?;
                budget::record(self.connection, record.position, &fund_id, movement).await?;
                staged.set_spent(fund_id, spent.plus(movement));
            }
            self.head = Head { position, hash };
            self.nodes.extend(self.frontier.push(&hash));
            staged.add_id(id.clone());
            appended.push(Appended { position: record.position, version: record.version, id, hash });
        }
        let version = current.version + appended.len() as i64;
        staged.set_stream(request.stream.clone(), StreamAt { version, state });
        Ok(AppendOutcome { next_expected_version: version, events: appended, replayed: false })
    }

    /// The state of `stream`: as this append or this group left it, as remembered, or folded from
    /// the log (and then remembered).
    async fn stream_at(&mut self, stream: &StreamName, staged: &Staged) -> Result<StreamAt, AppendError> {
        if let Some(at) = staged.stream(stream).or_else(|| self.staged.stream(stream)) {
            return Ok(at.clone());
        }
        if let Some(at) = self.known.stream(stream) {
            return Ok(at.clone());
        }
        let loaded = streams::load(self.connection, stream).await?;
        let at = StreamAt { version: loaded.version, state: loaded.state };
        self.known.keep_stream(stream.clone(), at.clone());
        Ok(at)
    }

    /// The streams `event` names exist: a disbursement's beneficiary and fund (whose currency it
    /// must pay in), the activity volunteer hours were logged for.
    async fn check_references(
        &mut self,
        event: &Event,
        staged: &Staged,
    ) -> Result<Result<(), RuleBreach>, AppendError> {
        match event {
            Event::Disbursement(DisbursementEvent::DisbursementRequested(requested)) => {
                self.check_disbursement_references(requested, staged).await
            }
            Event::Volunteer(VolunteerEvent::VolunteerHoursLogged(logged)) => {
                let Some(activity_id) = logged.activity_id else { return Ok(Ok(())) };
                let activity = StreamName::new(StreamKind::Activity, activity_id);
                if self.stream_at(&activity, staged).await?.state.is_opened() {
                    Ok(Ok(()))
                } else {
                    Ok(Err(RuleBreach::new("activity_exists", format!("there is no activity {activity}"))))
                }
            }
            _ => Ok(Ok(())),
        }
    }

    /// The beneficiary and the fund exist, and the currency is the fund's.
    async fn check_disbursement_references(
        &mut self,
        requested: &DisbursementRequested,
        staged: &Staged,
    ) -> Result<Result<(), RuleBreach>, AppendError> {
        let beneficiary = StreamName::new(StreamKind::Beneficiary, requested.beneficiary_id);
        if !self.stream_at(&beneficiary, staged).await?.state.is_opened() {
            return Ok(Err(RuleBreach::new(
                "beneficiary_exists",
                format!("there is no beneficiary {beneficiary}"),
            )));
        }
        let fund_stream = StreamName::new(StreamKind::Fund, requested.fund_id);
        let fund = self.stream_at(&fund_stream, staged).await?;
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

    /// What `event`, joining a disbursement in `state`, moves in its fund's budget; an approval or a
    /// payment that would take the fund past its budget is refused.
    async fn check_fund_budget(
        &mut self,
        state: &StreamState,
        event: &Event,
        staged: &Staged,
    ) -> Result<Result<Option<(Id, FundMovement)>, RuleBreach>, AppendError> {
        let (StreamState::Disbursement(disbursement), Event::Disbursement(event)) = (state, event) else {
            return Ok(Ok(None));
        };
        let movement = disbursement.fund_movement(event);
        if movement.is_none() {
            return Ok(Ok(None));
        }
        if movement.spends() {
            let fund_stream = StreamName::new(StreamKind::Fund, disbursement.fund_id);
            let fund = self.stream_at(&fund_stream, staged).await?;
            let spent = self.fund_spent(&disbursement.fund_id.to_string(), staged).await?;
            if let Some(Err(breach)) = fund.state.as_fund().map(|fund| fund.check_movement(spent, movement)) {
                return Ok(Err(breach));
            }
        }
        Ok(Ok(Some((disbursement.fund_id, movement))))
    }

    /// What fund `fund_id` has committed and paid so far: as this append or this group left it, as
    /// remembered, or summed from its movements (and then remembered).
    async fn fund_spent(&mut self, fund_id: &str, staged: &Staged) -> Result<FundMovement, AppendError> {
        if let Some(total) = staged.spent(fund_id).or_else(|| self.staged.spent(fund_id)) {
            return Ok(total);
        }
        if let Some(total) = self.known.spent(fund_id) {
            return Ok(total);
        }
        let total = budget::spent(self.connection, fund_id).await?;
        self.known.keep_spent(fund_id.to_owned(), total);
        Ok(total)
    }

    /// `data` with its personal fields sealed with `subject`'s key (made on first use).
    async fn seal_personal_fields(
        &mut self,
        subject: &str,
        event_type: EventType,
        data: Value,
        staged: &mut Staged,
    ) -> Result<Value, KeyError> {
        let has_personal = event_type.personal_fields().iter().any(|field| data.get(*field).is_some());
        if !has_personal {
            return Ok(data);
        }
        let key = self.sealing_key(subject, staged).await?;
        sealing::seal_data(&key, subject, event_type, &data).map_err(|_| KeyError::Unwrap(subject.to_owned()))
    }

    /// `subject`'s sealing key: as staged, as remembered, or from the keyring (which makes it on
    /// first use); refused when it was destroyed.
    async fn sealing_key(&mut self, subject: &str, staged: &mut Staged) -> Result<Key, KeyError> {
        match staged.key(subject).or_else(|| self.staged.key(subject)) {
            Some(Some(key)) => return Ok(key),
            Some(None) => return Err(KeyError::Forgotten(subject.to_owned())),
            None => {}
        }
        if let Some(key) = self.known.key(subject) {
            return Ok(key);
        }
        let Some(keyring) = self.keyring else {
            return Err(KeyError::Unwrap(format!(
                "{subject} (no master key is loaded, so nothing personal can be sealed)"
            )));
        };
        let key = keyring.key_for_sealing(self.connection, subject).await?;
        // It may have been made just now, so it is remembered only once the group commits.
        staged.set_key(subject.to_owned(), Some(key));
        Ok(key)
    }

    /// Inserts the buffered rows, many per statement.
    async fn flush_rows(&mut self) -> Result<(), AppendError> {
        let insert = "INSERT INTO events (position, stream, version, id, type, body, hash)";
        insert_rows(
            self.connection,
            self.dialect,
            (insert, ""),
            7,
            &self.rows,
            ROWS_PER_INSERT_MAX,
            |query, row| {
                Ok::<_, AppendError>(
                    query
                        .bind(row.position)
                        .bind(row.stream.as_str())
                        .bind(row.version)
                        .bind(row.id.as_str())
                        .bind(row.event_type)
                        .bind(row.body.as_str())
                        .bind(row.hash.as_str()),
                )
            },
        )
        .await?;
        self.rows.clear();
        Ok(())
    }
}

/// A tree failure as an append failure.
pub(crate) fn tree_error(error: tree::TreeError) -> AppendError {
    match error {
        tree::TreeError::Database(error) => AppendError::Database(error),
        other => AppendError::Corrupt(other.to_string()),
    }
}
