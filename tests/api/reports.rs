//! The summary report, its traces, tallies, ledgers, funds and audit trails over the hand-written
//! scenario, where every figure was worked out by hand.

use aidledger_tests::Who;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::scenario::{build, expected_2022, Scenario};

fn positions(scenario: &Scenario, labels: &[&str]) -> Vec<i64> {
    let mut positions: Vec<i64> = labels.iter().map(|l| scenario.positions[l]).collect();
    positions.sort_unstable();
    positions
}

fn figure<'a>(figures: &'a Value, name: &str) -> &'a Value {
    match name.split_once('.') {
        Some((group, part)) => &figures[group][part],
        None => &figures[name],
    }
}

#[tokio::test]
async fn every_summary_figure_and_its_trace_match_the_hand_worked_scenario() {
    let scenario = build().await;
    let app = &scenario.app;
    let summary = app.get(Who::Analyst, "/v1/reports/summary?from=2022-01-01&to=2023-01-01").await;
    assert_eq!(summary.status, StatusCode::OK, "{}", summary.text);
    assert_eq!(summary.body["from"], json!("2022-01-01"));
    assert_eq!(summary.body["to"], json!("2023-01-01"));
    let figures = &summary.body["figures"];
    for (name, value, labels) in expected_2022() {
        assert_eq!(figure(figures, name), &json!(value), "{name}");
        let trace = app
            .get(
                Who::Analyst,
                &format!("/v1/reports/summary/trace?figure={name}&from=2022-01-01&to=2023-01-01"),
            )
            .await;
        assert_eq!(trace.status, StatusCode::OK, "{name}: {}", trace.text);
        assert_eq!(trace.body["positions"], json!(positions(&scenario, &labels)), "trace of {name}");
    }
    let activity_labels = ["act_lecture", "act_ceremony", "act_training"];
    let trace = app
        .get(Who::Analyst, "/v1/reports/summary/trace?figure=activities&from=2022-01-01&to=2023-01-01")
        .await;
    assert_eq!(trace.body["positions"], json!(positions(&scenario, &activity_labels)));
    assert_eq!(figures.as_object().unwrap().len(), 21, "every figure of the design, no more: {figures}");
}

#[tokio::test]
async fn a_district_narrows_the_figures_about_beneficiaries() {
    let scenario = build().await;
    let answer = scenario
        .app
        .get(Who::Analyst, "/v1/reports/summary?from=2022-01-01&to=2023-01-01&district=鼓楼区")
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let figures = &answer.body["figures"];
    for (name, value) in [
        ("visits_home", 1),
        ("visits_phone", 2),
        ("visits_total", 3),
        ("beneficiaries_visited", 2),
        ("concerns_raised", 1),
        ("concerns_resolved_on_site", 1),
        ("concerns_resolved_later", 1),
        ("concerns_open", 0),
        ("hardship_cases", 1),
        ("disbursements_paid", 0),
        ("cash_paid_minor", 20_000),
        ("in_kind_paid_minor", 0),
        ("volunteer_entries", 2),
        ("suggestions_submitted", 2),
    ] {
        assert_eq!(figures[name], json!(value), "{name}");
    }
    let trace = scenario
        .app
        .get(
            Who::Analyst,
            "/v1/reports/summary/trace?figure=cash_paid_minor&from=2022-01-01&to=2023-01-01&district=鼓楼区",
        )
        .await;
    assert_eq!(trace.body["positions"], json!(positions(&scenario, &["d1_paid", "d3_reversed"])));
}

#[tokio::test]
async fn the_summary_answers_csv_with_activities_flattened() {
    let scenario = build().await;
    let csv =
        scenario.app.get(Who::Analyst, "/v1/reports/summary?from=2022-01-01&to=2023-01-01&format=csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.content_type.starts_with("text/csv"), "{}", csv.content_type);
    let lines: Vec<&str> = csv.text.lines().collect();
    assert_eq!(lines[0], "figure,value");
    assert!(lines.contains(&"visits_home,2"));
    assert!(lines.contains(&"cash_paid_minor,20000"));
    assert!(lines.contains(&"activities.lecture,1"));
    assert!(lines.contains(&"activities.study_tour,0"));
    assert_eq!(lines.len(), 1 + 20 + 6);

    let by_accept = scenario
        .app
        .client
        .get(format!("{}/v1/reports/summary?from=2022-01-01&to=2023-01-01", scenario.app.base))
        .bearer_auth(scenario.app.token(Who::Analyst))
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert!(by_accept.text().await.unwrap().starts_with("figure,value"));
}

#[tokio::test]
async fn tallies_group_by_each_dimension() {
    let scenario = build().await;
    let app = &scenario.app;
    let by_kind =
        app.get(Who::Analyst, "/v1/tallies/visits?group_by=kind&from=2022-01-01&to=2023-01-01").await;
    assert_eq!(by_kind.status, StatusCode::OK, "{}", by_kind.text);
    assert_eq!(
        by_kind.body["rows"],
        json!([{"kind": "home", "visits": 2, "minutes": 60}, {"kind": "hospital", "visits": 1, "minutes": 30},
               {"kind": "phone", "visits": 2, "minutes": 60}])
    );
    let by_district =
        app.get(Who::Analyst, "/v1/tallies/visits?group_by=district&from=2022-01-01&to=2023-01-01").await;
    assert_eq!(
        by_district.body["rows"],
        json!([{"district": "玄武区", "visits": 2, "minutes": 60}, {"district": "鼓楼区", "visits": 3, "minutes": 90}])
    );
    let by_status = app.get(Who::Analyst, "/v1/tallies/disbursements?group_by=status").await;
    assert_eq!(
        by_status.body["rows"],
        json!([{"status": "paid", "disbursements": 2, "amount_minor": 130_000},
               {"status": "rejected", "disbursements": 1, "amount_minor": 20_000},
               {"status": "reversed", "disbursements": 2, "amount_minor": 40_000}])
    );
    let hours = app.get(Who::Analyst, "/v1/tallies/volunteer-hours?group_by=status").await;
    assert_eq!(
        hours.body["rows"],
        json!([{"status": "logged", "entries": 1, "minutes": 45}, {"status": "verified", "entries": 1, "minutes": 120},
               {"status": "voided", "entries": 2, "minutes": 90}])
    );
    let activities =
        app.get(Who::Analyst, "/v1/tallies/activities?group_by=month&from=2022-01-01&to=2023-01-01").await;
    assert_eq!(activities.body["rows"].as_array().unwrap().len(), 3);
    let suggestions = app.get(Who::Analyst, "/v1/tallies/suggestions?group_by=status&format=csv").await;
    assert_eq!(suggestions.text, "status,suggestions\r\nadopted,1\r\ndeclined,1\r\nsubmitted,1\r\n");
}

#[tokio::test]
async fn fund_balances_follow_requests_approvals_payments_and_reversals() {
    let scenario = build().await;
    let fund = scenario.app.get(Who::Analyst, &format!("/v1/funds/{}", scenario.fund_id)).await;
    assert_eq!(fund.status, StatusCode::OK, "{}", fund.text);
    let expected = json!({"fund_id": scenario.fund_id, "name": "困难帮扶专项资金", "currency": "CNY", "year": 2022,
        "budget_minor": 10_000_000, "adjustments_minor": 0, "requested_minor": 190_000, "approved_minor": 170_000,
        "paid_minor": 170_000, "reversed_minor": 40_000, "remaining_minor": 9_870_000});
    assert_eq!(fund.body, expected);
    let unknown = scenario.app.get(Who::Analyst, &format!("/v1/funds/{}", uuid::Uuid::new_v4())).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_concern_ledger_lists_open_and_resolved_concerns() {
    let scenario = build().await;
    let open = scenario.app.get(Who::Staff, "/v1/concerns?status=open").await;
    assert_eq!(open.status, StatusCode::OK, "{}", open.text);
    let raised: Vec<i64> = open.body["concerns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["raised_position"].as_i64().unwrap())
        .collect();
    assert_eq!(raised, vec![scenario.positions["k3_raised"]]);
    let all = scenario.app.get(Who::Staff, "/v1/concerns").await;
    assert_eq!(all.body["concerns"].as_array().unwrap().len(), 4);
    let resolved = scenario.app.get(Who::Staff, "/v1/concerns?status=resolved&format=csv").await;
    assert!(resolved.text.starts_with("concern_id,beneficiary_id,district,category,raised_position"));
    assert_eq!(resolved.text.lines().count(), 4);
}

#[tokio::test]
async fn pairings_are_overdue_when_neither_call_nor_visit_came_in_time() {
    let scenario = build().await;
    let app = &scenario.app;
    let a = format!("beneficiary-{}", scenario.beneficiary_a);
    let pairing = json!({"staff": "zhao.min", "call_every_days": 30, "visit_every_days": 90});
    let body = json!({"events": [{"type": "PairingAssigned", "data": pairing, "occurred_at": "2023-01-01T09:00:00+08:00"}]});
    assert_eq!(app.append(Who::Staff, &a, &body).await.status, StatusCode::CREATED);

    let on_time = app.get(Who::Staff, "/v1/pairings/overdue?as_of=2023-01-20").await;
    assert_eq!(on_time.body["pairings"], json!([]), "{}", on_time.text);
    let late_call = app.get(Who::Staff, "/v1/pairings/overdue?as_of=2023-02-15").await;
    let rows = late_call.body["pairings"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{}", late_call.text);
    assert_eq!(rows[0]["beneficiary_id"], json!(scenario.beneficiary_a));
    assert_eq!(rows[0]["last_contact_on"], json!("2023-01-01"));
    assert_eq!(rows[0]["call_due_on"], json!("2023-01-31"));
    assert_eq!(rows[0]["call_overdue"], json!(true));
    assert_eq!(rows[0]["visit_overdue"], json!(false));
}

#[tokio::test]
async fn an_audit_trail_shows_every_record_of_a_disbursement_with_its_fund_and_beneficiary() {
    let scenario = build().await;
    let trail = scenario
        .app
        .get(Who::Auditor, &format!("/v1/audit/disbursements/{}", scenario.disbursement_d1))
        .await;
    assert_eq!(trail.status, StatusCode::OK, "{}", trail.text);
    let records = trail.body["records"].as_array().unwrap();
    let types: Vec<&str> = records.iter().map(|r| r["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["DisbursementRequested", "DisbursementApproved", "DisbursementPaid"]);
    assert_eq!(records[1]["actor"], json!("qian.li"));
    assert_eq!(records[2]["position"], json!(scenario.positions["d1_paid"]));
    assert_eq!(records[2]["hash"], records[2]["record"]["hash"]);
    assert_eq!(trail.body["fund"]["fund_id"], json!(scenario.fund_id));
    assert_eq!(trail.body["beneficiary"]["district"], json!("鼓楼区"));
    assert_eq!(trail.body["disbursement"]["status"], json!("paid"));
    let raw = scenario.app.get(Who::Auditor, &format!("/v1/events/{}", scenario.positions["d1_paid"])).await;
    assert!(trail.text.contains(&raw.text), "the trail serves each record exactly as the log does");

    let person =
        scenario.app.get(Who::Auditor, &format!("/v1/audit/beneficiaries/{}", scenario.beneficiary_a)).await;
    assert_eq!(person.status, StatusCode::OK);
    assert_eq!(person.body["disbursements"].as_array().unwrap().len(), 2);
    assert_eq!(person.body["records"][0]["type"], json!("BeneficiaryRegistered"));
    let nobody =
        scenario.app.get(Who::Auditor, &format!("/v1/audit/disbursements/{}", uuid::Uuid::new_v4())).await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_report_parameters_are_400_problems() {
    let scenario = build().await;
    let app = &scenario.app;
    for path in [
        "/v1/reports/summary?from=2022-13-01&to=2023-01-01",
        "/v1/reports/summary?from=2022-01-01&to=2022-01-01",
        "/v1/reports/summary?from=2023-01-01&to=2022-01-01",
        "/v1/reports/summary?to=2023-01-01",
        "/v1/reports/summary?from=2022-01-01&to=2023-01-01&format=xml",
        "/v1/reports/summary?from=2022-01-01&to=2023-01-01&colour=red",
        "/v1/reports/summary/trace?figure=happiness&from=2022-01-01&to=2023-01-01",
        "/v1/reports/summary/trace?figure=activities.dancing&from=2022-01-01&to=2023-01-01",
        "/v1/reports/summary/trace?from=2022-01-01&to=2023-01-01",
        "/v1/tallies/visits?group_by=colour",
        "/v1/tallies/visits?from=2022-01-01",
        "/v1/concerns?status=maybe",
        "/v1/pairings/overdue?as_of=tomorrow",
    ] {
        let answer = app.get(Who::Admin, path).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{path}: {}", answer.text);
        assert_eq!(answer.content_type, "application/problem+json", "{path}");
    }
    assert_eq!(app.get(Who::Admin, "/v1/tallies/feelings").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn projections_report_their_checkpoints_and_rebuild_on_request() {
    let scenario = build().await;
    let app = &scenario.app;
    // A report waits until the projections have applied every acknowledged append.
    app.get(Who::Analyst, "/v1/reports/summary?from=2022-01-01&to=2023-01-01").await;
    let status = app.get(Who::Analyst, "/v1/projections").await;
    assert_eq!(status.status, StatusCode::OK, "{}", status.text);
    let head = status.body["head_position"].as_i64().unwrap();
    assert_eq!(head, 56);
    for projection in status.body["projections"].as_array().unwrap() {
        assert_eq!(projection["lag"], json!(0), "{projection}");
        assert_eq!(projection["checkpoint"], json!(head));
    }
    let refused = app
        .request(reqwest::Method::POST, "/v1/projections/beneficiaries/rebuild", Some(Who::Supervisor), None)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let rebuilt = app
        .request(reqwest::Method::POST, "/v1/projections/beneficiaries/rebuild", Some(Who::Admin), None)
        .await;
    assert_eq!(rebuilt.status, StatusCode::OK, "{}", rebuilt.text);
    assert_eq!(rebuilt.body["checkpoint"], json!(head));
    let unknown =
        app.request(reqwest::Method::POST, "/v1/projections/nothing/rebuild", Some(Who::Admin), None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}
