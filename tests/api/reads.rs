//! Reading the log and streams with paging, and 404s for what is not there.

use aidledger_tests::data::*;
use aidledger_tests::{new_stream, TestApp, Who};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn the_log_and_a_stream_page_in_order_with_next() {
    let app = TestApp::spawn().await;
    let (beneficiary, _) = new_stream("beneficiary");
    app.must_append(Who::Staff, &beneficiary, "BeneficiaryRegistered", beneficiary_registered("高玉珍"))
        .await;
    for _ in 0..4 {
        app.must_append(Who::Staff, &beneficiary, "VisitRecorded", visit("zhao.min")).await;
        let (next_activity, _) = new_stream("activity");
        app.must_append(Who::Staff, &next_activity, "ActivityHeld", activity_held()).await;
    }

    let first = app.get(Who::Staff, "/v1/events?limit=5").await;
    let positions: Vec<i64> =
        first.body["records"].as_array().unwrap().iter().map(|r| r["position"].as_i64().unwrap()).collect();
    assert_eq!(positions, vec![1, 2, 3, 4, 5]);
    assert_eq!(first.body["next"], json!(6));
    let last = app.get(Who::Staff, "/v1/events?from_position=9&limit=5").await;
    assert_eq!(last.body["records"].as_array().unwrap().len(), 1);
    assert_eq!(last.body["next"], json!(null));
    let beyond = app.get(Who::Staff, "/v1/events?from_position=99").await;
    assert_eq!(beyond.body, json!({"records": [], "next": null}));

    let stream =
        app.get(Who::Staff, &format!("/v1/streams/{beneficiary}/events?from_version=2&limit=3")).await;
    let versions: Vec<i64> =
        stream.body["records"].as_array().unwrap().iter().map(|r| r["version"].as_i64().unwrap()).collect();
    assert_eq!(versions, vec![2, 3, 4]);
    assert_eq!(stream.body["next"], json!(5));
    let rest = app.get(Who::Staff, &format!("/v1/streams/{beneficiary}/events?from_version=5")).await;
    assert_eq!(rest.body["records"].as_array().unwrap().len(), 1);
    assert_eq!(rest.body["next"], json!(null));
}

#[tokio::test]
async fn unknown_streams_and_positions_are_404() {
    let app = TestApp::spawn().await;
    let (stream, _) = new_stream("fund");
    let answer = app.get(Who::Staff, &format!("/v1/streams/{stream}/events")).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.content_type, "application/problem+json");
    assert_eq!(app.get(Who::Staff, "/v1/events/1").await.status, StatusCode::NOT_FOUND);
    app.must_append(Who::Staff, &stream, "FundOpened", fund_opened()).await;
    assert_eq!(app.get(Who::Staff, "/v1/events/1").await.body["stream"], json!(stream));
    assert_eq!(app.get(Who::Staff, "/v1/events/2").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_empty_log_verifies() {
    let app = TestApp::spawn().await;
    let answer = app.get(Who::Auditor, "/v1/verify").await;
    assert_eq!(
        answer.body,
        json!({"ok": true, "checked": 0, "head_position": 0, "head_hash": "0".repeat(64)})
    );
}
