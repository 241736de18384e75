//! The verifiable log as an auditor meets it: signed checkpoints (open without a token) that verify
//! with the published key and no other, every checkpoint kept, Merkle proofs served over HTTP that
//! verify with the RFC 9162 verifiers for every size, audit trails carrying proofs, and bad
//! parameters answered with problem+json.

use std::sync::Arc;

use aidledger_server::signing::{Checkpoint, NoteSigner, NoteVerifier};
use aidledger_tests::data::*;
use aidledger_tests::{new_stream, TestApp, Who};
use domain::merkle::{leaf_hash, root_of_leaves, verify_consistency, verify_inclusion};
use domain::RecordHash;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn hash(value: &Value) -> RecordHash {
    RecordHash::from_hex(value.as_str().expect("a hex hash")).expect("64 hex digits")
}

fn hashes(value: &Value) -> Vec<RecordHash> {
    value.as_array().expect("a list of hashes").iter().map(hash).collect()
}

/// The hashes of every record in the log, in position order.
async fn leaves(app: &TestApp) -> Vec<RecordHash> {
    app.all_records().await.iter().map(|record| hash(&record["hash"])).collect()
}

/// Appends a beneficiary and `visits` visits in batches of growing size; answers the log's size.
async fn grow_log(app: &TestApp, visits: usize) -> u64 {
    let (stream, _) = new_stream("beneficiary");
    app.must_append(Who::Staff, &stream, "BeneficiaryRegistered", beneficiary_registered("陈秀英")).await;
    let mut left = visits;
    let mut batch = 1;
    while left > 0 {
        let take = batch.min(left);
        let events: Vec<Value> =
            (0..take).map(|_| json!({"type": "VisitRecorded", "data": visit("zhao.min")})).collect();
        let answer = app.append(Who::Staff, &stream, &json!({ "events": events })).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
        left -= take;
        batch += 1;
    }
    visits as u64 + 1
}

/// The published verifier key, fetched without a token.
async fn published_key(app: &TestApp) -> NoteVerifier {
    let answer = app.request(Method::GET, "/v1/checkpoint/key", None, None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert!(answer.content_type.starts_with("text/plain"), "{}", answer.content_type);
    NoteVerifier::parse(&answer.text).expect("a note verifier key")
}

/// The signed note at `path`, fetched without a token.
async fn note(app: &TestApp, path: &str) -> String {
    let answer = app.request(Method::GET, path, None, None).await;
    assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.text);
    assert!(answer.content_type.starts_with("text/plain"), "{}", answer.content_type);
    answer.text
}

#[tokio::test]
async fn the_latest_checkpoint_verifies_with_the_published_key_and_fails_with_another() {
    let app = TestApp::spawn().await;
    let size = grow_log(&app, 9).await;
    app.wait_for_checkpoint(size).await;

    let key = published_key(&app).await;
    assert_eq!(key.name(), "aidledger.local/log");
    let signed = note(&app, "/v1/checkpoint").await;
    let checkpoint = Checkpoint::open(&signed, &key).expect("signed by the published key");
    assert_eq!(checkpoint.origin, "aidledger.local/log");
    assert_eq!(checkpoint.tree_size, size);
    assert_eq!(checkpoint.root, root_of_leaves(&leaves(&app).await));
    assert!(signed.starts_with(&format!("aidledger.local/log\n{size}\n")), "{signed}");
    assert!(signed.contains("\n\n\u{2014} aidledger.local/log "), "{signed}");

    let another = NoteSigner::generate("aidledger.local/log").unwrap().verifier();
    assert!(Checkpoint::open(&signed, &another).is_err(), "another key must not verify it");
    let altered = signed.replacen(&format!("\n{size}\n"), &format!("\n{}\n", size + 1), 1);
    assert!(Checkpoint::open(&altered, &key).is_err(), "an altered checkpoint must not verify");
}

#[tokio::test]
async fn every_checkpoint_is_kept_and_a_later_one_is_provably_consistent_with_an_earlier_one() {
    let app = TestApp::spawn().await;
    let key = published_key(&app).await;
    let first = grow_log(&app, 4).await;
    app.wait_for_checkpoint(first).await;
    let second = first + grow_log(&app, 20).await;
    app.wait_for_checkpoint(second).await;

    let earlier =
        Checkpoint::open(&note(&app, &format!("/v1/checkpoint?tree_size={first}")).await, &key).unwrap();
    let later = Checkpoint::open(&note(&app, "/v1/checkpoint").await, &key).unwrap();
    assert_eq!((earlier.tree_size, later.tree_size), (first, second));
    let kept =
        Checkpoint::open(&note(&app, &format!("/v1/checkpoint?tree_size={second}")).await, &key).unwrap();
    assert_eq!(kept, later);
    let empty = Checkpoint::open(&note(&app, "/v1/checkpoint?tree_size=0").await, &key).unwrap();
    assert_eq!(empty.root, root_of_leaves(&[]), "the empty log's checkpoint, signed on start, is kept too");

    let proof = app.get(Who::Auditor, &format!("/v1/proofs/consistency?first={first}&second={second}")).await;
    assert_eq!(proof.status, StatusCode::OK, "{}", proof.text);
    assert_eq!((proof.body["first"].as_u64(), proof.body["second"].as_u64()), (Some(first), Some(second)));
    let hashes = hashes(&proof.body["hashes"]);
    verify_consistency(first, second, &earlier.root, &later.root, &hashes)
        .expect("the later log extends the earlier");
    assert!(verify_consistency(first, second, &later.root, &later.root, &hashes).is_err());
}

#[tokio::test]
async fn a_tree_size_with_no_stored_checkpoint_is_404_problem_json() {
    let app = TestApp::spawn().await;
    let (stream, _) = new_stream("beneficiary");
    let events = json!({"events": [
        {"type": "BeneficiaryRegistered", "data": beneficiary_registered("赵桂兰")},
        {"type": "VisitRecorded", "data": visit("zhao.min")},
        {"type": "VisitRecorded", "data": visit("zhao.min")}]});
    assert_eq!(app.append(Who::Staff, &stream, &events).await.status, StatusCode::CREATED);
    app.wait_for_checkpoint(3).await;

    for size in [1, 2, 4, 1000] {
        let answer = app.request(Method::GET, &format!("/v1/checkpoint?tree_size={size}"), None, None).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "size {size}: {}", answer.text);
        assert_eq!(answer.content_type, "application/problem+json");
        assert_eq!(answer.body["status"], json!(404));
    }
    assert_eq!(
        app.request(Method::GET, "/v1/checkpoint?tree_size=3", None, None).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn inclusion_and_consistency_proofs_served_over_http_verify_for_every_size_of_a_37_record_log() {
    let app = TestApp::spawn().await;
    let size = grow_log(&app, 36).await;
    let leaves = leaves(&app).await;
    assert_eq!(leaves.len() as u64, size);
    let roots: Vec<RecordHash> = (0..=leaves.len()).map(|n| root_of_leaves(&leaves[..n])).collect();

    for tree_size in 1..=size {
        for position in 1..=tree_size {
            let path = format!("/v1/proofs/inclusion?position={position}&tree_size={tree_size}");
            let proof = app.get(Who::Auditor, &path).await;
            assert_eq!(proof.status, StatusCode::OK, "{path}: {}", proof.text);
            assert_eq!(proof.body["leaf_index"].as_u64(), Some(position - 1));
            assert_eq!(proof.body["tree_size"].as_u64(), Some(tree_size));
            let leaf = leaf_hash(&leaves[(position - 1) as usize].0);
            verify_inclusion(
                position - 1,
                tree_size,
                &leaf,
                &hashes(&proof.body["hashes"]),
                &roots[tree_size as usize],
            )
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        }
        for first in 1..=tree_size {
            let path = format!("/v1/proofs/consistency?first={first}&second={tree_size}");
            let proof = app.get(Who::Auditor, &path).await;
            assert_eq!(proof.status, StatusCode::OK, "{path}: {}", proof.text);
            let hashes = hashes(&proof.body["hashes"]);
            verify_consistency(first, tree_size, &roots[first as usize], &roots[tree_size as usize], &hashes)
                .unwrap_or_else(|e| panic!("{path}: {e}"));
        }
    }
}

#[tokio::test]
async fn bad_or_out_of_range_proof_and_checkpoint_parameters_are_400_problem_json() {
    let app = TestApp::spawn().await;
    let size = grow_log(&app, 4).await;
    assert_eq!(size, 5);
    for path in [
        "/v1/proofs/inclusion",
        "/v1/proofs/inclusion?position=1",
        "/v1/proofs/inclusion?tree_size=5",
        "/v1/proofs/inclusion?position=0&tree_size=5",
        "/v1/proofs/inclusion?position=-1&tree_size=5",
        "/v1/proofs/inclusion?position=x&tree_size=5",
        "/v1/proofs/inclusion?position=1.5&tree_size=5",
        "/v1/proofs/inclusion?position=3&tree_size=2",
        "/v1/proofs/inclusion?position=1&tree_size=6",
        "/v1/proofs/inclusion?position=1&tree_size=0",
        "/v1/proofs/inclusion?position=1&tree_size=99999999999999999999999",
        "/v1/proofs/inclusion?position=1&tree_size=5&extra=1",
        "/v1/proofs/consistency",
        "/v1/proofs/consistency?first=1",
        "/v1/proofs/consistency?second=5",
        "/v1/proofs/consistency?first=0&second=5",
        "/v1/proofs/consistency?first=4&second=3",
        "/v1/proofs/consistency?first=1&second=6",
        "/v1/proofs/consistency?first=a&second=5",
        "/v1/proofs/consistency?first=1&second=5&position=1",
        "/v1/checkpoint?tree_size=abc",
        "/v1/checkpoint?tree_size=-1",
        "/v1/checkpoint?size=1",
    ] {
        let answer = app.get(Who::Auditor, path).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{path}: {}", answer.text);
        assert_eq!(answer.content_type, "application/problem+json", "{path}");
        assert_eq!(answer.body["status"], json!(400), "{path}");
        assert!(answer.body["detail"].as_str().is_some_and(|d| !d.is_empty()), "{path}");
    }
}

#[tokio::test]
async fn proofs_need_a_token_and_a_role_other_than_analyst_while_checkpoints_and_the_key_are_open() {
    let app = TestApp::spawn().await;
    grow_log(&app, 1).await;
    for path in ["/v1/proofs/inclusion?position=1&tree_size=2", "/v1/proofs/consistency?first=1&second=2"] {
        assert_eq!(app.request(Method::GET, path, None, None).await.status, StatusCode::UNAUTHORIZED);
        let analyst = app.get(Who::Analyst, path).await;
        assert_eq!(analyst.status, StatusCode::FORBIDDEN, "{}", analyst.text);
        assert_eq!(analyst.content_type, "application/problem+json");
        for who in [Who::Staff, Who::Supervisor, Who::Auditor, Who::Admin] {
            assert_eq!(app.get(who, path).await.status, StatusCode::OK, "{who:?} {path}");
        }
    }
    for path in ["/v1/checkpoint", "/v1/checkpoint/key"] {
        assert_eq!(app.request(Method::GET, path, None, None).await.status, StatusCode::OK, "{path}");
        assert_eq!(app.get(Who::Analyst, path).await.status, StatusCode::OK, "{path}");
    }
}

#[tokio::test]
async fn an_audit_trail_with_proofs_proves_each_record_against_the_latest_checkpoint() {
    let app = TestApp::spawn().await;
    let (beneficiary, beneficiary_id) = new_stream("beneficiary");
    let (fund, fund_id) = new_stream("fund");
    let (disbursement, disbursement_id) = new_stream("disbursement");
    app.must_append(Who::Staff, &beneficiary, "BeneficiaryRegistered", beneficiary_registered("孙玉珍"))
        .await;
    app.must_append(Who::Admin, &fund, "FundOpened", fund_opened()).await;
    grow_log(&app, 5).await;
    app.must_append(
        Who::Staff,
        &disbursement,
        "DisbursementRequested",
        cash_requested(&beneficiary_id, &fund_id, 80_000),
    )
    .await;
    app.must_append(Who::Supervisor, &disbursement, "DisbursementApproved", json!({})).await;
    app.must_append(Who::Staff, &disbursement, "DisbursementPaid", paid()).await;
    app.must_append(Who::Staff, &beneficiary, "VisitRecorded", visit("zhao.min")).await;
    let key = published_key(&app).await;

    for (path, records) in [
        (format!("/v1/audit/disbursements/{disbursement_id}?proofs=true"), 3),
        (format!("/v1/audit/beneficiaries/{beneficiary_id}?proofs=true"), 2),
    ] {
        // No waiting here: the trail waits for a checkpoint that covers its records.
        let trail = app.get(Who::Auditor, &path).await;
        assert_eq!(trail.status, StatusCode::OK, "{path}: {}", trail.text);
        let checkpoint =
            Checkpoint::open(trail.body["checkpoint"].as_str().expect("the checkpoint"), &key).unwrap();
        let entries = trail.body["records"].as_array().unwrap();
        assert_eq!(entries.len(), records, "{path}");
        for entry in entries {
            let position = entry["position"].as_u64().unwrap();
            let proof = &entry["proof"];
            assert_eq!(proof["leaf_index"].as_u64(), Some(position - 1));
            assert_eq!(proof["tree_size"].as_u64(), Some(checkpoint.tree_size));
            assert_eq!(entry["record"]["hash"], entry["hash"]);
            let leaf = leaf_hash(&hash(&entry["hash"]).0);
            verify_inclusion(
                position - 1,
                checkpoint.tree_size,
                &leaf,
                &hashes(&proof["hashes"]),
                &checkpoint.root,
            )
            .unwrap_or_else(|e| panic!("{path}, position {position}: {e}"));
        }
    }

    let plain = app.get(Who::Auditor, &format!("/v1/audit/disbursements/{disbursement_id}")).await;
    assert!(plain.body.get("checkpoint").is_none() && plain.body["records"][0].get("proof").is_none());
    let csv = app
        .get(Who::Auditor, &format!("/v1/audit/disbursements/{disbursement_id}?proofs=true&format=csv"))
        .await;
    assert_eq!(csv.status, StatusCode::BAD_REQUEST, "{}", csv.text);
    assert_eq!(csv.content_type, "application/problem+json");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refused_appends_committed_in_the_same_groups_as_accepted_ones_leave_no_trace_in_the_tree() {
    let app = Arc::new(TestApp::spawn().await);
    let (stream, _) = new_stream("beneficiary");
    app.must_append(Who::Staff, &stream, "BeneficiaryRegistered", beneficiary_registered("李德明")).await;
    let mut clients = Vec::new();
    for client in 0..6 {
        let app = app.clone();
        let stream = stream.clone();
        clients.push(tokio::spawn(async move {
            for round in 0..15 {
                // Every other append breaks a rule (a second opening event) and is refused.
                let (event_type, data) = if (client + round) % 2 == 0 {
                    ("VisitRecorded", visit("zhao.min"))
                } else {
                    ("BeneficiaryRegistered", beneficiary_registered("重复登记"))
                };
                let answer = app.append_one(Who::Staff, &stream, event_type, data).await;
                let expected = if event_type == "VisitRecorded" {
                    StatusCode::CREATED
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                };
                assert_eq!(answer.status, expected, "{}", answer.text);
            }
        }));
    }
    for client in clients {
        client.await.unwrap();
    }
    let leaves = leaves(&app).await;
    let size = leaves.len() as u64;
    assert_eq!(size, 1 + 45);
    app.wait_for_checkpoint(size).await;
    let key = published_key(&app).await;
    let checkpoint = Checkpoint::open(&note(&app, "/v1/checkpoint").await, &key).unwrap();
    assert_eq!(checkpoint.tree_size, size);
    assert_eq!(checkpoint.root, root_of_leaves(&leaves));
    for position in [1, size / 2, size] {
        let proof = app
            .get(Who::Auditor, &format!("/v1/proofs/inclusion?position={position}&tree_size={size}"))
            .await;
        let leaf = leaf_hash(&leaves[(position - 1) as usize].0);
        verify_inclusion(position - 1, size, &leaf, &hashes(&proof.body["hashes"]), &checkpoint.root)
            .unwrap();
    }
    let verify = app.get(Who::Auditor, "/v1/verify").await;
    assert_eq!(verify.body["ok"], json!(true), "{}", verify.text);
}
