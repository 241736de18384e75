//! Every quantity a new event carries has a realistic upper bound, and no flood of events at those
//! bounds (nor totals past any bound, as a database flooded before the bounds existed holds) makes
//! an endpoint answer 5xx or a figure leave ±(2^53 − 1).

use aidledger_tests::data::*;
use aidledger_tests::{new_stream, TestApp, Who};
use reqwest::StatusCode;
use serde_json::{json, Value};

const SAFE_INTEGER_MAX: i64 = 9_007_199_254_740_991;
const AID_AMOUNT_MINOR_MAX: i64 = 100_000_000;
const FUND_BUDGET_MINOR_MAX: i64 = 1_000_000_000_000;
const ATTENDEES_MAX: i64 = 100_000;
const MATERIALS_COUNT_MAX: i64 = 1_000_000;
const GOODS_VALUE_MINOR_MAX: i64 = 1_000_000_000;
const WHOLE_TIME: &str = "from=2000-01-01&to=2100-01-01";

fn activity_at(attendees: i64, brochures: i64, books: i64, goods_value_minor: i64) -> Value {
    json!({"kind": "ceremony", "title": "重阳节敬老大会", "date": "2022-10-04", "attendees": attendees,
           "materials": {"brochures": brochures, "books": books, "goods_value_minor": goods_value_minor}})
}

fn fund_with_budget(budget_minor: i64) -> Value {
    json!({"name": "困难帮扶专项资金", "budget_minor": budget_minor, "currency": "CNY"})
}

#[track_caller]
fn assert_refused_at(answer: &aidledger_tests::Answer, pointer: &str) {
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.text);
    let pointers: Vec<&str> = answer.body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    assert!(pointers.contains(&pointer), "{pointer} not among {pointers:?}: {}", answer.text);
}

#[tokio::test]
async fn each_quantity_is_taken_at_its_bound_and_refused_past_it() {
    let app = TestApp::spawn().await;
    let (activity, _) = new_stream("activity");
    let at_bounds =
        activity_at(ATTENDEES_MAX, MATERIALS_COUNT_MAX, MATERIALS_COUNT_MAX, GOODS_VALUE_MINOR_MAX);
    let past = [
        ("/events/0/data/attendees", activity_at(ATTENDEES_MAX + 1, 0, 0, 0)),
        ("/events/0/data/materials/brochures", activity_at(1, MATERIALS_COUNT_MAX + 1, 0, 0)),
        ("/events/0/data/materials/books", activity_at(1, 0, MATERIALS_COUNT_MAX + 1, 0)),
        ("/events/0/data/materials/goods_value_minor", activity_at(1, 0, 0, GOODS_VALUE_MINOR_MAX + 1)),
    ];
    for (pointer, data) in past {
        assert_refused_at(&app.append_one(Who::Staff, &activity, "ActivityHeld", data).await, pointer);
    }
    app.must_append(Who::Staff, &activity, "ActivityHeld", at_bounds).await;

    let (fund, fund_id) = new_stream("fund");
    let too_big =
        app.append_one(Who::Staff, &fund, "FundOpened", fund_with_budget(FUND_BUDGET_MINOR_MAX + 1)).await;
    assert_refused_at(&too_big, "/events/0/data/budget_minor");
    app.must_append(Who::Staff, &fund, "FundOpened", fund_with_budget(FUND_BUDGET_MINOR_MAX)).await;
    let raise = json!({"delta_minor": 1, "reason": "追加预算"});
    let over = app.append_one(Who::Staff, &fund, "FundBudgetAdjusted", raise).await;
    assert_eq!(over.body["rule"], json!("budget_stays_within_range"), "{}", over.text);

    let (beneficiary, beneficiary_id) = new_stream("beneficiary");
    app.must_append(Who::Staff, &beneficiary, "BeneficiaryRegistered", beneficiary_registered("孙桂芝"))
        .await;
    let (disbursement, _) = new_stream("disbursement");
    let too_much = cash_requested(&beneficiary_id, &fund_id, AID_AMOUNT_MINOR_MAX + 1);
    let answer = app.append_one(Who::Staff, &disbursement, "DisbursementRequested", too_much).await;
    assert_refused_at(&answer, "/events/0/data/amount_minor");
    let mut in_kind = cash_requested(&beneficiary_id, &fund_id, 100_000_000);
    in_kind["form"] = json!("in_kind");
    in_kind["items"] = json!([{"name": "大米", "quantity": 10_001, "unit_value_minor": 10_000}]);
    let answer = app.append_one(Who::Staff, &disbursement, "DisbursementRequested", in_kind).await;
    assert_refused_at(&answer, "/events/0/data/items/0/quantity");
    app.must_append(
        Who::Staff,
        &disbursement,
        "DisbursementRequested",
        cash_requested(&beneficiary_id, &fund_id, AID_AMOUNT_MINOR_MAX),
    )
    .await;
}

/// Every read endpoint, each of which must answer 2xx.
async fn read_everything(app: &TestApp, fund_id: &str, disbursement_id: &str, beneficiary_id: &str) {
    let mut paths = vec![
        format!("/v1/reports/summary?{WHOLE_TIME}"),
        format!("/v1/reports/summary?{WHOLE_TIME}&format=csv"),
        format!("/v1/reports/summary?{WHOLE_TIME}&district=鼓楼区"),
        format!("/v1/reports/summary/trace?figure=cash_paid_minor&{WHOLE_TIME}"),
        format!("/v1/reports/summary/trace?figure=activity_attendees&{WHOLE_TIME}"),
        format!("/v1/funds/{fund_id}"),
        format!("/v1/audit/disbursements/{disbursement_id}"),
        format!("/v1/audit/beneficiaries/{beneficiary_id}"),
        "/v1/concerns?status=open".to_owned(),
        "/v1/pairings/overdue".to_owned(),
        "/v1/events?limit=1000".to_owned(),
        "/v1/verify".to_owned(),
        "/v1/projections".to_owned(),
    ];
    let tallies: [(&str, &[&str]); 5] = [
        ("visits", &["month", "district", "kind", "staff"]),
        ("disbursements", &["month", "district", "form", "fund", "status"]),
        ("volunteer-hours", &["month", "activity_kind", "status"]),
        ("suggestions", &["month", "topic", "status", "campaign"]),
        ("activities", &["month", "kind"]),
    ];
    for (tally, group_bys) in tallies {
        for group_by in group_bys {
            paths.push(format!("/v1/tallies/{tally}?group_by={group_by}&{WHOLE_TIME}"));
        }
    }
    for path in paths {
        let answer = app.get(Who::Admin, &path).await;
        assert!(answer.status.is_success(), "{path}: {} {}", answer.status, answer.text);
    }
}

#[tokio::test]
async fn a_flood_at_the_bounds_leaves_every_endpoint_answering_with_exact_figures() {
    let app = TestApp::spawn().await;
    let activities = 30;
    for _ in 0..activities {
        let (activity, _) = new_stream("activity");
        let data =
            activity_at(ATTENDEES_MAX, MATERIALS_COUNT_MAX, MATERIALS_COUNT_MAX, GOODS_VALUE_MINOR_MAX);
        app.must_append(Who::Staff, &activity, "ActivityHeld", data).await;
    }
    let (fund, fund_id) = new_stream("fund");
    app.must_append(Who::Staff, &fund, "FundOpened", fund_with_budget(FUND_BUDGET_MINOR_MAX)).await;
    let (beneficiary, beneficiary_id) = new_stream("beneficiary");
    app.must_append(Who::Staff, &beneficiary, "BeneficiaryRegistered", beneficiary_registered("孙桂芝"))
        .await;
    let payments = 20;
    let mut last = String::new();
    for _ in 0..payments {
        let (disbursement, disbursement_id) = new_stream("disbursement");
        let request = cash_requested(&beneficiary_id, &fund_id, AID_AMOUNT_MINOR_MAX);
        app.must_append(Who::Staff, &disbursement, "DisbursementRequested", request).await;
        app.must_append(Who::Supervisor, &disbursement, "DisbursementApproved", json!({})).await;
        app.must_append(Who::Staff, &disbursement, "DisbursementPaid", paid()).await;
        last = disbursement_id;
    }
    read_everything(&app, &fund_id, &last, &beneficiary_id).await;

    let figures =
        app.get(Who::Analyst, &format!("/v1/reports/summary?{WHOLE_TIME}")).await.body["figures"].clone();
    assert_eq!(figures["activity_attendees"], json!(activities * ATTENDEES_MAX));
    assert_eq!(figures["brochures"], json!(activities * MATERIALS_COUNT_MAX));
    assert_eq!(figures["cash_paid_minor"], json!(payments * AID_AMOUNT_MINOR_MAX));
    let balance = app.get(Who::Analyst, &format!("/v1/funds/{fund_id}")).await.body;
    assert_eq!(balance["remaining_minor"], json!(FUND_BUDGET_MINOR_MAX - payments * AID_AMOUNT_MINOR_MAX));
}

#[tokio::test]
async fn totals_past_every_bound_are_clamped_to_safe_integers_and_never_an_error() {
    // A database flooded before the bounds existed: per-day totals and fund balances far past
    // 2^53, whose plain sums overflow 64 bits.
    let app = TestApp::spawn().await;
    let (fund, fund_id) = new_stream("fund");
    app.must_append(Who::Staff, &fund, "FundOpened", fund_with_budget(1_000)).await;
    let (beneficiary, beneficiary_id) = new_stream("beneficiary");
    app.must_append(Who::Staff, &beneficiary, "BeneficiaryRegistered", beneficiary_registered("孙桂芝"))
        .await;
    let (disbursement, disbursement_id) = new_stream("disbursement");
    app.must_append(
        Who::Staff,
        &disbursement,
        "DisbursementRequested",
        cash_requested(&beneficiary_id, &fund_id, 500),
    )
    .await;
    // Every projection has caught up with the appends before the totals are altered.
    assert!(app.get(Who::Admin, &format!("/v1/funds/{fund_id}")).await.status.is_success());

    let pool = aidledger_server::db::Database::open(&app.database_url).await.unwrap().pool;
    let huge: i64 = 4_000_000_000_000_000_000;
    for (day, total) in
        [("2022-01-01", huge), ("2022-01-02", huge), ("2022-01-03", huge), ("2022-01-04", -huge)]
    {
        for figure in ["cash_paid_minor", "activity_attendees", "concerns_raised"] {
            sqlx::query(
                "INSERT INTO daily_totals (projection, figure, day, total) VALUES ('activities', $1, $2, $3)",
            )
            .bind(figure)
            .bind(day)
            .bind(total)
            .execute(&pool)
            .await
            .unwrap();
        }
    }
    sqlx::query(
        "UPDATE funds SET paid_minor = $1, requested_minor = $1, adjustments_minor = $1 WHERE fund_id = $2",
    )
    .bind(huge)
    .bind(fund_id.as_str())
    .execute(&pool)
    .await
    .unwrap();

    read_everything(&app, &fund_id, &disbursement_id, &beneficiary_id).await;
    let summary = app.get(Who::Analyst, &format!("/v1/reports/summary?{WHOLE_TIME}")).await;
    for (name, value) in summary.body["figures"].as_object().unwrap() {
        let values: Vec<i64> = match value {
            Value::Object(parts) => parts.values().map(|v| v.as_i64().unwrap()).collect(),
            other => vec![other.as_i64().unwrap_or_else(|| panic!("{name} is {other}"))],
        };
        assert!(values.iter().all(|v| v.abs() <= SAFE_INTEGER_MAX), "{name} = {value}");
    }
    assert_eq!(summary.body["figures"]["activity_attendees"], json!(SAFE_INTEGER_MAX));
    let balance = app.get(Who::Analyst, &format!("/v1/funds/{fund_id}")).await.body;
    for column in ["budget_minor", "paid_minor", "requested_minor", "remaining_minor"] {
        assert!(balance[column].as_i64().unwrap().abs() <= SAFE_INTEGER_MAX, "{column}: {balance}");
    }

    // And a projection adding to a total already past the bound keeps it within the bound.
    let (activity, _) = new_stream("activity");
    let mut data = activity_at(ATTENDEES_MAX, 0, 0, 0);
    data["date"] = json!("2022-01-01");
    app.must_append(Who::Staff, &activity, "ActivityHeld", data).await;
    let day = app.get(Who::Analyst, "/v1/reports/summary?from=2022-01-01&to=2022-01-02").await;
    assert_eq!(day.status, StatusCode::OK, "{}", day.text);
    assert!(day.body["figures"]["activity_attendees"].as_i64().unwrap() <= SAFE_INTEGER_MAX);
}
