//! What the writer knows without asking the database: each recently used stream's folded state and
//! version, each recently used subject's sealing key, and what each recently used fund has committed
//! and paid (the sum of its `fund_movements`).
//!
//! Changes made while appending are *staged*: an append stages into its own [`Staged`], which joins
//! its group's when the append succeeds, which joins [`Known`] only once the group has committed. A
//! refused append or a failed group therefore leaves nothing behind.
//!
//! When another process has appended (the writer finds the log longer than its own tree), its
//! records are folded into what is known, or what they change is forgotten ([`Known::follow`]);
//! after a failed group everything is, so what is known is always what is committed.

use std::collections::{HashMap, HashSet};

use chacha20poly1305::Key;
use domain::events::fund::FundMovement;
use domain::{Event, EventType, StreamKind, StreamName, StreamState};

use super::recent::Recent;

/// How many streams, subjects' keys and funds' totals each generation of [`Known`] holds.
const KNOWN_ENTRIES: usize = 50_000;

/// A stream's folded state and its version (the number of its events).
#[derive(Clone)]
pub struct StreamAt {
    /// The number of events in the stream.
    pub version: i64,
    /// The folded state.
    pub state: StreamState,
}

/// Changes not yet committed: stream states, sealing keys (`None`: destroyed), funds' totals and
/// appended ids.
#[derive(Default)]
pub struct Staged {
    streams: HashMap<StreamName, StreamAt>,
    keys: HashMap<String, Option<Key>>,
    spent: HashMap<String, FundMovement>,
    ids: HashSet<String>,
}

impl Staged {
    /// Stages `stream` at `at`.
    pub(crate) fn set_stream(&mut self, stream: StreamName, at: StreamAt) {
        self.streams.insert(stream, at);
    }

    /// Stages `subject`'s sealing key (`None`: destroyed).
    pub(crate) fn set_key(&mut self, subject: String, key: Option<Key>) {
        self.keys.insert(subject, key);
    }

    /// Stages what fund `fund_id` has committed and paid in all, its movements so far included.
    pub(crate) fn set_spent(&mut self, fund_id: String, total: FundMovement) {
        self.spent.insert(fund_id, total);
    }

    /// The staged totals of fund `fund_id`.
    pub fn spent(&self, fund_id: &str) -> Option<FundMovement> {
        self.spent.get(fund_id).copied()
    }

    /// Stages an appended event id.
    pub(crate) fn add_id(&mut self, id: String) {
        self.ids.insert(id);
    }

    /// The staged state of `stream`.
    pub fn stream(&self, stream: &StreamName) -> Option<&StreamAt> {
        self.streams.get(stream)
    }

    /// The staged key of `subject`: `Some(None)` when it was destroyed.
    pub fn key(&self, subject: &str) -> Option<Option<Key>> {
        self.keys.get(subject).copied()
    }

    /// Whether `id` was appended by a staged append.
    pub(crate) fn has_id(&self, id: &str) -> bool {
        self.ids.contains(id)
    }

    /// Takes on `later`'s changes, which come after this one's.
    pub(crate) fn absorb(&mut self, later: Staged) {
        self.streams.extend(later.streams);
        self.keys.extend(later.keys);
        self.spent.extend(later.spent);
        self.ids.extend(later.ids);
    }
}

/// The committed stream states, sealing keys and funds' totals the writer remembers.
pub struct Known {
    streams: Recent<StreamName, StreamAt>,
    keys: Recent<String, Key>,
    spent: Recent<String, FundMovement>,
}

impl Default for Known {
    fn default() -> Self {
        Known {
            streams: Recent::new(KNOWN_ENTRIES),
            keys: Recent::new(KNOWN_ENTRIES),
            spent: Recent::new(KNOWN_ENTRIES),
        }
    }
}

impl Known {
    /// The committed state of `stream`, if remembered.
    pub fn stream(&mut self, stream: &StreamName) -> Option<&StreamAt> {
        self.streams.get(stream)
    }

    /// Remembers `stream`'s committed state, as read from the log.
    pub(crate) fn keep_stream(&mut self, stream: StreamName, at: StreamAt) {
        self.streams.insert(stream, at);
    }

    /// `subject`'s committed sealing key, if remembered.
    pub fn key(&mut self, subject: &str) -> Option<Key> {
        self.keys.get(&subject.to_owned()).copied()
    }

    /// What fund `fund_id` has committed and paid, if remembered.
    pub fn spent(&mut self, fund_id: &str) -> Option<FundMovement> {
        self.spent.get(&fund_id.to_owned()).copied()
    }

    /// Remembers fund `fund_id`'s committed totals, as summed from its movements.
    pub(crate) fn keep_spent(&mut self, fund_id: String, total: FundMovement) {
        self.spent.insert(fund_id, total);
    }

    /// Remembers what a committed group changed.
    pub fn keep(&mut self, committed: Staged) {
        for (stream, at) in committed.streams {
            self.streams.insert(stream, at);
        }
        for (subject, key) in committed.keys {
            match key {
                Some(key) => self.keys.insert(subject, key),
                None => self.keys.remove(&subject),
            }
        }
        for (fund_id, total) in committed.spent {
            self.spent.insert(fund_id, total);
        }
    }

    /// Takes on the record of `event` that another process appended to `stream` at `version` by
    /// `actor` (folded): a remembered state of the stream folds it in, or is forgotten if the record
    /// is not its next one; a disbursement's event may move its fund's totals, so every fund's are
    /// forgotten; a forget destroys a key, so every key is.
    pub fn follow(&mut self, stream: &StreamName, version: i64, event: &Event, actor: &str) {
        if stream.kind() == StreamKind::Disbursement {
            self.spent.clear();
        }
        if event.event_type() == EventType::BeneficiaryForgotten {
            self.keys.clear();
        }
        let Some(at) = self.streams.get(stream) else { return };
        if at.version + 1 != version {
            self.streams.remove(stream);
            return;
        }
        let mut at = at.clone();
        at.state.apply(event, actor);
        at.version = version;
        self.streams.insert(stream.clone(), at);
    }

    /// Forgets everything (another process may have appended, or a group failed).
    pub fn clear(&mut self) {
        self.streams.clear();
        self.keys.clear();
        self.spent.clear();
    }
}
