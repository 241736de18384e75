//! A hand-written year whose every summary figure is worked out by hand: each figure's value and
//! the exact events behind it (by label) are written down below, not computed.

use std::collections::HashMap;

use aidledger_tests::data::*;
use aidledger_tests::{new_stream, TestApp, Who};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The scenario's server and the position of each labelled event.
pub struct Scenario {
    pub app: TestApp,
    pub positions: HashMap<&'static str, i64>,
    pub fund_id: String,
    pub beneficiary_a: String,
    pub disbursement_d1: String,
}

struct Builder<'a> {
    app: &'a TestApp,
    positions: HashMap<&'static str, i64>,
}

impl Builder<'_> {
    async fn add(
        &mut self,
        label: &'static str,
        who: Who,
        stream: &str,
        event_type: &str,
        data: Value,
        occurred_at: &str,
    ) {
        let body = json!({"events": [{"type": event_type, "data": data, "occurred_at": occurred_at}]});
        let answer = self.app.append(who, stream, &body).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{label}: {}", answer.text);
        self.positions.insert(label, answer.body["events"][0]["position"].as_i64().unwrap());
    }
}

fn at(date: &str) -> String {
    format!("{date}T10:00:00+08:00")
}

fn registered(name: &str, district: &str) -> Value {
    json!({"name": name, "category": "retired_staff", "district": district, "party_member": false})
}

fn visit_of(kind: &str) -> Value {
    json!({"visit_kind": kind, "staff": "zhao.min", "duration_minutes": 30})
}

fn concern(id: &str) -> Value {
    json!({"concern_id": id, "category": "住房", "summary": "屋顶漏雨"})
}

fn resolved(id: &str, on_site: bool) -> Value {
    json!({"concern_id": id, "resolution": "已修好", "on_site": on_site})
}

fn hours(entry: &str, date: &str, minutes: i64) -> Value {
    json!({"entry_id": entry, "activity_kind": "community_service", "date": date, "minutes": minutes})
}

/// Appends the scenario (56 events over 2021–2023).
pub async fn build() -> Scenario {
    let app = TestApp::spawn().await;
    let mut b = Builder { app: &app, positions: HashMap::new() };
    let (fund, fund_id) = new_stream("fund");
    let (a, a_id) = new_stream("beneficiary");
    let (bb, b_id) = new_stream("beneficiary");
    let (c, c_id) = new_stream("beneficiary");
    let id = || uuid::Uuid::new_v4().to_string();
    let (k1, k2, k3, k4) = (id(), id(), id(), id());

    b.add("fund", Who::Supervisor, &fund, "FundOpened", fund_opened(), &at("2022-01-01")).await;
    b.add("a", Who::Staff, &a, "BeneficiaryRegistered", registered("王建国", "鼓楼区"), &at("2021-12-01"))
        .await;
    b.add("b", Who::Staff, &bb, "BeneficiaryRegistered", registered("李秀英", "玄武区"), &at("2021-12-02"))
        .await;
    b.add("c", Who::Staff, &c, "BeneficiaryRegistered", registered("张桂兰", "鼓楼区"), &at("2022-02-01"))
        .await;

    b.add("v_a_home", Who::Staff, &a, "VisitRecorded", visit_of("home"), &at("2022-03-05")).await;
    b.add("v_a_phone", Who::Staff, &a, "VisitRecorded", visit_of("phone"), &at("2022-04-01")).await;
    b.add("v_b_home", Who::Staff, &bb, "VisitRecorded", visit_of("home"), &at("2022-05-01")).await;
    b.add("v_b_hospital", Who::Staff, &bb, "VisitRecorded", visit_of("hospital"), &at("2022-06-01")).await;
    // 16:30 on 31 December in UTC, but 1 January in its own offset: it counts in 2022.
    b.add("v_c_phone", Who::Staff, &c, "VisitRecorded", visit_of("phone"), "2022-01-01T00:30:00+08:00").await;
    b.add("v_a_next_year", Who::Staff, &a, "VisitRecorded", visit_of("home"), "2023-01-01T08:00:00+08:00")
        .await;

    b.add("k1_raised", Who::Staff, &a, "ConcernRaised", concern(&k1), &at("2021-11-15")).await;
    b.add("k2_raised", Who::Staff, &a, "ConcernRaised", concern(&k2), &at("2022-03-05")).await;
    b.add("k3_raised", Who::Staff, &bb, "ConcernRaised", concern(&k3), &at("2022-07-01")).await;
    b.add("k4_raised", Who::Staff, &bb, "ConcernRaised", concern(&k4), &at("2022-12-20")).await;
    b.add("k1_resolved", Who::Staff, &a, "ConcernResolved", resolved(&k1, false), &at("2022-02-10")).await;
    b.add("k2_resolved", Who::Staff, &a, "ConcernResolved", resolved(&k2, true), &at("2022-03-05")).await;
    b.add("k4_resolved", Who::Staff, &bb, "ConcernResolved", resolved(&k4, false), &at("2023-01-05")).await;

    let hardship = json!({"cause": "illness", "severity": 2});
    b.add("h_a_1", Who::Staff, &a, "HardshipAssessed", hardship.clone(), &at("2022-05-05")).await;
    b.add("h_a_2", Who::Staff, &a, "HardshipAssessed", hardship.clone(), &at("2022-08-08")).await;
    b.add("h_c_old", Who::Staff, &c, "HardshipAssessed", hardship, &at("2021-10-10")).await;

    let (d1, disbursement_d1) = new_stream("disbursement");
    b.add(
        "d1_req",
        Who::Staff,
        &d1,
        "DisbursementRequested",
        cash_requested(&a_id, &fund_id, 50_000),
        &at("2022-06-01"),
    )
    .await;
    b.add("d1_ok", Who::Supervisor, &d1, "DisbursementApproved", json!({}), &at("2022-06-02")).await;
    b.add("d1_paid", Who::Staff, &d1, "DisbursementPaid", paid(), &at("2022-06-03")).await;
    let (d2, _) = new_stream("disbursement");
    let in_kind = json!({"beneficiary_id": b_id, "fund_id": fund_id, "form": "in_kind", "amount_minor": 80_000,
        "currency": "CNY", "reason": "因灾致困", "items": [{"name": "米面油", "quantity": 4, "unit_value_minor": 20_000}]});
    b.add("d2_req", Who::Staff, &d2, "DisbursementRequested", in_kind, &at("2022-07-16")).await;
    b.add("d2_ok", Who::Supervisor, &d2, "DisbursementApproved", json!({}), &at("2022-07-17")).await;
    b.add(
        "d2_paid",
        Who::Staff,
        &d2,
        "DisbursementPaid",
        json!({"method": "goods_delivered", "reference": "送货单"}),
        &at("2022-07-20"),
    )
    .await;
    let (d3, _) = new_stream("disbursement");
    b.add(
        "d3_req",
        Who::Staff,
        &d3,
        "DisbursementRequested",
        cash_requested(&a_id, &fund_id, 30_000),
        &at("2021-12-01"),
    )
    .await;
    b.add("d3_ok", Who::Supervisor, &d3, "DisbursementApproved", json!({}), &at("2021-12-02")).await;
    b.add("d3_paid", Who::Staff, &d3, "DisbursementPaid", paid(), &at("2021-12-03")).await;
    b.add(
        "d3_reversed",
        Who::Staff,
        &d3,
        "DisbursementReversed",
        json!({"reason": "重复发放"}),
        &at("2022-02-01"),
    )
    .await;
    let (d4, _) = new_stream("disbursement");
    b.add(
        "d4_req",
        Who::Staff,
        &d4,
        "DisbursementRequested",
        cash_requested(&c_id, &fund_id, 20_000),
        &at("2022-04-04"),
    )
    .await;
    b.add(
        "d4_no",
        Who::Supervisor,
        &d4,
        "DisbursementRejected",
        json!({"reason": "不符合条件"}),
        &at("2022-04-05"),
    )
    .await;
    let (d5, _) = new_stream("disbursement");
    b.add(
        "d5_req",
        Who::Staff,
        &d5,
        "DisbursementRequested",
        cash_requested(&b_id, &fund_id, 10_000),
        &at("2022-08-30"),
    )
    .await;
    b.add("d5_ok", Who::Supervisor, &d5, "DisbursementApproved", json!({}), &at("2022-08-31")).await;
    b.add("d5_paid", Who::Staff, &d5, "DisbursementPaid", paid(), &at("2022-09-01")).await;
    b.add(
        "d5_reversed",
        Who::Staff,
        &d5,
        "DisbursementReversed",
        json!({"reason": "账户错误"}),
        &at("2022-09-15"),
    )
    .await;

    let (v, _) = new_stream("volunteer");
    let (e1, e2, e3, e4) = (id(), id(), id(), id());
    b.add("v_enrolled", Who::Staff, &v, "VolunteerEnrolled", volunteer_enrolled("刘志愿"), &at("2022-01-05"))
        .await;
    // The data's date, not occurred_at, is the day an entry counts on.
    b.add("e1", Who::Staff, &v, "VolunteerHoursLogged", hours(&e1, "2022-03-01", 120), &at("2023-02-01"))
        .await;
    b.add("e2", Who::Staff, &v, "VolunteerHoursLogged", hours(&e2, "2022-04-01", 60), &at("2022-04-01"))
        .await;
    b.add("e3", Who::Staff, &v, "VolunteerHoursLogged", hours(&e3, "2022-12-30", 30), &at("2022-12-30"))
        .await;
    b.add("e4", Who::Staff, &v, "VolunteerHoursLogged", hours(&e4, "2021-12-30", 45), &at("2022-01-02"))
        .await;
    b.add(
        "e1_verified",
        Who::Supervisor,
        &v,
        "VolunteerHoursVerified",
        json!({"entry_id": e1}),
        &at("2022-03-02"),
    )
    .await;
    b.add(
        "e2_voided",
        Who::Staff,
        &v,
        "VolunteerHoursVoided",
        json!({"entry_id": e2, "reason": "重复"}),
        &at("2022-05-01"),
    )
    .await;
    b.add(
        "e3_voided",
        Who::Staff,
        &v,
        "VolunteerHoursVoided",
        json!({"entry_id": e3, "reason": "错登"}),
        &at("2023-01-02"),
    )
    .await;

    let held = |kind: &str, date: &str, attendees: i64, materials: Option<Value>| {
        let mut data = json!({"kind": kind, "title": "活动", "date": date, "attendees": attendees});
        if let Some(materials) = materials {
            data["materials"] = materials;
        }
        data
    };
    let (act1, _) = new_stream("activity");
    let (act2, _) = new_stream("activity");
    let (act3, _) = new_stream("activity");
    let (act4, _) = new_stream("activity");
    b.add(
        "act_lecture",
        Who::Staff,
        &act1,
        "ActivityHeld",
        held("lecture", "2022-09-10", 56, Some(json!({"brochures": 120, "books": 30}))),
        &at("2023-03-01"),
    )
    .await;
    b.add(
        "act_ceremony",
        Who::Staff,
        &act2,
        "ActivityHeld",
        held("ceremony", "2022-10-04", 80, None),
        &at("2022-10-04"),
    )
    .await;
    b.add(
        "act_old",
        Who::Staff,
        &act3,
        "ActivityHeld",
        held("lecture", "2021-09-10", 10, None),
        &at("2022-03-01"),
    )
    .await;
    b.add(
        "act_training",
        Who::Staff,
        &act4,
        "ActivityHeld",
        held("training", "2022-11-11", 0, Some(json!({"brochures": 0, "books": 5}))),
        &at("2022-11-11"),
    )
    .await;

    let (s1, _) = new_stream("suggestion");
    let (s2, _) = new_stream("suggestion");
    let (s3, _) = new_stream("suggestion");
    b.add("s1", Who::Staff, &s1, "SuggestionSubmitted", suggestion_submitted(), &at("2022-03-01")).await;
    b.add("s1_fwd_1", Who::Staff, &s1, "SuggestionForwarded", json!({"to": "市老干部局"}), &at("2022-03-10"))
        .await;
    b.add("s1_fwd_2", Who::Staff, &s1, "SuggestionForwarded", json!({"to": "区民政局"}), &at("2022-04-10"))
        .await;
    b.add("s1_adopted", Who::Staff, &s1, "SuggestionAdopted", json!({}), &at("2022-05-01")).await;
    b.add("s2", Who::Staff, &s2, "SuggestionSubmitted", suggestion_submitted(), &at("2021-12-01")).await;
    b.add("s2_fwd", Who::Staff, &s2, "SuggestionForwarded", json!({"to": "社区居委会"}), &at("2022-01-05"))
        .await;
    b.add(
        "s2_declined",
        Who::Staff,
        &s2,
        "SuggestionDeclined",
        json!({"reason": "经费不足"}),
        &at("2022-02-01"),
    )
    .await;
    b.add("s3", Who::Staff, &s3, "SuggestionSubmitted", suggestion_submitted(), "2022-12-31T23:59:00+08:00")
        .await;

    let positions = b.positions;
    Scenario {
        app,
        positions,
        fund_id,
        beneficiary_a: a_id,
        disbursement_d1: disbursement_d1.trim_start_matches("disbursement-").to_owned(),
    }
}

/// Each figure of 2022 with its value and the labels of exactly the events behind it.
pub fn expected_2022() -> Vec<(&'static str, i64, Vec<&'static str>)> {
    vec![
        ("visits_home", 2, vec!["v_a_home", "v_b_home"]),
        ("visits_phone", 2, vec!["v_a_phone", "v_c_phone"]),
        ("visits_total", 5, vec!["v_a_home", "v_a_phone", "v_b_home", "v_b_hospital", "v_c_phone"]),
        ("beneficiaries_visited", 3, vec!["v_a_home", "v_a_phone", "v_b_home", "v_b_hospital", "v_c_phone"]),
        ("concerns_raised", 3, vec!["k2_raised", "k3_raised", "k4_raised"]),
        ("concerns_resolved_on_site", 1, vec!["k2_resolved"]),
        ("concerns_resolved_later", 1, vec!["k1_resolved"]),
        ("concerns_open", 2, vec!["k3_raised", "k4_raised"]),
        ("hardship_cases", 1, vec!["h_a_1", "h_a_2"]),
        ("disbursements_paid", 1, vec!["d1_paid", "d2_paid", "d3_reversed", "d5_paid", "d5_reversed"]),
        ("cash_paid_minor", 20_000, vec!["d1_paid", "d3_reversed", "d5_paid", "d5_reversed"]),
        ("in_kind_paid_minor", 80_000, vec!["d2_paid"]),
        ("volunteer_entries", 2, vec!["e1", "e3"]),
        ("volunteer_minutes", 150, vec!["e1", "e3"]),
        ("activity_attendees", 136, vec!["act_lecture", "act_ceremony"]),
        ("brochures", 120, vec!["act_lecture"]),
        ("books", 35, vec!["act_lecture", "act_training"]),
        ("suggestions_submitted", 2, vec!["s1", "s3"]),
        ("suggestions_forwarded", 3, vec!["s1_fwd_1", "s1_fwd_2", "s2_fwd"]),
        ("suggestions_adopted", 1, vec!["s1_adopted"]),
        ("activities.lecture", 1, vec!["act_lecture"]),
        ("activities.ceremony", 1, vec!["act_ceremony"]),
        ("activities.training", 1, vec!["act_training"]),
        ("activities.civility_class", 0, vec![]),
        ("activities.outreach", 0, vec![]),
        ("activities.study_tour", 0, vec![]),
    ]
}
