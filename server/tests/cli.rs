//! The `aidledger` binary as an operator uses it: serve on a new database (printing a one-time admin
//! token), create tokens, verify (exit 0, 1 on a tampered row, 2 on other errors) and export.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

fn aidledger(database_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_aidledger"));
    command.env("DATABASE_URL", database_url).env("RUST_LOG", "warn");
    command
}

/// A running `aidledger serve`, killed on drop.
struct Served {
    child: Child,
    base: String,
    admin_token: Option<String>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(database_url: &str) -> Served {
    let mut child = aidledger(database_url)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start aidledger serve");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    let base = loop {
        let line = lines.next().expect("serve exited early").unwrap();
        if let Some(address) = line.strip_prefix("listening on ") {
            break address.to_owned();
        }
        printed.push(line);
    };
    let admin_token = printed.iter().find(|l| l.starts_with("aidl_")).cloned();
    Served { child, base, admin_token }
}

fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("ledger.db").display())
}

async fn append_visits(served: &Served, token: &str) {
    let client = reqwest::Client::new();
    let stream = format!("beneficiary-{}", uuid_like(1));
    let register = json!({"events": [{"type": "BeneficiaryRegistered",
        "data": {"name": "王建国", "category": "retired_staff", "district": "鼓楼区", "party_member": false}}]});
    let visit = json!({"events": [{"type": "VisitRecorded",
        "data": {"visit_kind": "phone", "staff": "zhao.min", "duration_minutes": 20, "summary": "电话问候"}}]});
    for body in [&register, &visit, &visit, &visit] {
        let response = client
            .post(format!("{}/v1/streams/{stream}/events", served.base))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 201, "{}", response.text().await.unwrap());
    }
}

fn uuid_like(n: u32) -> String {
    format!("0190a1b2-0000-7000-8000-{n:012}")
}

#[tokio::test]
async fn serve_prints_a_one_time_admin_token_and_token_create_prints_one_that_works() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    let served = serve(&url);

    let created =
        aidledger(&url).args(["token", "create", "--role", "staff", "--name", "zhao.min"]).output().unwrap();
    assert!(created.status.success());
    let stdout = String::from_utf8(created.stdout).unwrap();
    let staff_token = stdout.lines().last().unwrap().to_owned();
    append_visits(&served, &staff_token).await;

    let events: Value = reqwest::Client::new()
        .get(format!("{}/v1/events", served.base))
        .bearer_auth(served.admin_token.as_deref().expect("a one-time admin token"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(events["records"][0]["meta"]["actor"], json!("zhao.min"));
    assert_eq!(events["records"].as_array().unwrap().len(), 4);

    drop(served);
    let again = serve(&url);
    assert_eq!(again.admin_token, None, "the admin token is printed only while no token exists");
}

#[tokio::test]
async fn verify_exits_0_on_a_sound_chain_1_at_a_tampered_row_and_2_on_other_errors() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    let served = serve(&url);
    let admin_token = served.admin_token.clone().expect("a one-time admin token");
    append_visits(&served, &admin_token).await;
    drop(served);

    let sound = aidledger(&url).arg("verify").output().unwrap();
    assert_eq!(sound.status.code(), Some(0), "{}", String::from_utf8_lossy(&sound.stdout));

    let out = dir.path().join("ledger.jsonl");
    let export = aidledger(&url).args(["export", "--out"]).arg(&out).output().unwrap();
    assert!(export.status.success());
    let lines: Vec<Value> =
        std::fs::read_to_string(&out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[3]["prev_hash"], lines[2]["hash"]);

    let pool = aidledger_server::db::Database::open(&url).await.unwrap().pool;
    sqlx::query("DROP TRIGGER events_refuse_update").execute(&pool).await.unwrap();
    sqlx::query("UPDATE events SET body = replace(body, '电话问候', '上门慰问') WHERE position = 3")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    let tampered = aidledger(&url).arg("verify").output().unwrap();
    assert_eq!(tampered.status.code(), Some(1));
    let said = String::from_utf8(tampered.stdout).unwrap();
    assert!(said.contains("position 3"), "{said}");

    let unusable = aidledger("mysql://nowhere/x").arg("verify").output().unwrap();
    assert_eq!(unusable.status.code(), Some(2));
}
