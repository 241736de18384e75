//! The list of personal fields per event type agrees with the types: each listed field is a
//! `Personal<_>` (it accepts a sealed value and keeps it sealed), and no other field accepts one.

use aidledger_domain::{Event, EventType};
use serde_json::{json, Value};

const ID: &str = "0190a1b2-0000-7000-8000-000000000001";

/// Valid data, every optional field present, for each type that has personal fields.
fn samples() -> Vec<(EventType, Value)> {
    vec![
        (
            EventType::BeneficiaryRegistered,
            json!({"name": "王建国", "category": "family", "district": "鼓楼区", "unit": "市文化局", "party_member": true, "phone": "13800138000"}),
        ),
        (
            EventType::BeneficiaryDetailsCorrected,
            json!({"name": "王建國", "category": "other", "district": "玄武区", "unit": "市教育局", "party_member": false, "phone": "13900139000"}),
        ),
        (EventType::HardshipAssessed, json!({"cause": "illness", "severity": 2, "notes": "术后"})),
        (
            EventType::VisitRecorded,
            json!({"visit_kind": "home", "staff": "zhao.min", "duration_minutes": 30, "summary": "很好"}),
        ),
        (EventType::ConcernRaised, json!({"concern_id": ID, "category": "住房", "summary": "漏雨"})),
        (EventType::ConcernResolved, json!({"concern_id": ID, "resolution": "修好", "on_site": true})),
        (
            EventType::DisbursementRequested,
            json!({"beneficiary_id": ID, "fund_id": ID, "form": "cash", "amount_minor": 100, "currency": "CNY", "reason": "困难"}),
        ),
        (EventType::DisbursementRejected, json!({"reason": "不符合"})),
        (EventType::DisbursementReversed, json!({"reason": "重复"})),
        (EventType::FundBudgetAdjusted, json!({"delta_minor": 100, "reason": "追加"})),
        (EventType::VolunteerEnrolled, json!({"name": "李志愿", "unit": "老年大学", "skills": ["理发"]})),
        (EventType::VolunteerHoursVoided, json!({"entry_id": ID, "reason": "错登"})),
        (
            EventType::SuggestionSubmitted,
            json!({"topic": "文体", "text": "书法班", "campaign": "金秋", "submitted_by": "刘桂兰"}),
        ),
        (EventType::SuggestionAdopted, json!({"note": "采纳"})),
        (EventType::SuggestionDeclined, json!({"reason": "经费不足"})),
    ]
}

#[test]
fn every_listed_personal_field_accepts_and_keeps_a_sealed_value() {
    for (event_type, data) in samples() {
        Event::parse(event_type, &data).unwrap_or_else(|e| panic!("{event_type}: {e:?}"));
        for field in event_type.personal_fields() {
            let mut sealed = data.clone();
            sealed[*field] = json!({"sealed": "bm9uY2VjaXBoZXJ0ZXh0"});
            let event =
                Event::parse(event_type, &sealed).unwrap_or_else(|e| panic!("{event_type}.{field}: {e:?}"));
            assert_eq!(event.data_value(), sealed, "{event_type}.{field} stays sealed");
        }
    }
}

#[test]
fn no_other_field_accepts_a_sealed_value() {
    for (event_type, data) in samples() {
        for field in data.as_object().unwrap().keys() {
            if event_type.personal_fields().contains(&field.as_str()) {
                continue;
            }
            let mut sealed = data.clone();
            sealed[field] = json!({"sealed": "bm9uY2U="});
            assert!(Event::parse(event_type, &sealed).is_err(), "{event_type}.{field} is not personal");
        }
    }
}

#[test]
fn every_type_with_personal_fields_has_a_sample() {
    let sampled: Vec<EventType> = samples().into_iter().map(|(t, _)| t).collect();
    for &event_type in EventType::ALL {
        if !event_type.personal_fields().is_empty() {
            assert!(sampled.contains(&event_type), "{event_type} has personal fields but no sample");
        }
    }
}
