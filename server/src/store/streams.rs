//! Folding a stream's recorded events into its state, inside the writer's transaction.

use domain::record::Record;
use domain::{Event, EventType, StreamName, StreamState};
use sqlx::AnyConnection;

use super::AppendError;
use crate::principal;

/// A stream's state and version as recorded so far.
pub struct LoadedStream {
    /// The folded state.
    pub state: StreamState,
    /// The number of events in the stream.
    pub version: i64,
}

/// Folds every recorded event of `stream`.
pub async fn load(connection: &mut AnyConnection, stream: &StreamName) -> Result<LoadedStream, AppendError> {
    let bodies: Vec<(String,)> = sqlx::query_as("SELECT body FROM events WHERE stream = $1 ORDER BY version")
        .bind(stream.to_string())
        .fetch_all(&mut *connection)
        .await?;
    let mut state = StreamState::new(stream.kind());
    for (body,) in &bodies {
        let (_, event, actor) = read_for_fold(body)?;
        state.apply(&event, &actor);
    }
    Ok(LoadedStream { state, version: bodies.len() as i64 })
}

/// Reads a stored record body back.
pub(crate) fn parse_record(body: &str) -> Result<Record, AppendError> {
    Record::from_text(body).map_err(AppendError::Corrupt)
}

/// A stored record body read back for folding into a stream's state: the record, its typed event,
/// and its actor as the rules see it (records appended before principal names were normalized carry
/// the name as it was given, so it is folded).
pub(crate) fn read_for_fold(body: &str) -> Result<(Record, Event, String), AppendError> {
    let record = parse_record(body)?;
    let event = recorded_event(&record)?;
    let actor = principal::fold(&record.meta.actor);
    Ok((record, event, actor))
}

/// The typed event of a stored record.
fn recorded_event(record: &Record) -> Result<Event, AppendError> {
    let event_type: EventType = record.event_type.parse().map_err(AppendError::Corrupt)?;
    Event::parse_recorded(event_type, &record.data).map_err(|errors| {
        AppendError::Corrupt(format!("record {} does not parse: {}", record.position, errors[0]))
    })
}
