//! Forgetting a beneficiary leaves no copy of their key: not in the database file, not in SQLite's
//! write-ahead log or its index, not in freed space; and with the master key nothing of theirs opens.

use std::collections::HashSet;

use aidledger_server::db::Database;
use aidledger_server::privacy::{master_key, Keyring};
use aidledger_tests::data::*;
use aidledger_tests::{new_stream, TestApp, Who};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::json;
use sqlx::AnyPool;

/// The shortest run of a key's bytes that counts as a copy of it.
const WINDOW_BYTES: usize = 16;

/// Subjects registered after the forgotten one: more keys than one database page holds.
const LATER_SUBJECTS: usize = 40;

/// The key as stored (base64 text), as raw bytes, and as hex.
fn encodings(wrapped: &str) -> Vec<Vec<u8>> {
    let raw = STANDARD.decode(wrapped).expect("a wrapped key is base64");
    vec![
        wrapped.as_bytes().to_vec(),
        hex::encode(&raw).into_bytes(),
        hex::encode_upper(&raw).into_bytes(),
        raw,
    ]
}

/// The files of the SQLite database `file` that hold a copy of any run of `encodings`.
fn files_holding(file: &std::path::Path, encodings: &[Vec<u8>]) -> Vec<String> {
    let runs: HashSet<&[u8]> = encodings.iter().flat_map(|encoded| encoded.windows(WINDOW_BYTES)).collect();
    let mut holding = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{}{suffix}", file.display());
        let Ok(bytes) = std::fs::read(&path) else { continue };
        if bytes.windows(WINDOW_BYTES).any(|window| runs.contains(window)) {
            holding.push(path);
        }
    }
    holding
}

async fn wrapped_key(pool: &AnyPool, subject: &str) -> Option<String> {
    let row: (Option<String>,) = sqlx::query_as("SELECT wrapped_key FROM subject_keys WHERE subject = $1")
        .bind(subject)
        .fetch_one(pool)
        .await
        .expect("the subject's key row");
    row.0
}

#[tokio::test]
async fn forgetting_leaves_no_byte_of_the_subjects_key_in_the_database_its_wal_or_freed_pages() {
    let app = TestApp::spawn().await;
    let (stream, id) = new_stream("beneficiary");
    app.must_append(Who::Staff, &stream, "BeneficiaryRegistered", beneficiary_registered("欧阳秀兰")).await;
    app.must_append(Who::Staff, &stream, "VisitRecorded", visit("zhao.min")).await;
    // Enough keys made after theirs that the keys' first page splits: SQLite copies its cells, theirs
    // among them, to a new page and keeps the old one as the tree's root.
    for _ in 0..LATER_SUBJECTS {
        let (later, _) = new_stream("beneficiary");
        app.must_append(Who::Staff, &later, "BeneficiaryRegistered", beneficiary_registered("司马建华"))
            .await;
    }
    let database = Database::open(&app.database_url).await.unwrap();
    let wrapped = wrapped_key(&database.pool, &stream).await.expect("a key before the forget");
    let encodings = encodings(&wrapped);
    let file = database.sqlite_file().await.unwrap();
    if let Some(file) = &file {
        assert!(!files_holding(file, &encodings).is_empty(), "the scan finds the key while it lives");
    }

    let path = format!("/v1/beneficiaries/{id}/forget");
    let body = json!({"reason": "本人依法申请删除个人信息"}).to_string().into_bytes();
    let forgotten = app.request(Method::POST, &path, Some(Who::Admin), Some(body)).await;
    assert_eq!(forgotten.status, StatusCode::CREATED, "{}", forgotten.text);

    if let Some(file) = &file {
        assert_eq!(files_holding(file, &encodings), Vec::<String>::new(), "no copy of the key is left");
    }
    assert_eq!(wrapped_key(&database.pool, &stream).await, None, "the key row says it was destroyed");
    let master = master_key::load_or_create(&app.database.dir().join("aidledger.master.key")).unwrap();
    let opened = Keyring::new(master).key_for_opening(&database.pool, &stream).await.unwrap();
    assert!(opened.is_none(), "with the master key, nothing of theirs opens");
    let trail = app.get(Who::Auditor, &format!("/v1/audit/beneficiaries/{id}")).await;
    assert_eq!(trail.status, StatusCode::OK, "{}", trail.text);
    assert_eq!(trail.body["records"][0]["erased"], json!(true), "{}", trail.text);
    for plain in ["欧阳秀兰", "138-0013-8000", "老人精神很好"] {
        assert!(!trail.text.contains(plain), "{plain} still opens");
    }
}
