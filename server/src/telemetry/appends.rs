//! Appends and their events by result, how long each took, and how many shared a group commit.

use std::time::Duration;

use metrics::{counter, histogram};

use super::{APPENDS, APPEND_DURATION, APPEND_GROUP, EVENTS};
use crate::store::{AppendError, AppendOutcome};

/// The result label of one append's answer.
pub fn result_label(result: &Result<AppendOutcome, AppendError>) -> &'static str {
    match result {
        Ok(outcome) if outcome.replayed => "replayed",
        Ok(_) => "appended",
        Err(AppendError::Rule { .. }) => "rule",
        Err(AppendError::VersionConflict { .. }) => "version_conflict",
        Err(AppendError::IdConflict(_)) => "id_conflict",
        Err(_) => "failed",
    }
}

/// Counts one append of `events` events that ended in `result` after `took`.
pub fn answered(result: &Result<AppendOutcome, AppendError>, events: usize, took: Duration) {
    let label = result_label(result);
    counter!(APPENDS, "result" => label).increment(1);
    counter!(EVENTS, "result" => label).increment(events as u64);
    histogram!(APPEND_DURATION).record(took.as_secs_f64());
}

/// Records a group commit of `appends` append requests.
pub fn group_committed(appends: usize) {
    histogram!(APPEND_GROUP).record(appends as f64);
}
