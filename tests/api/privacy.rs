//! Personal fields are sealed per subject, and forgetting a beneficiary erases them everywhere while
//! every record, hash, proof and figure stays exactly as it was.

use aidledger_tests::data::*;
use aidledger_tests::{new_stream, TestApp, Who};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

struct Person {
    app: TestApp,
    stream: String,
    id: String,
    disbursement_id: String,
}

async fn person() -> Person {
    let app = TestApp::spawn().await;
    let (stream, id) = new_stream("beneficiary");
    let (fund, fund_id) = new_stream("fund");
    let (disbursement, disbursement_id) = new_stream("disbursement");
    app.must_append(Who::Staff, &stream, "BeneficiaryRegistered", beneficiary_registered("诸葛秀英")).await;
    app.must_append(Who::Staff, &stream, "VisitRecorded", visit("zhao.min")).await;
    app.must_append(Who::Staff, &fund, "FundOpened", fund_opened()).await;
    app.must_append(
        Who::Staff,
        &disbursement,
        "DisbursementRequested",
        cash_requested(&id, &fund_id, 50_000),
    )
    .await;
    app.must_append(Who::Supervisor, &disbursement, "DisbursementApproved", json!({})).await;
    app.must_append(Who::Staff, &disbursement, "DisbursementPaid", paid()).await;
    Person { app, stream, id, disbursement_id }
}

async fn forget(app: &TestApp, who: Who, id: &str, body: &Value) -> aidledger_tests::Answer {
    let path = format!("/v1/beneficiaries/{id}/forget");
    app.request(Method::POST, &path, Some(who), Some(body.to_string().into_bytes())).await
}

const YEAR: &str = "from=2000-01-01&to=2100-01-01";

#[tokio::test]
async fn raw_records_never_hold_a_personal_value_in_the_clear() {
    let p = person().await;
    let log = p.app.get(Who::Auditor, "/v1/events").await;
    for plain in ["诸葛秀英", "138-0013-8000", "老人精神很好", "因病致困"] {
        assert!(!log.text.contains(plain), "{plain} is in a raw record");
    }
    let (twin, _) = new_stream("beneficiary");
    p.app.must_append(Who::Staff, &twin, "BeneficiaryRegistered", beneficiary_registered("诸葛秀英")).await;
    let records = p.app.all_records().await;
    let names: Vec<&Value> =
        records.iter().filter(|r| r["type"] == "BeneficiaryRegistered").map(|r| &r["data"]["name"]).collect();
    assert_ne!(names[0], names[1], "the same name seals differently each time (random nonce)");
}

#[tokio::test]
async fn a_client_may_not_send_a_sealed_value() {
    let p = person().await;
    let body = json!({"events": [{"type": "VisitRecorded",
        "data": {"visit_kind": "home", "staff": "zhao.min", "duration_minutes": 30, "summary": {"sealed": "AAAA"}}}]});
    let answer = p.app.append(Who::Staff, &p.stream, &body).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.text);
    assert_eq!(answer.body["errors"][0]["pointer"], json!("/events/0/data/summary"));
}

#[tokio::test]
async fn forgetting_a_beneficiary_erases_their_fields_and_changes_no_record_hash_or_figure() {
    let p = person().await;
    let app = &p.app;
    let trail_path = format!("/v1/audit/beneficiaries/{}", p.id);
    let before = app.get(Who::Auditor, &trail_path).await;
    assert_eq!(before.body["records"][0]["personal"]["name"], json!("诸葛秀英"));
    let payment_trail = format!("/v1/audit/disbursements/{}", p.disbursement_id);
    assert_eq!(
        app.get(Who::Auditor, &payment_trail).await.body["records"][0]["personal"]["reason"],
        json!("因病致困，住院费用较高")
    );
    let records_before = app.get(Who::Auditor, "/v1/events").await.text;
    let figures_before =
        app.get(Who::Analyst, &format!("/v1/reports/summary?{YEAR}")).await.body["figures"].clone();

    let refused = forget(app, Who::Supervisor, &p.id, &json!({"reason": "家属申请"})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let no_reason = forget(app, Who::Admin, &p.id, &json!({})).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", no_reason.text);
    let forgotten = forget(app, Who::Admin, &p.id, &json!({"reason": "家属依法申请删除个人信息"})).await;
    assert_eq!(forgotten.status, StatusCode::CREATED, "{}", forgotten.text);

    let after = app.get(Who::Auditor, &trail_path).await;
    let entries = after.body["records"].as_array().unwrap();
    assert_eq!(entries[0]["personal"]["name"], json!(null));
    assert_eq!(entries[0]["personal"]["phone"], json!(null));
    assert_eq!(entries[0]["erased"], json!(true));
    assert_eq!(entries.last().unwrap()["type"], json!("BeneficiaryForgotten"));
    assert!(!after.text.contains("诸葛秀英"));
    let payment = app.get(Who::Auditor, &payment_trail).await;
    assert_eq!(
        payment.body["records"][0]["personal"]["reason"],
        json!(null),
        "their disbursement's reason too"
    );

    let records_after = app.get(Who::Auditor, "/v1/events").await.text;
    assert!(
        records_after.starts_with(records_before.trim_end_matches("],\"next\":null}")),
        "every earlier record is unchanged"
    );
    assert_eq!(app.get(Who::Auditor, "/v1/verify").await.body["ok"], json!(true));
    let figures_after =
        app.get(Who::Analyst, &format!("/v1/reports/summary?{YEAR}")).await.body["figures"].clone();
    assert_eq!(figures_after, figures_before);
    let size = app.all_records().await.len() as u64;
    app.wait_for_checkpoint(size).await;
    let proof = app.get(Who::Auditor, &format!("/v1/proofs/inclusion?position=1&tree_size={size}")).await;
    assert_eq!(proof.status, StatusCode::OK, "{}", proof.text);

    let again = forget(app, Who::Admin, &p.id, &json!({"reason": "重复"})).await;
    assert_eq!(again.body["rule"], json!("beneficiary_forgotten"), "{}", again.text);
    let visit_after = app.append_one(Who::Staff, &p.stream, "VisitRecorded", visit("zhao.min")).await;
    assert_eq!(visit_after.body["rule"], json!("beneficiary_forgotten"));
    let (fund, fund_id) = new_stream("fund");
    app.must_append(Who::Staff, &fund, "FundOpened", fund_opened()).await;
    let (more, _) = new_stream("disbursement");
    let more_aid = app
        .append_one(Who::Staff, &more, "DisbursementRequested", cash_requested(&p.id, &fund_id, 100))
        .await;
    assert_eq!(more_aid.body["rule"], json!("subject_forgotten"), "{}", more_aid.text);
    let unknown = forget(app, Who::Admin, &uuid::Uuid::new_v4().to_string(), &json!({"reason": "无"})).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}
