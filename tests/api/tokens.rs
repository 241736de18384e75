//! Token management over HTTP, for admins only: listing every token (never a secret or a hash),
//! issuing one (its secret in that answer only), and revoking one, which stops it at its next
//! request.

use aidledger_tests::{TestApp, Who};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn issue(app: &TestApp, who: Who, body: &str) -> aidledger_tests::Answer {
    app.request(Method::POST, "/v1/tokens", Some(who), Some(body.as_bytes().to_vec())).await
}

async fn revoke(app: &TestApp, who: Who, id: &str) -> aidledger_tests::Answer {
    app.request(Method::POST, &format!("/v1/tokens/{id}/revoke"), Some(who), None).await
}

/// The status of `GET /v1/events` with the raw `secret`.
async fn status_with(app: &TestApp, secret: &str) -> StatusCode {
    app.client.get(format!("{}/v1/events", app.base)).bearer_auth(secret).send().await.unwrap().status()
}

#[tokio::test]
async fn an_admin_lists_every_token_with_no_secret_or_hash_in_json_or_csv() {
    let app = TestApp::spawn().await;
    let answer = app.get(Who::Admin, "/v1/tokens").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let tokens = answer.body["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), Who::ALL.len());
    for who in Who::ALL {
        let token = tokens.iter().find(|t| t["principal"] == who.principal()).unwrap();
        assert_eq!(token["role"], json!(who.role().as_str()));
        assert!(token["id"].is_i64() && token["created_at"].as_str().unwrap().ends_with('Z'));
        assert!(token.get("revoked_at").is_none());
        let secret = app.token(who);
        assert!(!answer.text.contains(secret.trim_start_matches("aidl_")), "a secret is listed");
        assert!(!answer.text.contains(&hex::encode(<sha2::Sha256 as sha2::Digest>::digest(secret))));
    }
    let csv = app.get(Who::Admin, "/v1/tokens?format=csv").await;
    assert!(csv.content_type.starts_with("text/csv"), "{}", csv.content_type);
    assert_eq!(csv.text.lines().next(), Some("id,role,principal,created_at,revoked_at"));
    assert_eq!(csv.text.lines().count(), Who::ALL.len() + 1);
}

#[tokio::test]
async fn only_an_admin_manages_tokens() {
    let app = TestApp::spawn().await;
    let body = r#"{"role": "admin", "principal": "mallory"}"#;
    for who in Who::ALL.into_iter().filter(|who| *who != Who::Admin) {
        for answer in
            [app.get(who, "/v1/tokens").await, issue(&app, who, body).await, revoke(&app, who, "1").await]
        {
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{who:?}: {}", answer.text);
            assert_eq!(answer.content_type, "application/problem+json");
        }
    }
    let anonymous = app.request(Method::GET, "/v1/tokens", None, None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.content_type, "application/problem+json");
}

#[tokio::test]
async fn an_issued_token_works_until_it_is_revoked_and_then_not_at_all() {
    let app = TestApp::spawn().await;
    let issued = issue(&app, Who::Admin, r#"{"role": "auditor", "principal": "李娜"}"#).await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.text);
    assert_eq!(issued.body["role"], json!("auditor"));
    assert_eq!(issued.body["principal"], json!("李娜"));
    let secret = issued.body["token"].as_str().unwrap().to_owned();
    let id = issued.body["id"].as_i64().unwrap().to_string();
    assert_eq!(status_with(&app, &secret).await, StatusCode::OK);
    let listed = app.get(Who::Admin, "/v1/tokens").await;
    assert!(!listed.text.contains(secret.trim_start_matches("aidl_")), "shown once, at issue only");

    let revoked = revoke(&app, Who::Admin, &id).await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text);
    let revoked_at = revoked.body["revoked_at"].as_str().unwrap().to_owned();
    assert_eq!(status_with(&app, &secret).await, StatusCode::UNAUTHORIZED);
    let again = revoke(&app, Who::Admin, &id).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body["revoked_at"], json!(revoked_at), "the first revocation stands");
    let listed = app.get(Who::Admin, "/v1/tokens").await;
    let token: &Value =
        listed.body["tokens"].as_array().unwrap().iter().find(|t| t["principal"] == "李娜").unwrap();
    assert_eq!(token["revoked_at"], json!(revoked_at));

    for unknown in ["999999", "not-a-number", "-1"] {
        let answer = revoke(&app, Who::Admin, unknown).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{unknown}: {}", answer.text);
        assert_eq!(answer.content_type, "application/problem+json");
    }
}

#[tokio::test]
async fn a_bad_token_request_is_a_400_or_a_422_naming_the_field() {
    let app = TestApp::spawn().await;
    for (body, status, pointer) in [
        ("not json", StatusCode::BAD_REQUEST, None),
        (r#"{"role": "staff", "role": "admin", "principal": "x"}"#, StatusCode::BAD_REQUEST, None),
        (r#"[]"#, StatusCode::UNPROCESSABLE_ENTITY, Some("")),
        (r#"{"role": "boss", "principal": "x"}"#, StatusCode::UNPROCESSABLE_ENTITY, Some("/role")),
        (r#"{"role": 3, "principal": "x"}"#, StatusCode::UNPROCESSABLE_ENTITY, Some("/role")),
        (r#"{"role": "staff"}"#, StatusCode::UNPROCESSABLE_ENTITY, Some("/principal")),
        (r#"{"role": "staff", "principal": "  "}"#, StatusCode::UNPROCESSABLE_ENTITY, Some("/principal")),
        (
            r#"{"role": "staff", "principal": "x", "secret": "mine"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("/secret"),
        ),
    ] {
        let answer = issue(&app, Who::Admin, body).await;
        assert_eq!(answer.status, status, "{body}: {}", answer.text);
        assert_eq!(answer.content_type, "application/problem+json");
        if let Some(pointer) = pointer {
            let pointers: Vec<&str> = answer.body["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["pointer"].as_str().unwrap())
                .collect();
            assert_eq!(pointers, [pointer], "{body}");
        }
    }
    let listed = app.get(Who::Admin, "/v1/tokens").await;
    assert_eq!(listed.body["tokens"].as_array().unwrap().len(), Who::ALL.len(), "nothing was issued");
}

#[tokio::test]
async fn a_token_revoked_by_another_process_is_refused_from_the_next_request_on() {
    let app = TestApp::spawn().await;
    let issued = issue(&app, Who::Admin, r#"{"role": "staff", "principal": "王芳"}"#).await;
    let secret = issued.body["token"].as_str().unwrap().to_owned();
    let id = issued.body["id"].as_i64().unwrap();
    for _ in 0..3 {
        // Answered from memory after the first: the server has seen the token work.
        assert_eq!(status_with(&app, &secret).await, StatusCode::OK);
    }
    // Another process's pool, as `aidledger token revoke` has: the server hears nothing from it.
    let elsewhere = aidledger_server::db::Database::open(&app.database_url).await.unwrap().pool;
    let revoked = aidledger_server::tokens::revoke(&elsewhere, id).await.unwrap();
    assert!(matches!(revoked, aidledger_server::tokens::Revocation::Revoked(_)));
    assert_eq!(status_with(&app, &secret).await, StatusCode::UNAUTHORIZED);
    assert_eq!(status_with(&app, app.token(Who::Staff)).await, StatusCode::OK, "other tokens still work");
}
