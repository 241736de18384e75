//! Witnesses as real processes: `aidledger witness keygen` makes two witness keys, two `aidledger
//! witness serve` processes (each over a database of its own) cosign what `aidledger serve
//! --witness …` submits, `aidledger verify --witness-key … --witnesses-required 2` passes with their
//! keys and fails with a wrong one, and the README's `audit.py` (Python 3 and `cryptography` only)
//! checks the cosigned checkpoint, a receipt and a closed report's bundle, and refuses them altered.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use aidledger_server::signing::{cosignature, Checkpoint, NoteVerifier, SignatureType};
use aidledger_test_support::TestDatabase;
use common::witness::{witness_keygen, witness_serve};
use common::{aidledger, aidledger_with_key, append, key_path, last_line, said, serve_with_options};
use serde_json::json;

async fn get_text(client: &reqwest::Client, url: &str, token: Option<&str>) -> String {
    let mut request = client.get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200, "{url}");
    response.text().await.unwrap()
}

/// Polls the log's checkpoint until it covers `size` records and both `witnesses` cosigned it.
async fn cosigned_checkpoint(
    base: &str,
    log: &NoteVerifier,
    witnesses: &[NoteVerifier],
    size: u64,
) -> String {
    let client = reqwest::Client::new();
    let started = Instant::now();
    loop {
        let note = get_text(&client, &format!("{base}/v1/checkpoint"), None).await;
        let covers = Checkpoint::open(&note, log).unwrap().tree_size >= size;
        if covers && cosignature::check_policy(&note, witnesses, witnesses.len()).is_ok() {
            return note;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "not cosigned in time: {note}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The README's auditor's script, as the README prints it.
fn audit_script() -> String {
    let readme = include_str!("../../README.md");
    let start = readme.find("Save this script as `audit.py`").expect("the script's introduction");
    let start = readme[start..].find("```python\n").expect("the script") + start + "```python\n".len();
    let end = readme[start..].find("\n```\n").expect("the script's end") + start;
    readme[start..=end].to_owned()
}

/// Whether `python3` with the `cryptography` package is at hand.
fn python_with_cryptography() -> bool {
    Command::new("python3").args(["-c", "import cryptography"]).output().is_ok_and(|o| o.status.success())
}

#[tokio::test]
async fn two_witness_processes_cosign_and_verify_and_the_readme_script_check_their_cosignatures() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = TestDatabase::create().await;
    let key = key_path(dir.path());
    let log_key = last_line(&aidledger_with_key(&ledger.url, &key).arg("keygen").output().unwrap());
    let log = NoteVerifier::parse(&log_key).unwrap();

    let names = ["witness.test/one", "witness.test/two"];
    let mut witness_keys = Vec::new();
    let mut processes = Vec::new();
    let mut databases = Vec::new();
    for name in names {
        let key_file = dir.path().join(format!("{}.key", name.replace('/', "-")));
        let vkey = witness_keygen(&key_file, name);
        assert!(vkey.starts_with(&format!("{name}+")), "{vkey}");
        let verifier = NoteVerifier::parse_as(&vkey, SignatureType::CosignatureV1).unwrap();
        let database = TestDatabase::create().await;
        processes.push(witness_serve(&database.url, &key_file, &log_key));
        databases.push(database);
        witness_keys.push((vkey, verifier));
    }
    let again = Command::new(env!("CARGO_BIN_EXE_aidledger"))
        .args(["witness", "keygen", "--key-file"])
        .arg(dir.path().join("witness.test-one.key"))
        .args(["--name", "witness.test/one"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2), "a witness key is never overwritten");
    let no_database = Command::new(env!("CARGO_BIN_EXE_aidledger"))
        .env_remove("DATABASE_URL")
        .args(["witness", "serve", "--key-file"])
        .arg(dir.path().join("witness.test-one.key"))
        .args(["--log", &format!("aidledger.local/log={log_key}")])
        .output()
        .unwrap();
    assert_eq!(no_database.status.code(), Some(2), "a witness never takes the log's default database");

    let mut options = Vec::new();
    for ((vkey, verifier), process) in witness_keys.iter().zip(&processes) {
        options.push("--witness".to_owned());
        options.push(format!("{}={vkey}@{}", verifier.name(), process.base));
    }
    let options: Vec<&str> = options.iter().map(String::as_str).collect();
    let served = serve_with_options(aidledger_with_key(&ledger.url, &key), &options);
    let admin = served.admin_token.clone().expect("a one-time admin token");
    let client = reqwest::Client::new();
    let beneficiary = "0190a1b2-0000-7000-8000-0000000000b1";
    let stream = format!("beneficiary-{beneficiary}");
    let register = json!({"events": [{"type": "BeneficiaryRegistered",
        "data": {"name": "林秀珍", "category": "retired_staff", "district": "鼓楼区", "party_member": false}}]});
    append(&client, &served.base, &admin, &stream, &register).await;
    let visit = json!({"events": [{"type": "VisitRecorded", "occurred_at": "2026-05-06T10:00:00+08:00",
        "data": {"visit_kind": "home", "staff": "zhao.min", "duration_minutes": 40}}]});
    append(&client, &served.base, &admin, &stream, &visit).await;
    append(&client, &served.base, &admin, &stream, &visit).await;
    let witnesses: Vec<NoteVerifier> = witness_keys.iter().map(|(_, verifier)| verifier.clone()).collect();
    cosigned_checkpoint(&served.base, &log, &witnesses, 3).await;
    let metrics = get_text(&client, &format!("{}/metrics", served.base), None).await;
    for name in names {
        let gauge = format!("aidledger_witness_cosignature_age_seconds{{witness=\"{name}\"}} ");
        assert!(metrics.lines().any(|line| line.starts_with(&gauge)), "no {gauge} in {metrics}");
    }

    // verify: both witnesses' keys, two required, pass; a wrong key in their place fails.
    let (first, second) = (&witness_keys[0].0, &witness_keys[1].0);
    let stranger = witness_keygen(&dir.path().join("stranger.key"), "witness.test/one");
    let verify = |keys: &[&str], required: &str| {
        let mut command = aidledger_with_key(&ledger.url, &key);
        command.arg("verify");
        for key in keys {
            command.args(["--witness-key", key]);
        }
        command.args(["--witnesses-required", required]).output().unwrap()
    };
    let passed = verify(&[first, second], "2");
    assert_eq!(passed.status.code(), Some(0), "{}", said(&passed));
    assert!(said(&passed).contains("cosigned by 2 of the given witnesses"), "{}", said(&passed));
    let wrong = verify(&[first, &stranger], "2");
    assert_eq!(wrong.status.code(), Some(1), "{}", said(&wrong));
    assert_eq!(verify(&[first, &stranger], "1").status.code(), Some(0), "one of them suffices then");
    assert_eq!(verify(&[first, second], "3").status.code(), Some(2), "more required than given");

    // An export's checkpoint carries the cosignatures, and verify --export checks them offline.
    let export = dir.path().join("ledger.jsonl");
    let exported =
        aidledger_with_key(&ledger.url, &key).arg("export").arg("--out").arg(&export).output().unwrap();
    assert!(exported.status.success(), "{}", said(&exported));
    let verify_export = |keys: &[&str]| {
        let mut command = aidledger(&ledger.url);
        command.arg("verify").arg("--export").arg(&export).args(["--verifier-key", &log_key]);
        for key in keys {
            command.args(["--witness-key", key]);
        }
        command.output().unwrap()
    };
    let passed = verify_export(&[first, second]);
    assert_eq!(passed.status.code(), Some(0), "{}", said(&passed));
    assert!(said(&passed).contains("cosigned by 2 of the given witnesses"), "{}", said(&passed));
    assert_eq!(verify_export(&[first, &stranger]).status.code(), Some(1));

    // A copy of the ledger keeps the cosignatures: verify passes on it with the same policy.
    let copied = format!("sqlite://{}", dir.path().join("copied.db").display());
    let copy =
        aidledger(&ledger.url).args(["copy", "--from", &ledger.url, "--to", &copied]).output().unwrap();
    assert!(copy.status.success(), "{}", said(&copy));
    let mut on_copy = aidledger_with_key(&copied, &key);
    on_copy.args(["verify", "--witness-key", first, "--witness-key", second]);
    let on_copy = on_copy.output().unwrap();
    assert_eq!(on_copy.status.code(), Some(0), "{}", said(&on_copy));

    if !python_with_cryptography() {
        eprintln!("skipping the README script: python3 with the cryptography package is not installed");
        return;
    }
    let audit = dir.path().join("audit.py");
    std::fs::write(&audit, audit_script()).unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write("key.txt", &get_text(&client, &format!("{}/v1/checkpoint/key", served.base), None).await);
    write("witnesses.txt", &format!("{first}\n{second}\n"));
    write("wrong-witnesses.txt", &format!("{first}\n{stranger}\n"));
    let supervisor = aidledger_with_key(&ledger.url, &key)
        .args(["token", "create", "--role", "supervisor", "--name", "qian.li"])
        .output()
        .unwrap();
    let supervisor = last_line(&supervisor);
    let closed = client
        .post(format!("{}/v1/reports/close", served.base))
        .bearer_auth(&supervisor)
        .json(&json!({"from": "2026-01-01", "to": "2027-01-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(closed.status().as_u16(), 201);
    let report_id =
        closed.json::<serde_json::Value>().await.unwrap()["report_id"].as_str().unwrap().to_owned();
    write("checkpoint.txt", &cosigned_checkpoint(&served.base, &log, &witnesses, 4).await);
    let bundle =
        get_text(&client, &format!("{}/v1/reports/{report_id}/bundle", served.base), Some(&admin)).await;
    write("bundle.json", &bundle);
    write("record.json", &get_text(&client, &format!("{}/v1/events/2", served.base), Some(&admin)).await);
    let receipt =
        get_text(&client, &format!("{}/v1/proofs/receipt?position=2", served.base), Some(&admin)).await;
    write("record-2.tlog-proof", &receipt);

    let run = |args: &[&str]| {
        Command::new("python3").arg(&audit).args(args).current_dir(dir.path()).output().unwrap()
    };
    for args in [
        &["cosigned", "key.txt", "checkpoint.txt", "2", "witnesses.txt"][..],
        &["receipt", "key.txt", "record-2.tlog-proof", "record.json", "2", "witnesses.txt"],
        &["bundle", "key.txt", "bundle.json", "2", "witnesses.txt"],
        &["bundle", "key.txt", "bundle.json"],
        &["checkpoint", "key.txt", "checkpoint.txt"],
    ] {
        let output = run(args);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {}", said(&output));
        assert!(String::from_utf8_lossy(&output.stdout).starts_with("ok: "), "{args:?}: {}", said(&output));
    }
    for args in [
        &["cosigned", "key.txt", "checkpoint.txt", "2", "wrong-witnesses.txt"][..],
        &["receipt", "key.txt", "record-2.tlog-proof", "record.json", "2", "wrong-witnesses.txt"],
        &["bundle", "key.txt", "bundle.json", "2", "wrong-witnesses.txt"],
    ] {
        let output = run(args);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {}", said(&output));
    }

    // Altered receipts are refused: a bit flipped in the index, in a proof hash, in the log's
    // signature, in a cosignature; a non-canonical base64 spelling; a line ending in "\r\n".
    let lines: Vec<&str> = receipt.split('\n').collect();
    let cosignature_line = lines.iter().rposition(|line| line.starts_with('\u{2014}')).unwrap();
    let flip = |line: usize, at: usize| {
        let mut altered: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
        let mut bytes = altered[line].clone().into_bytes();
        bytes[at] ^= 0x01;
        altered[line] = String::from_utf8(bytes).unwrap();
        altered.join("\n")
    };
    let non_canonical = {
        // The last base64 character of the first proof hash carries 2 unused bits: set one.
        let mut altered: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
        let hash = &mut altered[2];
        let last = hash.as_bytes()[hash.len() - 2];
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let value = alphabet.iter().position(|c| *c == last).unwrap();
        let replaced = alphabet[value ^ 1] as char;
        hash.replace_range(hash.len() - 2..hash.len() - 1, &replaced.to_string());
        altered.join("\n")
    };
    let crlf = receipt.replacen('\n', "\r\n", 1);
    for (what, altered) in [
        ("the index", flip(1, 6)),
        ("a proof hash", flip(2, 5)),
        ("the log's signature", flip(cosignature_line - 2, 30)),
        ("a cosignature", flip(cosignature_line, 40)),
        ("non-canonical base64", non_canonical),
        ("a CR before a newline", crlf),
    ] {
        write("altered.tlog-proof", &altered);
        let output = run(&["receipt", "key.txt", "altered.tlog-proof", "record.json", "2", "witnesses.txt"]);
        assert_ne!(output.status.code(), Some(0), "{what}: {}", said(&output));
    }
    drop(served);
    drop(processes);
    drop(databases);
    let _ = aidledger(&ledger.url);
}
