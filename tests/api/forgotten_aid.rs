//! A forgotten person's aid can still be settled: a pending request rejected, a payment reversed,
//! each with a reason code that records nothing personal; and a replay of an event recorded about
//! them before they were forgotten answers the original result, as any replay does.

use aidledger_tests::data::*;
use aidledger_tests::{new_stream, TestApp, Who};
use reqwest::{Method, StatusCode};
use serde_json::json;

struct Forgotten {
    app: TestApp,
    pending: String,
    paid: String,
    visit_stream: String,
    visit_body: serde_json::Value,
    visit_answer: serde_json::Value,
}

/// A beneficiary with a pending request, a paid one and a visit, then forgotten.
async fn forgotten() -> Forgotten {
    let app = TestApp::spawn().await;
    let (beneficiary, id) = new_stream("beneficiary");
    let (fund, fund_id) = new_stream("fund");
    app.must_append(Who::Staff, &beneficiary, "BeneficiaryRegistered", beneficiary_registered("欧阳春梅"))
        .await;
    app.must_append(Who::Staff, &fund, "FundOpened", fund_opened()).await;
    let (pending, _) = new_stream("disbursement");
    app.must_append(Who::Staff, &pending, "DisbursementRequested", cash_requested(&id, &fund_id, 20_000))
        .await;
    let (paid_stream, _) = new_stream("disbursement");
    app.must_append(Who::Staff, &paid_stream, "DisbursementRequested", cash_requested(&id, &fund_id, 30_000))
        .await;
    app.must_append(Who::Supervisor, &paid_stream, "DisbursementApproved", json!({})).await;
    app.must_append(Who::Staff, &paid_stream, "DisbursementPaid", paid()).await;
    let visit_body = json!({"events": [{"type": "VisitRecorded", "id": uuid::Uuid::new_v4().to_string(),
                                         "data": visit("zhao.min")}]});
    let recorded = app.append(Who::Staff, &beneficiary, &visit_body).await;
    assert_eq!(recorded.status, StatusCode::CREATED, "{}", recorded.text);

    let path = format!("/v1/beneficiaries/{id}/forget");
    let body = json!({"reason": "家属依法申请删除个人信息"}).to_string().into_bytes();
    let answer = app.request(Method::POST, &path, Some(Who::Admin), Some(body)).await;
    assert!(answer.status.is_success(), "{}", answer.text);
    Forgotten {
        app,
        pending,
        paid: paid_stream,
        visit_stream: beneficiary,
        visit_body,
        visit_answer: recorded.body,
    }
}

#[tokio::test]
async fn a_pending_request_of_a_forgotten_person_is_rejected_with_a_reason_code() {
    let f = forgotten().await;
    let personal = f
        .app
        .append_one(Who::Supervisor, &f.pending, "DisbursementRejected", json!({"reason": "材料不全"}))
        .await;
    assert_eq!(personal.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", personal.text);
    assert_eq!(personal.body["rule"], json!("subject_forgotten"));

    let coded = json!({"reason_code": "beneficiary_forgotten"});
    f.app.must_append(Who::Supervisor, &f.pending, "DisbursementRejected", coded).await;
    let records = f.app.get(Who::Auditor, &format!("/v1/streams/{}/events", f.pending)).await;
    assert_eq!(records.body["records"][1]["data"], json!({"reason_code": "beneficiary_forgotten"}));
}

#[tokio::test]
async fn a_payment_to_a_forgotten_person_is_reversed_with_a_reason_code() {
    let f = forgotten().await;
    let coded = json!({"reason_code": "recorded_in_error"});
    f.app.must_append(Who::Staff, &f.paid, "DisbursementReversed", coded).await;
    let summary = f.app.get(Who::Analyst, "/v1/reports/summary?from=2000-01-01&to=2100-01-01").await;
    assert_eq!(summary.body["figures"]["cash_paid_minor"], json!(0), "{}", summary.text);
}

#[tokio::test]
async fn a_rejection_or_reversal_gives_a_reason_or_a_reason_code() {
    let f = forgotten().await;
    for (stream, event_type) in [(&f.pending, "DisbursementRejected"), (&f.paid, "DisbursementReversed")] {
        let neither = f.app.append_one(Who::Supervisor, stream, event_type, json!({})).await;
        assert_eq!(neither.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", neither.text);
        assert_eq!(neither.body["errors"][0]["pointer"], json!("/events/0/data/reason"), "{}", neither.text);
        let unknown =
            f.app.append_one(Who::Supervisor, stream, event_type, json!({"reason_code": "whim"})).await;
        assert_eq!(
            unknown.body["errors"][0]["pointer"],
            json!("/events/0/data/reason_code"),
            "{}",
            unknown.text
        );
    }
}

#[tokio::test]
async fn a_replay_of_an_event_recorded_before_the_forget_answers_the_original_result() {
    let f = forgotten().await;
    let replay = f.app.append(Who::Staff, &f.visit_stream, &f.visit_body).await;
    assert_eq!(replay.status, StatusCode::OK, "{}", replay.text);
    assert_eq!(replay.body, f.visit_answer);

    let mut other = f.visit_body.clone();
    other["events"][0]["data"]["duration_minutes"] = json!(46);
    let conflict = f.app.append(Who::Staff, &f.visit_stream, &other).await;
    assert_eq!(conflict.status, StatusCode::CONFLICT, "{}", conflict.text);
}
