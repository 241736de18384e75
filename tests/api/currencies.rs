//! Money figures add up only within one currency: a ledger that pays in two gives them per
//! currency, or in the one asked for, and never sums yuan with dollars.

use aidledger_tests::data::*;
use aidledger_tests::{new_stream, TestApp, Who};
use reqwest::StatusCode;
use serde_json::json;

const PERIOD: &str = "from=2022-01-01&to=2023-01-01";

/// Pays `amount_minor` in `currency` from a new fund, on 2022-06-01.
async fn pay(app: &TestApp, beneficiary_id: &str, currency: &str, amount_minor: i64) {
    app.pay_from_new_fund(beneficiary_id, currency, amount_minor, "2022-06-01T10:00:00+08:00").await;
}

#[tokio::test]
async fn a_ledger_in_two_currencies_gives_its_money_figures_per_currency() {
    let app = TestApp::spawn().await;
    let (beneficiary, beneficiary_id) = new_stream("beneficiary");
    app.must_append(Who::Staff, &beneficiary, "BeneficiaryRegistered", beneficiary_registered("林美华"))
        .await;
    pay(&app, &beneficiary_id, "CNY", 50_000).await;
    let one = app.get(Who::Analyst, &format!("/v1/reports/summary?{PERIOD}")).await.body;
    assert_eq!(one["figures"]["cash_paid_minor"], json!(50_000));
    assert!(one.get("by_currency").is_none(), "{one}");

    pay(&app, &beneficiary_id, "USD", 1_234).await;
    let two = app.get(Who::Analyst, &format!("/v1/reports/summary?{PERIOD}")).await.body;
    assert!(two["figures"].get("cash_paid_minor").is_none(), "no sum across currencies: {two}");
    assert_eq!(two["figures"]["disbursements_paid"], json!(2));
    assert_eq!(two["by_currency"]["CNY"]["cash_paid_minor"], json!(50_000));
    assert_eq!(two["by_currency"]["USD"]["cash_paid_minor"], json!(1_234));
    assert_eq!(two["by_currency"]["USD"]["in_kind_paid_minor"], json!(0));

    let dollars = app.get(Who::Analyst, &format!("/v1/reports/summary?{PERIOD}&currency=USD")).await.body;
    assert_eq!(dollars["figures"]["cash_paid_minor"], json!(1_234));
    assert_eq!(dollars["currency"], json!("USD"));

    let csv = app.get(Who::Analyst, &format!("/v1/reports/summary?{PERIOD}&format=csv")).await.text;
    assert!(csv.contains("cash_paid_minor.CNY,50000\r\n"), "{csv}");
    assert!(csv.contains("cash_paid_minor.USD,1234\r\n"), "{csv}");

    let bad = app.get(Who::Analyst, &format!("/v1/reports/summary?{PERIOD}&currency=usd")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text);
    assert_eq!(bad.content_type, "application/problem+json");
}
