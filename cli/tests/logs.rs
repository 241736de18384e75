//! The log: JSON lines when stderr is a file (or `--log-format json`), text when asked, never a
//! colour code in a file, and never a token or a personal field, whatever the requests carried.
//! The server runs as a real process with stderr to a file; the test greps that file.

mod common;

use std::fs::File;

use common::{aidledger_with_key, key_path, serve_logging_to, sqlite_url, terminate};
use serde_json::{json, Value};

/// The log filter the server runs with: more than the default, so that request spans are logged.
const VERBOSE: &str = "info,aidledger_server=debug,tower_http=debug";
/// A beneficiary's personal fields, none of which may reach the log.
const NAME: &str = "王秀英";
const PHONE: &str = "+86 139-1234-5678";

/// Requests that carry tokens (a good one, one a character off, a malformed header) and personal
/// fields (an append, a refused append, an audit trail that opens them).
async fn make_requests(base: &str, admin: &str) {
    let client = reqwest::Client::new();
    let id = uuid::Uuid::new_v4();
    let register = json!({"expected_version": 0, "events": [{"type": "BeneficiaryRegistered",
        "data": {"name": NAME, "phone": PHONE, "category": "retired_staff", "district": "鼓楼区", "party_member": false}}]});
    let url = format!("{base}/v1/streams/beneficiary-{id}/events");
    let answer = client.post(&url).bearer_auth(admin).json(&register).send().await.unwrap();
    assert_eq!(answer.status().as_u16(), 201);
    let refused = json!({"expected_version": 0, "events": [{"type": "BeneficiaryRegistered",
        "data": {"name": NAME, "phone": PHONE, "category": "retired_staff", "district": "鼓楼区", "party_member": false}}]});
    let answer = client.post(&url).bearer_auth(admin).json(&refused).send().await.unwrap();
    assert_eq!(answer.status().as_u16(), 409);
    let broken = json!({"events": [{"type": "BeneficiaryRegistered", "data": {"name": NAME, "phone": 12}}]});
    let answer = client.post(&url).bearer_auth(admin).json(&broken).send().await.unwrap();
    assert_eq!(answer.status().as_u16(), 422);
    let trail =
        client.get(format!("{base}/v1/audit/beneficiaries/{id}")).bearer_auth(admin).send().await.unwrap();
    assert_eq!(trail.status().as_u16(), 200);
    assert!(trail.text().await.unwrap().contains(NAME), "the audit trail opens the name");
    let off_by_one = format!("{}{}", &admin[..admin.len() - 1], if admin.ends_with('x') { 'y' } else { 'x' });
    for header in [format!("Bearer {off_by_one}"), format!("Token {admin}")] {
        let answer =
            client.get(format!("{base}/v1/events")).header("authorization", header).send().await.unwrap();
        assert_eq!(answer.status().as_u16(), 401);
    }
}

/// The log of a serve run with `options` (stderr to a file) through [`make_requests`], and the
/// admin token it was made with.
async fn log_of_a_run(options: &[&str]) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    let log_path = dir.path().join("serve.log");
    let mut command = aidledger_with_key(&url, &key_path(dir.path()));
    command.env("RUST_LOG", VERBOSE).env_remove("AIDLEDGER_LOG_FORMAT");
    let mut served = serve_logging_to(command, options, File::create(&log_path).unwrap());
    let admin = served.admin_token.clone().expect("a one-time admin token");
    make_requests(&served.base, &admin).await;
    assert_eq!(terminate(&mut served).await.code(), Some(0));
    (std::fs::read_to_string(&log_path).unwrap(), admin)
}

fn assert_holds_no_secret(log: &str, admin: &str) {
    assert!(!log.contains('\u{1b}'), "a colour code in a log file");
    let secret = admin.trim_start_matches("aidl_");
    for (what, text) in [
        ("the token", secret),
        ("the name", NAME),
        ("the phone number", PHONE),
        ("the phone digits", "1234-5678"),
    ] {
        assert!(!log.contains(text), "{what} is in the log:\n{log}");
    }
    assert!(log.contains("authentication failed"), "the refusals are logged:\n{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_to_a_file_is_json_lines_with_no_token_and_no_personal_field() {
    let (log, admin) = log_of_a_run(&[]).await;
    assert_holds_no_secret(&log, &admin);
    let lines: Vec<Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|error| panic!("not JSON ({error}): {line}")))
        .collect();
    assert!(lines.len() > 5, "{log}");
    for line in &lines {
        assert!(line["timestamp"].is_string() && line["level"].is_string(), "{line}");
    }
    assert!(lines
        .iter()
        .any(|line| line["message"] == "authentication failed" && line["path"] == "/v1/events"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_log_asked_for_is_text_without_colour_codes_and_without_secrets() {
    let (log, admin) = log_of_a_run(&["--log-format", "text"]).await;
    assert_holds_no_secret(&log, &admin);
    assert!(log.lines().all(|line| serde_json::from_str::<Value>(line).is_err()), "{log}");
}
