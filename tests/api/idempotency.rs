//! Client event ids are idempotency keys; `expected_version` guards concurrent writers.

use aidledger_tests::data::*;
use aidledger_tests::{new_stream, TestApp, Who};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_wrong_expected_version_is_a_conflict_naming_the_current_version() {
    let app = TestApp::spawn().await;
    let (stream, _) = new_stream("beneficiary");
    let register = json!({"expected_version": 0, "events": [{"type": "BeneficiaryRegistered", "data": beneficiary_registered("黄德明")}]});
    assert_eq!(app.append(Who::Staff, &stream, &register).await.status, StatusCode::CREATED);
    let stale =
        json!({"expected_version": 0, "events": [{"type": "VisitRecorded", "data": visit("zhao.min")}]});
    let answer = app.append(Who::Staff, &stream, &stale).await;
    assert_eq!(answer.status, StatusCode::CONFLICT, "{}", answer.text);
    assert_eq!(answer.content_type, "application/problem+json");
    assert_eq!(answer.body["current_version"], json!(1));
    let current =
        json!({"expected_version": 1, "events": [{"type": "VisitRecorded", "data": visit("zhao.min")}]});
    assert_eq!(app.append(Who::Staff, &stream, &current).await.status, StatusCode::CREATED);
    assert_eq!(app.all_records().await.len(), 2);
}

#[tokio::test]
async fn a_replay_with_the_same_ids_and_content_returns_the_original_result_and_appends_nothing() {
    let app = TestApp::spawn().await;
    let (stream, _) = new_stream("beneficiary");
    let (first_id, second_id) = (uuid::Uuid::new_v4().to_string(), uuid::Uuid::new_v4().to_string());
    let body = json!({"expected_version": 0, "events": [
        {"id": first_id, "type": "BeneficiaryRegistered", "data": beneficiary_registered("周玉兰"),
         "occurred_at": "2022-01-05T09:30:00+08:00"},
        {"id": second_id, "type": "VisitRecorded", "data": visit("zhao.min")}]});
    let original = app.append(Who::Staff, &stream, &body).await;
    assert_eq!(original.status, StatusCode::CREATED, "{}", original.text);

    // The replay is recognised before the (now stale) expected version is checked.
    let replay = app.append(Who::Staff, &stream, &body).await;
    assert_eq!(replay.status, StatusCode::OK, "{}", replay.text);
    assert_eq!(replay.body, original.body);
    assert_eq!(app.all_records().await.len(), 2);
}

#[tokio::test]
async fn the_same_id_with_other_content_is_a_conflict() {
    let app = TestApp::spawn().await;
    let (stream, _) = new_stream("beneficiary");
    let id = uuid::Uuid::new_v4().to_string();
    let first = json!({"events": [{"id": id, "type": "BeneficiaryRegistered", "data": beneficiary_registered("吴国华")}]});
    assert_eq!(app.append(Who::Staff, &stream, &first).await.status, StatusCode::CREATED);

    let other_name = json!({"events": [{"id": id, "type": "BeneficiaryRegistered", "data": beneficiary_registered("吴国强")}]});
    let answer = app.append(Who::Staff, &stream, &other_name).await;
    assert_eq!(answer.status, StatusCode::CONFLICT, "{}", answer.text);
    assert_eq!(answer.content_type, "application/problem+json");

    let other_time = json!({"events": [{"id": id, "type": "BeneficiaryRegistered", "data": beneficiary_registered("吴国华"),
        "occurred_at": "2020-01-01T00:00:00+08:00"}]});
    assert_eq!(app.append(Who::Staff, &stream, &other_time).await.status, StatusCode::CONFLICT);

    let (other_stream, _) = new_stream("beneficiary");
    assert_eq!(app.append(Who::Staff, &other_stream, &first).await.status, StatusCode::CONFLICT);
    assert_eq!(app.all_records().await.len(), 1);
}

#[tokio::test]
async fn a_batch_mixing_known_and_new_ids_is_a_conflict() {
    let app = TestApp::spawn().await;
    let (stream, _) = new_stream("beneficiary");
    let known = uuid::Uuid::new_v4().to_string();
    let first = json!({"events": [{"id": known, "type": "BeneficiaryRegistered", "data": beneficiary_registered("郑秀梅")}]});
    assert_eq!(app.append(Who::Staff, &stream, &first).await.status, StatusCode::CREATED);
    let mixed = json!({"events": [
        {"id": known, "type": "BeneficiaryRegistered", "data": beneficiary_registered("郑秀梅")},
        {"id": uuid::Uuid::new_v4().to_string(), "type": "VisitRecorded", "data": visit("zhao.min")}]});
    let answer = app.append(Who::Staff, &stream, &mixed).await;
    assert_eq!(answer.status, StatusCode::CONFLICT, "{}", answer.text);
    assert_eq!(app.all_records().await.len(), 1);
}
