//! `GET /metrics` of a real `aidledger serve` process, parsed as Prometheus text: exact counts of
//! the appends, events, groups and requests a test makes, the head, each projection's lag, the
//! checkpoint's age, subscribers; routes as their templates, never raw paths. Open on a loopback
//! listener or with `--metrics-open`; otherwise it takes any role's token and answers 401 without.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::{aidledger_with_key, key_path, read_caught_up, serve_listening_on, sqlite_url, Served};
use serde_json::{json, Value};

/// One series: its labels, and its value.
type Series = (BTreeMap<String, String>, f64);

/// The samples of a Prometheus text exposition, by metric name.
fn parse(text: &str) -> BTreeMap<String, Vec<Series>> {
    let mut metrics: BTreeMap<String, Vec<Series>> = BTreeMap::new();
    for line in text.lines().filter(|line| !line.is_empty() && !line.starts_with('#')) {
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("not a sample: {line}"));
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("not a value: {line}"));
        let (name, labels) = match series.split_once('{') {
            Some((name, labels)) => (name, labels.strip_suffix('}').expect("labels end with }")),
            None => (series, ""),
        };
        let labels = labels
            .split("\",")
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (key, value) = pair.split_once("=\"").unwrap_or_else(|| panic!("not a label: {pair}"));
                (key.to_owned(), value.trim_end_matches('"').to_owned())
            })
            .collect();
        metrics.entry(name.to_owned()).or_default().push((labels, value));
    }
    metrics
}

/// The value of the series `name` whose labels include `labels` (0 when there is none).
fn value(metrics: &BTreeMap<String, Vec<Series>>, name: &str, labels: &[(&str, &str)]) -> f64 {
    let matching: Vec<f64> = metrics
        .get(name)
        .into_iter()
        .flatten()
        .filter(|(have, _)| {
            labels.iter().all(|(key, value)| have.get(*key).map(String::as_str) == Some(*value))
        })
        .map(|(_, value)| *value)
        .collect();
    assert!(matching.len() <= 1, "{name} {labels:?} matches {} series", matching.len());
    matching.first().copied().unwrap_or(0.0)
}

async fn scrape(base: &str, token: Option<&str>) -> (u16, String, String) {
    let mut request = reqwest::Client::new().get(format!("{base}/metrics"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    (status, content_type, response.text().await.unwrap())
}

async fn metrics_of(base: &str) -> (String, BTreeMap<String, Vec<Series>>) {
    let (status, content_type, text) = scrape(base, None).await;
    assert_eq!(status, 200, "{text}");
    assert!(content_type.starts_with("text/plain; version=0.0.4"), "{content_type}");
    let parsed = parse(&text);
    (text, parsed)
}

async fn post(base: &str, token: &str, path: &str, body: &Value) -> u16 {
    let response = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    response.status().as_u16()
}

fn registered(id: &str) -> Value {
    json!({"type": "BeneficiaryRegistered", "id": id, "data": {"name": "王秀英", "category": "retired_staff",
        "district": "鼓楼区", "party_member": false}})
}

fn visit(id: &str) -> Value {
    json!({"type": "VisitRecorded", "id": id, "data": {"visit_kind": "home", "staff": "zhao.min", "duration_minutes": 30}})
}

fn start_serve(listen: &str, options: &[&str]) -> (tempfile::TempDir, Served) {
    let dir = tempfile::tempdir().unwrap();
    let served = serve_listening_on(command_in(dir.path()), listen, options, std::process::Stdio::null());
    (dir, served)
}

fn command_in(dir: &std::path::Path) -> std::process::Command {
    aidledger_with_key(&sqlite_url(dir), &key_path(dir))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_metrics_count_exactly_what_was_done() {
    let (_dir, served) = start_serve("127.0.0.1:0", &[]);
    let base = served.base.clone();
    let admin = served.admin_token.clone().unwrap();
    let stream_id = uuid::Uuid::new_v4().to_string();
    let path = format!("/v1/streams/beneficiary-{stream_id}/events");
    let (first, second, third) = (
        uuid::Uuid::new_v4().to_string(),
        uuid::Uuid::new_v4().to_string(),
        uuid::Uuid::new_v4().to_string(),
    );
    let fourth = uuid::Uuid::new_v4().to_string();
    // Three appends of four events, a replay, a version conflict and an unknown route.
    assert_eq!(
        post(&base, &admin, &path, &json!({"expected_version": 0, "events": [registered(&first)]})).await,
        201
    );
    assert_eq!(
        post(
            &base,
            &admin,
            &path,
            &json!({"expected_version": 1, "events": [visit(&second), visit(&third)]})
        )
        .await,
        201
    );
    assert_eq!(
        post(&base, &admin, &path, &json!({"expected_version": 0, "events": [registered(&first)]})).await,
        200
    );
    assert_eq!(
        post(&base, &admin, &path, &json!({"expected_version": 1, "events": [visit(&fourth)]})).await,
        409
    );
    assert_eq!(
        post(&base, &admin, &path, &json!({"expected_version": 3, "events": [visit(&fourth)]})).await,
        201
    );
    let unknown = reqwest::get(format!("{base}/no/such/{stream_id}")).await.unwrap();
    assert_eq!(unknown.status().as_u16(), 404);
    read_caught_up(&base, &admin, "/v1/reports/summary?from=2022-01-01&to=2023-01-01").await;

    let (text, metrics) = metrics_of(&base).await;
    assert_eq!(value(&metrics, "aidledger_appends_total", &[("result", "appended")]), 3.0);
    assert_eq!(value(&metrics, "aidledger_appends_total", &[("result", "replayed")]), 1.0);
    assert_eq!(value(&metrics, "aidledger_appends_total", &[("result", "version_conflict")]), 1.0);
    assert_eq!(value(&metrics, "aidledger_events_total", &[("result", "appended")]), 4.0);
    assert_eq!(value(&metrics, "aidledger_events_total", &[("result", "replayed")]), 1.0);
    assert_eq!(value(&metrics, "aidledger_append_duration_seconds_count", &[]), 5.0);
    assert_eq!(value(&metrics, "aidledger_append_duration_seconds_bucket", &[("le", "+Inf")]), 5.0);
    assert_eq!(
        value(&metrics, "aidledger_append_group_appends_sum", &[]),
        5.0,
        "every append was in a group"
    );
    assert_eq!(value(&metrics, "aidledger_head_position", &[]), 4.0);
    let lags = &metrics["aidledger_projection_lag_events"];
    assert!(lags.len() >= 5 && lags.iter().all(|(_, lag)| *lag == 0.0), "{lags:?}");
    assert!(value(&metrics, "aidledger_checkpoint_age_seconds", &[]) >= 0.0);
    assert!(metrics.contains_key("aidledger_checkpoint_unsigned_records"));
    let appends = "/v1/streams/{stream}/events";
    let requests = |status: &str| {
        value(
            &metrics,
            "aidledger_http_requests_total",
            &[("method", "POST"), ("route", appends), ("status", status)],
        )
    };
    assert_eq!((requests("201"), requests("200"), requests("409")), (3.0, 1.0, 1.0));
    assert_eq!(
        value(&metrics, "aidledger_http_requests_total", &[("route", "unmatched"), ("status", "404")]),
        1.0
    );
    assert_eq!(
        value(
            &metrics,
            "aidledger_http_request_duration_seconds_count",
            &[("method", "POST"), ("route", appends)]
        ),
        5.0
    );
    assert!(!text.contains(&stream_id), "a raw path became a label");
    for described in
        ["aidledger_appends_total", "aidledger_append_duration_seconds", "aidledger_projection_lag_events"]
    {
        assert!(text.contains(&format!("# HELP {described} ")), "{described} is described");
    }

    // A subscriber is counted while it follows the feed.
    let mut subscription = reqwest::Client::new()
        .get(format!("{base}/v1/subscribe?from_position=1"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    subscription.chunk().await.unwrap().expect("the first record");
    assert_eq!(value(&metrics_of(&base).await.1, "aidledger_subscribers", &[("feed", "records")]), 1.0);
    drop(subscription);
    // The server learns the client went away when it next writes to it: append once more.
    let fifth = uuid::Uuid::new_v4().to_string();
    assert_eq!(post(&base, &admin, &path, &json!({"events": [visit(&fifth)]})).await, 201);
    let deadline = Instant::now() + Duration::from_secs(60);
    while value(&metrics_of(&base).await.1, "aidledger_subscribers", &[("feed", "records")]) != 0.0 {
        assert!(Instant::now() < deadline, "the subscriber that left is still counted");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_on_a_listener_open_to_the_network_take_any_token_unless_opened() {
    let (dir, served) = start_serve("0.0.0.0:0", &[]);
    let base = served.base.replace("0.0.0.0", "127.0.0.1");
    let admin = served.admin_token.clone().unwrap();
    let (status, content_type, text) = scrape(&base, None).await;
    assert_eq!((status, content_type.as_str()), (401, "application/problem+json"), "{text}");
    let created = command_in(dir.path())
        .args(["token", "create", "--role", "analyst", "--name", "zheng.fen"])
        .output()
        .unwrap();
    assert!(created.status.success());
    let analyst = String::from_utf8(created.stdout).unwrap().lines().last().unwrap().to_owned();
    for token in [admin.as_str(), analyst.as_str()] {
        let (status, _, text) = scrape(&base, Some(token)).await;
        assert_eq!(status, 200);
        assert!(text.contains("aidledger_head_position"), "{text}");
    }

    let (_dir, opened) = start_serve("0.0.0.0:0", &["--metrics-open"]);
    let (status, _, _) = scrape(&opened.base.replace("0.0.0.0", "127.0.0.1"), None).await;
    assert_eq!(status, 200, "--metrics-open serves it without a token");
}
