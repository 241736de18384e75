//! Concurrent writers get dense positions in commit order and one unbroken chain.

use aidledger_tests::data::*;
use aidledger_tests::{new_stream, TestApp, Who};
use reqwest::StatusCode;
use serde_json::json;

const CLIENTS: usize = 8;
const EVENTS_PER_CLIENT: usize = 200;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_concurrent_clients_appending_200_events_each_get_positions_1_to_1600() {
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let mut clients = Vec::new();
    for client in 0..CLIENTS {
        let app = app.clone();
        clients.push(tokio::spawn(async move {
            let (stream, _) = new_stream("beneficiary");
            app.must_append(
                Who::Staff,
                &stream,
                "BeneficiaryRegistered",
                beneficiary_registered(&format!("客户{client}")),
            )
            .await;
            let mut positions = Vec::new();
            for _ in 1..EVENTS_PER_CLIENT {
                let answer = app.append_one(Who::Staff, &stream, "VisitRecorded", visit("zhao.min")).await;
                assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
                positions.push(answer.body["events"][0]["position"].as_i64().unwrap());
            }
            positions
        }));
    }
    for client in clients {
        let positions = client.await.unwrap();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "each client's positions increase");
    }

    let records = app.all_records().await;
    let positions: Vec<i64> = records.iter().map(|r| r["position"].as_i64().unwrap()).collect();
    assert_eq!(positions, (1..=(CLIENTS * EVENTS_PER_CLIENT) as i64).collect::<Vec<_>>());
    for pair in records.windows(2) {
        assert_eq!(pair[1]["prev_hash"], pair[0]["hash"]);
    }
    let verify = app.get(Who::Auditor, "/v1/verify").await;
    assert_eq!(verify.body["ok"], json!(true), "{}", verify.text);
    assert_eq!(verify.body["checked"], json!(CLIENTS * EVENTS_PER_CLIENT));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appends_with_the_same_expected_version_let_exactly_one_win() {
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let (stream, _) = new_stream("beneficiary");
    app.must_append(Who::Staff, &stream, "BeneficiaryRegistered", beneficiary_registered("钱慧芳")).await;
    let mut racers = Vec::new();
    for _ in 0..8 {
        let (app, stream) = (app.clone(), stream.clone());
        racers.push(tokio::spawn(async move {
            let body = json!({"expected_version": 1, "events": [{"type": "VisitRecorded", "data": visit("zhao.min")}]});
            app.append(Who::Staff, &stream, &body).await.status
        }));
    }
    let mut statuses = Vec::new();
    for racer in racers {
        statuses.push(racer.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count(), 7, "{statuses:?}");
}
