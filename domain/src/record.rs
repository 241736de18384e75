//! The record: one event as stored, served and hashed, and the SHA-256 chain that links records.
//!
//! `hash` is the lowercase hex SHA-256 of the canonical JSON of the record without its `hash` key;
//! `prev_hash` is the previous record's `hash` (64 zeros for position 1). The store keeps those
//! canonical bytes and serves them with `hash` appended, so nobody ever rebuilds a record from columns.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    /// The principal of the token that appended the event.
    pub actor: String,
    /// Server clock, RFC 3339 UTC ending in `Z`, at most microseconds.
    pub recorded_at: String,
    /// When it happened, as the client sent it (with its offset), else `recorded_at`.
    pub occurred_at: String,
    /// The client's correlation id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    /// The client's causation id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub causation_id: Option<String>,
}

/// One record, without its hash, its data a JSON value (`D` the default) or, for a reader that
/// parses the data straight into an event's struct, the data's own text (`&RawValue`). The field
/// names below are the record's keys: reading and writing a record both follow them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record<D = Value> {
    /// 1, 2, 3 … over the whole log.
    pub position: i64,
    /// The stream name.
    pub stream: String,
    /// 1, 2, 3 … within the stream.
    pub version: i64,
    /// The event id (a UUID).
    pub id: String,
    /// The event type name.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The event data.
    pub data: D,
    /// Who, when.
    pub meta: Meta,
    /// The previous record's hash.
    pub prev_hash: RecordHash,
}

impl Record {
    /// The record as a JSON object (no `hash` key; absent optional keys omitted).
    pub fn to_value(&self) -> Value {
        // A record holds strings, integers and its data, and its hash serializes as hex: this
        // cannot fail.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The canonical JSON of the record without `hash`, and its hash.
    pub fn seal(&self) -> Result<(String, RecordHash), CanonicalError> {
        let body = canonical::to_string(&self.to_value())?;
        let hash = RecordHash::of(body.as_bytes());
        Ok((body, hash))
    }

    /// Reads a record back from its JSON object (with or without `hash`).
    pub fn from_value(value: &Value) -> Result<Record, String> {
        Record::deserialize(value).map_err(|e| format!("not a record: {e}"))
    }
}

impl<'a, D: Deserialize<'a>> Record<D> {
    /// Reads a record back from its text (with or without `hash`), without building a JSON value
    /// of the whole.
    pub fn from_text(text: &'a str) -> Result<Record<D>, String> {
        serde_json::from_str(text).map_err(|e| format!("not a record: {e}"))
    }
}

impl Serialize for RecordHash {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut digits = [0_u8; 64];
        hex::encode_to_slice(self.0, &mut digits).map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(std::str::from_utf8(&digits).map_err(serde::ser::Error::custom)?)
    }
}

impl<'de> Deserialize<'de> for RecordHash {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// Reads the hex digits where they lie, without a copy.
        struct HexDigits;
        impl serde::de::Visitor<'_> for HexDigits {
            type Value = RecordHash;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("64 lowercase hex digits")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<RecordHash, E> {
                RecordHash::from_hex(text).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(HexDigits)
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
