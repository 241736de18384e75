//! A fund cannot be spent past its budget: an approval that would commit more than the budget (with
//! its adjustments), or a payment that would pay more, is a 422 naming the rule; reversals give the
//! budget back.

use aidledger_server::store::{AppendRequest, ExpectedVersion, ProposedEvent};
use aidledger_tests::data::*;
use aidledger_tests::{new_stream, Answer, TestApp, Who};
use domain::{Event, EventType, StreamName};
use reqwest::StatusCode;
use serde_json::json;

struct Fund {
    app: TestApp,
    stream: String,
    id: String,
    beneficiary_id: String,
}

/// A fund of 1 000.00 yuan and a beneficiary.
async fn fund() -> Fund {
    let app = TestApp::spawn().await;
    let (stream, id) = new_stream("fund");
    let opened = json!({"name": "临时救助金", "budget_minor": 100_000, "currency": "CNY", "year": 2022});
    app.must_append(Who::Staff, &stream, "FundOpened", opened).await;
    let (beneficiary, beneficiary_id) = new_stream("beneficiary");
    app.must_append(Who::Staff, &beneficiary, "BeneficiaryRegistered", beneficiary_registered("周玉兰"))
        .await;
    Fund { app, stream, id, beneficiary_id }
}

impl Fund {
    async fn requested(&self, amount_minor: i64) -> String {
        let (stream, _) = new_stream("disbursement");
        let request = cash_requested(&self.beneficiary_id, &self.id, amount_minor);
        self.app.must_append(Who::Staff, &stream, "DisbursementRequested", request).await;
        stream
    }

    async fn approve(&self, disbursement: &str) -> Answer {
        self.app.append_one(Who::Supervisor, disbursement, "DisbursementApproved", json!({})).await
    }

    async fn pay(&self, disbursement: &str) -> Answer {
        self.app.append_one(Who::Staff, disbursement, "DisbursementPaid", paid()).await
    }

    async fn remaining_minor(&self) -> i64 {
        let balance = self.app.get(Who::Analyst, &format!("/v1/funds/{}", self.id)).await;
        balance.body["remaining_minor"].as_i64().unwrap()
    }
}

#[track_caller]
fn assert_over_budget(answer: &Answer) {
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.text);
    assert_eq!(answer.content_type, "application/problem+json");
    assert_eq!(answer.body["rule"], json!("within_fund_budget"), "{}", answer.text);
}

#[tokio::test]
async fn a_request_for_twice_the_budget_is_not_approved() {
    let f = fund().await;
    let twice = f.requested(200_000).await;
    assert_over_budget(&f.approve(&twice).await);
    assert_eq!(f.remaining_minor().await, 100_000);
}

#[tokio::test]
async fn approvals_commit_the_budget_until_it_is_raised_and_reversals_give_it_back() {
    let f = fund().await;
    let first = f.requested(60_000).await;
    let second = f.requested(60_000).await;
    assert_eq!(f.approve(&first).await.status, StatusCode::CREATED);
    assert_over_budget(&f.approve(&second).await);

    let raise = json!({"delta_minor": 20_000, "reason": "追加预算"});
    f.app.must_append(Who::Staff, &f.stream, "FundBudgetAdjusted", raise).await;
    assert_eq!(f.approve(&second).await.status, StatusCode::CREATED, "120 000 of 120 000 is within budget");
    assert_eq!(f.pay(&first).await.status, StatusCode::CREATED);
    assert_eq!(f.pay(&second).await.status, StatusCode::CREATED);
    assert_eq!(f.remaining_minor().await, 0);

    let third = f.requested(50_000).await;
    assert_over_budget(&f.approve(&third).await);
    f.app
        .must_append(Who::Staff, &first, "DisbursementReversed", json!({"reason": "重复发放，已退回"}))
        .await;
    assert_eq!(f.approve(&third).await.status, StatusCode::CREATED, "the reversal gave 60 000 back");
    assert_eq!(f.pay(&third).await.status, StatusCode::CREATED);
    assert_eq!(f.remaining_minor().await, 10_000);
}

#[tokio::test]
async fn a_payment_past_a_budget_cut_since_its_approval_is_refused() {
    let f = fund().await;
    let approved = f.requested(80_000).await;
    assert_eq!(f.approve(&approved).await.status, StatusCode::CREATED);
    let cut = json!({"delta_minor": -50_000, "reason": "预算调减"});
    f.app.must_append(Who::Staff, &f.stream, "FundBudgetAdjusted", cut).await;
    assert_over_budget(&f.pay(&approved).await);
    assert_eq!(f.remaining_minor().await, 50_000, "nothing was paid");
}

#[tokio::test]
async fn two_approvals_in_one_batch_of_appends_cannot_both_take_the_last_of_the_budget() {
    let f = fund().await;
    let first = f.requested(70_000).await;
    let second = f.requested(70_000).await;
    let (a, b) = tokio::join!(f.approve(&first), f.approve(&second));
    let created = [&a, &b].iter().filter(|answer| answer.status == StatusCode::CREATED).count();
    assert_eq!(created, 1, "{} / {}", a.text, b.text);
    let refused = if a.status == StatusCode::CREATED { &b } else { &a };
    assert_over_budget(refused);
}

#[tokio::test]
async fn an_approval_counts_what_another_writer_committed_from_the_fund_since() {
    let f = fund().await;
    let first = f.requested(60_000).await;
    assert_eq!(
        f.approve(&first).await.status,
        StatusCode::CREATED,
        "the app's writer now knows 60 000 committed"
    );

    let second = f.requested(30_000).await;
    let other = f.app.second_writer().await;
    let approved = Event::parse(EventType::DisbursementApproved, &json!({})).unwrap();
    other
        .append(AppendRequest {
            stream: second.parse::<StreamName>().unwrap(),
            expected_version: ExpectedVersion::Any,
            events: vec![ProposedEvent {
                id: None,
                event: approved,
                occurred_at: None,
                correlation_id: None,
                causation_id: None,
            }],
            actor: Who::OtherSupervisor.principal().to_owned(),
            erasure_reason: None,
        })
        .await
        .expect("approved by another server");

    let third = f.requested(20_000).await;
    assert_over_budget(&f.approve(&third).await);
}
