//! Several `aidledger serve` processes on one PostgreSQL database, and `copy` between backends. These
//! run when `AIDLEDGER_TEST_POSTGRES` names a PostgreSQL server (CI sets it); without it they pass
//! without doing anything.

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use aidledger_server::signing::{cosignature, NoteVerifier, SignatureType};
use aidledger_test_support::PostgresDatabase;
use common::witness::{witness_keygen, witness_serve};
use common::{
    aidledger, aidledger_with_key, key_path, read_caught_up, serve_logging_to, serve_with,
    serve_with_options, sqlite_url, Served,
};
use serde_json::{json, Value};
use sqlx::{Connection, Executor};

fn token(url: &str, key: &std::path::Path, role: &str, name: &str) -> String {
    let output = aidledger_with_key(url, key)
        .args(["token", "create", "--role", role, "--name", name])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().lines().last().unwrap().to_owned()
}

async fn append(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    stream: &str,
    body: &Value,
) -> reqwest::StatusCode {
    client
        .post(format!("{base}/v1/streams/{stream}/events"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
        .status()
}

fn registered(name: &str) -> Value {
    json!({"events": [{"type": "BeneficiaryRegistered",
        "data": {"name": name, "category": "retired_staff", "district": "鼓楼区", "party_member": false}}]})
}

fn visit() -> Value {
    json!({"events": [{"type": "VisitRecorded", "data": {"visit_kind": "home", "staff": "zhao.min", "duration_minutes": 30}}]})
}

async fn get(client: &reqwest::Client, base: &str, token: &str, path: &str) -> Value {
    client.get(format!("{base}{path}")).bearer_auth(token).send().await.unwrap().json().await.unwrap()
}

const CLIENTS: usize = 12;
const EVENTS_PER_CLIENT: usize = 250;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_servers_appending_at_once_leave_one_gap_free_verified_log() {
    let Some(database) = PostgresDatabase::from_environment().await else { return };
    let dir = tempfile::tempdir().unwrap();
    let key = key_path(dir.path());
    let first = serve_with(aidledger_with_key(&database.url, &key));
    let servers: Vec<Served> = vec![
        first,
        serve_with(aidledger_with_key(&database.url, &key)),
        serve_with(aidledger_with_key(&database.url, &key)),
    ];
    let staff = token(&database.url, &key, "staff", "zhao.min");
    let auditor = token(&database.url, &key, "auditor", "wu.shen");
    let bases: Arc<Vec<String>> = Arc::new(servers.iter().map(|s| s.base.clone()).collect());
    let client = reqwest::Client::new();

    // A reader follows the log while the writers append: every page it reads must continue exactly
    // where the last one ended.
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (client, bases, auditor, done) = (client.clone(), bases.clone(), auditor.clone(), done.clone());
        tokio::spawn(async move {
            let mut next = 1;
            let mut reads = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) || reads == 0 {
                let base = &bases[reads % bases.len()];
                let page =
                    get(&client, base, &auditor, &format!("/v1/events?from_position={next}&limit=1000"))
                        .await;
                for record in page["records"].as_array().unwrap() {
                    assert_eq!(record["position"].as_i64().unwrap(), next, "a reader saw a gap");
                    next += 1;
                }
                reads += 1;
                tokio::task::yield_now().await;
            }
            next - 1
        })
    };

    let started = Instant::now();
    let mut writers = Vec::new();
    for client_index in 0..CLIENTS {
        let (client, bases, staff) = (client.clone(), bases.clone(), staff.clone());
        writers.push(tokio::spawn(async move {
            let base = &bases[client_index % bases.len()];
            let stream = format!("beneficiary-{}", uuid::Uuid::new_v4());
            assert_eq!(
                append(&client, base, &staff, &stream, &registered(&format!("客户{client_index}"))).await,
                201
            );
            for _ in 1..EVENTS_PER_CLIENT {
                assert_eq!(append(&client, base, &staff, &stream, &visit()).await, 201);
            }
        }));
    }
    for writer in writers {
        writer.await.unwrap();
    }
    let total = (CLIENTS * EVENTS_PER_CLIENT) as i64;
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "3 servers, {CLIENTS} clients: {total} single-event appends in {seconds:.2} s ({:.0} events/s)",
        total as f64 / seconds
    );
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(reader.await.unwrap() <= total);

    let mut positions = BTreeSet::new();
    let mut previous_hash = "0".repeat(64);
    let mut from = 1;
    loop {
        let page =
            get(&client, &bases[0], &auditor, &format!("/v1/events?from_position={from}&limit=1000")).await;
        for record in page["records"].as_array().unwrap() {
            assert_eq!(record["prev_hash"].as_str().unwrap(), previous_hash, "one unforked chain");
            previous_hash = record["hash"].as_str().unwrap().to_owned();
            positions.insert(record["position"].as_i64().unwrap());
        }
        match page["next"].as_i64() {
            Some(next) => from = next,
            None => break,
        }
    }
    assert_eq!(positions, (1..=total).collect::<BTreeSet<_>>());
    drop(servers);
    let verify = aidledger_with_key(&database.url, &key).arg("verify").output().unwrap();
    assert_eq!(verify.status.code(), Some(0), "{}", String::from_utf8_lossy(&verify.stdout));
}

async fn leader_of(client: &reqwest::Client, servers: &[&Served], token: &str) -> Option<usize> {
    for (index, server) in servers.iter().enumerate() {
        if get(client, &server.base, token, "/v1/projections").await["leader"] == json!(true) {
            return Some(index);
        }
    }
    None
}

/// Sends `index` on `lead` each time `served`'s log says it took the projection lead, draining its
/// log (stderr, piped) to the end so that the server never blocks on writing it.
fn watch_for_the_lead(served: &mut Served, index: usize, lead: mpsc::Sender<usize>) {
    let log = served.child.stderr.take().expect("a piped log");
    std::thread::spawn(move || {
        for line in BufReader::new(log).lines().map_while(Result::ok) {
            if line.contains("this process now applies events to the projections") {
                let _ = lead.send(index);
            }
        }
    });
}

/// A server on `url` whose log says when it takes the projection lead.
fn serve_logging_the_lead(url: &str, key: &std::path::Path) -> Served {
    let mut command = aidledger_with_key(url, key);
    command.env("RUST_LOG", "warn,aidledger_server::projector=info");
    serve_logging_to(command, &[], Stdio::piped())
}

/// How long a test waits for a server's log to say it took the lead before it fails (a bound on a
/// hang, not a timing: the lead is taken within a second or two).
const LEAD_WAIT_MAX: std::time::Duration = std::time::Duration::from_secs(120);

#[tokio::test]
async fn when_the_projection_leader_dies_another_server_takes_over() {
    let Some(database) = PostgresDatabase::from_environment().await else { return };
    let dir = tempfile::tempdir().unwrap();
    let key = key_path(dir.path());
    let (lead, took_the_lead) = mpsc::channel();
    let mut first = serve_logging_the_lead(&database.url, &key);
    watch_for_the_lead(&mut first, 0, lead.clone());
    let mut second = serve_logging_the_lead(&database.url, &key);
    watch_for_the_lead(&mut second, 1, lead);
    let staff = token(&database.url, &key, "staff", "zhao.min");
    let client = reqwest::Client::new();

    let leader = took_the_lead.recv_timeout(LEAD_WAIT_MAX).expect("a server took the projection lead");
    assert_eq!(leader_of(&client, &[&first, &second], &staff).await, Some(leader));
    assert_eq!(
        leader_of(&client, &[&second, &first], &staff).await.map(|i| 1 - i),
        Some(leader),
        "exactly one leads"
    );
    let (mut dead, survivor) = if leader == 0 { (first, second) } else { (second, first) };
    dead.child.kill().unwrap();
    dead.child.wait().unwrap();

    let stream = format!("beneficiary-{}", uuid::Uuid::new_v4());
    assert_eq!(append(&client, &survivor.base, &staff, &stream, &registered("马秀兰")).await, 201);
    for _ in 0..3 {
        assert_eq!(append(&client, &survivor.base, &staff, &stream, &visit()).await, 201);
    }
    assert_eq!(took_the_lead.recv_timeout(LEAD_WAIT_MAX).expect("the survivor took the lead"), 1 - leader);
    let today = time::OffsetDateTime::now_utc().date();
    let path = format!(
        "/v1/reports/summary?from={}&to={}",
        today - time::Duration::days(1),
        today + time::Duration::days(2)
    );
    let summary = read_caught_up(&survivor.base, &staff, &path).await;
    assert_eq!(summary["figures"]["visits_home"], json!(3), "{summary}");
    let status = get(&client, &survivor.base, &staff, "/v1/projections").await;
    assert_eq!(status["leader"], json!(true), "{status}");
    assert!(status["projections"].as_array().unwrap().iter().all(|p| p["lag"] == json!(0)), "{status}");
}

fn export(url: &str, key: &std::path::Path, out: &std::path::Path) -> String {
    let output = aidledger_with_key(url, key)
        .args(["export", "--out"])
        .arg(out)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    std::fs::read_to_string(out).unwrap()
}

#[tokio::test]
async fn copy_moves_a_ledger_from_sqlite_to_postgresql_and_back_with_identical_hashes() {
    let Some(database) = PostgresDatabase::from_environment().await else { return };
    let dir = tempfile::tempdir().unwrap();
    let key = key_path(dir.path());
    let sqlite = sqlite_url(dir.path());
    assert!(aidledger_with_key(&sqlite, &key).arg("keygen").output().unwrap().status.success());
    let demo =
        aidledger_with_key(&sqlite, &key).args(["demo", "--events", "400", "--seed", "3"]).output().unwrap();
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
    let original = export(&sqlite, &key, &dir.path().join("original.jsonl"));
    assert_eq!(original.lines().count(), 400);

    let to_postgres =
        aidledger(&sqlite).args(["copy", "--from", &sqlite, "--to", &database.url]).output().unwrap();
    assert!(to_postgres.status.success(), "{}", String::from_utf8_lossy(&to_postgres.stderr));
    let back_dir = tempfile::tempdir().unwrap();
    let back = sqlite_url(back_dir.path());
    let to_sqlite =
        aidledger(&sqlite).args(["copy", "--from", &database.url, "--to", &back]).output().unwrap();
    assert!(to_sqlite.status.success(), "{}", String::from_utf8_lossy(&to_sqlite.stderr));

    assert_eq!(export(&database.url, &key, &dir.path().join("postgres.jsonl")), original);
    assert_eq!(export(&back, &key, &dir.path().join("back.jsonl")), original);
    for url in [&database.url, &back] {
        let verify = aidledger_with_key(url, &key).arg("verify").output().unwrap();
        assert_eq!(verify.status.code(), Some(0), "{}", String::from_utf8_lossy(&verify.stdout));
    }
    let again = aidledger(&sqlite).args(["copy", "--from", &sqlite, "--to", &database.url]).output().unwrap();
    assert_eq!(again.status.code(), Some(2), "a copy never writes into a ledger that has records");
}

#[tokio::test]
async fn the_least_privilege_role_serves_but_cannot_change_the_log() {
    let Some(database) = PostgresDatabase::from_environment().await else { return };
    let dir = tempfile::tempdir().unwrap();
    let key = key_path(dir.path());
    let migrate = aidledger_with_key(&database.url, &key).arg("migrate").output().unwrap();
    assert!(migrate.status.success(), "{}", String::from_utf8_lossy(&migrate.stderr));
    let role = format!("aidledger_server_{}", uuid::Uuid::new_v4().simple());
    let grants = include_str!("../../docs/postgres-server-role.sql").replace("aidledger_server", &role);
    let mut owner = sqlx::AnyConnection::connect(&database.url).await.unwrap();
    owner.execute(grants.as_str()).await.unwrap();
    let (scheme_and_user, host_and_database) = database.url.split_once('@').unwrap();
    let user = scheme_and_user.rsplit('/').next().unwrap();
    let as_role = database.url.replacen(&format!("{user}@"), &format!("{role}:change-me@"), 1);
    assert!(as_role.contains(host_and_database));

    // With a witness: the role may keep its cosignatures.
    let witness_key = dir.path().join("witness.key");
    let witness_vkey = witness_keygen(&witness_key, "witness.test/role");
    let log_vkey =
        String::from_utf8(aidledger_with_key(&database.url, &key).arg("keygen").output().unwrap().stdout)
            .unwrap()
            .trim()
            .to_owned();
    let witness = witness_serve(
        &format!("sqlite://{}", dir.path().join("witness.db").display()),
        &witness_key,
        &log_vkey,
    );
    let named = format!("witness.test/role={witness_vkey}@{}", witness.base);
    let served =
        serve_with_options(aidledger_with_key(&as_role, &key), &["--no-migrate", "--witness", &named]);
    let admin = served.admin_token.clone().expect("a one-time admin token");
    let client = reqwest::Client::new();
    let stream = format!("beneficiary-{}", uuid::Uuid::new_v4());
    assert_eq!(append(&client, &served.base, &admin, &stream, &registered("石桂英")).await, 201);
    assert_eq!(append(&client, &served.base, &admin, &stream, &visit()).await, 201);
    let today = time::OffsetDateTime::now_utc().date();
    let path = format!(
        "/v1/reports/summary?from={}&to={}",
        today - time::Duration::days(1),
        today + time::Duration::days(2)
    );
    assert_eq!(get(&client, &served.base, &admin, &path).await["figures"]["visits_home"], json!(1));
    let witness_verifier = NoteVerifier::parse_as(&witness_vkey, SignatureType::CosignatureV1).unwrap();
    let started = std::time::Instant::now();
    loop {
        let note =
            client.get(format!("{}/v1/checkpoint", served.base)).send().await.unwrap().text().await.unwrap();
        let size = note.split('\n').nth(1).unwrap_or_default().to_owned();
        let cosigned = cosignature::check_policy(&note, std::slice::from_ref(&witness_verifier), 1).is_ok();
        if size == "2" && cosigned {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no cosigned checkpoint of 2 records in time: {note}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    sqlx::any::install_default_drivers();
    let mut server_role = sqlx::AnyConnection::connect(&as_role).await.unwrap();
    for statement in
        ["UPDATE events SET body = body", "DELETE FROM events", "TRUNCATE events", "DROP TABLE events"]
    {
        let refused = server_role.execute(statement).await.unwrap_err().to_string();
        assert!(
            refused.contains("permission denied") || refused.contains("must be owner"),
            "{statement}: {refused}"
        );
    }
    server_role.close().await.unwrap();
    drop(served);
    owner.execute(format!("DROP OWNED BY {role}; DROP ROLE {role}").as_str()).await.unwrap();
}

/// The positions of the next `count` records of the feed `response`, in the order sent.
async fn feed_positions(response: &mut reqwest::Response, count: usize) -> Vec<i64> {
    let (mut buffer, mut positions) = (String::new(), Vec::with_capacity(count));
    while positions.len() < count {
        let chunk =
            tokio::time::timeout(Duration::from_secs(60), response.chunk()).await.expect("a record in time");
        buffer.push_str(std::str::from_utf8(&chunk.unwrap().expect("the feed goes on")).unwrap());
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            if let Some(id) = block.lines().find_map(|line| line.strip_prefix("id: ")) {
                positions.push(id.parse().unwrap());
            }
        }
    }
    positions
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_subscriber_of_one_server_is_sent_every_record_any_server_appends_once_in_order() {
    let Some(database) = PostgresDatabase::from_environment().await else { return };
    let dir = tempfile::tempdir().unwrap();
    let key = key_path(dir.path());
    let servers = [
        serve_with(aidledger_with_key(&database.url, &key)),
        serve_with(aidledger_with_key(&database.url, &key)),
    ];
    let staff = token(&database.url, &key, "staff", "zhao.min");
    let auditor = token(&database.url, &key, "auditor", "wu.shen");
    let client = reqwest::Client::new();
    let mut feed = client
        .get(format!("{}/v1/subscribe?from_position=1", servers[1].base))
        .bearer_auth(&auditor)
        .send()
        .await
        .unwrap();
    assert_eq!(feed.status(), 200);

    let (writers, events_each) = (4, 60);
    let mut tasks = Vec::new();
    for writer in 0..writers {
        let (client, base, staff) = (client.clone(), servers[writer % 2].base.clone(), staff.clone());
        tasks.push(tokio::spawn(async move {
            let stream = format!("beneficiary-{}", uuid::Uuid::new_v4());
            assert_eq!(
                append(&client, &base, &staff, &stream, &registered(&format!("订阅{writer}"))).await,
                201
            );
            for _ in 1..events_each {
                assert_eq!(append(&client, &base, &staff, &stream, &visit()).await, 201);
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let total = writers * events_each;
    let positions = feed_positions(&mut feed, total).await;
    assert_eq!(positions, (1..=total as i64).collect::<Vec<_>>());
}
