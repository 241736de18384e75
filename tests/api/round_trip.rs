//! Every event type goes in over HTTP and comes back byte-exact, hashed and chained.

use aidledger_tests::data::*;
use aidledger_tests::{new_stream, TestApp, Who};
use domain::EventType;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The hash an auditor computes with no code of ours: sorted keys, no whitespace, raw UTF-8
/// (serde_json's default map is sorted; `records` are integers and ASCII keys only).
fn auditor_hash(record: &Value) -> String {
    let mut without_hash = record.clone();
    without_hash.as_object_mut().unwrap().remove("hash");
    hex::encode(Sha256::digest(serde_json::to_string(&without_hash).unwrap().as_bytes()))
}

#[tokio::test]
async fn every_event_type_round_trips_with_chinese_text_and_a_verifiable_hash() {
    let app = TestApp::spawn().await;
    let (beneficiary, beneficiary_id) = new_stream("beneficiary");
    let (fund, fund_id) = new_stream("fund");
    let (disbursement, _) = new_stream("disbursement");
    let (reversed_disbursement, _) = new_stream("disbursement");
    let (rejected_disbursement, _) = new_stream("disbursement");
    let (volunteer, _) = new_stream("volunteer");
    let (activity, activity_id) = new_stream("activity");
    let (suggestion, _) = new_stream("suggestion");
    let (declined_suggestion, _) = new_stream("suggestion");
    let concern = uuid::Uuid::new_v4().to_string();
    let entry = uuid::Uuid::new_v4().to_string();
    let voided_entry = uuid::Uuid::new_v4().to_string();

    let steps: Vec<(Who, &str, &str, Value)> = vec![
        (Who::Staff, &beneficiary, "BeneficiaryRegistered", beneficiary_registered("王建国")),
        (
            Who::Staff,
            &beneficiary,
            "BeneficiaryDetailsCorrected",
            json!({"district": "玄武区", "name": "王建國"}),
        ),
        (
            Who::Staff,
            &beneficiary,
            "HardshipAssessed",
            json!({"cause": "illness", "severity": 3, "notes": "肺癌术后"}),
        ),
        (
            Who::Staff,
            &beneficiary,
            "PairingAssigned",
            json!({"staff": "zhao.min", "call_every_days": 30, "visit_every_days": 90}),
        ),
        (Who::Staff, &beneficiary, "VisitRecorded", visit("zhao.min")),
        (
            Who::Staff,
            &beneficiary,
            "ConcernRaised",
            json!({"concern_id": concern, "category": "住房", "summary": "屋顶漏雨，需要维修"}),
        ),
        (
            Who::Staff,
            &beneficiary,
            "ConcernResolved",
            json!({"concern_id": concern, "resolution": "已联系物业，当场修好", "on_site": true}),
        ),
        (Who::Staff, &fund, "FundOpened", fund_opened()),
        (Who::Staff, &fund, "FundBudgetAdjusted", json!({"delta_minor": -500_000, "reason": "年中调减"})),
        (
            Who::Staff,
            &disbursement,
            "DisbursementRequested",
            json!({"beneficiary_id": beneficiary_id, "fund_id": fund_id,
            "form": "in_kind", "amount_minor": 80_000, "currency": "CNY", "reason": "因灾致困",
            "items": [{"name": "米面油", "quantity": 4, "unit_value_minor": 20_000}]}),
        ),
        (Who::Supervisor, &disbursement, "DisbursementApproved", json!({})),
        (
            Who::Staff,
            &disbursement,
            "DisbursementPaid",
            json!({"method": "goods_delivered", "reference": "送货单-0720"}),
        ),
        (
            Who::Staff,
            &reversed_disbursement,
            "DisbursementRequested",
            cash_requested(&beneficiary_id, &fund_id, 50_000),
        ),
        (Who::Supervisor, &reversed_disbursement, "DisbursementApproved", json!({})),
        (Who::Staff, &reversed_disbursement, "DisbursementPaid", paid()),
        (Who::Staff, &reversed_disbursement, "DisbursementReversed", json!({"reason": "重复发放，已退回"})),
        (
            Who::Staff,
            &rejected_disbursement,
            "DisbursementRequested",
            cash_requested(&beneficiary_id, &fund_id, 20_000),
        ),
        (
            Who::Supervisor,
            &rejected_disbursement,
            "DisbursementRejected",
            json!({"reason": "不符合救助条件"}),
        ),
        (Who::Staff, &activity, "ActivityHeld", activity_held()),
        (Who::Staff, &volunteer, "VolunteerEnrolled", volunteer_enrolled("李秀英")),
        (Who::Staff, &volunteer, "VolunteerHoursLogged", hours_logged(&entry)),
        (Who::Supervisor, &volunteer, "VolunteerHoursVerified", json!({"entry_id": entry})),
        (
            Who::Staff,
            &volunteer,
            "VolunteerHoursLogged",
            json!({"entry_id": voided_entry, "activity_kind": "lecture",
            "activity_id": activity_id, "date": "2022-09-10", "minutes": 90}),
        ),
        (
            Who::Staff,
            &volunteer,
            "VolunteerHoursVoided",
            json!({"entry_id": voided_entry, "reason": "登记错误"}),
        ),
        (Who::Staff, &suggestion, "SuggestionSubmitted", suggestion_submitted()),
        (Who::Staff, &suggestion, "SuggestionForwarded", json!({"to": "市老干部局"})),
        (Who::Staff, &suggestion, "SuggestionAdopted", json!({"note": "已纳入明年计划"})),
        (
            Who::Staff,
            &declined_suggestion,
            "SuggestionSubmitted",
            json!({"topic": "交通", "text": "增设公交站"}),
        ),
        (Who::Staff, &declined_suggestion, "SuggestionDeclined", json!({"reason": "不在职责范围内"})),
    ];
    for (who, stream, event_type, data) in &steps {
        app.must_append(*who, stream, event_type, data.clone()).await;
    }

    let records = app.all_records().await;
    assert_eq!(records.len(), steps.len());
    let mut prev_hash = "0".repeat(64);
    for (index, ((who, stream, event_type, data), record)) in steps.iter().zip(&records).enumerate() {
        assert_eq!(record["position"], json!(index + 1));
        assert_eq!(record["stream"], json!(stream));
        assert_eq!(record["type"], json!(event_type));
        assert_sealed_as_sent(record, data);
        assert_eq!(record["meta"]["actor"], json!(who.principal()));
        assert_eq!(record["prev_hash"], json!(prev_hash));
        assert_eq!(record["hash"], json!(auditor_hash(record)), "{event_type}");
        prev_hash = record["hash"].as_str().unwrap().to_owned();
    }
    let kinds: std::collections::HashSet<&str> =
        records.iter().map(|r| r["type"].as_str().unwrap()).collect();
    assert_eq!(kinds.len(), 23, "every type but BeneficiaryForgotten, which has its own endpoint");

    let verify = app.get(Who::Auditor, "/v1/verify").await;
    assert_eq!(verify.body["ok"], json!(true));
    assert_eq!(verify.body["checked"], json!(steps.len()));
    assert_eq!(verify.body["head_hash"], json!(prev_hash));
}

/// `record`'s data is `sent`, but for its personal fields, which are sealed (and hold no plaintext).
#[track_caller]
fn assert_sealed_as_sent(record: &Value, sent: &Value) {
    let event_type: EventType = record["type"].as_str().unwrap().parse().unwrap();
    let (mut stored, mut sent) = (record["data"].clone(), sent.clone());
    for field in event_type.personal_fields() {
        if let Some(plain) = sent.as_object_mut().unwrap().remove(*field) {
            let sealed =
                stored.as_object_mut().unwrap().remove(*field).expect("the personal field is kept, sealed");
            assert!(sealed["sealed"].is_string(), "{event_type}.{field} is sealed: {sealed}");
            assert!(
                !sealed.to_string().contains(plain.as_str().unwrap_or("\u{0}")),
                "{event_type}.{field} leaks"
            );
        }
    }
    assert_eq!(stored, sent, "{event_type}");
}

#[tokio::test]
async fn records_are_served_as_raw_utf8_with_the_clients_occurred_at_and_correlation_ids() {
    let app = TestApp::spawn().await;
    let (stream, _) = new_stream("beneficiary");
    let correlation = uuid::Uuid::new_v4().to_string();
    let answer = app
        .append(
            Who::Staff,
            &stream,
            &json!({"expected_version": 0, "events": [{"type": "BeneficiaryRegistered",
                "data": beneficiary_registered("欧阳秀兰"), "occurred_at": "2021-06-01T12:00:00+08:00",
                "correlation_id": correlation}]}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    assert_eq!(answer.body["next_expected_version"], json!(1));

    let read = app.get(Who::Staff, &format!("/v1/streams/{stream}/events")).await;
    assert!(read.text.contains("鼓楼区"), "text is raw UTF-8, not \\u escapes: {}", read.text);
    assert!(
        !read.text.contains("欧阳秀兰"),
        "a raw record holds the name sealed, never plain: {}",
        read.text
    );
    let trail = app
        .get(Who::Auditor, &format!("/v1/audit/beneficiaries/{}", stream.trim_start_matches("beneficiary-")))
        .await;
    assert_eq!(
        trail.body["records"][0]["personal"]["name"],
        json!("欧阳秀兰"),
        "the trail opens it for people"
    );
    let record = &read.body["records"][0];
    assert_eq!(record["meta"]["occurred_at"], json!("2021-06-01T12:00:00+08:00"));
    assert_eq!(record["meta"]["correlation_id"], json!(correlation));
    assert!(record["meta"].get("causation_id").is_none(), "absent keys are omitted, never null");
    let recorded_at = record["meta"]["recorded_at"].as_str().unwrap();
    assert!(recorded_at.ends_with('Z') && recorded_at.len() <= 27, "{recorded_at}");
    assert_eq!(record["hash"], answer.body["events"][0]["hash"]);
}

#[tokio::test]
async fn occurred_at_defaults_to_recorded_at() {
    let app = TestApp::spawn().await;
    let (stream, _) = new_stream("activity");
    app.must_append(Who::Staff, &stream, "ActivityHeld", activity_held()).await;
    let record = &app.get(Who::Staff, &format!("/v1/streams/{stream}/events")).await.body["records"][0];
    assert_eq!(record["meta"]["occurred_at"], record["meta"]["recorded_at"]);
}

#[tokio::test]
async fn a_batch_is_appended_atomically_or_not_at_all() {
    let app = TestApp::spawn().await;
    let (stream, _) = new_stream("beneficiary");
    let concern = uuid::Uuid::new_v4().to_string();
    let refused = app
        .append(
            Who::Staff,
            &stream,
            &json!({"events": [
                {"type": "BeneficiaryRegistered", "data": beneficiary_registered("张桂芳")},
                {"type": "ConcernResolved", "data": {"concern_id": concern, "resolution": "已解决", "on_site": true}}]}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.text);
    assert_eq!(refused.body["rule"], json!("concern_not_raised"));
    assert_eq!(
        app.get(Who::Staff, &format!("/v1/streams/{stream}/events")).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(app.all_records().await.is_empty());

    let accepted = app
        .append(
            Who::Staff,
            &stream,
            &json!({"events": [
                {"type": "BeneficiaryRegistered", "data": beneficiary_registered("张桂芳")},
                {"type": "VisitRecorded", "data": visit("zhao.min")}]}),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::CREATED);
    assert_eq!(accepted.body["events"][1]["position"], json!(2));
    assert_eq!(accepted.body["events"][1]["version"], json!(2));
    assert_eq!(accepted.body["next_expected_version"], json!(2));
}
