//! `aidledger report` prints money with its sign and its currency, and per currency when the ledger
//! pays in more than one.

mod common;

use common::{aidledger, serve, sqlite_url, Served};
use serde_json::{json, Value};

async fn post(served: &Served, token: &str, stream: &str, event_type: &str, data: Value, occurred_at: &str) {
    let body = json!({"events": [{"type": event_type, "data": data, "occurred_at": occurred_at}]});
    let response = reqwest::Client::new()
        .post(format!("{}/v1/streams/{stream}/events", served.base))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201, "{}", response.text().await.unwrap());
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

#[tokio::test]
async fn report_prints_a_reversal_as_a_negative_amount_in_each_currency() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    let served = serve(&url);
    let (staff, supervisor) = (token(&url, "staff", "zhao.min"), token(&url, "supervisor", "qian.li"));
    let register =
        json!({"name": "王建国", "category": "retired_staff", "district": "鼓楼区", "party_member": false});
    let beneficiary = "beneficiary-0190a1b2-0000-7000-8000-000000000001";
    post(&served, &staff, beneficiary, "BeneficiaryRegistered", register, "2021-01-01T09:00:00+08:00").await;
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
