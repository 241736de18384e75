//! Tokens as an operator manages them: `token list` shows every token and never a secret or its
//! hash, `token revoke` (by id or by principal) stops a token at its next request, and the server's
//! log records every refused authentication without any part of the token that was tried.

mod common;

use common::{aidledger, said, serve, serve_logging_to, sqlite_url, Served};
use serde_json::Value;
use sha2::{Digest, Sha256};

#[track_caller]
fn run_ok(url: &str, args: &[&str]) -> String {
    let output = aidledger(url).args(args).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "aidledger {args:?}: {}", said(&output));
    String::from_utf8(output.stdout).unwrap()
}

fn create(url: &str, role: &str, name: &str) -> String {
    run_ok(url, &["token", "create", "--role", role, "--name", name]).lines().last().unwrap().to_owned()
}

/// The status of `GET /v1/events` with `token`.
async fn status_with(served: &Served, token: &str) -> u16 {
    reqwest::Client::new()
        .get(format!("{}/v1/events", served.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn listed(url: &str) -> Vec<Value> {
    let json: Value = serde_json::from_str(&run_ok(url, &["token", "list", "--format", "json"])).unwrap();
    json["tokens"].as_array().unwrap().clone()
}

fn id_of(tokens: &[Value], principal: &str) -> i64 {
    tokens.iter().find(|t| t["principal"] == principal).unwrap()["id"].as_i64().unwrap()
}

#[track_caller]
fn assert_reveals_none_of(text: &str, secrets: &[&str]) {
    for secret in secrets {
        let hex = secret.trim_start_matches("aidl_");
        let hash = hex::encode(Sha256::digest(secret.as_bytes()));
        assert!(!text.contains(hex), "a secret is shown: {text}");
        assert!(!text.contains(&hash), "a secret's hash is shown: {text}");
    }
}

#[tokio::test]
async fn token_list_shows_every_token_but_no_secret_and_a_revoked_token_stops_working_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    let served = serve(&url);
    let admin = served.admin_token.clone().expect("a one-time admin token");
    let staff = create(&url, "staff", "zhao.min");
    let auditor = create(&url, "auditor", "wu.shen");
    let other_auditor = create(&url, "auditor", "wu.shen");
    for token in [&staff, &auditor, &other_auditor] {
        // The server has seen each work, so it may answer them from memory.
        assert_eq!(status_with(&served, token).await, 200);
    }

    let table = run_ok(&url, &["token", "list"]);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 5, "a header and four tokens: {table}");
    assert!(lines[0].starts_with("id") && lines[0].ends_with("revoked_at"), "{table}");
    assert!(
        lines[2].contains("staff") && lines[2].contains("zhao.min") && lines[2].ends_with('-'),
        "{table}"
    );
    assert_reveals_none_of(&table, &[&admin, &staff, &auditor, &other_auditor]);
    let tokens = listed(&url);
    assert_reveals_none_of(&Value::Array(tokens.clone()).to_string(), &[&admin, &staff, &auditor]);
    assert!(tokens.iter().all(|t| t.get("revoked_at").is_none()));
    let keys: std::collections::BTreeSet<&str> =
        tokens[0].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["created_at", "id", "principal", "role"].into());

    let staff_id = id_of(&tokens, "zhao.min").to_string();
    let revoked = run_ok(&url, &["token", "revoke", "--id", &staff_id]);
    assert!(revoked.contains(&format!("revoked token {staff_id}")), "{revoked}");
    assert_eq!(status_with(&served, &staff).await, 401, "revoked, and refused at the very next request");
    let again = run_ok(&url, &["token", "revoke", "--id", &staff_id]);
    assert!(again.contains("already revoked"), "{again}");

    let by_principal = run_ok(&url, &["token", "revoke", "--principal", "wu.shen"]);
    assert_eq!(by_principal.lines().filter(|l| l.starts_with("revoked token")).count(), 2, "{by_principal}");
    assert_eq!(status_with(&served, &auditor).await, 401);
    assert_eq!(status_with(&served, &other_auditor).await, 401);
    assert_eq!(status_with(&served, &admin).await, 200, "other principals' tokens still work");
    let nothing_left = run_ok(&url, &["token", "revoke", "--principal", "wu.shen"]);
    assert!(nothing_left.contains("nothing was revoked"), "{nothing_left}");

    let tokens = listed(&url);
    let revoked_at: Vec<bool> = tokens.iter().map(|t| t.get("revoked_at").is_some()).collect();
    assert_eq!(revoked_at, [false, true, true, true]);

    for args in [
        &["token", "revoke", "--id", "999"][..],
        &["token", "revoke", "--principal", "nobody"],
        &["token", "revoke"],
    ] {
        let output = aidledger(&url).args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", said(&output));
    }
}

#[tokio::test]
async fn a_failed_authentication_is_logged_without_the_token_that_was_tried() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    let log_path = dir.path().join("serve.log");
    let log = std::fs::File::create(&log_path).unwrap();
    // The most verbose log there is: nothing at any level may carry a token.
    let mut command = aidledger(&url);
    command.env("RUST_LOG", "trace");
    let served = serve_logging_to(command, &[], log);
    let admin = served.admin_token.clone().expect("a one-time admin token");
    let revoked = create(&url, "staff", "zhao.min");
    run_ok(&url, &["token", "revoke", "--principal", "zhao.min"]);
    let made_up = format!("aidl_{}", "5e".repeat(32));
    let client = reqwest::Client::new();
    assert_eq!(status_with(&served, &admin).await, 200);
    let registered = serde_json::json!({"events": [{"type": "BeneficiaryRegistered",
        "data": {"name": "林淑珍", "category": "other", "district": "仓山区", "party_member": false}}]});
    let appended = client
        .post(format!("{}/v1/streams/beneficiary-{}/events", served.base, uuid::Uuid::new_v4()))
        .bearer_auth(&admin)
        .json(&registered)
        .send()
        .await
        .unwrap();
    assert_eq!(appended.status().as_u16(), 201);
    assert_eq!(status_with(&served, &revoked).await, 401);
    assert_eq!(status_with(&served, &made_up).await, 401);
    let malformed = client
        .get(format!("{}/v1/events", served.base))
        .header("authorization", "Token not-a-bearer-secret")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status().as_u16(), 401);
    let missing = client.get(format!("{}/v1/verify", served.base)).send().await.unwrap();
    assert_eq!(missing.status().as_u16(), 401);
    drop(served);

    let log = std::fs::read_to_string(&log_path).unwrap();
    let failures: Vec<&str> = log.lines().filter(|l| l.contains("authentication failed")).collect();
    assert_eq!(failures.len(), 4, "every refusal is logged: {failures:#?}");
    assert_eq!(
        failures.iter().filter(|l| l.contains("unknown or revoked token")).count(),
        2,
        "{failures:#?}"
    );
    assert!(failures.iter().any(|l| l.contains("/v1/verify") && l.contains("no Authorization header")));
    assert_reveals_none_of(&log, &[&admin, &revoked, &made_up]);
    assert!(!log.contains("not-a-bearer-secret"), "a malformed header is not logged either");
    assert!(!log.contains("林淑珍"), "nor is a personal field of what was appended");
}

#[tokio::test]
async fn token_create_stores_the_principal_normalized_and_refuses_a_name_with_invisible_characters() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    create(&url, "supervisor", "Ｗａｎｇ.Sup");
    create(&url, "staff", "王伟");
    let principals: Vec<Value> = listed(&url).iter().map(|t| t["principal"].clone()).collect();
    assert_eq!(principals, ["wang.sup", "王伟"]);
    for name in ["wang\u{200B}.sup", "wang sup", "\u{FEFF}"] {
        let output =
            aidledger(&url).args(["token", "create", "--role", "staff", "--name", name]).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{name:?}: {}", said(&output));
        assert!(said(&output).contains("a principal name is 1 to 64 letters or digits"), "{}", said(&output));
    }
    assert_eq!(listed(&url).len(), 2, "nothing else was created");
    let revoked = run_ok(&url, &["token", "revoke", "--principal", "WANG.SUP"]);
    assert_eq!(revoked.lines().filter(|l| l.starts_with("revoked token")).count(), 1, "{revoked}");
}
