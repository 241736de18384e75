//! Recognising a record's canonical JSON text in one pass, without building its value: what chain
//! verification does for every stored record.
//!
//! [`record_links`] accepts only text that [`canonical::to_string`](crate::canonical::to_string)
//! could have written for a value [`strict_json::parse`](crate::strict_json::parse) accepts: no
//! whitespace, object keys strictly ascending by UTF-16 code units (so no duplicates), strings with
//! exactly JCS's escapes and no U+0000, integers within ±(2^53 − 1) written without a sign on zero or
//! leading zeros, and nesting well inside serde_json's limit. It may refuse text that is canonical
//! after all (deep nesting); a caller then decides with the full parse, so a refusal here is never
//! the last word, while an acceptance is.

use std::cmp::Ordering;

use crate::strict_json::SAFE_INTEGER_MAX;

/// Nesting beyond this is left to the full parse (serde_json refuses beyond 127).
const DEPTH_MAX: u32 = 100;

/// What the chain needs from a record's top level.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecordLinks<'a> {
    /// `position`, when it is an integer.
    pub position: Option<i64>,
    /// `prev_hash`'s text between its quotes (escapes left as written), when it is a string.
    pub prev_hash: Option<&'a str>,
}

/// The top-level `position` and `prev_hash` of `text` when `text` is a canonical JSON object; `None`
/// when it is not (or is too deeply nested to tell here).
pub fn record_links(text: &str) -> Option<RecordLinks<'_>> {
    let mut scanner = Scanner { text, at: 0 };
    let mut links = RecordLinks::default();
    scanner.object(1, Some(&mut links))?;
    (scanner.at == text.len()).then_some(links)
}

/// A string as it appears in the text.
#[derive(Clone, Copy)]
struct StringSpan<'a> {
    /// Between the quotes, escapes as written.
    raw: &'a str,
    /// Whether it holds an escape.
    escaped: bool,
}

impl<'a> StringSpan<'a> {
    fn chars(self) -> Box<dyn Iterator<Item = char> + 'a> {
        if !self.escaped {
            return Box::new(self.raw.chars());
        }
        let mut chars = self.raw.chars();
        Box::new(std::iter::from_fn(move || {
            let c = chars.next()?;
            if c != '\\' {
                return Some(c);
            }
            Some(match chars.next()? {
                'b' => '\u{8}',
                't' => '\t',
                'n' => '\n',
                'f' => '\u{c}',
                'r' => '\r',
                'u' => {
                    let digits: String = chars.by_ref().take(4).collect();
                    char::from_u32(u32::from_str_radix(&digits, 16).ok()?)?
                }
                other => other,
            })
        }))
    }

    /// JCS's order of object keys: by UTF-16 code units of the decoded string.
    fn cmp_utf16(self, other: StringSpan<'_>) -> Ordering {
        if !self.escaped && !other.escaped && self.raw.is_ascii() && other.raw.is_ascii() {
            return self.raw.cmp(other.raw);
        }
        let mut left = self.chars().flat_map(|c| c.encode_utf16(&mut [0; 2]).to_vec());
        let mut right = other.chars().flat_map(|c| c.encode_utf16(&mut [0; 2]).to_vec());
        loop {
            match (left.next(), right.next()) {
                (None, None) => return Ordering::Equal,
                (None, Some(_)) => return Ordering::Less,
                (Some(_), None) => return Ordering::Greater,
                (Some(l), Some(r)) if l != r => return l.cmp(&r),
                _ => {}
            }
        }
    }
}

struct Scanner<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    fn literal(&mut self, word: &str) -> Option<()> {
        self.text[self.at..].starts_with(word).then(|| self.at += word.len())
    }

    fn value(&mut self, depth: u32) -> Option<()> {
        match self.peek()? {
            b'{' => self.object(depth + 1, None),
            b'[' => self.array(depth + 1),
            b'"' => self.string().map(drop),
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            b'n' => self.literal("null"),
            _ => self.integer().map(drop),
        }
    }

    /// An object; at the top level (`links` given) its `position` and `prev_hash` are noted.
    fn object(&mut self, depth: u32, mut links: Option<&mut RecordLinks<'a>>) -> Option<()> {
        if depth > DEPTH_MAX {
            return None;
        }
        self.eat(b'{')?;
        if self.eat(b'}').is_some() {
            return Some(());
        }
        let mut previous: Option<StringSpan<'a>> = None;
        loop {
            let key = self.string()?;
            if previous.is_some_and(|previous| previous.cmp_utf16(key) != Ordering::Less) {
                return None;
            }
            previous = Some(key);
            self.eat(b':')?;
            match links.as_deref_mut() {
                Some(links) if !key.escaped && key.raw == "position" => {
                    links.position = self.integer_or_other(depth)?;
                }
                Some(links) if !key.escaped && key.raw == "prev_hash" && self.peek() == Some(b'"') => {
                    links.prev_hash = Some(self.string()?.raw);
                }
                _ => self.value(depth)?,
            }
            if self.eat(b'}').is_some() {
                return Some(());
            }
            self.eat(b',')?;
        }
    }

    /// `position`'s value: its integer, or `None` when it is canonical but not an integer (which
    /// the chain check then refuses).
    fn integer_or_other(&mut self, depth: u32) -> Option<Option<i64>> {
        match self.peek()? {
            b'-' | b'0'..=b'9' => self.integer().map(Some),
            _ => self.value(depth).map(|()| None),
        }
    }

    fn array(&mut self, depth: u32) -> Option<()> {
        if depth > DEPTH_MAX {
            return None;
        }
        self.eat(b'[')?;
        if self.eat(b']').is_some() {
            return Some(());
        }
        loop {
            self.value(depth)?;
            if self.eat(b']').is_some() {
                return Some(());
            }
            self.eat(b',')?;
        }
    }

    fn string(&mut self) -> Option<StringSpan<'a>> {
        self.eat(b'"')?;
        let start = self.at;
        let bytes = self.text.as_bytes();
        let mut escaped = false;
        loop {
            match *bytes.get(self.at)? {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    match *bytes.get(self.at + 1)? {
                        b'"' | b'\\' | b'b' | b't' | b'n' | b'f' | b'r' => self.at += 2,
                        b'u' => {
                            let digits = bytes.get(self.at + 2..self.at + 6)?;
                            let lower_hex = |b: &u8| b.is_ascii_digit() || (b'a'..=b'f').contains(b);
                            if !digits.iter().all(lower_hex) {
                                return None;
                            }
                            // Only control characters without a short escape; U+0000 is refused.
                            let code = u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()?;
                            if !matches!(code, 0x01..=0x07 | 0x0b | 0x0e..=0x1f) {
                                return None;
                            }
                            self.at += 6;
                        }
                        _ => return None,
                    }
                }
                0x00..=0x1f => return None,
                _ => self.at += 1,
            }
        }
        let raw = &self.text[start..self.at];
        self.at += 1;
        Some(StringSpan { raw, escaped })
    }

    /// An integer as JCS writes it: `0`, or an optional `-` and digits without a leading zero,
    /// within ±(2^53 − 1); nothing may follow it but a delimiter.
    fn integer(&mut self) -> Option<i64> {
        let start = self.at;
        let negative = self.eat(b'-').is_some();
        let digits_start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        let digits = &self.text[digits_start..self.at];
        let canonical_digits = digits == "0" && !negative || (!digits.is_empty() && !digits.starts_with('0'));
        if !canonical_digits || digits.len() > 16 || matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        let number: i64 = self.text[start..self.at].parse().ok()?;
        (-SAFE_INTEGER_MAX..=SAFE_INTEGER_MAX).contains(&number).then_some(number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_links_of_a_canonical_record() {
        let text =
            r#"{"data":{"n":[1,-2,0,true,null,"\u001f\n"],"名":"冯淑英"},"position":7,"prev_hash":"ab"}"#;
        assert_eq!(record_links(text), Some(RecordLinks { position: Some(7), prev_hash: Some("ab") }));
        assert_eq!(record_links(r#"{"position":"7"}"#), Some(RecordLinks::default()));
    }

    #[test]
    fn refuses_whatever_canonical_json_never_writes() {
        for text in [
            r#"{"b":1,"a":2}"#,
            r#"{"a":1,"a":1}"#,
            r#"{"a": 1}"#,
            r#"{"a":-0}"#,
            r#"{"a":01}"#,
            r#"{"a":1.0}"#,
            r#"{"a":1e3}"#,
            r#"{"a":9007199254740992}"#,
            r#"{"a":"\u0000"}"#,
            r#"{"a":"\u000a"}"#,
            r#"{"a":"\u001F"}"#,
            r#"{"a":"\/"}"#,
            "{\"a\":\"\t\"}",
            r#"{"a":tru}"#,
            r#"{"a":1}x"#,
            r#"[1]"#,
            r#"{"a":[1,]}"#,
        ] {
            assert_eq!(record_links(text), None, "{text}");
        }
    }

    #[test]
    fn orders_keys_by_utf16_code_units_not_by_code_points() {
        // U+FF61 sorts after U+1F600 in UTF-16 (0xFF61 > 0xD83D), before it by code point.
        assert!(record_links("{\"\u{1F600}\":1,\"\u{FF61}\":2}").is_some());
        assert!(record_links("{\"\u{FF61}\":1,\"\u{1F600}\":2}").is_none());
        assert!(record_links(r#"{"\n":1,"a":2}"#).is_some());
        assert!(record_links(r#"{"a":1,"\n":2}"#).is_none());
    }
}
