//! HTTP manners: a body declared as something other than JSON is a 415, the auth scheme is
//! case-insensitive, every answer says `nosniff` and answers that carry secrets or opened personal
//! fields are never stored by a cache, and `Accept` is read with its q-values. (A declared body over
//! the limit is refused before it is sent: in `limits`.)

use aidledger_tests::data::*;
use aidledger_tests::{new_stream, TestApp, Who};
use reqwest::header::{HeaderMap, ACCEPT, AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// Posts `body` to `path` as `who` with the raw `Content-Type` given (none when `None`).
async fn post_declared(
    app: &TestApp,
    path: &str,
    who: Who,
    content_type: Option<&str>,
    body: &str,
) -> reqwest::Response {
    let mut request =
        app.client.post(format!("{}{path}", app.base)).bearer_auth(app.token(who)).body(body.to_owned());
    if let Some(content_type) = content_type {
        request = request.header(CONTENT_TYPE, content_type);
    }
    request.send().await.expect("request")
}

#[tokio::test]
async fn a_json_body_declared_as_another_media_type_is_a_415_problem_and_an_undeclared_one_is_read() {
    let app = TestApp::spawn().await;
    let (stream, _) = new_stream("activity");
    let path = format!("/v1/streams/{stream}/events");
    let body = json!({"events": [{"type": "ActivityHeld", "data": activity_held()}]}).to_string();
    let token_body = json!({"role": "staff", "principal": "li.na"}).to_string();
    for declared in [
        "text/plain",
        "application/xml",
        "application/x-www-form-urlencoded",
        "application/json; charset=gbk",
    ] {
        for (path, who, body) in [(path.as_str(), Who::Staff, &body), ("/v1/tokens", Who::Admin, &token_body)]
        {
            let response = post_declared(&app, path, who, Some(declared), body).await;
            assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "{declared} to {path}");
            assert_eq!(response.headers()[CONTENT_TYPE], "application/problem+json");
            let problem: serde_json::Value = response.json().await.unwrap();
            assert!(problem["detail"].as_str().unwrap().contains("application/json"), "{problem}");
        }
    }
    assert!(app.all_records().await.is_empty(), "nothing declared as another type was appended");
    let declared =
        post_declared(&app, &path, Who::Staff, Some("application/json; charset=utf-8"), &body).await;
    assert_eq!(declared.status(), StatusCode::CREATED);
    let (other, _) = new_stream("activity");
    let undeclared =
        post_declared(&app, &format!("/v1/streams/{other}/events"), Who::Staff, None, &body).await;
    assert_eq!(undeclared.status(), StatusCode::CREATED, "a body with no Content-Type is read as JSON");
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let app = TestApp::spawn().await;
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        for separator in [" ", "  "] {
            let value = format!("{scheme}{separator}{}", app.token(Who::Auditor));
            let response = app
                .client
                .get(format!("{}/v1/verify", app.base))
                .header(AUTHORIZATION, value)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{scheme:?}{separator:?}");
        }
    }
    let basic = format!("Basic {}", app.token(Who::Auditor));
    let response =
        app.client.get(format!("{}/v1/verify", app.base)).header(AUTHORIZATION, basic).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "another scheme is still refused");
}

/// The headers of `method path` as `who`, with a JSON body when one is given.
async fn headers_of(
    app: &TestApp,
    method: Method,
    path: &str,
    who: Option<Who>,
    body: Option<serde_json::Value>,
) -> HeaderMap {
    let mut request = app.client.request(method, format!("{}{path}", app.base));
    if let Some(who) = who {
        request = request.bearer_auth(app.token(who));
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("request").headers().clone()
}

#[tokio::test]
async fn every_answer_says_nosniff_and_answers_with_secrets_or_personal_fields_are_no_store() {
    let app = TestApp::spawn().await;
    let (beneficiary, id) = new_stream("beneficiary");
    app.must_append(Who::Staff, &beneficiary, "BeneficiaryRegistered", beneficiary_registered("欧阳秀兰"))
        .await;
    let issued = json!({"role": "auditor", "principal": "li.na"});
    let sensitive = [
        headers_of(&app, Method::POST, "/v1/tokens", Some(Who::Admin), Some(issued)).await,
        headers_of(&app, Method::GET, "/v1/tokens", Some(Who::Admin), None).await,
        headers_of(&app, Method::GET, &format!("/v1/audit/beneficiaries/{id}"), Some(Who::Auditor), None)
            .await,
        headers_of(&app, Method::GET, &format!("/v1/streams/{beneficiary}/events"), Some(Who::Auditor), None)
            .await,
    ];
    for headers in &sensitive {
        assert_eq!(headers[CACHE_CONTROL], "no-store", "{headers:?}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{headers:?}");
    }
    let others = [
        headers_of(&app, Method::GET, "/healthz", None, None).await,
        headers_of(&app, Method::GET, "/openapi.json", None, None).await,
        headers_of(&app, Method::GET, "/v1/events", None, None).await,
        headers_of(&app, Method::GET, "/no/such/endpoint", Some(Who::Auditor), None).await,
        headers_of(&app, Method::DELETE, "/v1/events", Some(Who::Auditor), None).await,
    ];
    for headers in &others {
        assert_eq!(headers["x-content-type-options"], "nosniff", "{headers:?}");
    }
}

#[tokio::test]
async fn accept_is_read_with_q_values_and_accepting_neither_format_is_a_406_problem() {
    let app = TestApp::spawn().await;
    let path = "/v1/tallies/visits?group_by=district";
    let get = |accept: &'static str| {
        let request = app.client.get(format!("{}{path}", app.base)).bearer_auth(app.token(Who::Analyst));
        async move { request.header(ACCEPT, accept).send().await.expect("request") }
    };
    for (accept, expected) in [
        ("text/csv;q=0", None),
        ("text/csv;q=0, */*", Some("application/json")),
        ("text/csv;q=0, application/json;q=0.2", Some("application/json")),
        ("application/json;q=0.5, text/csv", Some("text/csv")),
        ("text/*", Some("text/csv")),
        ("*/*", Some("application/json")),
        ("application/xml", None),
    ] {
        let response = get(accept).await;
        let content_type = response.headers()[CONTENT_TYPE].to_str().unwrap().to_owned();
        match expected {
            Some(expected) => {
                assert_eq!(response.status(), StatusCode::OK, "{accept}");
                assert!(content_type.starts_with(expected), "{accept}: {content_type}");
            }
            None => {
                assert_eq!(response.status(), StatusCode::NOT_ACCEPTABLE, "{accept}");
                assert_eq!(content_type, "application/problem+json", "{accept}");
            }
        }
    }
    let forced = app.get(Who::Analyst, &format!("{path}&format=csv")).await;
    assert!(forced.content_type.starts_with("text/csv"), "?format= still wins: {}", forced.content_type);
}
