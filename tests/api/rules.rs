//! Each domain rule, broken over HTTP, is a 422 that names the rule; references are checked too.

use aidledger_tests::data::*;
use aidledger_tests::{new_stream, Answer, TestApp, Who};
use reqwest::StatusCode;
use serde_json::{json, Value};

#[track_caller]
fn assert_rule(answer: &Answer, rule: &str) {
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.text);
    assert_eq!(answer.content_type, "application/problem+json");
    assert_eq!(answer.body["rule"], json!(rule), "{}", answer.text);
}

struct World {
    app: TestApp,
    beneficiary: String,
    beneficiary_id: String,
    fund_id: String,
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    let (beneficiary, beneficiary_id) = new_stream("beneficiary");
    let (fund, fund_id) = new_stream("fund");
    app.must_append(Who::Staff, &beneficiary, "BeneficiaryRegistered", beneficiary_registered("陈淑珍"))
        .await;
    app.must_append(Who::Staff, &fund, "FundOpened", fund_opened()).await;
    World { app, beneficiary, beneficiary_id, fund_id }
}

impl World {
    async fn requested_by(&self, who: Who) -> String {
        let (stream, _) = new_stream("disbursement");
        self.app
            .must_append(
                who,
                &stream,
                "DisbursementRequested",
                cash_requested(&self.beneficiary_id, &self.fund_id, 30_000),
            )
            .await;
        stream
    }

    async fn send(&self, who: Who, stream: &str, event_type: &str, data: Value) -> Answer {
        self.app.append_one(who, stream, event_type, data).await
    }
}

#[tokio::test]
async fn a_stream_opens_with_its_opening_event_exactly_once() {
    let w = world().await;
    let (empty, _) = new_stream("beneficiary");
    assert_rule(&w.send(Who::Staff, &empty, "VisitRecorded", visit("zhao.min")).await, "stream_opens_first");
    assert_rule(
        &w.send(Who::Staff, &w.beneficiary, "BeneficiaryRegistered", beneficiary_registered("陈淑珍")).await,
        "stream_opened_once",
    );
}

#[tokio::test]
async fn a_disbursement_is_decided_once_by_a_supervisor_who_did_not_request_it() {
    let w = world().await;
    let own = w.requested_by(Who::Supervisor).await;
    assert_rule(
        &w.send(Who::Supervisor, &own, "DisbursementApproved", json!({})).await,
        "decider_is_not_requester",
    );
    assert_rule(
        &w.send(Who::Supervisor, &own, "DisbursementRejected", json!({"reason": "自审"})).await,
        "decider_is_not_requester",
    );

    let stream = w.requested_by(Who::Staff).await;
    assert_eq!(
        w.send(Who::Supervisor, &stream, "DisbursementApproved", json!({})).await.status,
        StatusCode::CREATED
    );
    assert_rule(
        &w.send(Who::OtherSupervisor, &stream, "DisbursementApproved", json!({})).await,
        "disbursement_decided_once",
    );
    assert_rule(
        &w.send(Who::OtherSupervisor, &stream, "DisbursementRejected", json!({"reason": "重复"})).await,
        "disbursement_decided_once",
    );
}

#[tokio::test]
async fn a_disbursement_is_paid_after_approval_once_and_reversed_after_payment_once() {
    let w = world().await;
    let stream = w.requested_by(Who::Staff).await;
    assert_rule(&w.send(Who::Staff, &stream, "DisbursementPaid", paid()).await, "paid_only_after_approval");
    assert_rule(
        &w.send(Who::Staff, &stream, "DisbursementReversed", json!({"reason": "误发"})).await,
        "reversed_only_after_payment",
    );
    w.app.must_append(Who::Supervisor, &stream, "DisbursementApproved", json!({})).await;
    w.app.must_append(Who::Staff, &stream, "DisbursementPaid", paid()).await;
    assert_rule(&w.send(Who::Staff, &stream, "DisbursementPaid", paid()).await, "paid_once");
    w.app.must_append(Who::Staff, &stream, "DisbursementReversed", json!({"reason": "误发"})).await;
    assert_rule(
        &w.send(Who::Staff, &stream, "DisbursementReversed", json!({"reason": "误发"})).await,
        "reversed_once",
    );

    let rejected = w.requested_by(Who::Staff).await;
    w.app
        .must_append(Who::Supervisor, &rejected, "DisbursementRejected", json!({"reason": "材料不全"}))
        .await;
    assert_rule(&w.send(Who::Staff, &rejected, "DisbursementPaid", paid()).await, "paid_only_after_approval");
}

#[tokio::test]
async fn a_concern_is_resolved_once_and_only_if_raised() {
    let w = world().await;
    let concern = uuid::Uuid::new_v4().to_string();
    let resolve = json!({"concern_id": concern, "resolution": "已协调解决", "on_site": false});
    assert_rule(
        &w.send(Who::Staff, &w.beneficiary, "ConcernResolved", resolve.clone()).await,
        "concern_not_raised",
    );
    w.app
        .must_append(
            Who::Staff,
            &w.beneficiary,
            "ConcernRaised",
            json!({"concern_id": concern, "category": "医疗", "summary": "看病难"}),
        )
        .await;
    w.app.must_append(Who::Staff, &w.beneficiary, "ConcernResolved", resolve.clone()).await;
    assert_rule(
        &w.send(Who::Staff, &w.beneficiary, "ConcernResolved", resolve).await,
        "concern_already_resolved",
    );
}

#[tokio::test]
async fn hours_are_verified_by_someone_else_and_voided_at_most_once() {
    let w = world().await;
    let (volunteer, _) = new_stream("volunteer");
    let entry = uuid::Uuid::new_v4().to_string();
    w.app.must_append(Who::Staff, &volunteer, "VolunteerEnrolled", volunteer_enrolled("赵志刚")).await;
    assert_rule(
        &w.send(Who::Supervisor, &volunteer, "VolunteerHoursVerified", json!({"entry_id": entry})).await,
        "hours_entry_logged",
    );
    w.app.must_append(Who::Supervisor, &volunteer, "VolunteerHoursLogged", hours_logged(&entry)).await;
    assert_rule(
        &w.send(Who::Supervisor, &volunteer, "VolunteerHoursVerified", json!({"entry_id": entry})).await,
        "verifier_is_not_logger",
    );
    let void = json!({"entry_id": entry, "reason": "重复登记"});
    w.app.must_append(Who::Staff, &volunteer, "VolunteerHoursVoided", void.clone()).await;
    assert_rule(&w.send(Who::Staff, &volunteer, "VolunteerHoursVoided", void).await, "hours_voided_once");
}

#[tokio::test]
async fn a_suggestion_is_decided_once() {
    let w = world().await;
    let (suggestion, _) = new_stream("suggestion");
    w.app.must_append(Who::Staff, &suggestion, "SuggestionSubmitted", suggestion_submitted()).await;
    w.app.must_append(Who::Staff, &suggestion, "SuggestionDeclined", json!({"reason": "经费不足"})).await;
    assert_rule(
        &w.send(Who::Staff, &suggestion, "SuggestionAdopted", json!({})).await,
        "suggestion_decided_once",
    );
}

#[tokio::test]
async fn a_disbursement_needs_an_existing_beneficiary_and_fund_in_the_funds_currency() {
    let w = world().await;
    let (stream, _) = new_stream("disbursement");
    let nobody = uuid::Uuid::new_v4().to_string();
    assert_rule(
        &w.send(Who::Staff, &stream, "DisbursementRequested", cash_requested(&nobody, &w.fund_id, 100)).await,
        "beneficiary_exists",
    );
    assert_rule(
        &w.send(
            Who::Staff,
            &stream,
            "DisbursementRequested",
            cash_requested(&w.beneficiary_id, &nobody, 100),
        )
        .await,
        "fund_exists",
    );
    let mut dollars = cash_requested(&w.beneficiary_id, &w.fund_id, 100);
    dollars["currency"] = json!("USD");
    assert_rule(
        &w.send(Who::Staff, &stream, "DisbursementRequested", dollars).await,
        "currency_is_the_funds",
    );
    let mut in_kind = cash_requested(&w.beneficiary_id, &w.fund_id, 100_000);
    in_kind["form"] = json!("in_kind");
    in_kind["items"] = json!([{"name": "棉被", "quantity": 2, "unit_value_minor": 30_000}]);
    assert_rule(
        &w.send(Who::Staff, &stream, "DisbursementRequested", in_kind).await,
        "in_kind_items_sum_to_amount",
    );
}

#[tokio::test]
async fn in_kind_aid_lists_its_items() {
    let w = world().await;
    let (stream, _) = new_stream("disbursement");
    let mut in_kind = cash_requested(&w.beneficiary_id, &w.fund_id, 60_000);
    in_kind["form"] = json!("in_kind");
    let answer = w.send(Who::Staff, &stream, "DisbursementRequested", in_kind.clone()).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.text);
    assert_eq!(answer.body["errors"][0]["pointer"], json!("/events/0/data/items"), "{}", answer.text);
    in_kind["items"] = json!([{"name": "棉被", "quantity": 2, "unit_value_minor": 30_000}]);
    w.app.must_append(Who::Staff, &stream, "DisbursementRequested", in_kind).await;
}

#[tokio::test]
async fn hours_name_only_an_activity_that_was_held() {
    let w = world().await;
    let (volunteer, _) = new_stream("volunteer");
    w.app.must_append(Who::Staff, &volunteer, "VolunteerEnrolled", volunteer_enrolled("赵志刚")).await;
    let mut hours = hours_logged(&uuid::Uuid::new_v4().to_string());
    hours["activity_kind"] = json!("lecture");
    hours["activity_id"] = json!(uuid::Uuid::new_v4().to_string());
    assert_rule(
        &w.send(Who::Staff, &volunteer, "VolunteerHoursLogged", hours.clone()).await,
        "activity_exists",
    );
    let (activity, activity_id) = new_stream("activity");
    w.app.must_append(Who::Staff, &activity, "ActivityHeld", activity_held()).await;
    hours["activity_id"] = json!(activity_id);
    w.app.must_append(Who::Staff, &volunteer, "VolunteerHoursLogged", hours).await;
}

#[tokio::test]
async fn names_and_free_text_refuse_bidi_overrides_and_invisible_characters() {
    let w = world().await;
    let cases = [
        ("name", "王\u{202E}建国"),
        ("name", "王\u{200B}建国"),
        ("district", "鼓楼\u{2066}区"),
        ("unit", "\u{FEFF}市文化局"),
        ("name", "王建国\u{0007}"),
    ];
    for (field, text) in cases {
        let (stream, _) = new_stream("beneficiary");
        let mut data = beneficiary_registered("王建国");
        data[field] = json!(text);
        let answer = w.send(Who::Staff, &stream, "BeneficiaryRegistered", data).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{text:?}: {}", answer.text);
        assert_eq!(
            answer.body["errors"][0]["pointer"],
            json!(format!("/events/0/data/{field}")),
            "{}",
            answer.text
        );
    }
    let mut visit = visit("zhao.min");
    visit["summary"] = json!("老人说：\n\t“身体还好。”\u{202D}");
    let answer = w.send(Who::Staff, &w.beneficiary, "VisitRecorded", visit.clone()).await;
    assert_eq!(answer.body["errors"][0]["pointer"], json!("/events/0/data/summary"), "{}", answer.text);
    visit["summary"] = json!("老人说：\n\t“身体还好。”");
    w.app.must_append(Who::Staff, &w.beneficiary, "VisitRecorded", visit).await;
}
