//! Graceful shutdown: `aidledger serve` sent SIGTERM while many clients append and a subscriber
//! follows the live feed stops taking requests, finishes what it acknowledged, ends the
//! subscriber's stream and exits 0; every append it acknowledged is in the log afterwards, where it
//! was acknowledged, and the chain verifies.
//!
//! The signal comes when the clients have been acknowledged a chosen number of times, never after a
//! sleep. Runs on SQLite always, and on PostgreSQL when `AIDLEDGER_TEST_POSTGRES` names a server.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use aidledger_test_support::PostgresDatabase;
use common::{aidledger_with_key, key_path, run_ok, serve_with, sqlite_url, wait_exit};
use serde_json::{json, Value};

/// Clients appending at once.
const CLIENTS: usize = 16;
/// Acknowledged appends (over all clients) after which SIGTERM is sent.
const ACKNOWLEDGED_BEFORE_SIGNAL: usize = 200;

/// One client's appends until the server stops answering: each acknowledged event's id, with its
/// position and hash.
async fn append_until_refused(
    client: reqwest::Client,
    base: String,
    token: String,
    acknowledged: Arc<AtomicUsize>,
    signal: Arc<dyn Fn() + Send + Sync>,
) -> Vec<(String, i64, String)> {
    let mut landed = Vec::new();
    // Bounded: the signal comes long before, unless the server stops answering altogether.
    for _ in 0..10_000 {
        let stream = format!("activity-{}", uuid::Uuid::new_v4());
        let id = uuid::Uuid::new_v4().to_string();
        let body = json!({"expected_version": 0, "events": [{"type": "ActivityHeld", "id": id,
            "data": {"kind": "lecture", "title": "老年人防诈骗讲座", "date": "2022-09-10", "attendees": 30}}]});
        let url = format!("{base}/v1/streams/{stream}/events");
        let Ok(response) = client.post(url).bearer_auth(&token).json(&body).send().await else { break };
        let status = response.status().as_u16();
        let Ok(answer) = response.json::<Value>().await else { break };
        if status == 503 {
            break; // shutting down: not acknowledged, and nothing after it will be
        }
        assert_eq!(status, 201, "{answer}");
        let event = &answer["events"][0];
        landed.push((id, event["position"].as_i64().unwrap(), event["hash"].as_str().unwrap().to_owned()));
        if acknowledged.fetch_add(1, Ordering::SeqCst) + 1 == ACKNOWLEDGED_BEFORE_SIGNAL {
            signal();
        }
    }
    landed
}

/// Follows `/v1/subscribe` from position 1 to the end of its stream; answers how many bytes it read,
/// or the error that cut the stream.
async fn follow_feed(base: String, token: String) -> Result<usize, reqwest::Error> {
    let mut response = reqwest::Client::new()
        .get(format!("{base}/v1/subscribe?from_position=1"))
        .bearer_auth(token)
        .send()
        .await?;
    assert_eq!(response.status().as_u16(), 200);
    let mut read = 0;
    while let Some(chunk) = response.chunk().await? {
        read += chunk.len();
    }
    Ok(read)
}

async fn terminate_under_load(url: &str, key: &Path) {
    let mut served = serve_with(aidledger_with_key(url, key));
    let admin = served.admin_token.clone().expect("a one-time admin token");
    let staff = run_ok(url, key, &["token", "create", "--role", "staff", "--name", "zhao.min"]);
    let staff = staff.lines().last().unwrap().to_owned();
    let subscriber = tokio::spawn(follow_feed(served.base.clone(), admin.clone()));

    let pid = served.child.id().to_string();
    let signal: Arc<dyn Fn() + Send + Sync> = Arc::new(move || {
        let sent = Command::new("kill").args(["-TERM", &pid]).status().expect("run kill");
        assert!(sent.success(), "kill -TERM failed");
    });
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let client = reqwest::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (base, token) = (served.base.clone(), staff.clone());
            tokio::spawn(append_until_refused(
                client.clone(),
                base,
                token,
                acknowledged.clone(),
                signal.clone(),
            ))
        })
        .collect();
    let mut landed = HashMap::new();
    for task in clients {
        for (id, position, hash) in task.await.unwrap() {
            landed.insert(id, (position, hash));
        }
    }
    assert!(landed.len() >= ACKNOWLEDGED_BEFORE_SIGNAL, "the clients stopped before the signal");

    let exit = wait_exit(&mut served).await;
    assert_eq!(exit.code(), Some(0), "serve exits 0 on SIGTERM");
    let fed = subscriber.await.unwrap().expect("the subscriber's stream ends cleanly, not cut");
    assert!(fed > 0, "the subscriber was fed records");
    drop(served);

    let served = serve_with(aidledger_with_key(url, key));
    let client = reqwest::Client::new();
    for (id, (position, hash)) in &landed {
        let response = client
            .get(format!("{}/v1/events/{position}", served.base))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "acknowledged position {position} is missing");
        let record: Value = response.json().await.unwrap();
        assert_eq!(record["id"].as_str(), Some(id.as_str()), "position {position} holds another event");
        assert_eq!(record["hash"].as_str(), Some(hash.as_str()), "{id} changed");
    }
    drop(served);
    let verified = run_ok(url, key, &["verify"]);
    eprintln!("SIGTERM under load: {} appends acknowledged, all kept; {verified}", landed.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sqlite_server_sent_sigterm_mid_load_keeps_every_acknowledged_append_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    terminate_under_load(&sqlite_url(dir.path()), &key_path(dir.path())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_postgres_server_sent_sigterm_mid_load_keeps_every_acknowledged_append_and_exits_0() {
    let Some(database) = PostgresDatabase::from_environment().await else { return };
    let dir = tempfile::tempdir().unwrap();
    terminate_under_load(&database.url, &key_path(dir.path())).await;
}
