//! Closing a period: `POST /v1/reports/close` pins the summary to an exact prefix of the log as a
//! `ReportClosed` record, its bundle proves that record is in a signed checkpoint, and late events
//! (dated inside the period, recorded after it closed) show in the summary beside the closed figures.

use aidledger_server::signing::{Checkpoint, NoteVerifier};
use aidledger_tests::data::*;
use aidledger_tests::{new_stream, TestApp, Who};
use domain::merkle::{leaf_hash, root_of_leaves, verify_consistency, verify_inclusion};
use domain::RecordHash;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::Digest;

fn hash(value: &Value) -> RecordHash {
    RecordHash::from_hex(value.as_str().expect("a hex hash")).expect("64 hex digits")
}

async fn close(app: &TestApp, who: Who, body: Value) -> aidledger_tests::Answer {
    app.request(Method::POST, "/v1/reports/close", Some(who), Some(body.to_string().into_bytes())).await
}

/// A beneficiary with two home visits and a concern raised in 2026, and one visit in 2025.
async fn a_year_of_work(app: &TestApp) -> (String, String) {
    let (beneficiary, beneficiary_id) = new_stream("beneficiary");
    app.must_append(Who::Staff, &beneficiary, "BeneficiaryRegistered", beneficiary_registered("陈淑芬"))
        .await;
    for day in ["2026-03-02", "2026-07-15"] {
        app.must_append_on(
            Who::Staff,
            &beneficiary,
            "VisitRecorded",
            visit("李伟"),
            &format!("{day}T10:00:00+08:00"),
        )
        .await;
    }
    app.must_append_on(Who::Staff, &beneficiary, "VisitRecorded", visit("李伟"), "2025-12-30T10:00:00+08:00")
        .await;
    let concern = json!({"concern_id": "0190a1b2-0000-7000-8000-00000000c001", "category": "住房",
                         "summary": "屋顶漏雨，需要维修"});
    app.must_append_on(Who::Staff, &beneficiary, "ConcernRaised", concern, "2026-07-15T11:00:00+08:00").await;
    (beneficiary, beneficiary_id)
}

#[tokio::test]
async fn a_closed_period_pins_its_figures_to_the_log_and_its_bundle_proves_them() {
    let app = TestApp::spawn().await;
    a_year_of_work(&app).await;
    let head = app.all_records().await.len() as i64;

    let closed = close(&app, Who::Supervisor, json!({"from": "2026-01-01", "to": "2027-01-01"})).await;
    assert_eq!(closed.status, StatusCode::CREATED, "{}", closed.text);
    let bundle = closed.body;
    let record = &bundle["record"];
    assert_eq!(record["type"], json!("ReportClosed"));
    assert_eq!(record["position"], json!(head + 1));
    assert_eq!(record["stream"], json!(format!("report-{}", bundle["report_id"].as_str().unwrap())));
    assert_eq!(record["meta"]["actor"], json!(Who::Supervisor.principal()));
    let data = &record["data"];
    assert_eq!(data["tree_size"], json!(head), "the figures count every record before the report");
    assert_eq!(data["figures"]["visits_total"], json!(2));
    assert_eq!(data["figures"]["concerns_open"], json!(1));
    assert_eq!(data["figures"]["activities"]["lecture"], json!(0));
    let leaves: Vec<RecordHash> = app.all_records().await.iter().map(|r| hash(&r["hash"])).collect();
    assert_eq!(hash(&data["root_hash"]), root_of_leaves(&leaves[..head as usize]), "the root of the prefix");

    // The bundle: the record as served, a checkpoint by the log's key covering it, and its proof.
    let served = app.get(Who::Auditor, &format!("/v1/events/{}", head + 1)).await;
    assert_eq!(record, &served.body, "the record exactly as served elsewhere");
    let key = app.request(Method::GET, "/v1/checkpoint/key", None, None).await.text;
    assert_eq!(bundle["verifier_key"].as_str().unwrap(), key.trim_end());
    let verifier = NoteVerifier::parse(&key).unwrap();
    let checkpoint = Checkpoint::open(bundle["checkpoint"].as_str().unwrap(), &verifier).unwrap();
    let proof = &bundle["proof"];
    assert_eq!(proof["leaf_index"], json!(head));
    assert_eq!(proof["tree_size"], json!(checkpoint.tree_size));
    let path: Vec<RecordHash> = proof["hashes"].as_array().unwrap().iter().map(hash).collect();
    verify_inclusion(
        head as u64,
        checkpoint.tree_size,
        &leaf_hash(&hash(&record["hash"]).0),
        &path,
        &checkpoint.root,
    )
    .unwrap();

    // The report's root is the root of the checkpointed log's own prefix.
    let consistency = &bundle["consistency"];
    assert_eq!(
        (consistency["first"].as_i64(), consistency["second"].as_u64()),
        (Some(head), Some(checkpoint.tree_size))
    );
    let path: Vec<RecordHash> = consistency["hashes"].as_array().unwrap().iter().map(hash).collect();
    let pinned = hash(&data["root_hash"]);
    verify_consistency(head as u64, checkpoint.tree_size, &pinned, &checkpoint.root, &path).unwrap();
    let forged = root_of_leaves(&leaves[..head as usize - 1]);
    assert!(verify_consistency(head as u64, checkpoint.tree_size, &forged, &checkpoint.root, &path).is_err());

    let again =
        app.get(Who::Analyst, &format!("/v1/reports/{}/bundle", bundle["report_id"].as_str().unwrap())).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_eq!(again.body, bundle, "the bundle reads back the same, for every role");
}

/// Checks a bundle as an auditor would with nothing but the log's key: the record's hash from its
/// canonical JSON, the checkpoint's signature, the record's inclusion in it, and that the root the
/// report pins is the root of the checkpointed log's prefix of `tree_size` records.
fn verify_bundle(text: &[u8], key: &NoteVerifier) -> Result<(), String> {
    let bundle: Value = serde_json::from_slice(text).map_err(|e| e.to_string())?;
    let field = |value: &Value, name: &str| value.get(name).cloned().ok_or(format!("no {name}"));
    if field(&bundle, "verifier_key")? != json!(key.to_string()) {
        return Err("another key".into());
    }
    let checkpoint = Checkpoint::open(field(&bundle, "checkpoint")?.as_str().ok_or("no note")?, key)
        .map_err(|e| e.to_string())?;
    let record = field(&bundle, "record")?;
    let mut body = record.clone();
    let claimed = body.as_object_mut().and_then(|b| b.remove("hash")).ok_or("no hash")?;
    let canonical = domain::canonical::to_string(&body).map_err(|e| e.to_string())?;
    let recomputed = hex::encode(sha2::Sha256::digest(canonical.as_bytes()));
    if claimed != json!(recomputed) || record["type"] != json!("ReportClosed") {
        return Err("not the ReportClosed record it claims to be".into());
    }
    if record["stream"]
        != json!(format!("report-{}", field(&bundle, "report_id")?.as_str().unwrap_or_default()))
    {
        return Err("the report id is not the record's".into());
    }
    let hashes = |proof: &Value| -> Result<Vec<RecordHash>, String> {
        let list = proof.get("hashes").and_then(Value::as_array).ok_or("no hashes")?;
        list.iter().map(|h| RecordHash::from_hex(h.as_str().unwrap_or_default())).collect()
    };
    let (proof, consistency) = (field(&bundle, "proof")?, field(&bundle, "consistency")?);
    let position = record["position"].as_u64().ok_or("no position")?;
    let leaf = leaf_hash(&RecordHash::from_hex(claimed.as_str().unwrap_or_default())?.0);
    if proof["leaf_index"].as_u64() != Some(position - 1)
        || proof["tree_size"].as_u64() != Some(checkpoint.tree_size)
    {
        return Err("the proof is not for this record in this checkpoint".into());
    }
    verify_inclusion(position - 1, checkpoint.tree_size, &leaf, &hashes(&proof)?, &checkpoint.root)
        .map_err(|e| e.to_string())?;
    let first = record["data"]["tree_size"].as_u64().ok_or("no tree size")?;
    let pinned = RecordHash::from_hex(record["data"]["root_hash"].as_str().unwrap_or_default())?;
    if consistency["first"].as_u64() != Some(first)
        || consistency["second"].as_u64() != Some(checkpoint.tree_size)
    {
        return Err("the consistency proof is not from the report's tree".into());
    }
    verify_consistency(first, checkpoint.tree_size, &pinned, &checkpoint.root, &hashes(&consistency)?)
        .map_err(|e| e.to_string())
}

#[tokio::test]
async fn a_bundle_with_any_bit_flipped_fails_to_verify() {
    let app = TestApp::spawn().await;
    a_year_of_work(&app).await;
    let closed = close(&app, Who::Supervisor, json!({"from": "2026-01-01", "to": "2027-01-01"})).await;
    assert_eq!(closed.status, StatusCode::CREATED, "{}", closed.text);
    let key =
        NoteVerifier::parse(&app.request(Method::GET, "/v1/checkpoint/key", None, None).await.text).unwrap();
    let text = closed.text.as_bytes();
    verify_bundle(text, &key).unwrap();
    for index in 0..text.len() {
        let mut flipped = text.to_vec();
        flipped[index] ^= 1 << (index % 8);
        assert!(verify_bundle(&flipped, &key).is_err(), "a flip at byte {index} went unnoticed");
    }
}

#[tokio::test]
async fn late_events_show_beside_the_closed_figures_with_their_positions() {
    let app = TestApp::spawn().await;
    let (beneficiary, _) = a_year_of_work(&app).await;
    let closed = close(&app, Who::Supervisor, json!({"from": "2026-01-01", "to": "2027-01-01"})).await;
    assert_eq!(closed.status, StatusCode::CREATED, "{}", closed.text);
    let report_id = closed.body["report_id"].clone();
    let tree_size = closed.body["record"]["data"]["tree_size"].as_i64().unwrap();

    let summary = app.get(Who::Analyst, "/v1/reports/summary?from=2026-01-01&to=2027-01-01").await;
    assert_eq!(summary.body["closed"]["report_id"], report_id);
    assert_eq!(summary.body["late"], json!({}), "nothing late yet: {}", summary.text);

    // A visit dated in the closed year, and the concern resolved in it, both recorded afterwards.
    app.must_append_on(Who::Staff, &beneficiary, "VisitRecorded", visit("王芳"), "2026-11-20T09:00:00+08:00")
        .await;
    let resolved = json!({"concern_id": "0190a1b2-0000-7000-8000-00000000c001", "resolution": "已联系物业修好",
                          "on_site": false});
    app.must_append_on(Who::Staff, &beneficiary, "ConcernResolved", resolved, "2026-12-01T09:00:00+08:00")
        .await;
    let (late_visit, late_resolution) = (tree_size + 2, tree_size + 3);

    let summary = app.get(Who::Analyst, "/v1/reports/summary?from=2026-01-01&to=2027-01-01").await;
    assert_eq!(summary.status, StatusCode::OK, "{}", summary.text);
    let body = &summary.body;
    assert_eq!(body["figures"]["visits_total"], json!(3), "the current figures count the late visit");
    assert_eq!(body["closed"]["figures"]["visits_total"], json!(2), "the closed figures stay as reported");
    assert_eq!(body["closed"]["tree_size"], json!(tree_size));
    assert_eq!(body["late"]["visits_total"], json!({"delta": 1, "positions": [late_visit]}));
    assert_eq!(body["late"]["visits_home"], json!({"delta": 1, "positions": [late_visit]}));
    assert_eq!(body["late"]["concerns_open"], json!({"delta": -1, "positions": [late_resolution]}));
    assert_eq!(body["late"]["concerns_resolved_later"], json!({"delta": 1, "positions": [late_resolution]}));
    assert!(body["late"].get("visits_phone").is_none(), "unmoved figures are not late: {}", summary.text);

    // Another period (or a district) that was never closed has no closed report.
    let other = app.get(Who::Analyst, "/v1/reports/summary?from=2026-01-01&to=2026-07-01").await;
    assert!(other.body.get("closed").is_none() && other.body.get("late").is_none(), "{}", other.text);
    let district =
        app.get(Who::Analyst, "/v1/reports/summary?from=2026-01-01&to=2027-01-01&district=鼓楼区").await;
    assert!(district.body.get("closed").is_none(), "{}", district.text);
}

#[tokio::test]
async fn only_a_supervisor_closes_and_only_through_the_close_endpoint() {
    let app = TestApp::spawn().await;
    a_year_of_work(&app).await;
    for who in [Who::Staff, Who::Auditor, Who::Analyst, Who::Admin] {
        let answer = close(&app, who, json!({"from": "2026-01-01", "to": "2027-01-01"})).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{who:?}: {}", answer.text);
        assert_eq!(answer.content_type, "application/problem+json");
    }
    let (report, _) = new_stream("report");
    let forged = json!({"from": "2026-01-01", "to": "2027-01-01", "tree_size": 1, "root_hash": "00".repeat(32),
                        "figures": {"visits_total": 1000}});
    for who in [Who::Supervisor, Who::Admin] {
        let answer = app.append_one(who, &report, "ReportClosed", forged.clone()).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.text);
        assert!(answer.body["detail"].as_str().unwrap().contains("/v1/reports/close"), "{}", answer.text);
    }
}

#[tokio::test]
async fn bad_close_requests_and_unknown_reports_get_problems_naming_the_field() {
    let app = TestApp::spawn().await;
    for (body, pointer) in [
        (json!({"from": "2026-01-01"}), "/to"),
        (json!({"from": "2026-02-30", "to": "2027-01-01"}), "/from"),
        (json!({"from": "2027-01-01", "to": "2026-01-01"}), "/to"),
        (json!({"from": "2026-01-01", "to": "2027-01-01", "district": " "}), "/district"),
        (json!({"from": "2026-01-01", "to": "2027-01-01", "district": 7}), "/district"),
        (json!({"from": "2026-01-01", "to": "2027-01-01", "tree_size": 3}), "/tree_size"),
        (json!(["2026-01-01"]), ""),
    ] {
        let answer = close(&app, Who::Supervisor, body.clone()).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", answer.text);
        assert_eq!(answer.body["errors"][0]["pointer"], json!(pointer), "{body}: {}", answer.text);
    }
    let broken = app
        .request(Method::POST, "/v1/reports/close", Some(Who::Supervisor), Some(b"{\"from\":".to_vec()))
        .await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST, "{}", broken.text);
    for path in ["/v1/reports/0190a1b2-0000-7000-8000-000000000001/bundle", "/v1/reports/not-a-uuid/bundle"] {
        let answer = app.get(Who::Auditor, path).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}: {}", answer.text);
        assert_eq!(answer.content_type, "application/problem+json");
    }
    // A stream that exists but is not a report is no report either.
    let (beneficiary, beneficiary_id) = new_stream("beneficiary");
    app.must_append(Who::Staff, &beneficiary, "BeneficiaryRegistered", beneficiary_registered("赵敏")).await;
    let answer = app.get(Who::Auditor, &format!("/v1/reports/{beneficiary_id}/bundle")).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.text);
}
