//! Principal names are one person however they are spelled: names that differ only by case, width
//! or invisible characters are the same principal to every maker-checker rule (or are refused when
//! the token is issued), tokens and records from before names were normalized included; and admins,
//! who issue every token, never act as checkers.

use aidledger_server::http::append_body;
use aidledger_server::store::{AppendRequest, ExpectedVersion};
use aidledger_tests::data::*;
use aidledger_tests::{new_stream, Answer, TestApp, Who};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// Issues a token over HTTP as the admin.
async fn issue(app: &TestApp, role: &str, principal: &str) -> Answer {
    let body = json!({"role": role, "principal": principal}).to_string().into_bytes();
    app.request(Method::POST, "/v1/tokens", Some(Who::Admin), Some(body)).await
}

/// Issues a token and returns its secret.
async fn secret_for(app: &TestApp, role: &str, principal: &str) -> String {
    let issued = issue(app, role, principal).await;
    assert_eq!(issued.status, StatusCode::CREATED, "{principal:?}: {}", issued.text);
    issued.body["token"].as_str().expect("a secret").to_owned()
}

/// Appends one event with a raw token secret.
async fn append_with(app: &TestApp, secret: &str, stream: &str, event_type: &str, data: Value) -> Answer {
    let response = app
        .client
        .post(format!("{}/v1/streams/{stream}/events", app.base))
        .bearer_auth(secret)
        .json(&json!({"events": [{"type": event_type, "data": data}]}))
        .send()
        .await
        .expect("request");
    let status = response.status();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer { status, content_type: String::new(), body, text }
}

/// A beneficiary and a fund to request aid from, opened by staff.
async fn beneficiary_and_fund(app: &TestApp) -> (String, String) {
    let (beneficiary, beneficiary_id) = new_stream("beneficiary");
    let (fund, fund_id) = new_stream("fund");
    app.must_append(Who::Staff, &beneficiary, "BeneficiaryRegistered", beneficiary_registered("孙丽华"))
        .await;
    app.must_append(Who::Staff, &fund, "FundOpened", fund_opened()).await;
    (beneficiary_id, fund_id)
}

#[track_caller]
fn assert_requester_may_not_decide(answer: &Answer, spelling: &str) {
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{spelling:?} approved: {}", answer.text);
    assert!(answer.text.contains("requested this disbursement"), "{spelling:?}: {}", answer.text);
}

#[tokio::test]
async fn a_supervisor_spelled_with_other_case_or_width_cannot_approve_what_they_requested() {
    let app = TestApp::spawn().await;
    let (beneficiary_id, fund_id) = beneficiary_and_fund(&app).await;
    let requester = secret_for(&app, "staff", "wang.sup").await;
    let (disbursement, _) = new_stream("disbursement");
    let requested = append_with(
        &app,
        &requester,
        &disbursement,
        "DisbursementRequested",
        cash_requested(&beneficiary_id, &fund_id, 50_000),
    )
    .await;
    assert_eq!(requested.status, StatusCode::CREATED, "{}", requested.text);

    for spelling in ["Wang.Sup", "WANG.SUP", "ｗａｎｇ.ｓｕｐ", "Ｗａｎｇ．Ｓｕｐ"] {
        let issued = issue(&app, "supervisor", spelling).await;
        assert_eq!(issued.status, StatusCode::CREATED, "{spelling:?}: {}", issued.text);
        assert_eq!(issued.body["principal"], json!("wang.sup"), "{spelling:?} is stored normalized");
        let supervisor = issued.body["token"].as_str().unwrap();
        let approval = append_with(&app, supervisor, &disbursement, "DisbursementApproved", json!({})).await;
        assert_requester_may_not_decide(&approval, spelling);
    }
    app.must_append(Who::Supervisor, &disbursement, "DisbursementApproved", json!({})).await;
}

#[tokio::test]
async fn a_principal_with_spaces_invisible_or_control_characters_is_refused_naming_the_character() {
    let app = TestApp::spawn().await;
    for (spelling, shown) in [
        ("wang\u{200B}.sup", "U+200B"),
        ("\u{FEFF}wang.sup", "U+FEFF"),
        ("wang.sup\u{200D}", "U+200D"),
        ("wang\u{202E}.sup", "U+202E"),
        ("wang sup", "U+0020"),
        (" wang.sup", "U+0020"),
        ("wang\u{3000}sup", "U+0020"),
        ("wang\nsup", "U+000A"),
        (".wang", "must start with a letter or a digit"),
        ("", "is empty"),
    ] {
        let answer = issue(&app, "supervisor", spelling).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{spelling:?}: {}", answer.text);
        assert_eq!(answer.content_type, "application/problem+json");
        assert_eq!(answer.body["errors"][0]["pointer"], json!("/principal"), "{spelling:?}");
        let detail = answer.body["errors"][0]["detail"].as_str().unwrap();
        assert!(detail.contains(shown), "{spelling:?}: {detail}");
    }
    let listed = app.get(Who::Admin, "/v1/tokens").await;
    assert_eq!(listed.body["tokens"].as_array().unwrap().len(), Who::ALL.len(), "nothing was issued");
}

#[tokio::test]
async fn a_chinese_principal_keeps_working_and_is_the_records_actor() {
    let app = TestApp::spawn().await;
    let secret = secret_for(&app, "staff", "王伟").await;
    let (activity, _) = new_stream("activity");
    let appended = append_with(&app, &secret, &activity, "ActivityHeld", activity_held()).await;
    assert_eq!(appended.status, StatusCode::CREATED, "{}", appended.text);
    let position = appended.body["events"][0]["position"].as_i64().unwrap();
    let record = app.get(Who::Auditor, &format!("/v1/events/{position}")).await;
    assert_eq!(record.body["meta"]["actor"], json!("王伟"));
}

#[tokio::test]
async fn a_token_and_a_record_from_before_names_were_normalized_are_the_same_person_as_their_twin() {
    let app = TestApp::spawn().await;
    let (beneficiary_id, fund_id) = beneficiary_and_fund(&app).await;
    // A request recorded under the name as it was given, before names were normalized.
    let (disbursement, _) = new_stream("disbursement");
    let body = json!({"events": [{"type": "DisbursementRequested",
                                  "data": cash_requested(&beneficiary_id, &fund_id, 20_000)}]});
    let stream: domain::StreamName = disbursement.parse().unwrap();
    let parsed = append_body::parse(&body, stream.kind(), 10).expect("a valid append");
    let request = AppendRequest {
        stream,
        expected_version: ExpectedVersion::Any,
        events: parsed.events,
        actor: "Wang\u{200B}.Sup".into(),
        erasure_reason: None,
    };
    app.store.append(request).await.expect("the old request");

    // A supervisor token stored the same way, before names were normalized.
    let legacy_secret = "aidl_legacy-token-of-wang-sup";
    let database = aidledger_server::db::Database::open(&app.database_url).await.unwrap();
    sqlx::query("INSERT INTO tokens (secret_hash, role, principal, created_at) VALUES ($1, $2, $3, $4)")
        .bind(hex::encode(Sha256::digest(legacy_secret)))
        .bind("supervisor")
        .bind("ＷＡＮＧ.Sup")
        .bind("2025-01-01T00:00:00Z")
        .execute(&database.pool)
        .await
        .unwrap();

    let by_legacy = append_with(&app, legacy_secret, &disbursement, "DisbursementApproved", json!({})).await;
    assert_requester_may_not_decide(&by_legacy, "ＷＡＮＧ.Sup (stored)");
    let new_twin = secret_for(&app, "supervisor", "wang.sup").await;
    let by_twin = append_with(&app, &new_twin, &disbursement, "DisbursementApproved", json!({})).await;
    assert_requester_may_not_decide(&by_twin, "wang.sup");
    let listed = app.get(Who::Admin, "/v1/tokens").await;
    let principals: Vec<&Value> =
        listed.body["tokens"].as_array().unwrap().iter().map(|t| &t["principal"]).collect();
    assert_eq!(principals.iter().filter(|p| **p == "wang.sup").count(), 2, "{}", listed.text);
}

#[tokio::test]
async fn an_admin_may_not_approve_reject_pay_or_reverse_aid_nor_verify_volunteer_hours() {
    let app = TestApp::spawn().await;
    let (beneficiary_id, fund_id) = beneficiary_and_fund(&app).await;
    let (disbursement, _) = new_stream("disbursement");
    let requested = cash_requested(&beneficiary_id, &fund_id, 10_000);
    app.must_append(Who::Staff, &disbursement, "DisbursementRequested", requested).await;
    for (event_type, data) in
        [("DisbursementApproved", json!({})), ("DisbursementRejected", json!({"reason": "预算不足"}))]
    {
        let answer = app.append_one(Who::Admin, &disbursement, event_type, data).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{event_type}: {}", answer.text);
        assert_eq!(answer.content_type, "application/problem+json");
    }
    app.must_append(Who::Supervisor, &disbursement, "DisbursementApproved", json!({})).await;
    let answer = app.append_one(Who::Admin, &disbursement, "DisbursementPaid", paid()).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "paid: {}", answer.text);
    app.must_append(Who::Staff, &disbursement, "DisbursementPaid", paid()).await;
    let reversal = json!({"reason": "重复发放"});
    let answer = app.append_one(Who::Admin, &disbursement, "DisbursementReversed", reversal).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "reversed: {}", answer.text);

    let (volunteer, _) = new_stream("volunteer");
    let entry = uuid::Uuid::new_v4().to_string();
    app.must_append(Who::Staff, &volunteer, "VolunteerEnrolled", volunteer_enrolled("马建军")).await;
    app.must_append(Who::Staff, &volunteer, "VolunteerHoursLogged", hours_logged(&entry)).await;
    let verified =
        app.append_one(Who::Admin, &volunteer, "VolunteerHoursVerified", json!({"entry_id": entry})).await;
    assert_eq!(verified.status, StatusCode::FORBIDDEN, "verified: {}", verified.text);
    assert!(verified.text.contains("role admin may not append VolunteerHoursVerified"), "{}", verified.text);
}
