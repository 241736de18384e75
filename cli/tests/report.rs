//! `aidledger report` prints money with its sign and its currency, and per currency when the ledger
//! pays in more than one.

mod common;

use common::{aidledger, append, serve, sqlite_url, Served};
use serde_json::{json, Value};

async fn post(served: &Served, token: &str, stream: &str, event_type: &str, data: Value, occurred_at: &str) {
    let body = json!({"events": [{"type": event_type, "data": data, "occurred_at": occurred_at}]});
    append(&reqwest::Client::new(), &served.base, token, stream, &body).await;
}

fn token(url: &str, role: &str, name: &str) -> String {
    let created = aidledger(url).args(["token", "create", "--role", role, "--name", name]).output().unwrap();
    assert!(created.status.success());
    String::from_utf8(created.stdout).unwrap().lines().last().unwrap().to_owned()
}

/// A payment of `amount_minor` in `currency` made in January 2022, reversed in February when
/// `reversed`.
async fn pay(
    served: &Served,
    tokens: (&str, &str),
    n: u32,
    currency: &str,
    amount_minor: i64,
    reversed: bool,
) {
    let (staff, supervisor) = tokens;
    let (fund_id, disbursement_id) = (format!("0190a1b2-0000-7000-8000-{n:012}"), uuid::Uuid::new_v4());
    let at = "2022-01-05T09:00:00+08:00";
    let fund = json!({"name": "专项资金", "budget_minor": 1_000_000, "currency": currency});
    post(served, staff, &format!("fund-{fund_id}"), "FundOpened", fund, at).await;
    let stream = format!("disbursement-{disbursement_id}");
    let request = json!({"beneficiary_id": "0190a1b2-0000-7000-8000-000000000001", "fund_id": fund_id,
        "form": "cash", "amount_minor": amount_minor, "currency": currency, "reason": "生活困难"});
    post(served, staff, &stream, "DisbursementRequested", request, at).await;
    post(served, supervisor, &stream, "DisbursementApproved", json!({}), at).await;
    let payment = json!({"method": "cash", "reference": "现金-01"});
    post(served, staff, &stream, "DisbursementPaid", payment, "2022-01-10T09:00:00+08:00").await;
    if reversed {
        let reversal = json!({"reason_code": "recorded_in_error"});
        post(served, staff, &stream, "DisbursementReversed", reversal, "2022-02-10T09:00:00+08:00").await;
    }
}

const BENEFICIARY: &str = "beneficiary-0190a1b2-0000-7000-8000-000000000001";

/// A ledger in `dir`, served, with a staff and a supervisor token and one beneficiary registered:
/// its URL, the server and the two tokens.
async fn registered_ledger(dir: &std::path::Path) -> (String, Served, String, String) {
    let url = sqlite_url(dir);
    let served = serve(&url);
    let (staff, supervisor) = (token(&url, "staff", "zhao.min"), token(&url, "supervisor", "qian.li"));
    let register =
        json!({"name": "王建国", "category": "retired_staff", "district": "鼓楼区", "party_member": false});
    post(&served, &staff, BENEFICIARY, "BeneficiaryRegistered", register, "2021-01-01T09:00:00+08:00").await;
    (url, served, staff, supervisor)
}

#[tokio::test]
async fn report_prints_a_reversal_as_a_negative_amount_in_each_currency() {
    let dir = tempfile::tempdir().unwrap();
    let (url, served, staff, supervisor) = registered_ledger(dir.path()).await;
    pay(&served, (&staff, &supervisor), 2, "CNY", 50, true).await;
    drop(served);

    let february = ["report", "--from", "2022-02-01", "--to", "2022-03-01"];
    let one = aidledger(&url).args(february).output().unwrap();
    let printed = String::from_utf8(one.stdout).unwrap();
    assert!(one.status.success(), "{printed}");
    let line = printed.lines().find(|l| l.trim_start().starts_with("cash_paid_minor")).unwrap();
    assert!(line.ends_with("-50  (-0.50 CNY)"), "{line}");

    let served = serve(&url);
    pay(&served, (&staff, &supervisor), 3, "USD", 1_234, true).await;
    drop(served);
    let two = aidledger(&url).args(february).output().unwrap();
    let printed = String::from_utf8(two.stdout).unwrap();
    assert!(printed.contains("(-0.50 CNY)"), "{printed}");
    assert!(printed.contains("(-12.34 USD)"), "{printed}");
    assert!(
        !printed.lines().any(|l| l.trim_start().starts_with("cash_paid_minor ")),
        "no sum across currencies: {printed}"
    );
}

/// `POST path` with `body` as `token`; answers the JSON answer, insisting on `status`.
async fn post_json(served: &Served, token: &str, path: &str, body: Value, status: u16) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", served.base))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), status);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_closed_report_is_recomputed_from_an_export_alone_and_equals_its_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let (url, served, staff, supervisor) = registered_ledger(dir.path()).await;
    let visit = json!({"visit_kind": "home", "staff": "赵敏", "duration_minutes": 30});
    post(&served, &staff, BENEFICIARY, "VisitRecorded", visit.clone(), "2022-03-01T09:00:00+08:00").await;
    pay(&served, (&staff, &supervisor), 2, "CNY", 80_000, false).await;
    let period = json!({"from": "2022-01-01", "to": "2023-01-01"});
    let bundle = post_json(&served, &supervisor, "/v1/reports/close", period, 201).await;
    // A late visit, dated in the closed year: the recomputation at the report's size leaves it out.
    post(&served, &staff, BENEFICIARY, "VisitRecorded", visit, "2022-06-01T09:00:00+08:00").await;
    drop(served);

    let out = dir.path().join("ledger.jsonl");
    let export = aidledger(&url).args(["export", "--out"]).arg(&out).output().unwrap();
    assert!(export.status.success());
    let tree_size = bundle["record"]["data"]["tree_size"].as_i64().unwrap().to_string();
    let recompute = |tree_size: &str, format: &str| {
        let mut command = aidledger("sqlite://unused.db");
        command.args(["report", "--from", "2022-01-01", "--to", "2023-01-01", "--format", format]);
        command.arg("--export").arg(&out).args(["--tree-size", tree_size]);
        command.current_dir(dir.path()).output().unwrap()
    };
    let text = recompute(&tree_size, "table");
    let printed = String::from_utf8(text.stdout).unwrap();
    assert_eq!(text.status.code(), Some(0), "{printed}{}", String::from_utf8_lossy(&text.stderr));
    assert!(printed.contains("ok: report"), "{printed}");
    let line = printed.lines().find(|l| l.trim_start().starts_with("visits_total")).unwrap();
    assert_eq!(line.split_whitespace().collect::<Vec<_>>(), ["visits_total", "1", "1"], "{printed}");
    assert!(!dir.path().join("unused.db").exists(), "no database is opened for an export");

    let json_answer = recompute(&tree_size, "json");
    assert_eq!(json_answer.status.code(), Some(0));
    let answer: Value = serde_json::from_slice(&json_answer.stdout).unwrap();
    assert_eq!(answer["matches"], json!(true));
    assert_eq!(answer["recomputed"]["figures"], bundle["record"]["data"]["figures"]);
    assert_eq!(answer["root_hash"], bundle["record"]["data"]["root_hash"]);

    // At another size no report closed the period: the figures alone, nothing to compare.
    let later = recompute(&(tree_size.parse::<i64>().unwrap() + 2).to_string(), "table");
    let printed = String::from_utf8(later.stdout).unwrap();
    assert_eq!(later.status.code(), Some(0), "{printed}");
    assert!(printed.contains("no report in the export closed this period"), "{printed}");
    assert!(printed.lines().any(|l| l.split_whitespace().collect::<Vec<_>>() == ["visits_total", "2", "-"]));

    // A record changed in the export breaks its chain: refused, naming the position.
    let records = std::fs::read_to_string(&out).unwrap();
    std::fs::write(&out, records.replacen("\"duration_minutes\":30", "\"duration_minutes\":31", 1)).unwrap();
    let tampered = recompute(&tree_size, "table");
    assert_eq!(tampered.status.code(), Some(2));
    let error = String::from_utf8(tampered.stderr).unwrap();
    assert!(error.contains("position 2"), "{error}");
}
