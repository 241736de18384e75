//! Replays: an append whose client ids are already recorded answers the original outcome when the
//! content is the same (personal fields compared as they open, since each sealing has a fresh nonce),
//! and is refused when it differs or mixes recorded and new ids.

use domain::record::RecordHash;
use domain::values::sealed_text;
use domain::{EventType, StreamState};
use serde_json::Value;
use sqlx::AnyConnection;

use super::{streams, AppendError, AppendOutcome, AppendRequest, Appended};
use crate::privacy::{sealing, Keyring};

/// When every event of `request` carries an id already recorded with the same content, the original
/// outcome; when none is recorded, `None`; anything in between is a conflict. `state` is the stream's
/// state as the writer knows it (it names whose key opens the personal fields compared).
pub async fn replay(
    connection: &mut AnyConnection,
    request: &AppendRequest,
    state: &StreamState,
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
        let mut sent_data = proposed.event.data_value();
        if let (Some(object), Ok(event_type)) =
            (stored_data.as_object_mut(), record.event_type.parse::<EventType>())
        {
            for (field, value) in sealing::open_fields(key.as_ref(), &subject, event_type, &record.data) {
                object.insert(field, value);
            }
            if key.is_none() {
                // The subject was forgotten: what their sealed fields said can no longer be compared,
                // only that the same fields were sent.
                forget_sealed_fields(&record.data, &mut sent_data, event_type);
            }
        }
        let sent_occurred_at = proposed.occurred_at.as_deref().unwrap_or(&record.meta.recorded_at);
        let same = record.stream == stream
            && record.event_type == proposed.event.event_type().as_str()
            && stored_data == sent_data
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

/// Blanks, in `sent`, each personal field of `event_type` that `stored` holds sealed: what it said
/// cannot be opened to compare, so only its presence is compared (as `null` on both sides).
fn forget_sealed_fields(stored: &Value, sent: &mut Value, event_type: EventType) {
    let Some(sent) = sent.as_object_mut() else { return };
    for field in event_type.personal_fields() {
        let sealed = stored.get(*field).and_then(sealed_text).is_some();
        if let (true, Some(value)) = (sealed, sent.get_mut(*field)) {
            *value = Value::Null;
        }
    }
}
