//! Parsing untrusted JSON strictly: broken UTF-8, syntax errors, duplicate object keys and U+0000 are
//! refused (the API answers 400), and the numbers a record may hold are checked (the API answers 422).
//!
//! serde_json's own `Value` keeps the last of two duplicate keys silently; a ledger must not guess which
//! one the client meant, so this module builds the `Value` itself.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::errors::{pointer_token, FieldError};

/// The largest magnitude an integer in a record may have: 2^53 − 1, exact in an IEEE double.
pub const SAFE_INTEGER_MAX: i64 = (1 << 53) - 1;

/// Why a body is not acceptable JSON at all.
#[derive(Debug, thiserror::Error)]
pub enum JsonSyntaxError {
    /// The bytes are not UTF-8.
    #[error("body is not valid UTF-8 (first bad byte at offset {0})")]
    Utf8(usize),
    /// The text is not JSON, or uses a duplicate key or U+0000.
    #[error("body is not valid JSON: {0}")]
    Json(String),
}

/// Parses `bytes` as one JSON value, refusing broken UTF-8, duplicate keys and U+0000.
pub fn parse(bytes: &[u8]) -> Result<Value, JsonSyntaxError> {
    let text = std::str::from_utf8(bytes).map_err(|e| JsonSyntaxError::Utf8(e.valid_up_to()))?;
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = StrictValue::deserialize(&mut deserializer)
        .and_then(|v| deserializer.end().map(|()| v))
        .map_err(|e| JsonSyntaxError::Json(e.to_string()))?;
    Ok(value.0)
}

/// Every number in `value` that a record may not hold: floats, and integers beyond ±(2^53 − 1).
/// Pointers are relative to `value`.
pub fn number_errors(value: &Value) -> Vec<FieldError> {
    let mut errors = Vec::new();
    collect_number_errors(value, &mut String::new(), &mut errors);
    errors
}

fn collect_number_errors(value: &Value, pointer: &mut String, errors: &mut Vec<FieldError>) {
    match value {
        Value::Number(n) => {
            let in_range = n.as_i64().is_some_and(|i| (-SAFE_INTEGER_MAX..=SAFE_INTEGER_MAX).contains(&i));
            if !in_range {
                let detail = if n.is_f64() {
                    format!("{n} is not an integer: numbers must be whole (money in minor units, durations in minutes)")
                } else {
                    format!("{n} is outside ±(2^53 − 1)")
                };
                errors.push(FieldError::new(pointer.clone(), detail));
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push_str(&format!("/{index}"));
                collect_number_errors(item, pointer, errors);
                pointer.truncate(len);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&pointer_token(key));
                collect_number_errors(item, pointer, errors);
                pointer.truncate(len);
            }
        }
        Value::Null | Value::Bool(_) | Value::String(_) => {}
    }
}

/// A `Value` deserialized with duplicate keys and U+0000 refused.
struct StrictValue(Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

fn checked_string<E: de::Error>(s: &str) -> Result<String, E> {
    if s.contains('\0') {
        return Err(E::custom("strings may not contain U+0000"));
    }
    Ok(s.to_owned())
}

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v).map(Value::Number).ok_or_else(|| E::custom("number is not finite"))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        checked_string(v).map(Value::String)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        StrictValue::deserialize(deserializer).map(|v| v.0)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<std::borrow::Cow<'de, str>>()? {
            let key = checked_string::<A::Error>(&key)?;
            if map.contains_key(&key) {
                return Err(de::Error::custom(format!("duplicate object key \"{key}\"")));
            }
            let StrictValue(item) = access.next_value()?;
            map.insert(key, item);
        }
        Ok(Value::Object(map))
    }
}
