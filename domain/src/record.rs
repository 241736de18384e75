//! The record: one event as stored, served and hashed, and the SHA-256 chain that links records.
//!
//! `hash` is the lowercase hex SHA-256 of the canonical JSON of the record without its `hash` key;
//! `prev_hash` is the previous record's `hash` (64 zeros for position 1). The store keeps those
//! canonical bytes and serves them with `hash` appended, so nobody ever rebuilds a record from columns.

use std::fmt;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::canonical::{self, CanonicalError};

/// A SHA-256 digest: a record's hash, or a Merkle tree node.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordHash(pub [u8; 32]);

impl RecordHash {
    /// The `prev_hash` of the first record: 32 zero bytes.
    pub const ZERO: RecordHash = RecordHash([0; 32]);

    /// The SHA-256 of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self(Sha256::digest(bytes).into())
    }

    /// Parses 64 lowercase hex digits.
    pub fn from_hex(hex_text: &str) -> Result<Self, String> {
        if hex_text.len() != 64 || hex_text.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(format!("\"{hex_text}\" is not 64 lowercase hex digits"));
        }
        let mut bytes = [0; 32];
        hex::decode_to_slice(hex_text, &mut bytes).map_err(|e| format!("\"{hex_text}\": {e}"))?;
        Ok(Self(bytes))
    }

    /// The 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Whether `hex_text` is exactly its 64 lowercase hex digits (without allocating).
    pub fn matches_hex(&self, hex_text: impl AsRef<[u8]>) -> bool {
        let mut digits = [0_u8; 64];
        hex::encode_to_slice(self.0, &mut digits).is_ok() && digits == hex_text.as_ref()
    }
}

impl fmt::Display for RecordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for RecordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RecordHash({})", self.to_hex())
    }
}

/// A record's `meta`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meta {
    /// The principal of the token that appended the event.
    pub actor: String,
    /// Server clock, RFC 3339 UTC ending in `Z`, at most microseconds.
    pub recorded_at: String,
    /// When it happened, as the client sent it (with its offset), else `recorded_at`.
    pub occurred_at: String,
    /// The client's correlation id.
    pub correlation_id: Option<String>,
    /// The client's causation id.
    pub causation_id: Option<String>,
}

/// One record, without its hash.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// 1, 2, 3 … over the whole log.
    pub position: i64,
    /// The stream name.
    pub stream: String,
    /// 1, 2, 3 … within the stream.
    pub version: i64,
    /// The event id (a UUID).
    pub id: String,
    /// The event type name.
    pub event_type: String,
    /// The event data.
    pub data: Value,
    /// Who, when.
    pub meta: Meta,
    /// The previous record's hash.
    pub prev_hash: RecordHash,
}

impl Record {
    /// The record as a JSON object (no `hash` key; absent optional keys omitted).
    pub fn to_value(&self) -> Value {
        let mut meta = Map::new();
        meta.insert("actor".into(), Value::String(self.meta.actor.clone()));
        meta.insert("recorded_at".into(), Value::String(self.meta.recorded_at.clone()));
        meta.insert("occurred_at".into(), Value::String(self.meta.occurred_at.clone()));
        if let Some(id) = &self.meta.correlation_id {
            meta.insert("correlation_id".into(), Value::String(id.clone()));
        }
        if let Some(id) = &self.meta.causation_id {
            meta.insert("causation_id".into(), Value::String(id.clone()));
        }
        let mut record = Map::new();
        record.insert("position".into(), Value::from(self.position));
        record.insert("stream".into(), Value::String(self.stream.clone()));
        record.insert("version".into(), Value::from(self.version));
        record.insert("id".into(), Value::String(self.id.clone()));
        record.insert("type".into(), Value::String(self.event_type.clone()));
        record.insert("data".into(), self.data.clone());
        record.insert("meta".into(), Value::Object(meta));
        record.insert("prev_hash".into(), Value::String(self.prev_hash.to_hex()));
        Value::Object(record)
    }

    /// The canonical JSON of the record without `hash`, and its hash.
    pub fn seal(&self) -> Result<(String, RecordHash), CanonicalError> {
        let body = canonical::to_string(&self.to_value())?;
        let hash = RecordHash::of(body.as_bytes());
        Ok((body, hash))
    }

    /// Reads a record back from its JSON object (with or without `hash`).
    pub fn from_value(value: &Value) -> Result<Record, String> {
        let object = value.as_object().ok_or("a record is a JSON object")?;
        let text = |map: &Map<String, Value>, key: &str| -> Result<String, String> {
            map.get(key)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or(format!("record has no string \"{key}\""))
        };
        let integer = |key: &str| {
            object.get(key).and_then(Value::as_i64).ok_or(format!("record has no integer \"{key}\""))
        };
        let meta = object.get("meta").and_then(Value::as_object).ok_or("record has no \"meta\" object")?;
        Ok(Record {
            position: integer("position")?,
            stream: text(object, "stream")?,
            version: integer("version")?,
            id: text(object, "id")?,
            event_type: text(object, "type")?,
            data: object.get("data").cloned().ok_or("record has no \"data\"")?,
            meta: Meta {
                actor: text(meta, "actor")?,
                recorded_at: text(meta, "recorded_at")?,
                occurred_at: text(meta, "occurred_at")?,
                correlation_id: meta.get("correlation_id").and_then(Value::as_str).map(str::to_owned),
                causation_id: meta.get("causation_id").and_then(Value::as_str).map(str::to_owned),
            },
            prev_hash: RecordHash::from_hex(&text(object, "prev_hash")?)?,
        })
    }
}

/// The record as served: its canonical body with `"hash"` added as the last key.
pub fn served(body: &str, hash: &RecordHash) -> String {
    let open = body.strip_suffix('}').unwrap_or(body);
    format!("{open},\"hash\":\"{}\"}}", hash.to_hex())
}

/// Formats the server clock as `recorded_at`: RFC 3339 UTC ending in `Z`, truncated to
/// microseconds, trailing fractional zeros dropped.
pub fn format_recorded_at(now: OffsetDateTime) -> String {
    let utc = now.to_offset(time::UtcOffset::UTC);
    let mut text = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        utc.year(),
        u8::from(utc.month()),
        utc.day(),
        utc.hour(),
        utc.minute(),
        utc.second()
    );
    let micros = utc.microsecond();
    if micros > 0 {
        let fraction = format!("{micros:06}");
        text.push('.');
        text.push_str(fraction.trim_end_matches('0'));
    }
    text.push('Z');
    text
}

/// Checks an `occurred_at` sent by a client: an RFC 3339 date-time with an offset.
pub fn check_occurred_at(value: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339).map_err(|_| {
        format!("\"{value}\" is not an RFC 3339 date-time with an offset, e.g. 2022-06-01T10:00:00+08:00")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn recorded_at_keeps_at_most_microseconds_without_trailing_zeros() {
        assert_eq!(format_recorded_at(datetime!(2026-11-25 08:00:01.5 UTC)), "2026-11-25T08:00:01.5Z");
        assert_eq!(
            format_recorded_at(datetime!(2026-11-25 08:00:00.000001999 UTC)),
            "2026-11-25T08:00:00.000001Z"
        );
        assert_eq!(format_recorded_at(datetime!(2026-11-25 16:00:02 +08:00)), "2026-11-25T08:00:02Z");
    }

    #[test]
    fn occurred_at_needs_an_offset() {
        assert!(check_occurred_at("2022-06-01T10:00:00+08:00").is_ok());
        assert!(check_occurred_at("2022-06-01T10:00:00").is_err());
        assert!(check_occurred_at("2022-06-01").is_err());
    }
}
