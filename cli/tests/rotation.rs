//! Rotating the checkpoint signing key: `keygen --rotate` replaces the key, the log keeps every old
//! key's public half with the tree size it started at (`GET /v1/checkpoint/keys`), and after any
//! number of rotations every checkpoint still verifies with the key that signed it, and with no
//! other.

mod common;

use aidledger_server::signing::{Checkpoint, NoteVerifier};
use common::{aidledger, append, key_path, serve, sqlite_url, Served};
use serde_json::{json, Value};

const BENEFICIARY: &str = "0190a1b2-0000-7000-8000-000000000001";

/// Appends a visit (the registration first, on the first round) and answers the checkpoint that
/// covers it: the beneficiary's trail with proofs waits for one covering its last record.
async fn visit_and_checkpoint(served: &Served, token: &str, first: bool) -> String {
    let client = reqwest::Client::new();
    let register = json!({"events": [{"type": "BeneficiaryRegistered",
        "data": {"name": "李秀英", "category": "retired_staff", "district": "台江区", "party_member": true}}]});
    let visit = json!({"events": [{"type": "VisitRecorded",
        "data": {"visit_kind": "home", "staff": "zhao.min", "duration_minutes": 50}}]});
    let bodies = if first { vec![register, visit] } else { vec![visit] };
    for body in bodies {
        append(&client, &served.base, token, &format!("beneficiary-{BENEFICIARY}"), &body).await;
    }
    let trail: Value = client
        .get(format!("{}/v1/audit/beneficiaries/{BENEFICIARY}?proofs=true", served.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    trail["checkpoint"].as_str().unwrap_or_else(|| panic!("no checkpoint: {trail}")).to_owned()
}

fn stdout(output: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

#[tokio::test]
async fn after_two_rotations_every_checkpoint_verifies_with_the_key_that_signed_it() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    let created = aidledger(&url).args(["token", "create", "--role", "staff", "--name", "zhao.min"]).output();
    let created = created.unwrap();
    let token = String::from_utf8(created.stdout).unwrap().lines().last().unwrap().to_owned();

    let mut keys = Vec::new();
    let mut notes = Vec::new();
    for round in 0..3 {
        if round > 0 {
            let rotated = aidledger(&url).args(["keygen", "--rotate"]).output().unwrap();
            assert!(rotated.status.success(), "{}", stdout(&rotated));
            let printed = String::from_utf8(rotated.stdout).unwrap();
            assert_eq!(printed.lines().count(), 1, "only the new verifier key on stdout: {printed}");
        }
        let served = serve(&url);
        let key =
            reqwest::get(format!("{}/v1/checkpoint/key", served.base)).await.unwrap().text().await.unwrap();
        keys.push(NoteVerifier::parse(&key).unwrap());
        notes.push(visit_and_checkpoint(&served, &token, round == 0).await);
        if round == 2 {
            let listed: Value = reqwest::get(format!("{}/v1/checkpoint/keys", served.base))
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let listed = listed["keys"].as_array().unwrap().clone();
            let sizes: Vec<i64> = listed.iter().map(|k| k["tree_size"].as_i64().unwrap()).collect();
            assert_eq!(sizes, [0, 2, 3], "each key with the size it started at: {listed:?}");
            let texts: Vec<String> =
                listed.iter().map(|k| k["verifier_key"].as_str().unwrap().to_owned()).collect();
            assert_eq!(texts, keys.iter().map(|k| k.to_string()).collect::<Vec<_>>());
            let current: Vec<bool> = listed.iter().map(|k| k["current"].as_bool().unwrap()).collect();
            assert_eq!(current, [false, false, true]);
            assert!(!std::fs::read_to_string(key_path(dir.path())).unwrap().contains(&keys[0].to_string()));
        }
    }
    assert!(keys[0] != keys[1] && keys[1] != keys[2], "each rotation makes a new key");
    for (index, note) in notes.iter().enumerate() {
        for (other, key) in keys.iter().enumerate() {
            assert_eq!(
                Checkpoint::open(note, key).is_ok(),
                index == other,
                "checkpoint {index}, key {other}"
            );
        }
    }

    // The operator's check, with the key file: the log's record of its keys covers the old ones (the
    // empty log's checkpoint, signed on the first start, is the fourth).
    let verified = aidledger(&url).arg("verify").output().unwrap();
    assert_eq!(verified.status.code(), Some(0), "{}", stdout(&verified));
    assert!(stdout(&verified).contains("4 signed checkpoints verified"), "{}", stdout(&verified));
    // An auditor who trusts only the newest key cannot check the older checkpoints; with all three they verify.
    let newest = aidledger(&url).args(["verify", "--verifier-key", &keys[2].to_string()]).output().unwrap();
    assert_eq!(newest.status.code(), Some(1), "{}", stdout(&newest));
    assert!(stdout(&newest).contains("FAILED at the checkpoint of tree size 0"), "{}", stdout(&newest));
    let mut all = aidledger(&url);
    all.arg("verify");
    for key in &keys {
        all.args(["--verifier-key", &key.to_string()]);
    }
    let all = all.output().unwrap();
    assert_eq!(all.status.code(), Some(0), "{}", stdout(&all));
}
