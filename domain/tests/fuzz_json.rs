//! Properties of every decoder of untrusted text: strict JSON, canonical JSON, stream names, ids,
//! dates, times, hashes, records and the chain verifier. Whatever the input, none panics; what they
//! accept round-trips exactly.

mod support;

use aidledger_domain::chain::ChainVerifier;
use aidledger_domain::record::{check_occurred_at, Meta, Record};
use aidledger_domain::values::{Date, Id};
use aidledger_domain::{canonical, strict_json, RecordHash, StreamKind, StreamName};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{json, Value};
use support::{config, integral_json_value, json_value, plausible_string, uuid_text};

/// Characters JSON is made of, and a few that break it.
const JSON_ALPHABET: &str = r#"[\[\]{}:,"\\0-9eE+\-.tfrunl \n\t\x00\x7fé€😀a-z]{0,80}"#;

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn strict_parsing_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = strict_json::parse(&bytes);
    }

    #[test]
    fn strict_parsing_never_panics_on_json_like_text(text in JSON_ALPHABET) {
        if let Ok(value) = strict_json::parse(text.as_bytes()) {
            let _ = strict_json::number_errors(&value);
            let _ = canonical::to_string(&value);
        }
    }

    #[test]
    fn strict_parsing_never_panics_on_broken_json(value in json_value(), cut in any::<usize>(), junk in "[\\[\\]{}\",:\\\\]") {
        let text = value.to_string();
        let mut at = cut % (text.len() + 1);
        // Cut anywhere, even inside a character (broken UTF-8); splice only between characters.
        let _ = strict_json::parse(&text.as_bytes()[..at]);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let spliced = format!("{}{junk}{}", &text[..at], &text[at..]);
        let _ = strict_json::parse(spliced.as_bytes());
    }
}

/// Whether a string or a key anywhere in `value` holds U+0000 (which strict parsing refuses).
fn holds_nul(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains('\0'),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(map) => map.iter().any(|(key, item)| key.contains('\0') || holds_nul(item)),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn strict_parsing_gives_back_exactly_what_was_written(value in integral_json_value()) {
        prop_assert_eq!(strict_json::parse(value.to_string().as_bytes()).unwrap(), value.clone());
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        prop_assert_eq!(strict_json::parse(pretty.as_bytes()).unwrap(), value);
    }

    #[test]
    fn a_repeated_key_is_refused_at_any_depth(value in integral_json_value(), key in "[a-z]{1,8}", depth in 0_usize..4) {
        let mut text = format!("{{\"{key}\":{value},\"{key}\":{value}}}");
        for level in 0..depth {
            text = if level % 2 == 0 { format!("[{text}]") } else { format!("{{\"k\":{text}}}") };
        }
        prop_assert!(strict_json::parse(text.as_bytes()).is_err(), "{}", text);
    }

    #[test]
    fn a_string_holding_u0000_is_refused_as_a_value_and_as_a_key(prefix in "[a-z]{0,5}") {
        let nul = format!("{prefix}\u{0}");
        let as_value = json!({"k": nul}).to_string();
        let as_key = json!({nul: 1}).to_string();
        prop_assert!(strict_json::parse(as_value.as_bytes()).is_err());
        prop_assert!(strict_json::parse(as_key.as_bytes()).is_err());
    }

    #[test]
    fn canonical_json_never_panics_and_reads_back_as_the_same_value(value in json_value()) {
        let Ok(text) = canonical::to_string(&value) else {
            prop_assert!(!strict_json::number_errors(&value).is_empty(), "refused only for its numbers");
            return Ok(());
        };
        prop_assert!(strict_json::number_errors(&value).is_empty());
        let read: Value = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&read, &value);
        prop_assert_eq!(canonical::to_string(&read).unwrap(), text.clone(), "canonical form is a fixed point");
        if !holds_nul(&value) {
            prop_assert_eq!(canonical::to_string(&strict_json::parse(text.as_bytes()).unwrap()).unwrap(), text);
        }
    }
}

/// Any real date of a four-digit year.
fn four_digit_year_date() -> impl Strategy<Value = time::Date> {
    let day = |year, month, day| time::Date::from_calendar_date(year, month, day).unwrap().to_julian_day();
    let (first, last) = (day(1000, time::Month::January, 1), day(9999, time::Month::December, 31));
    (first..=last).prop_map(|day| time::Date::from_julian_day(day).unwrap())
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn text_decoders_never_panic(text in plausible_string()) {
        let _ = text.parse::<StreamName>();
        let _ = Id::parse(&text);
        let _ = Date::parse(&text);
        let _ = check_occurred_at(&text);
        let _ = RecordHash::from_hex(&text);
        for kind in StreamKind::ALL {
            let _ = format!("{kind}-{text}").parse::<StreamName>();
        }
    }

    #[test]
    fn a_stream_name_reads_back_byte_for_byte(kind in select(StreamKind::ALL.to_vec()), id in uuid_text()) {
        let name = format!("{kind}-{id}");
        let parsed: StreamName = name.parse().unwrap();
        prop_assert_eq!(parsed.kind(), kind);
        prop_assert_eq!(parsed.to_string(), name);
        prop_assert_eq!(parsed.id().to_string(), id.clone());
        let upper = format!("{kind}-{}", id.to_uppercase());
        prop_assert_eq!(upper.parse::<StreamName>().is_ok(), upper == format!("{kind}-{id}"));
    }

    #[test]
    fn a_real_date_reads_back_and_no_other_spelling_does(date in four_digit_year_date()) {
        let text = Date(date).to_string();
        prop_assert_eq!(Date::parse(&text).unwrap(), Date(date));
        let padded = format!("{text} ");
        prop_assert!(Date::parse(&padded).is_err());
        prop_assert!(Date::parse(&text.replacen('-', "/", 1)).is_err());
    }

    #[test]
    fn a_hash_reads_back_from_its_hex_and_uppercase_is_refused(bytes in any::<[u8; 32]>()) {
        let hash = RecordHash(bytes);
        prop_assert_eq!(RecordHash::from_hex(&hash.to_hex()).unwrap(), hash);
        let upper = hash.to_hex().to_uppercase();
        prop_assert_eq!(RecordHash::from_hex(&upper).is_ok(), upper == hash.to_hex());
    }
}

fn record() -> impl Strategy<Value = Record> {
    (
        1_i64..1_000_000,
        uuid_text(),
        1_i64..1000,
        uuid_text(),
        support::integral_json_value(),
        plausible_string(),
        proptest::option::of(uuid_text()),
        any::<[u8; 32]>(),
    )
        .prop_map(|(position, stream, version, id, data, actor, correlation_id, prev)| Record {
            position,
            stream: format!("beneficiary-{stream}"),
            version,
            id,
            event_type: "VisitRecorded".into(),
            data,
            meta: Meta {
                actor: actor.replace('\0', ""),
                recorded_at: "2026-11-25T08:00:00.123456Z".into(),
                occurred_at: "2022-06-01T10:00:00+08:00".into(),
                correlation_id,
                causation_id: None,
            },
            prev_hash: RecordHash(prev),
        })
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn reading_a_record_never_panics(value in json_value()) {
        let _ = Record::from_value(&value);
    }

    #[test]
    fn a_record_reads_back_from_its_json(record in record()) {
        prop_assert_eq!(Record::from_value(&record.to_value()).unwrap(), record);
    }

    #[test]
    fn the_chain_verifier_never_panics_and_accepts_only_sealed_records(
        record in record(),
        body in prop_oneof![Just(None), json_value().prop_map(|v| Some(v.to_string()))],
        hash in prop_oneof![Just(None), plausible_string().prop_map(Some)],
    ) {
        let mut first = record.clone();
        first.position = 1;
        first.prev_hash = RecordHash::ZERO;
        let Ok((sealed, sealed_hash)) = first.seal() else {
            // Only numbers beyond ±(2^53 − 1) keep a record from being sealed.
            prop_assert!(!strict_json::number_errors(&first.data).is_empty());
            return Ok(());
        };
        let body = body.unwrap_or(sealed.clone());
        let hash = hash.unwrap_or(sealed_hash.to_hex());
        let mut verifier = ChainVerifier::new();
        let accepted = verifier.check(1, &body, &hash).is_ok();
        prop_assert_eq!(accepted, body == sealed && hash == sealed_hash.to_hex());
    }
}
