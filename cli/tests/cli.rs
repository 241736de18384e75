//! The `aidledger` binary as an operator uses it: serve on a new database (printing a one-time admin
//! token, creating the signing key), create tokens and keys, verify the database (exit 0, 1 on a
//! tampered row, tree node or checkpoint, 2 on other errors), export, and verify an export offline.

mod common;

use std::path::Path;

use common::{aidledger, append, key_path, serve, serve_logging_to, sqlite_url, Served};
use serde_json::{json, Value};

async fn append_visits(served: &Served, token: &str) {
    let client = reqwest::Client::new();
    let stream = format!("beneficiary-{}", uuid_like(1));
    let register = json!({"events": [{"type": "BeneficiaryRegistered",
        "data": {"name": "王建国", "category": "retired_staff", "district": "鼓楼区", "party_member": false}}]});
    let visit = json!({"events": [{"type": "VisitRecorded",
        "data": {"visit_kind": "phone", "staff": "zhao.min", "duration_minutes": 20, "summary": "电话问候"}}]});
    for body in [&register, &visit, &visit, &visit] {
        append(&client, &served.base, token, &stream, body).await;
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

    let admin_token = served.admin_token.as_deref().expect("a one-time admin token");
    let events = get_json(&served, admin_token, "/v1/events").await;
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
    sqlx::query("UPDATE events SET body = replace(body, '\"duration_minutes\":20', '\"duration_minutes\":200') WHERE position = 3")
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

/// The signed checkpoint that covers the four records of [`append_visits`]: the beneficiary's audit
/// trail with proofs waits, on the checkpointer's signal, for a checkpoint covering its last record,
/// and carries the latest one's note.
async fn checkpoint_of_the_visits(served: &Served, token: &str) -> String {
    let trail =
        get_json(served, token, &format!("/v1/audit/beneficiaries/{}?proofs=true", uuid_like(1))).await;
    let note = trail["checkpoint"].as_str().unwrap_or_else(|| panic!("no checkpoint: {trail}")).to_owned();
    assert_eq!(note.lines().nth(1), Some("4"), "no checkpoint of 4 records: {note}");
    note
}

/// `GET path` as `token`, its body as JSON.
async fn get_json(served: &Served, token: &str, path: &str) -> Value {
    let response =
        reqwest::Client::new().get(format!("{}{path}", served.base)).bearer_auth(token).send().await.unwrap();
    response.json().await.unwrap()
}

async fn verifier_key(served: &Served) -> String {
    reqwest::get(format!("{}/v1/checkpoint/key", served.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .trim()
        .to_owned()
}

fn stdout_of(output: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

#[test]
fn keygen_creates_an_owner_only_key_file_prints_its_verifier_key_and_never_overwrites_it() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    let created =
        aidledger(&url).args(["keygen", "--log-origin", "bureau.example/aidledger"]).output().unwrap();
    assert!(created.status.success(), "{}", stdout_of(&created));
    let verifier = String::from_utf8(created.stdout).unwrap().lines().last().unwrap().to_owned();
    assert!(verifier.starts_with("bureau.example/aidledger+"), "{verifier}");
    let key = std::fs::read_to_string(key_path(dir.path())).unwrap();
    assert!(key.starts_with("PRIVATE+KEY+bureau.example/aidledger+"), "the Go note private key encoding");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(key_path(dir.path())).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "owner-only");
    }

    let again = aidledger(&url).arg("keygen").output().unwrap();
    assert_eq!(again.status.code(), Some(2), "{}", stdout_of(&again));
    assert!(stdout_of(&again).contains("never overwritten"), "{}", stdout_of(&again));
    assert_eq!(std::fs::read_to_string(key_path(dir.path())).unwrap(), key);
    assert!(!dir.path().join("ledger.db").exists(), "keygen needs no database");
}

#[tokio::test]
async fn serve_creates_its_signing_key_on_first_start_and_keeps_using_it() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    assert!(!key_path(dir.path()).exists());
    let served = serve(&url);
    let published = verifier_key(&served).await;
    assert!(published.starts_with("aidledger.local/log+"), "{published}");
    let key = std::fs::read_to_string(key_path(dir.path())).unwrap();
    assert!(key.starts_with("PRIVATE+KEY+aidledger.local/log+"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(key_path(dir.path())).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "owner-only");
    }
    drop(served);

    let again = serve(&url);
    assert_eq!(verifier_key(&again).await, published);
    assert_eq!(std::fs::read_to_string(key_path(dir.path())).unwrap(), key);
}

#[tokio::test]
async fn verify_checks_every_checkpoint_and_the_stored_tree_and_names_what_was_tampered_with() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    let served = serve(&url);
    let admin_token = served.admin_token.clone().expect("a one-time admin token");
    append_visits(&served, &admin_token).await;
    checkpoint_of_the_visits(&served, &admin_token).await;
    drop(served);

    let sound = aidledger(&url).arg("verify").output().unwrap();
    assert_eq!(sound.status.code(), Some(0), "{}", stdout_of(&sound));
    assert!(stdout_of(&sound).contains("4 records verified"), "{}", stdout_of(&sound));

    let another_key = another_verifier_key();
    let wrong = aidledger(&url).args(["verify", "--verifier-key", &another_key]).output().unwrap();
    assert_eq!(wrong.status.code(), Some(1), "{}", stdout_of(&wrong));
    assert!(stdout_of(&wrong).contains("checkpoint of tree size 0"), "{}", stdout_of(&wrong));

    let no_key = aidledger(&url)
        .env("AIDLEDGER_KEY_FILE", dir.path().join("missing.key"))
        .arg("verify")
        .output()
        .unwrap();
    assert_eq!(no_key.status.code(), Some(2), "checkpoints are stored but nothing can check them");

    let pool = aidledger_server::db::Database::open(&url).await.unwrap().pool;
    sqlx::query("DROP TRIGGER checkpoints_refuse_update").execute(&pool).await.unwrap();
    sqlx::query("UPDATE checkpoints SET note = replace(note, 'aidledger.local/log' || char(10) || '4', 'aidledger.local/log' || char(10) || '3') WHERE tree_size = 4")
        .execute(&pool)
        .await
        .unwrap();
    let forged = aidledger(&url).arg("verify").output().unwrap();
    assert_eq!(forged.status.code(), Some(1), "{}", stdout_of(&forged));
    assert!(stdout_of(&forged).contains("FAILED at the checkpoint of tree size 4"), "{}", stdout_of(&forged));

    sqlx::query("DROP TRIGGER merkle_nodes_refuse_update").execute(&pool).await.unwrap();
    sqlx::query("UPDATE merkle_nodes SET hash = $1 WHERE level = 1 AND node_index = 1")
        .bind("00".repeat(32))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let rewritten = aidledger(&url).arg("verify").output().unwrap();
    assert_eq!(rewritten.status.code(), Some(1), "{}", stdout_of(&rewritten));
    assert!(stdout_of(&rewritten).contains("FAILED at position 3"), "{}", stdout_of(&rewritten));
}

/// The verifier key of a key nobody signs with, named like the log's.
fn another_verifier_key() -> String {
    aidledger_server::signing::NoteSigner::generate("aidledger.local/log").unwrap().verifier().to_string()
}

#[tokio::test]
async fn an_export_verifies_offline_with_no_database_and_one_altered_record_fails_at_that_record() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    let served = serve(&url);
    let admin_token = served.admin_token.clone().expect("a one-time admin token");
    append_visits(&served, &admin_token).await;
    let published = verifier_key(&served).await;
    let out = dir.path().join("ledger.jsonl");
    let export = aidledger(&url).args(["export", "--out"]).arg(&out).output().unwrap();
    assert!(export.status.success(), "{}", stdout_of(&export));
    let signed = checkpoint_of_the_visits(&served, &admin_token).await;
    drop(served);
    let checkpoint_file = dir.path().join("ledger.jsonl.checkpoint");
    assert_eq!(std::fs::read_to_string(&checkpoint_file).unwrap(), signed);
    let records = std::fs::read_to_string(&out).unwrap();
    assert_eq!(records.lines().count(), 4);

    // An auditor's machine: no database (and none may be created), no key file, only the published key.
    let elsewhere = tempfile::tempdir().unwrap();
    let no_database = sqlite_url(elsewhere.path());
    let offline = |file: &Path, key: &str| {
        aidledger(&no_database)
            .args(["verify", "--verifier-key", key, "--export"])
            .arg(file)
            .output()
            .unwrap()
    };
    let sound = offline(&out, &published);
    assert_eq!(sound.status.code(), Some(0), "{}", stdout_of(&sound));
    assert!(stdout_of(&sound).contains("4 records verified"), "{}", stdout_of(&sound));
    assert!(!elsewhere.path().join("ledger.db").exists(), "verify --export opens no database");

    let with_the_key_file = aidledger(&url).args(["verify", "--export"]).arg(&out).output().unwrap();
    assert_eq!(with_the_key_file.status.code(), Some(0), "{}", stdout_of(&with_the_key_file));

    let wrong_key = offline(&out, &another_verifier_key());
    assert_eq!(wrong_key.status.code(), Some(1), "{}", stdout_of(&wrong_key));
    assert!(stdout_of(&wrong_key).contains("checkpoint"), "{}", stdout_of(&wrong_key));

    let altered: Vec<String> = records
        .lines()
        .enumerate()
        .map(|(at, line)| {
            if at == 2 {
                line.replace("\"duration_minutes\":20", "\"duration_minutes\":200")
            } else {
                line.to_owned()
            }
        })
        .collect();
    assert_ne!(altered.join("\n") + "\n", records);
    let altered_file = dir.path().join("altered.jsonl");
    std::fs::write(&altered_file, altered.join("\n") + "\n").unwrap();
    std::fs::copy(&checkpoint_file, dir.path().join("altered.jsonl.checkpoint")).unwrap();
    let tampered = offline(&altered_file, &published);
    assert_eq!(tampered.status.code(), Some(1), "{}", stdout_of(&tampered));
    assert!(stdout_of(&tampered).contains("FAILED at position 3"), "{}", stdout_of(&tampered));

    let shortened = dir.path().join("short.jsonl");
    std::fs::write(&shortened, records.lines().take(3).collect::<Vec<_>>().join("\n") + "\n").unwrap();
    std::fs::copy(&checkpoint_file, dir.path().join("short.jsonl.checkpoint")).unwrap();
    let short = offline(&shortened, &published);
    assert_eq!(short.status.code(), Some(1), "a dropped record must not pass: {}", stdout_of(&short));
}

/// What `serve` logs as it starts on a SQLite ledger in `dir`, with the master key file `master_key`.
fn serve_log(dir: &Path, master_key: &Path) -> String {
    let log_path = dir.join("serve.log");
    let mut command = aidledger(&sqlite_url(dir));
    command.env("AIDLEDGER_MASTER_KEY_FILE", master_key);
    let served = serve_logging_to(command, &[], std::fs::File::create(&log_path).unwrap());
    drop(served);
    std::fs::read_to_string(log_path).unwrap()
}

#[test]
fn serve_warns_when_the_master_key_sits_beside_the_database_and_says_how_to_move_it() {
    let dir = tempfile::tempdir().unwrap();
    let beside = serve_log(dir.path(), &dir.path().join("aidledger.master.key"));
    assert!(beside.contains("the master key file is in the same directory as the database"), "{beside}");
    assert!(beside.contains("holds both the sealed personal fields and the key"), "{beside}");
    assert!(beside.contains("--master-key-file or AIDLEDGER_MASTER_KEY_FILE"), "{beside}");

    let elsewhere = tempfile::tempdir().unwrap();
    let apart = serve_log(dir.path(), &elsewhere.path().join("aidledger.master.key"));
    assert!(!apart.contains("master key file"), "{apart}");
}
