//! Crash safety: `aidledger serve` is killed with SIGKILL while many clients append at once, then
//! started again, several times over. Every append that was acknowledged must be there afterwards
//! with the position and hash it was acknowledged with; every append is there whole or not at all;
//! positions stay dense and the chain, the Merkle tree and every signed checkpoint verify; and the
//! read models catch up to the figures a naive count of the records gives, and a rebuild gives.
//!
//! The kill comes when the clients have been acknowledged a chosen number of times, never after a
//! sleep. Runs on SQLite always, and on PostgreSQL when `AIDLEDGER_TEST_POSTGRES` names a server.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aidledger_test_support::PostgresDatabase;
use common::{aidledger_with_key, key_path, read_caught_up, run_ok, serve_with, sqlite_url, Served};
use serde_json::{json, Value};

/// Clients appending at once.
const CLIENTS: usize = 16;
/// Times the server is killed and started again.
const CRASHES: usize = 3;
/// Acknowledged appends (over all clients) after which each crash comes.
const ACKNOWLEDGED_BEFORE_CRASH: usize = 250;
/// The period every appended event falls in.
const PERIOD: (&str, &str) = ("2022-01-01", "2023-01-01");

/// Where an acknowledged event landed.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Landed {
    position: i64,
    hash: String,
}

/// What the clients sent and what the server acknowledged, over every crash.
#[derive(Default)]
struct Sent {
    /// The ids of each append, in the order of its events, acknowledged or not.
    appends: Vec<Vec<String>>,
    /// Every acknowledged event, by id.
    acknowledged: HashMap<String, Landed>,
}

/// One client's appends: a beneficiary of its own, then visits in batches of one to three events.
struct Client {
    stream: String,
    appended: usize,
}

impl Client {
    fn new() -> Client {
        Client { stream: format!("beneficiary-{}", uuid::Uuid::new_v4()), appended: 0 }
    }

    /// The next append's body and its event ids.
    fn next_append(&mut self) -> (Value, Vec<String>) {
        let day = 1 + self.appended % 28;
        let occurred_at = format!("2022-03-{day:02}T10:00:00+08:00");
        let (body, ids) = if self.appended == 0 {
            let id = uuid::Uuid::new_v4().to_string();
            let body = json!({"expected_version": 0, "events": [{"type": "BeneficiaryRegistered", "id": id,
                "occurred_at": occurred_at, "data": {"name": "王秀英", "category": "retired_staff",
                "district": "鼓楼区", "party_member": false}}]});
            (body, vec![id])
        } else {
            let ids: Vec<String> =
                (0..1 + self.appended % 3).map(|_| uuid::Uuid::new_v4().to_string()).collect();
            let events: Vec<Value> = ids
                .iter()
                .enumerate()
                .map(|(index, id)| {
                    let visit_kind = if (self.appended + index) % 2 == 0 { "home" } else { "phone" };
                    json!({"type": "VisitRecorded", "id": id, "occurred_at": occurred_at,
                           "data": {"visit_kind": visit_kind, "staff": "zhao.min", "duration_minutes": 30}})
                })
                .collect();
            (json!({"events": events}), ids)
        };
        self.appended += 1;
        (body, ids)
    }
}

/// Appends from `CLIENTS` clients until the server has acknowledged `ACKNOWLEDGED_BEFORE_CRASH`
/// appends, kills it with SIGKILL at that moment, and lets the clients run into the dead server.
async fn append_until_killed(served: Served, token: &str, sent: &mut Sent) {
    let base = served.base.clone();
    let served = Arc::new(Mutex::new(served));
    let acknowledged_count = Arc::new(AtomicUsize::new(0));
    let client = reqwest::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (client, base, token) = (client.clone(), base.clone(), token.to_owned());
        let (served, acknowledged_count) = (served.clone(), acknowledged_count.clone());
        tasks.push(tokio::spawn(async move {
            let mut appender = Client::new();
            let mut appends: Vec<Vec<String>> = Vec::new();
            let mut acknowledged: Vec<(String, Landed)> = Vec::new();
            // Bounded: the crash comes long before, unless the server stops answering altogether.
            for _ in 0..10_000 {
                let (body, ids) = appender.next_append();
                appends.push(ids.clone());
                let url = format!("{base}/v1/streams/{}/events", appender.stream);
                let Ok(response) = client.post(url).bearer_auth(&token).json(&body).send().await else {
                    break;
                };
                let status = response.status().as_u16();
                let Ok(answer) = response.json::<Value>().await else { break };
                assert_eq!(status, 201, "{answer}");
                let events = answer["events"].as_array().unwrap();
                assert_eq!(events.len(), ids.len());
                for (id, event) in ids.iter().zip(events) {
                    assert_eq!(event["id"].as_str(), Some(id.as_str()));
                    let landed = Landed {
                        position: event["position"].as_i64().unwrap(),
                        hash: event["hash"].as_str().unwrap().to_owned(),
                    };
                    acknowledged.push((id.clone(), landed));
                }
                if acknowledged_count.fetch_add(1, Ordering::SeqCst) + 1 == ACKNOWLEDGED_BEFORE_CRASH {
                    // `Child::kill` is SIGKILL: no shutdown, no flush, the process is simply gone.
                    served.lock().unwrap().child.kill().unwrap();
                }
            }
            (appends, acknowledged)
        }));
    }
    for task in tasks {
        let (appends, acknowledged) = task.await.unwrap();
        sent.appends.extend(appends);
        sent.acknowledged.extend(acknowledged);
    }
    assert!(
        acknowledged_count.load(Ordering::SeqCst) >= ACKNOWLEDGED_BEFORE_CRASH,
        "the clients stopped before the crash"
    );
}

async fn get(base: &str, token: &str, path: &str) -> Value {
    let response =
        reqwest::Client::new().get(format!("{base}{path}")).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200, "{path}");
    response.json().await.unwrap()
}

async fn all_records(base: &str, token: &str) -> Vec<Value> {
    let mut records = Vec::new();
    let mut from = 1;
    loop {
        let page = get(base, token, &format!("/v1/events?from_position={from}&limit=1000")).await;
        records.extend(page["records"].as_array().unwrap().iter().cloned());
        match page["next"].as_i64() {
            Some(next) => from = next,
            None => return records,
        }
    }
}

/// Positions 1, 2, 3 … with each record linking to the one before.
fn assert_dense_and_chained(records: &[Value]) {
    let mut previous_hash = "0".repeat(64);
    for (index, record) in records.iter().enumerate() {
        assert_eq!(record["position"].as_i64(), Some(index as i64 + 1), "positions are dense");
        assert_eq!(record["prev_hash"].as_str(), Some(previous_hash.as_str()), "the chain is unbroken");
        previous_hash = record["hash"].as_str().unwrap().to_owned();
    }
}

/// Every acknowledged event is where it was acknowledged; every append is there whole, in one run
/// of positions, or not at all; nothing is there that was not sent.
fn assert_nothing_lost_and_nothing_half_written(records: &[Value], sent: &Sent) {
    let by_id: HashMap<&str, &Value> = records.iter().map(|r| (r["id"].as_str().unwrap(), r)).collect();
    for (id, landed) in &sent.acknowledged {
        let record = by_id.get(id.as_str()).unwrap_or_else(|| panic!("acknowledged event {id} was lost"));
        assert_eq!(record["position"].as_i64(), Some(landed.position), "{id} moved");
        assert_eq!(record["hash"].as_str(), Some(landed.hash.as_str()), "{id} changed");
    }
    let mut sent_ids = BTreeSet::new();
    for ids in &sent.appends {
        let positions: Vec<i64> = ids
            .iter()
            .filter_map(|id| by_id.get(id.as_str()))
            .map(|r| r["position"].as_i64().unwrap())
            .collect();
        assert!(positions.is_empty() || positions.len() == ids.len(), "an append was half written: {ids:?}");
        assert!(
            positions.windows(2).all(|pair| pair[1] == pair[0] + 1),
            "an append was split: {positions:?}"
        );
        sent_ids.extend(ids.iter().map(String::as_str));
    }
    assert!(by_id.keys().all(|id| sent_ids.contains(id)), "the log holds an event nobody sent");
}

/// The visit figures counted the slow, obvious way from the records.
fn naive_visit_figures(records: &[Value]) -> BTreeMap<&'static str, i64> {
    let visits: Vec<&Value> = records.iter().filter(|r| r["type"] == "VisitRecorded").collect();
    let of_kind = |kind: &str| visits.iter().filter(|r| r["data"]["visit_kind"] == kind).count() as i64;
    let visited: BTreeSet<&str> = visits.iter().map(|r| r["stream"].as_str().unwrap()).collect();
    BTreeMap::from([
        ("visits_home", of_kind("home")),
        ("visits_phone", of_kind("phone")),
        ("visits_total", visits.len() as i64),
        ("beneficiaries_visited", visited.len() as i64),
    ])
}

async fn crash_repeatedly_and_recover(url: &str, key: &Path) {
    let first = serve_with(aidledger_with_key(url, key));
    let admin = first.admin_token.clone().expect("a one-time admin token");
    let staff = run_ok(url, key, &["token", "create", "--role", "staff", "--name", "zhao.min"]);
    let staff = staff.lines().last().unwrap().to_owned();
    let mut sent = Sent::default();
    append_until_killed(first, &staff, &mut sent).await;
    for _ in 1..CRASHES {
        append_until_killed(serve_with(aidledger_with_key(url, key)), &staff, &mut sent).await;
    }

    let served = serve_with(aidledger_with_key(url, key));
    let records = all_records(&served.base, &admin).await;
    assert!(records.len() >= sent.acknowledged.len());
    assert_dense_and_chained(&records);
    assert_nothing_lost_and_nothing_half_written(&records, &sent);
    eprintln!(
        "{CRASHES} crashes: {} events acknowledged, {} recorded, from {} appends sent",
        sent.acknowledged.len(),
        records.len(),
        sent.appends.len()
    );

    let path = format!("/v1/reports/summary?from={}&to={}", PERIOD.0, PERIOD.1);
    let served_figures = read_caught_up(&served.base, &admin, &path).await["figures"].clone();
    for (name, value) in naive_visit_figures(&records) {
        assert_eq!(served_figures[name], json!(value), "{name}: {served_figures}");
    }
    drop(served);

    let verified = run_ok(url, key, &["verify"]);
    assert!(verified.contains(&format!("{} records verified", records.len())), "{verified}");
    run_ok(url, key, &["rebuild"]);
    let report = run_ok(url, key, &["report", "--from", PERIOD.0, "--to", PERIOD.1, "--format", "json"]);
    let rebuilt: Value = serde_json::from_str(&report).unwrap();
    assert_eq!(rebuilt["figures"], served_figures, "the read models caught up to what a rebuild gives");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sqlite_ledger_killed_mid_append_keeps_every_acknowledged_event_and_nothing_half_written() {
    let dir = tempfile::tempdir().unwrap();
    crash_repeatedly_and_recover(&sqlite_url(dir.path()), &key_path(dir.path())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_postgres_ledger_killed_mid_append_keeps_every_acknowledged_event_and_nothing_half_written() {
    let Some(database) = PostgresDatabase::from_environment().await else { return };
    let dir = tempfile::tempdir().unwrap();
    crash_repeatedly_and_recover(&database.url, &key_path(dir.path())).await;
}
