//! Readiness is not liveness: a server whose projections have not caught up with the log it started
//! with answers `/readyz` with a 503 problem (and `/healthz` with 200) until they have, then 200.
//! On PostgreSQL the test holds the projection lead's lock, as another process would, so the
//! projections cannot move until it lets go; on SQLite it checks that a ready server has caught up.

use std::time::{Duration, Instant};

use aidledger_server::app::{open_database, App, Migrations};
use aidledger_server::db::Database;
use aidledger_server::http::Limits;
use aidledger_server::projector::LEADER_LOCK_KEY;
use aidledger_server::store::{AppendRequest, ExpectedVersion, ProposedEvent, Store};
use aidledger_server::tokens;
use aidledger_tests::data::activity_held;
use aidledger_tests::{settings_in, TestDatabase};
use domain::{Event, EventType, Role};
use serde_json::Value;
use tokio::net::TcpListener;

/// Events in the log before the server starts.
const EVENTS_BEFORE_START: i64 = 40;

/// Appends `EVENTS_BEFORE_START` activities through `store` alone: no projector follows them.
async fn append_without_projections(store: &Store) {
    for _ in 0..EVENTS_BEFORE_START {
        let stream = format!("activity-{}", uuid::Uuid::new_v4()).parse().expect("stream name");
        let event = Event::parse(EventType::ActivityHeld, &activity_held()).expect("valid test data");
        let event =
            ProposedEvent { id: None, event, occurred_at: None, correlation_id: None, causation_id: None };
        let request = AppendRequest {
            stream,
            expected_version: ExpectedVersion::Exactly(0),
            events: vec![event],
            actor: "zhao.min".to_owned(),
            erasure_reason: None,
        };
        store.append(request).await.expect("append");
    }
}

async fn get(base: &str, path: &str) -> (u16, String, Value) {
    let response = reqwest::get(format!("{base}{path}")).await.expect("request");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap_or_default().to_owned())
        .unwrap_or_default();
    (status, content_type, response.json().await.expect("a JSON body"))
}

/// Polls `/readyz` until it answers 200 (each answer before that a 503 problem), for a generous
/// deadline.
async fn wait_ready(base: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, content_type, body) = get(base, "/readyz").await;
        if status == 200 {
            assert_eq!(body["status"], "ready");
            return;
        }
        assert_eq!((status, content_type.as_str()), (503, "application/problem+json"), "{body}");
        assert!(Instant::now() < deadline, "not ready in time: {body}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Every projection's checkpoint, read as an admin.
async fn checkpoints(base: &str, database: &Database) -> Vec<i64> {
    let admin = tokens::create(&database.pool, Role::Admin, "admin").await.expect("token");
    let response = reqwest::Client::new()
        .get(format!("{base}/v1/projections"))
        .bearer_auth(admin)
        .send()
        .await
        .expect("request");
    let status: Value = response.json().await.expect("JSON");
    status["projections"]
        .as_array()
        .expect("projections")
        .iter()
        .map(|p| p["checkpoint"].as_i64().unwrap())
        .collect()
}

async fn start(test_database: &TestDatabase) -> (Database, App) {
    let database = open_database(&test_database.url, Migrations::Apply).await.expect("open database");
    let settings = settings_in(test_database.dir(), Limits::default());
    let store = Store::open(&database, Some(settings.keyring.clone())).await.expect("store");
    append_without_projections(&store).await;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let app = App::start_with_store(&database, store, settings, listener).await.expect("start the app");
    (database, app)
}

#[tokio::test]
async fn a_ready_server_has_caught_up_with_the_log_it_started_with() {
    let test_database = TestDatabase::sqlite();
    let (database, app) = start(&test_database).await;
    let base = format!("http://{}", app.address());
    wait_ready(&base).await;
    let reached = checkpoints(&base, &database).await;
    assert!(
        !reached.is_empty() && reached.iter().all(|checkpoint| *checkpoint >= EVENTS_BEFORE_START),
        "{reached:?}"
    );
}

#[tokio::test]
async fn a_server_whose_projections_cannot_move_is_live_but_not_ready_until_they_can() {
    let test_database = TestDatabase::create().await;
    if !test_database.is_postgres() {
        eprintln!("skipped: needs PostgreSQL (AIDLEDGER_TEST_POSTGRES) to hold the projection lead");
        return;
    }
    let holder = open_database(&test_database.url, Migrations::Apply).await.expect("open database");
    let mut lead = holder.connect_one().await.expect("a connection");
    let (locked,): (bool,) = sqlx::query_as("SELECT pg_try_advisory_lock($1)")
        .bind(LEADER_LOCK_KEY)
        .fetch_one(&mut lead)
        .await
        .unwrap();
    assert!(locked, "the projection lead was free");
    let (database, app) = start(&test_database).await;
    let base = format!("http://{}", app.address());

    let (status, content_type, body) = get(&base, "/readyz").await;
    assert_eq!((status, content_type.as_str()), (503, "application/problem+json"), "{body}");
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains(&format!("{EVENTS_BEFORE_START} events to apply")), "{detail}");
    assert_eq!(get(&base, "/healthz").await.0, 200, "live all the same");

    let (unlocked,): (bool,) = sqlx::query_as("SELECT pg_advisory_unlock($1)")
        .bind(LEADER_LOCK_KEY)
        .fetch_one(&mut lead)
        .await
        .unwrap();
    assert!(unlocked);
    wait_ready(&base).await;
    let reached = checkpoints(&base, &database).await;
    assert!(reached.iter().all(|checkpoint| *checkpoint >= EVENTS_BEFORE_START), "{reached:?}");
}
