//! Witnesses (C2SP `tlog-witness`, `tlog-cosignature`) and receipts (`tlog-proof`): two witnesses
//! on free ports, each over its own database, cosign every checkpoint the log submits;
//! `GET /v1/checkpoint`, a closed report's bundle and a record's receipt carry both cosignatures; a
//! witness refuses a forked log and every malformed or unauthorized submission with the spec's
//! status codes, lets one of two racing submissions win, and one that is down catches up once up.

use std::time::{Duration, Instant};

use aidledger_server::http::Limits;
use aidledger_server::signing::receipt::Receipt;
use aidledger_server::signing::{cosignature, Checkpoint, NoteSigner, NoteVerifier};
use aidledger_server::verify;
use aidledger_server::witness::request::AddCheckpoint;
use aidledger_tests::data::*;
use aidledger_tests::witness::{endpoint, free_listener, witness_key, TestWitness};
use aidledger_tests::{new_stream, TestApp, Who};
use domain::merkle::{leaf_hash, MemoryTree};
use domain::RecordHash;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// How long a cosignature may take to arrive (it takes well under a second).
const DEADLINE: Duration = Duration::from_secs(30);

/// Appends a beneficiary and `visits` visits.
async fn grow(app: &TestApp, visits: usize) {
    let (stream, _) = new_stream("beneficiary");
    app.must_append(Who::Staff, &stream, "BeneficiaryRegistered", beneficiary_registered("王桂兰")).await;
    for _ in 0..visits {
        app.must_append(Who::Staff, &stream, "VisitRecorded", visit("zhao.min")).await;
    }
}

/// The log's verifier key, as published.
async fn log_key(app: &TestApp) -> NoteVerifier {
    NoteVerifier::parse(&app.request(Method::GET, "/v1/checkpoint/key", None, None).await.text).unwrap()
}

/// Polls `GET /v1/checkpoint` until it covers the whole log and at least `required` of `witnesses`
/// cosigned it; answers the note.
async fn cosigned_checkpoint(app: &TestApp, witnesses: &[NoteVerifier], required: usize) -> String {
    let started = Instant::now();
    loop {
        let note = app.request(Method::GET, "/v1/checkpoint", None, None).await.text;
        let covers_all =
            Checkpoint::open(&note, &log_key(app).await).unwrap().tree_size == app.store.tree_size();
        if covers_all && cosignature::check_policy(&note, witnesses, required).is_ok() {
            return note;
        }
        assert!(
            started.elapsed() < DEADLINE,
            "no checkpoint cosigned by {required} witnesses in time: {note}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A log with two witnesses, both started.
async fn witnessed_log() -> (TestApp, TestWitness, TestWitness) {
    let (first_key, second_key) = (witness_key("witness.test/one"), witness_key("witness.test/two"));
    let (first_listener, second_listener) = (free_listener().await, free_listener().await);
    let endpoints = vec![
        endpoint(&first_key.verifier(), first_listener.local_addr().unwrap()),
        endpoint(&second_key.verifier(), second_listener.local_addr().unwrap()),
    ];
    let app = TestApp::spawn_witnessed(Limits::default(), endpoints).await;
    let log = log_key(&app).await;
    let first = TestWitness::start(first_key, first_listener, log.clone()).await;
    let second = TestWitness::start(second_key, second_listener, log).await;
    (app, first, second)
}

#[tokio::test]
async fn two_witnesses_cosign_every_checkpoint_and_the_log_serves_both_cosignatures() {
    let (app, first, second) = witnessed_log().await;
    let witnesses = [first.verifier.clone(), second.verifier.clone()];
    grow(&app, 3).await;
    let note = cosigned_checkpoint(&app, &witnesses, 2).await;
    let log = log_key(&app).await;
    let checkpoint = Checkpoint::open(&note, &log).expect("still the log's signed checkpoint");
    assert_eq!(checkpoint.tree_size, 4);
    assert_eq!(note.matches('\u{2014}').count(), 3, "the log's signature and two cosignatures: {note}");
    let cosigners = cosignature::check_policy(&note, &witnesses, 2).unwrap();
    let names: Vec<&str> = cosigners.iter().map(|c| c.witness.as_str()).collect();
    assert!(names.contains(&"witness.test/one") && names.contains(&"witness.test/two"), "{names:?}");
    let other = witness_key("witness.test/one");
    assert!(
        cosignature::check_policy(&note, &[other.verifier()], 1).is_err(),
        "a key of the same name is not it"
    );

    // The log grows: the witnesses cosign the larger tree, from the size each last cosigned.
    grow(&app, 5).await;
    let larger = cosigned_checkpoint(&app, &witnesses, 2).await;
    assert_eq!(Checkpoint::open(&larger, &log).unwrap().tree_size, 10);
    // Each checkpoint asked for by size still carries the cosignatures it got.
    let earlier = app.request(Method::GET, "/v1/checkpoint?tree_size=4", None, None).await.text;
    assert!(cosignature::check_policy(&earlier, &witnesses, 2).is_ok(), "{earlier}");

    // The kept cosignatures verify with the witnesses' keys, and not with another's.
    let database = aidledger_server::db::Database::open(&app.database_url).await.unwrap();
    let witnessed = verify::cosignatures::verify(&database.pool, &witnesses, 2).await.unwrap().unwrap();
    assert_eq!(witnessed.tree_size, 10);
    let wrong = [first.verifier.clone(), other.verifier()];
    assert!(verify::cosignatures::verify(&database.pool, &wrong, 2).await.unwrap().is_err());
}

#[tokio::test]
async fn a_receipt_is_a_tlog_proof_that_verifies_offline_and_a_closed_bundle_carries_the_cosignatures() {
    let (app, first, second) = witnessed_log().await;
    let witnesses = [first.verifier.clone(), second.verifier.clone()];
    grow(&app, 4).await;
    cosigned_checkpoint(&app, &witnesses, 2).await;
    let log = log_key(&app).await;
    for position in 1..=5 {
        let answer = app.get(Who::Auditor, &format!("/v1/proofs/receipt?position={position}")).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        assert!(answer.text.starts_with("c2sp.org/tlog-proof@v1\nindex "), "{}", answer.text);
        let record = app.get(Who::Auditor, &format!("/v1/events/{position}")).await.body;
        let hash = RecordHash::from_hex(record["hash"].as_str().unwrap()).unwrap();
        let receipt = Receipt::parse(&answer.text).unwrap();
        assert_eq!(receipt.index, position - 1);
        let verified =
            receipt.verify(&hash, std::slice::from_ref(&log), &witnesses, 2).expect("the receipt verifies");
        assert_eq!(verified.checkpoint.tree_size, 5);
        let another = app.get(Who::Auditor, &format!("/v1/events/{}", position % 5 + 1)).await.body;
        let another = RecordHash::from_hex(another["hash"].as_str().unwrap()).unwrap();
        assert!(
            receipt.verify(&another, std::slice::from_ref(&log), &witnesses, 2).is_err(),
            "another record's hash"
        );
    }
    for bad in ["position=0", "position=6", "position=x", "", "position=1&tree_size=2"] {
        let answer = app.get(Who::Auditor, &format!("/v1/proofs/receipt?{bad}")).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}: {}", answer.text);
        assert_eq!(answer.content_type, "application/problem+json", "{bad}");
    }
    assert_eq!(app.get(Who::Analyst, "/v1/proofs/receipt?position=1").await.status, StatusCode::FORBIDDEN);
    let anonymous = app.request(Method::GET, "/v1/proofs/receipt?position=1", None, None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

    // A closed report's bundle: its checkpoint carries the cosignatures once the witnesses gave them.
    let closed = app
        .request(
            Method::POST,
            "/v1/reports/close",
            Some(Who::Supervisor),
            Some(json!({"from": "2026-01-01", "to": "2027-01-01"}).to_string().into_bytes()),
        )
        .await;
    assert_eq!(closed.status, StatusCode::CREATED, "{}", closed.text);
    let id = closed.body["report_id"].as_str().unwrap().to_owned();
    cosigned_checkpoint(&app, &witnesses, 2).await;
    let bundle: Value = app.get(Who::Auditor, &format!("/v1/reports/{id}/bundle")).await.body;
    let note = bundle["checkpoint"].as_str().unwrap();
    Checkpoint::open(note, &log).unwrap();
    assert!(cosignature::check_policy(note, &witnesses, 2).is_ok(), "{note}");
}

#[tokio::test]
async fn a_witness_that_is_down_delays_only_its_own_cosignature_and_catches_up() {
    let up_key = witness_key("witness.test/up");
    let down_key = witness_key("witness.test/down");
    let up_listener = free_listener().await;
    let down_address = free_listener().await.local_addr().unwrap(); // closed again: nothing listens
    let endpoints = vec![
        endpoint(&up_key.verifier(), up_listener.local_addr().unwrap()),
        endpoint(&down_key.verifier(), down_address),
    ];
    let app = TestApp::spawn_witnessed(Limits::default(), endpoints).await;
    let log = log_key(&app).await;
    let (up_verifier, down_verifier) = (up_key.verifier(), down_key.verifier());
    let up = TestWitness::start(up_key, up_listener, log.clone()).await;
    grow(&app, 2).await;
    let note = cosigned_checkpoint(&app, std::slice::from_ref(&up_verifier), 1).await;
    assert!(cosignature::check_policy(&note, std::slice::from_ref(&down_verifier), 1).is_err());
    app.wait_for_checkpoint(3).await;

    // Up at last: it is given the checkpoint and cosigns, with no new append to wake the log.
    let listener = tokio::net::TcpListener::bind(down_address).await.unwrap();
    let down = TestWitness::start(down_key, listener, log.clone()).await;
    let both = [up_verifier.clone(), down_verifier.clone()];
    cosigned_checkpoint(&app, &both, 2).await;

    // Down again, the log goes on; up again over the same state, it cosigns the grown log.
    let stopped = down.stop().await;
    grow(&app, 3).await;
    let note = cosigned_checkpoint(&app, std::slice::from_ref(&up_verifier), 1).await;
    assert_eq!(Checkpoint::open(&note, &log).unwrap().tree_size, 7);
    let _down = stopped.restart().await;
    cosigned_checkpoint(&app, &both, 2).await;
    drop(up);
}

/// A log of our own for submitting straight to a witness: its key and a tree of `size` leaves.
fn own_log(seed: u8) -> NoteSigner {
    NoteSigner::from_seed("log.test/own", &[seed; 32]).unwrap()
}

fn tree_of(size: u64, salt: u8) -> MemoryTree {
    let leaves: Vec<RecordHash> = (0..size).map(|i| leaf_hash(&[salt, i as u8])).collect();
    MemoryTree::from_leaves(&leaves)
}

fn signed(log: &NoteSigner, tree: &MemoryTree) -> String {
    Checkpoint { origin: log.name().to_owned(), tree_size: tree.size(), root: tree.root() }.sign(log)
}

/// The submission of `tree`'s checkpoint with the consistency proof from `old` in it.
fn submission(log: &NoteSigner, tree: &MemoryTree, old: u64) -> String {
    let proof = if old == 0 || old == tree.size() {
        Vec::new()
    } else {
        domain::merkle::consistency_proof(tree, old, tree.size()).unwrap()
    };
    AddCheckpoint { old_size: old, proof, checkpoint: signed(log, tree) }.to_text()
}

async fn post(
    client: &reqwest::Client,
    witness: &TestWitness,
    body: impl Into<reqwest::Body>,
) -> (StatusCode, String, String) {
    let response = client.post(format!("{}/add-checkpoint", witness.url())).body(body).send().await.unwrap();
    let status = response.status();
    let content_type =
        response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, content_type, response.text().await.unwrap())
}

#[tokio::test]
async fn a_witness_refuses_forks_and_bad_submissions_with_the_specs_status_codes() {
    let log = own_log(1);
    let witness =
        TestWitness::start(witness_key("witness.test/strict"), free_listener().await, log.verifier()).await;
    let client = reqwest::Client::new();
    let tree3 = tree_of(3, 0);
    let tree5 = tree_of(5, 0);

    let (status, content_type, body) = post(&client, &witness, submission(&log, &tree3, 0)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let cosigned = format!("{}{body}", signed(&log, &tree3));
    assert!(
        cosignature::check_policy(&cosigned, std::slice::from_ref(&witness.verifier), 1).is_ok(),
        "{body}"
    );

    // The old size must be the one it cosigned: 409 with that size as text/x.tlog.size.
    let (status, content_type, body) = post(&client, &witness, submission(&log, &tree5, 0)).await;
    assert_eq!(
        (status, content_type.as_str(), body.as_str()),
        (StatusCode::CONFLICT, "text/x.tlog.size", "3\n")
    );
    // A fork: the same size with another root is a 409; growth inconsistent with it is a 422.
    let (status, _, body) = post(&client, &witness, submission(&log, &tree_of(3, 9), 3)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, content_type, body) = post(&client, &witness, submission(&log, &tree_of(5, 9), 3)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(content_type, "application/problem+json");
    let forged_proof =
        AddCheckpoint { old_size: 3, proof: vec![RecordHash([7; 32]); 3], checkpoint: signed(&log, &tree5) };
    assert_eq!(post(&client, &witness, forged_proof.to_text()).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    // The honest growth is cosigned; the same checkpoint again too (it is still the latest).
    assert_eq!(post(&client, &witness, submission(&log, &tree5, 3)).await.0, StatusCode::OK);
    assert_eq!(post(&client, &witness, submission(&log, &tree5, 5)).await.0, StatusCode::OK);

    // Unknown origin 404, a key it does not trust 403, an old size above the checkpoint's 400,
    // anything malformed 400.
    let stranger = NoteSigner::from_seed("log.test/stranger", &[2; 32]).unwrap();
    assert_eq!(post(&client, &witness, submission(&stranger, &tree5, 0)).await.0, StatusCode::NOT_FOUND);
    let impostor = own_log(3);
    assert_eq!(
        post(&client, &witness, submission(&impostor, &tree_of(6, 0), 5)).await.0,
        StatusCode::FORBIDDEN
    );
    let too_old = AddCheckpoint { old_size: 6, proof: Vec::new(), checkpoint: signed(&log, &tree5) };
    assert_eq!(post(&client, &witness, too_old.to_text()).await.0, StatusCode::BAD_REQUEST);
    let good = submission(&log, &tree_of(6, 0), 5);
    for bad in [
        String::new(),
        "old 5\n".into(),
        good.replacen("old 5", "old 05", 1),
        good.replacen("old 5", "old  5", 1),
        good.replacen("\n\n", "\nnot base64\n\n", 1),
        good.replace('\u{2014}', "-"),
        good.trim_end().to_owned(),
    ] {
        let (status, content_type, body) = post(&client, &witness, bad.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad:?}: {body}");
        assert_eq!(content_type, "application/problem+json", "{bad:?}");
    }
    assert_eq!(post(&client, &witness, vec![0xff, 0xfe]).await.0, StatusCode::BAD_REQUEST);
    let get = client.get(format!("{}/add-checkpoint", witness.url())).send().await.unwrap();
    assert_eq!(get.status(), StatusCode::METHOD_NOT_ALLOWED);
    // Nothing refused moved its state: it still stands at 5.
    let (status, _, body) = post(&client, &witness, submission(&log, &tree_of(6, 0), 0)).await;
    assert_eq!((status, body.as_str()), (StatusCode::CONFLICT, "5\n"));
}

#[tokio::test]
async fn of_racing_submissions_from_one_state_exactly_one_is_cosigned() {
    let log = own_log(4);
    let witness =
        TestWitness::start(witness_key("witness.test/race"), free_listener().await, log.verifier()).await;
    let client = reqwest::Client::new();
    assert_eq!(post(&client, &witness, submission(&log, &tree_of(4, 0), 0)).await.0, StatusCode::OK);
    let bodies: Vec<String> = (5..13).map(|size| submission(&log, &tree_of(size, 0), 4)).collect();
    let answers =
        futures_util::future::join_all(bodies.into_iter().map(|body| post(&client, &witness, body))).await;
    let won = answers.iter().filter(|(status, _, _)| *status == StatusCode::OK).count();
    assert_eq!(won, 1, "{answers:?}");
    assert!(answers
        .iter()
        .all(|(status, _, _)| *status == StatusCode::OK || *status == StatusCode::CONFLICT));
}
