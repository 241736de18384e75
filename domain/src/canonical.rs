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
    // Runs of characters that need no escape are copied whole. Every byte of a multi-byte UTF-8
    // character is 0x80 or above, so splitting at an ASCII byte always splits between characters.
    let mut run_start = 0;
    for (index, byte) in s.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            b'\t' => "\\t",
            b'\n' => "\\n",
            0x0c => "\\f",
            b'\r' => "\\r",
            byte if byte < 0x20 => {
                out.push_str(&s[run_start..index]);
                out.push_str(&format!("\\u{byte:04x}"));
                run_start = index + 1;
                continue;
            }
            _ => continue,
        };
        out.push_str(&s[run_start..index]);
        out.push_str(escape);
        run_start = index + 1;
    }
    out.push_str(&s[run_start..]);
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
    fn escapes_every_ascii_character_as_serde_json_does_and_copies_the_rest_as_they_are() {
        let ascii: String = (0_u8..0x80).map(char::from).collect();
        for text in [ascii.as_str(), "王建国\n鼓楼区\t\"社区\"\\🎉\u{1f}", "", "\u{0}", "末尾\r"]
        {
            let mut written = String::new();
            write_string(text, &mut written);
            assert_eq!(written, serde_json::to_string(text).unwrap(), "{text:?}");
        }
    }

    #[test]
    fn refuses_floats_and_unsafe_integers() {
        assert!(to_string(&json!({"x": 1.5})).is_err());
        assert!(to_string(&json!(9_007_199_254_740_992_i64)).is_err());
        assert!(to_string(&json!(-9_007_199_254_740_991_i64)).is_ok());
    }
}
