//! `POST /v1/import`: a spreadsheet's rows appended as the caller would append each, all in one
//! transaction or none, every bad row named by the number the spreadsheet shows.

use aidledger_server::http::Limits;
use aidledger_tests::data::*;
use aidledger_tests::{new_stream, TestApp, Who};
use reqwest::StatusCode;
use serde_json::{json, Value};

const CSV: &str = "text/csv";

/// The log's head position, as the verify endpoint reports it.
async fn head(app: &TestApp) -> i64 {
    app.get(Who::Auditor, "/v1/verify").await.body["head_position"].as_i64().unwrap()
}

#[tokio::test]
async fn a_spreadsheet_is_appended_whole_and_answers_where_each_row_landed_and_a_rerun_appends_nothing() {
    let app = TestApp::spawn().await;
    let zhang = "0190a3b2-0000-7000-8000-000000000001";
    let people = format!(
        "\u{feff}id,name,category,district,party_member,phone\n{zhang},张秀英,retired_staff,鼓楼区,是,13800000001\n,李建国,retired_cadre,玄武区,否,\n"
    );
    let answer =
        app.post_as(Who::Staff, "/v1/import?type=BeneficiaryRegistered", CSV, people.into_bytes()).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    assert_eq!(answer.body["rows"], 2);
    let landed = answer.body["appended"].as_array().unwrap();
    assert_eq!(
        landed[0],
        json!({"row": 2, "stream": format!("beneficiary-{zhang}"), "position": 1, "replayed": false})
    );
    let li = landed[1]["stream"].as_str().unwrap().to_owned();
    assert!(li.starts_with("beneficiary-") && li != format!("beneficiary-{zhang}"), "a new stream: {li}");
    let record = app.get(Who::Auditor, "/v1/events/1").await.body;
    assert_eq!(record["meta"]["actor"], json!(Who::Staff.principal()), "appended as the caller");
    let trail = app.get(Who::Auditor, &format!("/v1/audit/beneficiaries/{zhang}")).await.body;
    assert!(trail.to_string().contains("张秀英"), "{trail}");

    let visits = format!(
        "stream,id,visit_kind,staff,duration_minutes,summary,occurred_at\n\
         beneficiary-{zhang},0190a3b2-0000-7000-8000-0000000000a1,home,zhao.min,45,送米面油,2022-06-01T10:00:00+08:00\n\
         {li},0190a3b2-0000-7000-8000-0000000000a2,phone,zhao.min,10,,2022-06-02T09:00:00+08:00\n"
    );
    let gb18030 = encoding_rs::GB18030.encode(&visits).0.into_owned();
    let path = "/v1/import?type=VisitRecorded";
    let answer = app.post_as(Who::Staff, path, "text/csv; charset=GB18030", gb18030.clone()).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let again = app.post_as(Who::Staff, path, "text/csv; charset=gbk", gb18030).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert!(again.body["appended"].as_array().unwrap().iter().all(|row| row["replayed"] == json!(true)));
    assert_eq!(head(&app).await, 4, "the re-run appended nothing");
    let summary = app.get(Who::Analyst, "/v1/reports/summary?from=2022-01-01&to=2023-01-01").await.body;
    assert_eq!(
        (summary["figures"]["visits_home"].clone(), summary["figures"]["visits_phone"].clone()),
        (json!(1), json!(1))
    );
    let record = app.get(Who::Auditor, "/v1/events/3").await.body;
    assert_eq!(record["meta"]["occurred_at"], json!("2022-06-01T10:00:00+08:00"));
}

#[tokio::test]
async fn a_file_with_bad_rows_appends_nothing_and_names_every_one() {
    let app = TestApp::spawn().await;
    let (person, _) = new_stream("beneficiary");
    app.must_append(Who::Staff, &person, "BeneficiaryRegistered", beneficiary_registered("王淑芬")).await;
    let (nobody, _) = new_stream("beneficiary");
    let visits = format!(
        "stream,visit_kind,staff,duration_minutes\n\
         {person},home,zhao.min,30\n\
         {person},visit,zhao.min,30\n\
         {nobody},phone,zhao.min,10\n\
         {person},home,zhao.min,1.5\n"
    );
    for path in ["/v1/import?type=VisitRecorded&dry_run=true", "/v1/import?type=VisitRecorded"] {
        let answer = app.post_as(Who::Staff, path, CSV, visits.clone().into_bytes()).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.text);
        assert_eq!(answer.content_type, "application/problem+json");
        let body = &answer.body;
        assert_eq!((body["rows"].clone(), body["bad_rows"].clone()), (json!(4), json!(3)), "{body}");
        let bad = body["bad"].as_array().unwrap();
        assert_eq!(bad[0]["row"], 3);
        assert_eq!(bad[0]["errors"][0]["pointer"], "/data/visit_kind");
        assert_eq!((bad[1]["row"].clone(), bad[1]["rule"].clone()), (json!(4), json!("stream_opens_first")));
        assert_eq!(bad[2]["row"], 5);
        assert_eq!(bad[2]["errors"][0]["pointer"], "/data/duration_minutes");
        assert!(bad[2]["errors"][0]["detail"].as_str().unwrap().contains("1.5"), "{body}");
    }
    assert_eq!(head(&app).await, 1, "not even the good row 2 was appended");

    let good = format!("stream,visit_kind,staff,duration_minutes\n{person},home,zhao.min,30\n");
    let checked =
        app.post_as(Who::Staff, "/v1/import?type=VisitRecorded&dry_run=true", CSV, good.into_bytes()).await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.text);
    assert_eq!(checked.body, json!({"rows": 1, "dry_run": true}));
    assert_eq!(head(&app).await, 1, "a dry run appends nothing");

    let unknown =
        app.post_as(Who::Staff, "/v1/import?type=VisitRecorded", CSV, b"stream,colour\n".to_vec()).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.body["bad"][0]["row"], 1);
    assert!(unknown.body["bad"][0]["detail"].as_str().unwrap().contains("colour"), "{}", unknown.text);
    let utf8 = "stream,visit_kind,staff,duration_minutes\n{person},home,赵敏,30\n".as_bytes().to_vec();
    let mislabelled =
        app.post_as(Who::Staff, "/v1/import?type=VisitRecorded", "text/csv; charset=gb18030", utf8).await;
    assert_eq!(mislabelled.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(mislabelled.body["bad"][0]["detail"], "the file is UTF-8, not GB18030: declare UTF-8");
    let broken = b"stream,visit_kind,staff,duration_minutes\nx,home,\xff\xfe,30\n".to_vec();
    let broken = app.post_as(Who::Staff, "/v1/import?type=VisitRecorded", CSV, broken).await;
    assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(broken.body["bad"][0]["errors"][0]["pointer"], "/data/staff", "{}", broken.text);
    assert_eq!(head(&app).await, 1);
}

#[tokio::test]
async fn rows_are_held_to_the_files_own_earlier_rows_and_the_callers_role() {
    let app = TestApp::spawn().await;
    let (person, person_id) = new_stream("beneficiary");
    app.must_append(Who::Staff, &person, "BeneficiaryRegistered", beneficiary_registered("陈桂兰")).await;
    let (fund, fund_id) = new_stream("fund");
    let opened = json!({"name": "困难帮扶专项资金", "budget_minor": 100_000, "currency": "CNY"});
    app.must_append(Who::Staff, &fund, "FundOpened", opened).await;
    let mut requests = String::new();
    let mut streams = Vec::new();
    for _ in 0..2 {
        let (disbursement, _) = new_stream("disbursement");
        let line = json!({"stream": disbursement, "data": cash_requested(&person_id, &fund_id, 60_000)});
        requests.push_str(&format!("{line}\n"));
        streams.push(disbursement);
    }
    let path = "/v1/import?type=DisbursementRequested";
    let answer = app.post_as(Who::Staff, path, "application/x-ndjson", requests.into_bytes()).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);

    let approvals: String =
        streams.iter().map(|stream| format!("{}\n", json!({"stream": stream, "data": {}}))).collect();
    let path = "/v1/import?type=DisbursementApproved";
    let refused = app.post_as(Who::Staff, path, "application/x-ndjson", approvals.clone().into_bytes()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "staff may not approve: {}", refused.text);
    let over = app.post_as(Who::Supervisor, path, "application/x-ndjson", approvals.into_bytes()).await;
    assert_eq!(over.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", over.text);
    assert_eq!(
        over.body["bad"],
        json!([{"row": 2, "rule": "within_fund_budget", "detail": over.body["bad"][0]["detail"]}])
    );

    let analyst = app.post_as(Who::Analyst, "/v1/import?type=VisitRecorded", CSV, b"stream\n".to_vec()).await;
    assert_eq!(analyst.status, StatusCode::FORBIDDEN);
    let forget =
        app.post_as(Who::Admin, "/v1/import?type=BeneficiaryForgotten", CSV, b"stream\n".to_vec()).await;
    assert_eq!(forget.status, StatusCode::FORBIDDEN);
    let json_body =
        app.post_as(Who::Staff, "/v1/import?type=VisitRecorded", "application/json", b"{}".to_vec()).await;
    assert_eq!(json_body.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let latin1 = app
        .post_as(Who::Staff, "/v1/import?type=VisitRecorded", "text/csv; charset=latin1", b"a\n".to_vec())
        .await;
    assert_eq!(latin1.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let unknown_type = app.post_as(Who::Staff, "/v1/import?type=Visited", CSV, b"stream\n".to_vec()).await;
    assert_eq!(unknown_type.status, StatusCode::BAD_REQUEST);
    let no_type = app.post_as(Who::Staff, "/v1/import", CSV, b"stream\n".to_vec()).await;
    assert_eq!(no_type.status, StatusCode::BAD_REQUEST);
    assert_eq!(no_type.content_type, "application/problem+json");
    let empty =
        app.post_as(Who::Staff, "/v1/import?type=VisitRecorded", CSV, b"stream,visit_kind\n".to_vec()).await;
    assert_eq!((empty.status, empty.body.clone()), (StatusCode::OK, json!({"rows": 0})));
    let answered: Value = app.get(Who::Auditor, "/v1/verify").await.body;
    assert_eq!(answered["ok"], json!(true));
}

#[tokio::test]
async fn an_import_may_be_larger_than_other_bodies_but_not_than_its_own_limit() {
    let limits = Limits { body_bytes_max: 1024, import_bytes_max: 64 * 1024, ..Limits::default() };
    let app = TestApp::spawn_with(limits).await;
    let (person, _) = new_stream("beneficiary");
    app.must_append(Who::Staff, &person, "BeneficiaryRegistered", beneficiary_registered("周玉珍")).await;
    let mut visits = String::from("stream,visit_kind,staff,duration_minutes,summary\n");
    while visits.len() < 8 * 1024 {
        visits.push_str(&format!("{person},home,zhao.min,30,老人身体硬朗\n"));
    }
    let rows = visits.lines().count() - 1;
    let answer =
        app.post_as(Who::Staff, "/v1/import?type=VisitRecorded", CSV, visits.clone().into_bytes()).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    assert_eq!(answer.body["rows"], json!(rows));
    while visits.len() <= 64 * 1024 {
        visits.push_str(&format!("{person},home,zhao.min,30,老人身体硬朗\n"));
    }
    let too_large = app.post_as(Who::Staff, "/v1/import?type=VisitRecorded", CSV, visits.into_bytes()).await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", too_large.text);
}
