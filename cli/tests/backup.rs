//! Backups as an operator takes and restores them: `aidledger backup` copies a SQLite ledger while
//! `serve` keeps appending, the copy verifies and holds exactly the live log's first records, it
//! never overwrites a file, the README's restore procedure gives a ledger that verifies and goes on
//! from where the backup ends, and a PostgreSQL URL is pointed to PostgreSQL's own tools.

mod common;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use aidledger_server::db::Database;
use common::{aidledger, append, said, serve, sqlite_url};
use serde_json::{json, Value};
use tokio::sync::watch;

/// The rows `select` reads from the ledger at `url`.
async fn rows(url: &str, select: &str) -> Vec<(i64, String, String)> {
    let database = Database::open(url).await.unwrap();
    let rows = sqlx::query_as(select).fetch_all(&database.pool).await.unwrap();
    database.pool.close().await;
    rows
}

async fn records(url: &str) -> Vec<(i64, String, String)> {
    rows(url, "SELECT position, body, hash FROM events ORDER BY position").await
}

async fn checkpoints(url: &str) -> Vec<(i64, String, String)> {
    rows(url, "SELECT tree_size, root, note FROM checkpoints ORDER BY tree_size").await
}

fn visit() -> Value {
    json!({"events": [{"type": "VisitRecorded",
        "data": {"visit_kind": "home", "staff": "zhao.min", "duration_minutes": 30}}]})
}

/// Moves `file` and its WAL and shared-memory files aside, as the restore procedure says.
fn move_aside(file: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let from = format!("{}{suffix}", file.display());
        if Path::new(&from).exists() {
            std::fs::rename(&from, format!("{from}.before-restore")).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_appending_verifies_holds_the_logs_first_records_and_restores() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    let served = serve(&url);
    let admin = served.admin_token.clone().expect("a one-time admin token");
    let client = reqwest::Client::new();
    let stream = format!("beneficiary-{}", uuid::Uuid::new_v4());
    let registered = json!({"events": [{"type": "BeneficiaryRegistered",
        "data": {"name": "陈玉兰", "category": "family", "district": "晋安区", "party_member": false}}]});
    append(&client, &served.base, &admin, &stream, &registered).await;

    // One client appends on and on; the backup runs in the middle of it.
    let (acknowledged, mut watched) = watch::channel(1_usize);
    let stop = Arc::new(AtomicBool::new(false));
    let appender = {
        let (client, base, admin, stream, stop) =
            (client.clone(), served.base.clone(), admin.clone(), stream.clone(), stop.clone());
        tokio::spawn(async move {
            for count in 2..=5_000 {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                append(&client, &base, &admin, &stream, &visit()).await;
                acknowledged.send_replace(count);
            }
        })
    };
    watched.wait_for(|count| *count >= 50).await.unwrap();
    let backup_file = dir.path().join("backup.db");
    let output = {
        let mut command = aidledger(&url);
        command.args(["backup", "--out"]).arg(&backup_file);
        tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap()
    };
    let at_backup = *watched.borrow();
    watched.wait_for(|count| *count >= at_backup + 20).await.unwrap();
    stop.store(true, Ordering::SeqCst);
    appender.await.unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", said(&output));
    assert!(said(&output).contains("records verified"), "{}", said(&output));

    let backup_url = sqlite_url_of(&backup_file);
    let copied = records(&backup_url).await;
    let live = records(&url).await;
    assert!(copied.len() >= 50, "the backup holds what was acknowledged before it: {}", copied.len());
    assert!(copied.len() < live.len(), "the appends went on during the backup");
    assert_eq!(copied[..], live[..copied.len()], "the backup is the live log's first records, byte for byte");
    let copied_checkpoints = checkpoints(&backup_url).await;
    assert_eq!(copied_checkpoints[..], checkpoints(&url).await[..copied_checkpoints.len()]);

    let bytes = std::fs::read(&backup_file).unwrap();
    let again = aidledger(&url).args(["backup", "--out"]).arg(&backup_file).output().unwrap();
    assert_eq!(again.status.code(), Some(2), "{}", said(&again));
    assert!(said(&again).contains("never overwrites"), "{}", said(&again));
    assert_eq!(std::fs::read(&backup_file).unwrap(), bytes, "the existing file is untouched");

    // The README's restore procedure: stop the server, move the database (and its -wal and -shm)
    // aside, copy the backup into its place, verify, start.
    drop(served);
    let live_file = dir.path().join("ledger.db");
    move_aside(&live_file);
    std::fs::copy(&backup_file, &live_file).unwrap();
    let verified = aidledger(&url).arg("verify").output().unwrap();
    assert_eq!(verified.status.code(), Some(0), "{}", said(&verified));
    let restored = serve(&url);
    let appended = append(&client, &restored.base, &admin, &stream, &visit()).await;
    assert_eq!(appended["events"][0]["position"], json!(copied.len() + 1), "the log goes on from the backup");
    assert_eq!(records(&url).await[..copied.len()], copied[..]);
}

fn sqlite_url_of(file: &Path) -> String {
    format!("sqlite://{}", file.display())
}

#[test]
fn backup_points_a_postgresql_ledger_to_pg_dump_and_refuses_a_missing_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("backup.db");
    let postgres = aidledger("postgres://postgres@127.0.0.1:1/ledger")
        .args(["backup", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(postgres.status.code(), Some(2), "{}", said(&postgres));
    assert!(
        said(&postgres).contains("pg_dump") && said(&postgres).contains("pg_basebackup"),
        "{}",
        said(&postgres)
    );

    let missing = sqlite_url(&dir.path().join("nowhere"));
    let output = aidledger(&missing).args(["backup", "--out"]).arg(&out).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", said(&output));
    assert!(!out.exists(), "no backup file is left behind");
    assert!(!dir.path().join("nowhere/ledger.db").exists(), "no empty ledger is created to back up");
}
