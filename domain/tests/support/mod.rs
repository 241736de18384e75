//! Input generators for the property tests: arbitrary JSON, strings that look like what the
//! catalogue expects (enum words, UUIDs, dates, edge-length texts), a valid example of every event
//! type's data, and those examples mutated field by field.
//!
//! The server's append-body properties use the same generators, so they live in one place.

#![allow(dead_code)]

use aidledger_domain::EventType;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{json, Map, Number, Value};

/// `cases` cases per property, unless `PROPTEST_CASES` asks for another number (a long run by hand).
pub fn config(cases: u32) -> ProptestConfig {
    let defaults = ProptestConfig::default();
    let cases = if std::env::var_os("PROPTEST_CASES").is_some() { defaults.cases } else { cases };
    ProptestConfig { cases, ..defaults }
}

/// Every word the catalogue gives meaning to: enum values, field names, type and kind names, and a
/// few strings that sit on the edge of what a field accepts.
#[rustfmt::skip]
pub const WORDS: &[&str] = &[
    // enum values
    "retired_cadre", "retired_staff", "family", "other", "illness", "accident", "disaster", "bereavement",
    "home", "phone", "hospital", "group", "cash", "in_kind", "bank_transfer", "goods_delivered", "lecture",
    "civility_class", "training", "outreach", "ceremony", "study_tour", "community_service",
    "visit_support", "CNY", "USD", "cny",
    // field names
    "name", "category", "district", "unit", "party_member", "cause", "severity", "notes", "staff",
    "call_every_days", "visit_every_days", "visit_kind", "duration_minutes", "summary", "concern_id",
    "resolution", "on_site", "beneficiary_id", "fund_id", "form", "amount_minor", "currency", "items",
    "quantity", "unit_value_minor", "reason", "method", "reference", "budget_minor", "year", "delta_minor",
    "skills", "entry_id", "activity_kind", "activity_id", "date", "minutes", "kind", "title", "location",
    "attendees", "materials", "brochures", "books", "goods_value_minor", "topic", "text", "campaign",
    "submitted_by", "to", "note", "sealed",
    // append body keys, stream kinds, type names
    "type", "data", "id", "occurred_at", "correlation_id", "causation_id", "expected_version", "events",
    "any", "beneficiary", "disbursement", "fund", "volunteer", "activity", "suggestion", "VisitRecorded",
    "BeneficiaryRegistered", "DisbursementRequested",
    // edges
    "王建国", "鼓楼区", "", " ", "\t", "\u{0}", "\u{feff}", "🎉", "+86 138-0013-8000", "12", "((()))",
];

/// Integers around every boundary the catalogue and the record format have.
pub fn integer() -> impl Strategy<Value = i64> {
    prop_oneof![
        4 => -3_i64..3700,
        2 => select(vec![
            0, 1, -1, 3, 4, 1440, 1441, 1899, 1900, 2999, 3000, 3660, 3661,
            (1 << 53) - 1, 1 << 53, -((1 << 53) - 1), -(1 << 53), i64::MAX, i64::MIN,
        ]),
        1 => any::<i64>(),
    ]
}

/// A UUID in its accepted spelling (lowercase, hyphenated).
pub fn uuid_text() -> impl Strategy<Value = String> {
    any::<u128>().prop_map(|n| uuid::Uuid::from_u128(n).hyphenated().to_string())
}

/// `YYYY-MM-DD`-shaped text, real dates and impossible ones.
pub fn date_text() -> impl Strategy<Value = String> {
    (0_i32..10_000, 0_u8..14, 0_u8..33).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
}

/// RFC 3339-shaped date-times, with and without offsets, valid and not.
pub fn date_time_text() -> impl Strategy<Value = String> {
    (date_text(), 0_u8..26, 0_u8..61, select(vec!["Z", "+08:00", "-23:59", "+24:00", "", ".123456Z"]))
        .prop_map(|(date, hour, minute, offset)| format!("{date}T{hour:02}:{minute:02}:00{offset}"))
}

/// Strings the catalogue might accept, and strings next to them that it must refuse.
pub fn plausible_string() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(WORDS).prop_map(str::to_owned),
        2 => uuid_text(),
        1 => uuid_text().prop_map(|id| id.to_uppercase()),
        1 => uuid_text().prop_map(|id| id.replace('-', "")),
        2 => date_text(),
        1 => date_time_text(),
        1 => select(vec![199_usize, 200, 201, 9_999, 10_000, 10_001]).prop_map(|n| "字".repeat(n)),
        3 => any::<String>(),
    ]
}

/// An object key: mostly the catalogue's field names, sometimes anything.
pub fn key() -> impl Strategy<Value = String> {
    prop_oneof![3 => select(WORDS).prop_map(str::to_owned), 1 => any::<String>()]
}

/// A JSON leaf: null, booleans, integers of every size, finite floats and plausible strings.
pub fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        3 => integer().prop_map(Value::from),
        1 => any::<u64>().prop_map(Value::from),
        1 => any::<f64>().prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
        4 => plausible_string().prop_map(Value::String),
    ]
}

/// Any JSON value, up to a few levels deep.
pub fn json_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

/// Any JSON value whose numbers are all integers within i64 and whose strings hold no U+0000: what
/// strict parsing must give back exactly.
pub fn integral_json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        integer().prop_map(Value::from),
        plausible_string().prop_map(|s| Value::String(s.replace('\0', ""))),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key().prop_map(|k| k.replace('\0', "")), inner), 0..6)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

/// A valid example of every event type's data, every optional field present where it has one.
pub fn valid_data(event_type: EventType) -> Value {
    let id = |n: u32| format!("0190a1b2-0000-7000-8000-{n:012}");
    match event_type {
        EventType::BeneficiaryRegistered => json!({"name": "王建国", "category": "retired_cadre",
            "district": "鼓楼区", "unit": "市文化局", "party_member": true, "phone": "+86 138-0013-8000"}),
        EventType::BeneficiaryDetailsCorrected => json!({"district": "台江区", "phone": "0591-8888 6666"}),
        EventType::HardshipAssessed => json!({"cause": "illness", "severity": 2, "notes": "住院两周"}),
        EventType::PairingAssigned => {
            json!({"staff": "zhao.min", "call_every_days": 7, "visit_every_days": 30})
        }
        EventType::VisitRecorded => json!({"visit_kind": "home", "staff": "zhao.min", "duration_minutes": 45,
            "summary": "老人精神很好"}),
        EventType::ConcernRaised => json!({"concern_id": id(7), "category": "住房", "summary": "屋顶漏水"}),
        EventType::ConcernResolved => json!({"concern_id": id(7), "resolution": "已修好", "on_site": false}),
        EventType::BeneficiaryForgotten => json!({}),
        EventType::DisbursementRequested => json!({"beneficiary_id": id(1), "fund_id": id(3),
            "form": "in_kind", "amount_minor": 3000, "currency": "CNY",
            "items": [{"name": "大米", "quantity": 2, "unit_value_minor": 1500}], "reason": "生活困难"}),
        EventType::DisbursementApproved => json!({}),
        EventType::DisbursementRejected => json!({"reason": "不符合条件"}),
        EventType::DisbursementPaid => json!({"method": "goods_delivered", "reference": "送货-001"}),
        EventType::DisbursementReversed => json!({"reason": "重复发放"}),
        EventType::FundOpened => json!({"name": "困难帮扶专项资金", "budget_minor": 10_000_000,
            "currency": "CNY", "year": 2022}),
        EventType::FundBudgetAdjusted => json!({"delta_minor": -50_000, "reason": "年中调整"}),
        EventType::VolunteerEnrolled => {
            json!({"name": "刘芳", "unit": "市老年大学", "skills": ["理发", "陪聊"]})
        }
        EventType::VolunteerHoursLogged => json!({"entry_id": id(9), "activity_kind": "lecture",
            "activity_id": id(11), "date": "2022-05-04", "minutes": 120}),
        EventType::VolunteerHoursVerified => json!({"entry_id": id(9)}),
        EventType::VolunteerHoursVoided => json!({"entry_id": id(9), "reason": "记录有误"}),
        EventType::ActivityHeld => {
            json!({"kind": "civility_class", "title": "文明礼仪课", "date": "2022-09-10",
            "location": "社区活动中心", "attendees": 56,
            "materials": {"brochures": 120, "books": 30, "goods_value_minor": 50_000}})
        }
        EventType::SuggestionSubmitted => json!({"topic": "文体活动", "text": "希望增加书法班。",
            "campaign": "2022年金秋征集", "submitted_by": "刘桂兰"}),
        EventType::SuggestionForwarded => json!({"to": "市老干部局"}),
        EventType::SuggestionAdopted => json!({"note": "已纳入明年计划"}),
        EventType::SuggestionDeclined => json!({"reason": "经费不足"}),
        EventType::ReportClosed => json!({"from": "2022-01-01", "to": "2023-01-01", "district": "鼓楼区",
            "tree_size": 120, "root_hash": "0f".repeat(32), "figures": {"visits_total": 3,
            "activities": {"lecture": 1}}, "by_currency": {"CNY": {"cash_paid_minor": 20_000}}}),
    }
}

/// One change to a data object.
#[derive(Clone, Debug)]
pub enum Mutation {
    /// Drop the field at this index (modulo the number of fields).
    Remove(usize),
    /// Replace the value of the field at this index.
    Replace(usize, Value),
    /// Replace one element or member inside the field at this index (an item, a material).
    ReplaceInside(usize, usize, Value),
    /// Add (or overwrite) a field.
    Insert(String, Value),
}

/// Values a mutation puts in a field: mostly plausible leaves, sometimes a structure or a sealed
/// field's shape.
pub fn replacement() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => leaf(),
        1 => plausible_string().prop_map(|s| json!({"sealed": s})),
        2 => json_value(),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => any::<usize>().prop_map(Mutation::Remove),
        4 => (any::<usize>(), replacement()).prop_map(|(at, value)| Mutation::Replace(at, value)),
        2 => (any::<usize>(), any::<usize>(), replacement())
            .prop_map(|(at, inner, value)| Mutation::ReplaceInside(at, inner, value)),
        1 => (key(), replacement()).prop_map(|(key, value)| Mutation::Insert(key, value)),
    ]
}

fn nth_key(map: &Map<String, Value>, at: usize) -> Option<String> {
    (!map.is_empty()).then(|| map.keys().nth(at % map.len()).cloned()).flatten()
}

/// Applies `mutation` to the data object `data`.
pub fn apply(mutation: &Mutation, data: &mut Value) {
    let Some(map) = data.as_object_mut() else { return };
    match mutation {
        Mutation::Remove(at) => {
            if let Some(key) = nth_key(map, *at) {
                map.remove(&key);
            }
        }
        Mutation::Replace(at, value) => {
            if let Some(key) = nth_key(map, *at) {
                map.insert(key, value.clone());
            }
        }
        Mutation::ReplaceInside(at, inner, value) => {
            let Some(key) = nth_key(map, *at) else { return };
            match map.get_mut(&key) {
                Some(Value::Array(items)) if !items.is_empty() => {
                    let count = items.len();
                    match &mut items[inner % count] {
                        Value::Object(item) => {
                            if let Some(key) = nth_key(item, *inner / count) {
                                item.insert(key, value.clone());
                            }
                        }
                        other => *other = value.clone(),
                    }
                }
                Some(Value::Object(members)) => {
                    if let Some(key) = nth_key(members, *inner) {
                        members.insert(key, value.clone());
                    }
                }
                _ => {}
            }
        }
        Mutation::Insert(key, value) => {
            map.insert(key.clone(), value.clone());
        }
    }
}

/// An event type and its valid data changed by up to three mutations (none, a quarter of the time).
pub fn mutated_data() -> impl Strategy<Value = (EventType, Value)> {
    mutated_data_among(EventType::ALL.to_vec())
}

/// Like [`mutated_data`], for one of `types`.
pub fn mutated_data_among(types: Vec<EventType>) -> impl Strategy<Value = (EventType, Value)> {
    let mutations = prop_oneof![1 => Just(Vec::new()), 3 => prop::collection::vec(mutation(), 1..4)];
    (select(types), mutations).prop_map(|(event_type, mutations)| {
        let mut data = valid_data(event_type);
        for mutation in &mutations {
            apply(mutation, &mut data);
        }
        (event_type, data)
    })
}
