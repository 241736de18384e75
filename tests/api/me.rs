//! `GET /v1/me`: any valid token learns who holds it and its role; nothing else answers.

use aidledger_tests::{TestApp, Who};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn every_token_learns_its_own_principal_and_role() {
    let app = TestApp::spawn().await;
    for who in Who::ALL {
        let answer = app.get(who, "/v1/me").await;
        assert_eq!(answer.status, StatusCode::OK, "{who:?}: {}", answer.text);
        assert_eq!(answer.content_type, "application/json");
        assert_eq!(
            answer.body,
            json!({"principal": who.principal(), "role": who.role().as_str()}),
            "{who:?}"
        );
    }
}

#[tokio::test]
async fn no_token_a_wrong_token_and_a_revoked_token_are_each_a_401_problem() {
    let app = TestApp::spawn().await;
    let none = app.request(Method::GET, "/v1/me", None, None).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED, "{}", none.text);
    assert_eq!(none.content_type, "application/problem+json");

    let wrong = app.client.get(format!("{}/v1/me", app.base)).bearer_auth("aidl_not-a-token").send().await;
    let wrong = wrong.expect("request");
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);

    let issued = app
        .request(
            Method::POST,
            "/v1/tokens",
            Some(Who::Admin),
            Some(json!({"role": "analyst", "principal": "fang.yu"}).to_string().into_bytes()),
        )
        .await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.text);
    let secret = issued.body["token"].as_str().expect("a secret").to_owned();
    let me =
        app.client.get(format!("{}/v1/me", app.base)).bearer_auth(&secret).send().await.expect("request");
    assert_eq!(
        me.json::<serde_json::Value>().await.expect("JSON"),
        json!({"principal": "fang.yu", "role": "analyst"})
    );
    let path = format!("/v1/tokens/{}/revoke", issued.body["id"]);
    assert_eq!(app.request(Method::POST, &path, Some(Who::Admin), None).await.status, StatusCode::OK);
    let revoked =
        app.client.get(format!("{}/v1/me", app.base)).bearer_auth(&secret).send().await.expect("request");
    assert_eq!(revoked.status(), StatusCode::UNAUTHORIZED);
}
