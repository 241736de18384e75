//! Every role allowed where DESIGN.md allows it and refused elsewhere; `meta.actor` is always the
//! token's principal.

use aidledger_tests::data::*;
use aidledger_tests::{new_stream, TestApp, Who};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn no_token_or_a_wrong_token_is_401_problem() {
    let app = TestApp::spawn().await;
    for path in ["/v1/events", "/v1/verify", "/v1/events/1"] {
        let answer = app.request(Method::GET, path, None, None).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(answer.content_type, "application/problem+json");
    }
    let forged = app
        .client
        .get(format!("{}/v1/events", app.base))
        .bearer_auth("aidl_0000000000000000000000000000000000000000000000000000000000000000")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    let basic = app
        .client
        .get(format!("{}/v1/events", app.base))
        .basic_auth("admin", Some("x"))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.request(Method::GET, "/healthz", None, None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn who_may_append_what() {
    let app = TestApp::spawn().await;
    let (beneficiary, beneficiary_id) = new_stream("beneficiary");
    let (fund, fund_id) = new_stream("fund");
    for who in [Who::Auditor, Who::Analyst] {
        let answer = app
            .append_one(who, &beneficiary, "BeneficiaryRegistered", beneficiary_registered("孙丽华"))
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{who:?}");
        assert_eq!(answer.content_type, "application/problem+json");
    }
    app.must_append(Who::Staff, &beneficiary, "BeneficiaryRegistered", beneficiary_registered("孙丽华"))
        .await;
    app.must_append(Who::Admin, &fund, "FundOpened", fund_opened()).await;

    let (disbursement, _) = new_stream("disbursement");
    app.must_append(
        Who::Staff,
        &disbursement,
        "DisbursementRequested",
        cash_requested(&beneficiary_id, &fund_id, 1_000),
    )
    .await;
    let by_staff = app.append_one(Who::OtherStaff, &disbursement, "DisbursementApproved", json!({})).await;
    assert_eq!(by_staff.status, StatusCode::FORBIDDEN, "staff may not approve: {}", by_staff.text);
    let approved = app.must_append(Who::Supervisor, &disbursement, "DisbursementApproved", json!({})).await;
    let position = approved["events"][0]["position"].as_i64().unwrap();
    let record = app.get(Who::Auditor, &format!("/v1/events/{position}")).await;
    assert_eq!(record.body["meta"]["actor"], json!("qian.li"), "the actor is the token's principal");

    let (volunteer, _) = new_stream("volunteer");
    let entry = uuid::Uuid::new_v4().to_string();
    app.must_append(Who::Staff, &volunteer, "VolunteerEnrolled", volunteer_enrolled("马建军")).await;
    app.must_append(Who::Staff, &volunteer, "VolunteerHoursLogged", hours_logged(&entry)).await;
    let verify_hours = json!({"entry_id": entry});
    assert_eq!(
        app.append_one(Who::OtherStaff, &volunteer, "VolunteerHoursVerified", verify_hours.clone())
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    app.must_append(Who::Supervisor, &volunteer, "VolunteerHoursVerified", verify_hours).await;
}

#[tokio::test]
async fn nobody_appends_beneficiary_forgotten_through_the_append_endpoint() {
    let app = TestApp::spawn().await;
    let (beneficiary, _) = new_stream("beneficiary");
    app.must_append(Who::Staff, &beneficiary, "BeneficiaryRegistered", beneficiary_registered("何建平"))
        .await;
    for who in [Who::Staff, Who::Admin] {
        let answer = app.append_one(who, &beneficiary, "BeneficiaryForgotten", json!({})).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{who:?}: {}", answer.text);
        assert!(answer.body["detail"].as_str().unwrap().contains("forget"));
    }
}

#[tokio::test]
async fn analysts_never_read_raw_records_and_everyone_else_does() {
    let app = TestApp::spawn().await;
    let (stream, _) = new_stream("activity");
    app.must_append(Who::Staff, &stream, "ActivityHeld", activity_held()).await;
    let paths =
        ["/v1/events".to_string(), "/v1/events/1".to_string(), format!("/v1/streams/{stream}/events")];
    for path in &paths {
        let answer = app.get(Who::Analyst, path).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(answer.content_type, "application/problem+json");
        for who in [Who::Staff, Who::Supervisor, Who::Auditor, Who::Admin] {
            assert_eq!(app.get(who, path).await.status, StatusCode::OK, "{who:?} {path}");
        }
    }
    assert_eq!(app.get(Who::Analyst, "/v1/verify").await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(Who::Auditor, "/v1/verify").await.status, StatusCode::OK);
}
