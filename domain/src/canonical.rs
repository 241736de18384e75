//! RFC 8785 (JCS) canonical JSON for records.
//!
//! Every number in a record is an integer within ±(2^53 − 1), so JCS reduces to: object keys sorted by
//! UTF-16 code units, no whitespace, strings escaped only for `"`, `\` and control characters, and
//! everything else as raw UTF-8. Keys are sorted here explicitly, never trusted to the map's order:
//! serde_json's `preserve_order` feature, switched on by any crate in a build, would change it.

use serde_json::Value;

use crate::strict_json::SAFE_INTEGER_MAX;

/// A value that has no canonical form in a record.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CanonicalError {
    /// A float, or an integer beyond ±(2^53 − 1).
    #[error("number {0} cannot appear in a record (only integers within ±(2^53 − 1))")]
    Number(String),
}

/// The canonical JSON text of `value`.
pub fn to_string(value: &Value) -> Result<String, CanonicalError> {
    let mut out = String::with_capacity(256);
    write_value(value, &mut out)?;
    Ok(out)
}

fn write_value(value: &Value, out: &mut String) -> Result<(), CanonicalError> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => match n.as_i64() {
            Some(i) if (-SAFE_INTEGER_MAX..=SAFE_INTEGER_MAX).contains(&i) => out.push_str(&i.to_string()),
            _ => return Err(CanonicalError::Number(n.to_string())),
        },
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_value(item, out)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push('{');
            for (index, (key, item)) in entries.into_iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_value(item, out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sorts_keys_and_escapes_only_what_jcs_escapes() {
        let value = json!({"b": 1, "a": "引号\"\\\n\u{1}\u{7f}🎉", "c": [true, null, {"z": 0, "y": -3}]});
        assert_eq!(
            to_string(&value).unwrap(),
            "{\"a\":\"引号\\\"\\\\\\n\\u0001\u{7f}🎉\",\"b\":1,\"c\":[true,null,{\"y\":-3,\"z\":0}]}"
        );
    }

    #[test]
    fn refuses_floats_and_unsafe_integers() {
        assert!(to_string(&json!({"x": 1.5})).is_err());
        assert!(to_string(&json!(9_007_199_254_740_992_i64)).is_err());
        assert!(to_string(&json!(-9_007_199_254_740_991_i64)).is_ok());
    }
}
