//! Bad input gets a clear problem+json and loses nothing.

use aidledger_server::http::Limits;
use aidledger_tests::data::*;
use aidledger_tests::{new_stream, Answer, TestApp, Who};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn post_raw(app: &TestApp, stream: &str, body: &[u8]) -> Answer {
    app.request(Method::POST, &format!("/v1/streams/{stream}/events"), Some(Who::Staff), Some(body.to_vec()))
        .await
}

#[track_caller]
fn assert_problem(answer: &Answer, status: StatusCode, mentions: &str) {
    assert_eq!(answer.status, status, "{}", answer.text);
    assert_eq!(answer.content_type, "application/problem+json", "{}", answer.text);
    assert_eq!(answer.body["status"], json!(status.as_u16()));
    assert!(answer.text.contains(mentions), "expected {mentions:?} in {}", answer.text);
}

#[track_caller]
fn schema_pointer(answer: &Answer, pointer: &str) {
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.text);
    assert_eq!(answer.content_type, "application/problem+json");
    let pointers: Vec<&str> =
        answer.body["errors"].as_array().unwrap().iter().map(|e| e["pointer"].as_str().unwrap()).collect();
    assert!(pointers.contains(&pointer), "expected {pointer} in {pointers:?}");
}

fn one(event_type: &str, data: Value) -> Value {
    json!({"events": [{"type": event_type, "data": data}]})
}

#[tokio::test]
async fn malformed_json_broken_utf8_duplicate_keys_and_nul_are_400() {
    let app = TestApp::spawn().await;
    let (stream, _) = new_stream("activity");
    assert_problem(
        &post_raw(&app, &stream, b"{\"events\": [").await,
        StatusCode::BAD_REQUEST,
        "not valid JSON",
    );
    assert_problem(&post_raw(&app, &stream, b"").await, StatusCode::BAD_REQUEST, "not valid JSON");
    assert_problem(
        &post_raw(&app, &stream, b"{\"events\": \"\xff\xfe\"}").await,
        StatusCode::BAD_REQUEST,
        "UTF-8",
    );
    assert_problem(
        &post_raw(&app, &stream, b"{\"events\": [], \"events\": []}").await,
        StatusCode::BAD_REQUEST,
        "duplicate object key",
    );
    let nul = br#"{"events": [{"type": "ActivityHeld", "data": {"kind": "lecture", "title": "a\u0000b", "date": "2022-01-01", "attendees": 1}}]}"#;
    assert_problem(&post_raw(&app, &stream, nul).await, StatusCode::BAD_REQUEST, "U+0000");
    assert_problem(&post_raw(&app, &stream, b"{} trailing").await, StatusCode::BAD_REQUEST, "not valid JSON");
    assert!(app.all_records().await.is_empty());
}

#[tokio::test]
async fn unknown_stream_kinds_and_other_uuid_spellings_are_404() {
    let app = TestApp::spawn().await;
    let body = one("ActivityHeld", activity_held()).to_string();
    let id = uuid::Uuid::new_v4().to_string();
    for stream in [format!("pet-{id}"), format!("activity-{}", id.to_uppercase()), "activity-1".into()] {
        assert_problem(&post_raw(&app, &stream, body.as_bytes()).await, StatusCode::NOT_FOUND, "stream");
    }
}

#[tokio::test]
async fn unknown_types_types_of_another_kind_and_wrong_fields_are_422_with_pointers() {
    let app = TestApp::spawn().await;
    let (stream, _) = new_stream("beneficiary");
    schema_pointer(
        &app.append(Who::Staff, &stream, &one("BeneficiaryAdopted", json!({}))).await,
        "/events/0/type",
    );
    schema_pointer(
        &app.append(Who::Staff, &stream, &one("FundOpened", fund_opened())).await,
        "/events/0/type",
    );

    let mut extra = beneficiary_registered("林秀珍");
    extra["hobby"] = json!("书法");
    schema_pointer(
        &app.append(Who::Staff, &stream, &one("BeneficiaryRegistered", extra)).await,
        "/events/0/data/hobby",
    );

    let mut missing = beneficiary_registered("林秀珍");
    missing.as_object_mut().unwrap().remove("district");
    let answer = app.append(Who::Staff, &stream, &one("BeneficiaryRegistered", missing)).await;
    schema_pointer(&answer, "/events/0/data");
    assert!(answer.text.contains("district"));

    let wrong_enum =
        json!({"name": "林秀珍", "category": "retiree", "district": "鼓楼区", "party_member": false});
    schema_pointer(
        &app.append(Who::Staff, &stream, &one("BeneficiaryRegistered", wrong_enum)).await,
        "/events/0/data/category",
    );
    schema_pointer(
        &app.append(Who::Staff, &stream, &json!({"events": [{"type": "BeneficiaryRegistered", "data": beneficiary_registered("林秀珍"), "actor": "someone.else"}]})).await,
        "/events/0/actor",
    );
    schema_pointer(&app.append(Who::Staff, &stream, &json!({"events": []})).await, "/events");
    schema_pointer(&app.append(Who::Staff, &stream, &json!({"expected_version": -1, "events": [{"type": "BeneficiaryRegistered", "data": beneficiary_registered("林秀珍")}]})).await, "/expected_version");
    schema_pointer(&app.append(Who::Staff, &stream, &json!([1, 2])).await, "");
    assert!(app.all_records().await.is_empty());
}

#[tokio::test]
async fn floats_huge_integers_and_non_positive_money_are_422() {
    let app = TestApp::spawn().await;
    let (beneficiary, beneficiary_id) = new_stream("beneficiary");
    let (fund, fund_id) = new_stream("fund");
    app.must_append(Who::Staff, &beneficiary, "BeneficiaryRegistered", beneficiary_registered("罗美华"))
        .await;
    app.must_append(Who::Staff, &fund, "FundOpened", fund_opened()).await;
    let (stream, _) = new_stream("disbursement");
    for (amount, raw) in [
        ("/events/0/data/amount_minor", "100.5"),
        ("/events/0/data/amount_minor", "100.0"),
        ("/events/0/data/amount_minor", "1e3"),
        ("/events/0/data/amount_minor", "9007199254740992"),
        ("/events/0/data/amount_minor", "0"),
        ("/events/0/data/amount_minor", "-100"),
        ("/events/0/data/amount_minor", "\"100\""),
    ] {
        let body = format!(
            r#"{{"events":[{{"type":"DisbursementRequested","data":{{"beneficiary_id":"{beneficiary_id}","fund_id":"{fund_id}","form":"cash","amount_minor":{raw},"currency":"CNY","reason":"困难"}}}}]}}"#
        );
        schema_pointer(&post_raw(&app, &stream, body.as_bytes()).await, amount);
    }
    let mut visit_float = visit("zhao.min");
    visit_float["duration_minutes"] = json!(30.5);
    let answer = app.append(Who::Staff, &beneficiary, &one("VisitRecorded", visit_float)).await;
    schema_pointer(&answer, "/events/0/data/duration_minutes");
    assert_eq!(answer.body["errors"].as_array().unwrap().len(), 1, "one error per field: {}", answer.text);
    assert_eq!(app.all_records().await.len(), 2);
}

#[tokio::test]
async fn ids_and_times_in_other_spellings_are_422() {
    let app = TestApp::spawn().await;
    let (stream, _) = new_stream("activity");
    let upper = uuid::Uuid::new_v4().to_string().to_uppercase();
    let body = json!({"events": [{"type": "ActivityHeld", "data": activity_held(), "id": upper}]});
    schema_pointer(&app.append(Who::Staff, &stream, &body).await, "/events/0/id");
    let body = json!({"events": [{"type": "ActivityHeld", "data": activity_held(), "occurred_at": "2022-09-10 10:00"}]});
    schema_pointer(&app.append(Who::Staff, &stream, &body).await, "/events/0/occurred_at");
    let mut bad_date = activity_held();
    bad_date["date"] = json!("2022-02-30");
    schema_pointer(
        &app.append(Who::Staff, &stream, &one("ActivityHeld", bad_date)).await,
        "/events/0/data/date",
    );
    let id = uuid::Uuid::new_v4().to_string();
    let twice = json!({"events": [{"type": "ActivityHeld", "data": activity_held(), "id": id},
                                  {"type": "ActivityHeld", "data": activity_held(), "id": id}]});
    schema_pointer(&app.append(Who::Staff, &stream, &twice).await, "/events/1/id");
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_and_too_many_events_is_422() {
    let app =
        TestApp::spawn_with(Limits { body_bytes_max: 4096, events_per_append_max: 3, ..Limits::default() })
            .await;
    let (stream, _) = new_stream("suggestion");
    let mut huge = suggestion_submitted();
    huge["text"] = json!("长".repeat(5000));
    let answer = app.append(Who::Staff, &stream, &one("SuggestionSubmitted", huge)).await;
    assert_problem(&answer, StatusCode::PAYLOAD_TOO_LARGE, "4096 bytes");

    let event = json!({"type": "SuggestionSubmitted", "data": suggestion_submitted()});
    let answer = app.append(Who::Staff, &stream, &json!({"events": [event, event, event, event]})).await;
    schema_pointer(&answer, "/events");
    assert!(app.all_records().await.is_empty());
}

#[tokio::test]
async fn unknown_routes_wrong_methods_and_bad_parameters_are_problems() {
    let app = TestApp::spawn().await;
    assert_problem(&app.get(Who::Staff, "/v1/nothing-here").await, StatusCode::NOT_FOUND, "no such endpoint");
    let delete = app.request(Method::DELETE, "/v1/events", Some(Who::Admin), None).await;
    assert_problem(&delete, StatusCode::METHOD_NOT_ALLOWED, "not allowed");
    assert_problem(&app.get(Who::Staff, "/v1/events?limit=abc").await, StatusCode::BAD_REQUEST, "limit");
    assert_problem(&app.get(Who::Staff, "/v1/events?limit=1001").await, StatusCode::BAD_REQUEST, "limit");
    assert_problem(
        &app.get(Who::Staff, "/v1/events?from_position=0").await,
        StatusCode::BAD_REQUEST,
        "from_position",
    );
    assert_problem(&app.get(Who::Staff, "/v1/events?colour=red").await, StatusCode::BAD_REQUEST, "colour");
    assert_problem(&app.get(Who::Staff, "/v1/events/abc").await, StatusCode::BAD_REQUEST, "position");
}
