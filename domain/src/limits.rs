//! What a new event may hold: the realistic upper bound of every quantity a municipal care bureau
//! records, and the characters no text may carry.
//!
//! The value types in [`crate::values`] hold what a *record* may hold (any integer a JSON verifier
//! reads exactly, ±(2^53 − 1)), because records appended under earlier rules must always read back.
//! A *new* event is held to the tighter bounds here when it is admitted (`Event::parse`). They are far
//! above anything a bureau pays or counts, and low enough that no figure can leave ±(2^53 − 1)
//! before the log holds tens of millions of events at the bound; the read side sums saturating
//! all the same.
//!
//! Text may not hold control characters (but tab, line feed and carriage return) nor the invisible
//! format characters that make one text look like another: bidirectional overrides and isolates,
//! zero-width spaces, word joiners, the byte-order mark, soft hyphens, tag characters.

use crate::errors::{pointer_token, FieldError};

/// One disbursement's amount, in fen: at most 1 000 000 yuan.
pub const AID_AMOUNT_MINOR_MAX: i64 = 100_000_000;
/// How many of one item an in-kind disbursement hands over.
pub const ITEM_QUANTITY_MAX: i64 = 10_000;
/// The value of one item, in fen: at most 1 000 000 yuan.
pub const ITEM_UNIT_VALUE_MINOR_MAX: i64 = 100_000_000;
/// Lines of goods in one in-kind disbursement.
pub const ITEMS_MAX: usize = 100;
/// A fund's budget, in fen, after any adjustment: at most 10 000 000 000 yuan.
pub const FUND_BUDGET_MINOR_MAX: i64 = 1_000_000_000_000;
/// One budget adjustment, in fen, either way.
pub const BUDGET_DELTA_MINOR_MAX: i64 = FUND_BUDGET_MINOR_MAX;
/// People attending one activity.
pub const ATTENDEES_MAX: i64 = 100_000;
/// Brochures or books handed out at one activity.
pub const MATERIALS_COUNT_MAX: i64 = 1_000_000;
/// The value of goods handed out at one activity, in fen: at most 10 000 000 yuan.
pub const GOODS_VALUE_MINOR_MAX: i64 = 1_000_000_000;

/// Adds an error at `pointer` to `errors` when `value` is above `max`.
pub fn at_most(errors: &mut Vec<FieldError>, pointer: &str, value: i64, max: i64, what: &str) {
    if value > max {
        errors.push(FieldError::new(pointer, format!("{value} is more than {what} can be: at most {max}")));
    }
}

/// Whether `c` may appear in a text: not a control character (but tab, line feed, carriage return)
/// and not an invisible format character.
pub fn is_allowed_in_text(c: char) -> bool {
    let invisible = matches!(
        c,
        '\u{00AD}'                      // soft hyphen
            | '\u{061C}'                // Arabic letter mark
            | '\u{180E}'                // Mongolian vowel separator
            | '\u{200B}'                // zero-width space
            | '\u{200E}'..='\u{200F}'   // left-to-right and right-to-left marks
            | '\u{2028}'..='\u{2029}'   // line and paragraph separators
            | '\u{202A}'..='\u{202E}'   // bidirectional embeddings and overrides
            | '\u{2060}'..='\u{2064}'   // word joiner, invisible operators
            | '\u{2066}'..='\u{206F}'   // bidirectional isolates, deprecated format characters
            | '\u{FEFF}'                // byte-order mark, zero-width no-break space
            | '\u{FFF9}'..='\u{FFFB}'   // interlinear annotation
            | '\u{E0000}'..='\u{E007F}' // tag characters
    );
    let control = c.is_control() && !matches!(c, '\t' | '\n' | '\r');
    !invisible && !control
}

/// An error for every string in `value` (at any depth) holding a character that is not allowed in
/// text, with its JSON pointer below `pointer`.
pub fn text_characters(value: &serde_json::Value, pointer: &str, errors: &mut Vec<FieldError>) {
    match value {
        serde_json::Value::String(text) => {
            if let Some(c) = text.chars().find(|&c| !is_allowed_in_text(c)) {
                errors.push(FieldError::new(
                    pointer,
                    format!(
                        "holds the invisible or control character U+{:04X}, which text may not hold",
                        c as u32
                    ),
                ));
            }
        }
        serde_json::Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                text_characters(item, &format!("{pointer}/{index}"), errors);
            }
        }
        serde_json::Value::Object(fields) => {
            for (key, field) in fields {
                text_characters(field, &format!("{pointer}/{}", pointer_token(key)), errors);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_text_line_breaks_and_joiners_are_allowed() {
        assert!("王建国 说：\n\t很好\r".chars().all(is_allowed_in_text));
        assert!("👨\u{200D}👩".chars().all(is_allowed_in_text), "emoji sequences join with U+200D");
    }

    #[test]
    fn bidi_overrides_zero_widths_and_controls_are_refused() {
        for c in
            ['\u{202E}', '\u{2066}', '\u{200B}', '\u{FEFF}', '\u{0007}', '\u{007F}', '\u{0085}', '\u{E0041}']
        {
            assert!(!is_allowed_in_text(c), "U+{:04X}", c as u32);
        }
        let mut errors = Vec::new();
        text_characters(&serde_json::json!({"items": [{"name": "米\u{202E}"}]}), "", &mut errors);
        assert_eq!(errors[0].pointer, "/items/0/name");
    }
}
