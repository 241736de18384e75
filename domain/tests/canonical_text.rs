//! The one-pass recogniser of canonical record text agrees with the full parse: whatever it accepts
//! parses strictly, re-canonicalizes to the same text and has the same `position` and `prev_hash`;
//! and it accepts every canonical object the full path writes (at the depths records have).

mod support;

use aidledger_domain::canonical_text::record_links;
use aidledger_domain::{canonical, strict_json};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{json, Value};
use support::{config, json_value};

/// What the full path says: the text's `position` and `prev_hash` when it is canonical, else `None`.
fn full_path(text: &str) -> Option<(Option<i64>, Option<String>)> {
    let value = strict_json::parse(text.as_bytes()).ok()?;
    if canonical::to_string(&value).ok()? != text || !value.is_object() {
        return None;
    }
    let prev = value.get("prev_hash").and_then(Value::as_str).map(str::to_owned);
    Some((value.get("position").and_then(Value::as_i64), prev))
}

/// Asserts that an acceptance by the recogniser is one by the full path, with the same links.
fn agrees(text: &str) -> Result<(), TestCaseError> {
    if let Some(links) = record_links(text) {
        let full = full_path(text);
        prop_assert!(full.is_some(), "accepted in one pass, refused by the full parse: {text:?}");
        let (position, prev) = full.unwrap_or_default();
        prop_assert_eq!(links.position, position, "{:?}", text);
        if let Some(prev) =
            prev.filter(|prev| !prev.contains(['"', '\\']) && !prev.chars().any(char::is_control))
        {
            prop_assert_eq!(links.prev_hash, Some(prev.as_str()), "{:?}", text);
        }
    }
    Ok(())
}

/// Edits that make canonical text non-canonical, or keep it canonical, at any place.
const SPLICES: &[&str] = &[
    " ",
    "\n",
    "0",
    "-",
    "-0",
    ".0",
    "e1",
    "\\u0000",
    "\\u0001",
    "\\u000a",
    "\\u001F",
    "\\/",
    "\\n",
    "\"",
    ",",
    ":",
    "{",
    "}",
    "[",
    "]",
    "\u{0}",
    "\u{7f}",
    "\u{1F600}",
    "\u{FF61}",
    "true",
    "null",
    "9007199254740992",
];

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn every_canonical_object_is_accepted_with_its_links(
        data in json_value(),
        position in any::<i64>(),
        prev in "[0-9a-f]{64}|[\\PC\"\\\\]{0,8}",
    ) {
        let record = json!({"data": data, "position": position, "prev_hash": prev});
        if let Ok(text) = canonical::to_string(&record) {
            // Canonical text of a value the strict parse refuses (one holding U+0000) is refused too.
            if full_path(&text).is_some() {
                prop_assert!(record_links(&text).is_some(), "refused canonical text {:?}", text);
            }
            agrees(&text)?;
        }
    }

    #[test]
    fn a_splice_anywhere_is_accepted_only_when_the_full_parse_agrees(
        data in json_value(),
        at in any::<usize>(),
        cut in 0_usize..3,
        splice in select(SPLICES),
    ) {
        let Ok(text) = canonical::to_string(&json!({"data": data, "position": 3, "prev_hash": "ab"})) else {
            return Ok(());
        };
        let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
        let start = boundaries[at % boundaries.len()];
        let end = boundaries[(boundaries.iter().position(|&b| b == start).unwrap_or(0) + cut).min(boundaries.len() - 1)];
        let edited = format!("{}{}{}", &text[..start], splice, &text[end..]);
        agrees(&edited)?;
    }

    #[test]
    fn arbitrary_json_like_text_is_accepted_only_when_the_full_parse_agrees(
        text in r#"[\[\]{}:,"\\0-9eE+\-.tfrunl \n\t\x00\x7fé€😀a-z]{0,60}"#,
    ) {
        agrees(&text)?;
    }

    #[test]
    fn any_serialization_of_a_value_is_accepted_only_when_canonical(data in json_value(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_string_pretty(&data) } else { serde_json::to_string(&data) };
        agrees(&text.unwrap_or_default())?;
    }
}
