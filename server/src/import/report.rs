//! What an import answers: how many rows the file had, and either every bad row (nothing appended)
//! or where each row landed.

use domain::{FieldError, StreamName};
use serde::Serialize;
use utoipa::ToSchema;

/// The most bad rows an answer lists (the count of all is always given).
pub(crate) const BAD_ROWS_LISTED_MAX: usize = 10_000;

/// One bad row: the schema errors in it, or the rule it breaks, or why else it cannot be appended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct BadRow {
    /// The row's number as a spreadsheet shows it (the header is row 1), or its JSONL line.
    pub row: u64,
    /// What is wrong in it, each at a JSON pointer into the row's event (`/data/amount_minor`, `/stream`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldErrorAnswer>,
    /// The domain rule it breaks, when that is what is wrong.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub rule: Option<&'static str>,
    /// What is wrong, for a person, when it is not a schema error.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub detail: Option<String>,
}

/// A schema error in a row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldErrorAnswer {
    /// RFC 6901 JSON pointer into the row's event, e.g. `/data/duration_minutes`.
    pub pointer: String,
    /// What is wrong there.
    pub detail: String,
}

impl BadRow {
    /// Row `row` with these schema errors.
    pub(crate) fn with_errors(row: u64, errors: Vec<FieldError>) -> BadRow {
        let errors = errors
            .into_iter()
            .map(|error| FieldErrorAnswer { pointer: error.pointer, detail: error.detail })
            .collect();
        BadRow { row, errors, rule: None, detail: None }
    }

    /// Row `row`, which breaks `rule` as `detail` says.
    pub(crate) fn breaking(row: u64, rule: &'static str, detail: String) -> BadRow {
        BadRow { row, errors: Vec::new(), rule: Some(rule), detail: Some(detail) }
    }

    /// Row `row`, refused for the reason `detail` gives.
    pub fn refused(row: u64, detail: String) -> BadRow {
        BadRow { row, errors: Vec::new(), rule: None, detail: Some(detail) }
    }
}

/// Where one row of a committed import landed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct RowAppended {
    /// The row's number.
    pub row: u64,
    /// The stream its event went to (a new one for an opening event without `stream`).
    #[serde(serialize_with = "as_text")]
    #[schema(value_type = String)]
    pub stream: StreamName,
    /// Its event's position in the log.
    #[schema(minimum = 1)]
    pub position: u64,
    /// Whether it was already recorded (a re-run of the same file), so nothing new was appended.
    pub replayed: bool,
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ImportReport {
    /// The rows the file holds (not counting a CSV header or blank JSONL lines).
    pub rows: u64,
    /// Every bad row (at most [`BAD_ROWS_LISTED_MAX`] listed); when any, nothing was appended.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub bad: Vec<BadRow>,
    /// How many rows are bad, listed or not.
    #[serde(skip_serializing_if = "is_zero")]
    pub bad_rows: u64,
    /// Whether this was only a check (nothing is appended by a dry run).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub dry_run: bool,
    /// Where each row landed, when the import was committed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub appended: Vec<RowAppended>,
}

/// A stream name as its text, `<kind>-<uuid>`.
fn as_text<S: serde::Serializer>(stream: &StreamName, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(stream)
}

fn is_zero(count: &u64) -> bool {
    *count == 0
}

impl ImportReport {
    /// The report of a file that cannot be read as text at all: row 1 says why.
    pub fn unreadable_file(detail: String) -> ImportReport {
        let mut report = ImportReport::default();
        report.bad_row(BadRow::refused(1, detail));
        report
    }

    /// Notes a bad row.
    pub(crate) fn bad_row(&mut self, bad: BadRow) {
        self.bad_rows += 1;
        if self.bad.len() < BAD_ROWS_LISTED_MAX {
            self.bad.push(bad);
        }
    }

    /// How many rows were newly appended (not replays).
    pub fn newly_appended(&self) -> usize {
        self.appended.iter().filter(|row| !row.replayed).count()
    }
}
