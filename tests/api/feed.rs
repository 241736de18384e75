//! The live feed (`GET /v1/subscribe`, `GET /v1/subscribe/head`): records in position order from any
//! position, then live; resumed after `Last-Event-ID`; never a position skipped or repeated, even for
//! a subscriber that stops reading while thousands are appended; the head for every role.

use std::time::Duration;

use aidledger_tests::data::*;
use aidledger_tests::{new_stream, TestApp, Who};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A guard against a hung feed, not a measure of speed.
const PATIENCE: Duration = Duration::from_secs(30);

/// One Server-Sent Event.
#[derive(Debug)]
struct SseEvent {
    id: String,
    event: String,
    data: String,
}

/// An open subscription, read event by event.
struct Subscription {
    response: reqwest::Response,
    buffer: String,
}

impl Subscription {
    async fn open(app: &TestApp, who: Who, path: &str, last_event_id: Option<&str>) -> Subscription {
        let mut request = app.client.get(format!("{}{path}", app.base)).bearer_auth(app.token(who));
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Subscription { response, buffer: String::new() }
    }

    /// The next event, comments skipped.
    async fn next(&mut self) -> SseEvent {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let field = |name: &str| {
                    block.lines().find_map(|l| l.strip_prefix(&format!("{name}: ")).map(str::to_owned))
                };
                if let (Some(id), Some(event), Some(data)) = (field("id"), field("event"), field("data")) {
                    return SseEvent { id, event, data };
                }
                continue;
            }
            let chunk =
                tokio::time::timeout(PATIENCE, self.response.chunk()).await.expect("an event in time");
            let chunk = chunk.unwrap().expect("the feed does not end");
            self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }

    /// The next `count` records' positions, each checked to be a record event whose id is its position.
    async fn positions(&mut self, count: usize) -> Vec<i64> {
        let mut positions = Vec::with_capacity(count);
        for _ in 0..count {
            let event = self.next().await;
            assert_eq!(event.event, "record");
            let record: Value = serde_json::from_str(&event.data).unwrap();
            assert_eq!(record["position"].to_string(), event.id);
            positions.push(record["position"].as_i64().unwrap());
        }
        positions
    }
}

async fn visits(app: &TestApp, count: usize) -> String {
    let (stream, _) = new_stream("beneficiary");
    app.must_append(Who::Staff, &stream, "BeneficiaryRegistered", beneficiary_registered("黄秀兰")).await;
    for _ in 1..count {
        app.must_append(Who::Staff, &stream, "VisitRecorded", visit("zhao.min")).await;
    }
    stream
}

#[tokio::test]
async fn records_come_from_the_asked_position_exactly_as_served_then_live() {
    let app = TestApp::spawn().await;
    let stream = visits(&app, 3).await;
    let mut feed = Subscription::open(&app, Who::Auditor, "/v1/subscribe?from_position=1", None).await;
    let served = app.all_records().await;
    for record in &served {
        let event = feed.next().await;
        assert_eq!(serde_json::from_str::<Value>(&event.data).unwrap(), *record);
    }
    app.must_append(Who::Staff, &stream, "VisitRecorded", visit("zhao.min")).await;
    app.must_append(Who::Staff, &stream, "VisitRecorded", visit("zhao.min")).await;
    assert_eq!(feed.positions(2).await, vec![4, 5]);
    let all = app.all_records().await;
    let live = app.get(Who::Auditor, "/v1/events/5").await.body;
    assert_eq!(all[4], live);
}

#[tokio::test]
async fn a_subscriber_resumes_after_its_last_event_id_which_wins_over_from_position() {
    let app = TestApp::spawn().await;
    visits(&app, 6).await;
    let mut feed = Subscription::open(&app, Who::Staff, "/v1/subscribe?from_position=1", Some("4")).await;
    assert_eq!(feed.positions(2).await, vec![5, 6]);

    let bad = app.get(Who::Staff, "/v1/subscribe?from_position=0").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text);
    assert_eq!(bad.content_type, "application/problem+json");
}

#[tokio::test]
async fn by_default_only_records_committed_after_subscribing_are_sent() {
    let app = TestApp::spawn().await;
    let stream = visits(&app, 3).await;
    let mut feed = Subscription::open(&app, Who::Supervisor, "/v1/subscribe", None).await;
    app.must_append(Who::Staff, &stream, "VisitRecorded", visit("zhao.min")).await;
    assert_eq!(feed.positions(1).await, vec![4]);
}

#[tokio::test]
async fn a_subscriber_that_stops_reading_slows_no_append_and_then_misses_nothing() {
    let app = TestApp::spawn().await;
    let mut slow = Subscription::open(&app, Who::Auditor, "/v1/subscribe?from_position=1", None).await;
    // Far more than the feed's buffer and the socket's, while the subscriber reads nothing.
    let batches = 6;
    for _ in 0..batches {
        let (stream, _) = new_stream("activity");
        app.must_append(Who::Staff, &stream, "ActivityHeld", activity_held()).await;
        let events: Vec<Value> =
            (0..999).map(|_| json!({"type": "VisitRecorded", "data": visit("zhao.min")})).collect();
        let (beneficiary, _) = new_stream("beneficiary");
        app.must_append(Who::Staff, &beneficiary, "BeneficiaryRegistered", beneficiary_registered("黄秀兰"))
            .await;
        let answer = app.append(Who::Staff, &beneficiary, &json!({"events": events})).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    }
    let total = batches * 1001;
    let positions = slow.positions(total).await;
    assert_eq!(positions, (1..=total as i64).collect::<Vec<_>>(), "dense, in order, none twice");
}

#[tokio::test]
async fn the_head_is_for_every_role_and_records_are_not_for_analysts() {
    let app = TestApp::spawn().await;
    let stream = visits(&app, 2).await;
    let mut head = Subscription::open(&app, Who::Analyst, "/v1/subscribe/head", None).await;
    let first = head.next().await;
    assert_eq!((first.event.as_str(), first.id.as_str()), ("head", "2"));
    assert_eq!(serde_json::from_str::<Value>(&first.data).unwrap(), json!({"position": 2}));
    app.must_append(Who::Staff, &stream, "VisitRecorded", visit("zhao.min")).await;
    assert_eq!(head.next().await.id, "3");

    let refused = app.get(Who::Analyst, "/v1/subscribe?from_position=1").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
    let anonymous = app.client.get(format!("{}/v1/subscribe/head", app.base)).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}
