//! Running an import: the file's rows read, planned and sent to the writer in chunks, every bad row
//! noted with why, and the whole file committed in one transaction only when no row is bad and it
//! is not a dry run.

use std::io::Read;

use domain::{EventType, StreamName};

use super::encoding::TextEncoding;
use super::kinds::FieldKinds;
use super::plan::Planner;
use super::report::{BadRow, ImportReport, RowAppended};
use super::rows::{csv_rows, jsonl_rows, FileProblem, ImportRow, UnreadableRow};
use crate::store::{AppendError, AppendRequest, ImportSession, Store};
use crate::tokens::Caller;

/// Rows sent to the writer at a time: the memory an import takes is about this many rows'.
pub(crate) const ROWS_PER_CHUNK: usize = 500;

/// The layout of an import file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportFormat {
    /// A header row, then one row an event.
    Csv,
    /// One JSON object a line.
    Jsonl,
}

/// What to import and how.
#[derive(Clone, Copy, Debug)]
pub struct ImportRequest {
    /// The type every row's event is.
    pub event_type: EventType,
    /// The file's layout.
    pub format: ImportFormat,
    /// The file's text encoding.
    pub encoding: TextEncoding,
    /// Only check the file: append nothing.
    pub dry_run: bool,
}

/// Why an import could not be run at all (a bad file is not this: it is a report of bad rows).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The caller's role may not append this type.
    #[error("{0}")]
    Forbidden(String),
    /// The store failed (not the file's fault).
    #[error(transparent)]
    Store(AppendError),
}

/// The rows of `text` (already opened by [`TextEncoding::open`]) read as `request` says.
fn rows_of<'a>(
    text: impl Read + Send + 'a,
    request: &ImportRequest,
    kinds: &'a FieldKinds,
) -> Result<Box<dyn Iterator<Item = Result<ImportRow, UnreadableRow>> + Send + 'a>, FileProblem> {
    let type_name = request.event_type.as_str();
    Ok(match request.format {
        ImportFormat::Csv => Box::new(csv_rows(text, request.encoding, type_name, |path| kinds.kind(path))?),
        ImportFormat::Jsonl => Box::new(jsonl_rows(text, request.encoding, type_name)),
    })
}

/// Imports `text` into `store` for `caller`.
pub async fn import(
    store: &Store,
    caller: &Caller,
    request: ImportRequest,
    text: impl Read + Send,
) -> Result<ImportReport, ImportError> {
    let event_type = request.event_type;
    if !caller.role.may_append(event_type) {
        return Err(ImportError::Forbidden(format!(
            "a {} token may not append {event_type}, so it may not import it",
            caller.role.as_str()
        )));
    }
    let kinds = FieldKinds::of_event(event_type);
    let rows = match rows_of(text, &request, &kinds) {
        Ok(rows) => rows,
        Err(FileProblem::Header(detail)) => return Ok(ImportReport::unreadable_file(detail)),
    };
    let mut report = ImportReport { dry_run: request.dry_run, ..ImportReport::default() };
    let session = store.import().await.map_err(ImportError::Store)?;
    let mut planner = Planner::new(event_type, caller.principal.clone());
    let mut chunk = Chunk::default();
    for row in rows {
        report.rows += 1;
        let planned = row.and_then(|row| {
            let number = row.row;
            planner.request(row).map(|request| (number, request))
        });
        match planned {
            Ok((number, request)) => chunk.push(number, request),
            Err(unreadable) => report.bad_row(BadRow::with_errors(unreadable.row, unreadable.errors)),
        }
        if chunk.rows.len() == ROWS_PER_CHUNK {
            chunk.send(&session, &mut report).await?;
        }
    }
    chunk.send(&session, &mut report).await?;
    report.bad.sort_by_key(|bad| bad.row);
    let commit = !request.dry_run && report.bad_rows == 0;
    let committed = session.end(commit).await.map_err(ImportError::Store)?;
    if committed.is_none() {
        report.appended.clear();
    }
    Ok(report)
}

/// Rows waiting to be sent to the writer.
#[derive(Default)]
struct Chunk {
    rows: Vec<u64>,
    streams: Vec<StreamName>,
    requests: Vec<AppendRequest>,
}

impl Chunk {
    fn push(&mut self, row: u64, request: AppendRequest) {
        self.rows.push(row);
        self.streams.push(request.stream.clone());
        self.requests.push(request);
    }

    /// Sends the waiting rows and notes each one's result in `report`.
    async fn send(&mut self, session: &ImportSession, report: &mut ImportReport) -> Result<(), ImportError> {
        if self.requests.is_empty() {
            return Ok(());
        }
        let requests = std::mem::take(&mut self.requests);
        let results = session.append_chunk(requests).await.map_err(ImportError::Store)?;
        // Where rows landed matters only while the file may still be committed.
        let keep_landings = !report.dry_run && report.bad_rows == 0;
        for ((row, stream), result) in self.rows.drain(..).zip(self.streams.drain(..)).zip(results) {
            match result {
                Ok(outcome) => {
                    let position = outcome.events.first().map_or(0, |event| event.position);
                    if keep_landings {
                        let position = u64::try_from(position).unwrap_or(0);
                        report.appended.push(RowAppended {
                            row,
                            stream,
                            position,
                            replayed: outcome.replayed,
                        });
                    }
                }
                Err(AppendError::Rule { breach, .. }) => {
                    report.bad_row(BadRow::breaking(row, breach.rule, breach.detail))
                }
                Err(AppendError::VersionConflict { current_version }) => report
                    .bad_row(BadRow::refused(row, format!("the stream is at version {current_version}"))),
                Err(AppendError::IdConflict(detail)) => report.bad_row(BadRow::refused(row, detail)),
                Err(error) => return Err(ImportError::Store(error)),
            }
        }
        Ok(())
    }
}
