//! The OpenAPI document: served without a token, JSON, and listing exactly the routes the server
//! answers, each error as problem+json.

use std::collections::BTreeSet;

use aidledger_server::http::Limits;
use aidledger_tests::{TestApp, Who};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// Every route the server answers.
const ROUTES: [(&str, &str); 35] = [
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
    ("get", "/openapi.json"),
    ("get", "/v1/verify"),
    ("get", "/v1/checkpoint"),
    ("get", "/v1/checkpoint/key"),
    ("get", "/v1/checkpoint/keys"),
    ("get", "/v1/proofs/inclusion"),
    ("get", "/v1/proofs/consistency"),
    ("get", "/v1/proofs/receipt"),
    ("get", "/v1/events"),
    ("get", "/v1/events/{position}"),
    ("get", "/v1/streams/{stream}/events"),
    ("post", "/v1/streams/{stream}/events"),
    ("get", "/v1/subscribe"),
    ("get", "/v1/subscribe/head"),
    ("get", "/v1/reports/summary"),
    ("get", "/v1/reports/summary/trace"),
    ("post", "/v1/reports/close"),
    ("get", "/v1/reports/{id}/bundle"),
    ("get", "/v1/tallies/{name}"),
    ("get", "/v1/concerns"),
    ("get", "/v1/pairings/overdue"),
    ("get", "/v1/funds/{id}"),
    ("get", "/v1/audit/disbursements/{id}"),
    ("get", "/v1/audit/beneficiaries/{id}"),
    ("post", "/v1/beneficiaries/{id}/forget"),
    ("post", "/v1/import"),
    ("get", "/v1/projections"),
    ("post", "/v1/projections/{name}/rebuild"),
    ("get", "/v1/me"),
    ("get", "/v1/tokens"),
    ("post", "/v1/tokens"),
    ("post", "/v1/tokens/{id}/revoke"),
];

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

async fn document(app: &TestApp) -> Value {
    let answer = app.request(Method::GET, "/openapi.json", None, None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.content_type, "application/json");
    assert!(answer.body.is_object(), "not a JSON object: {}", answer.text);
    answer.body
}

fn operations(document: &Value) -> BTreeSet<(String, String)> {
    let paths = document["paths"].as_object().expect("paths");
    let mut operations = BTreeSet::new();
    for (path, item) in paths {
        for method in METHODS.iter().filter(|method| item.get(**method).is_some()) {
            operations.insert((method.to_string(), path.clone()));
        }
    }
    operations
}

/// `path` with its parameters filled in.
fn concrete(path: &str) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    path.replace("{stream}", &format!("activity-{id}"))
        .replace("{position}", "1")
        .replace("{name}", "no-such-name")
        .replace("/v1/tokens/{id}", "/v1/tokens/999999")
        .replace("{id}", &id)
}

#[tokio::test]
async fn the_document_is_open_json_and_lists_exactly_the_routes_served() {
    let app = TestApp::spawn().await;
    let document = document(&app).await;
    assert!(document["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "{}", document["openapi"]);
    let listed: BTreeSet<(String, String)> =
        ROUTES.iter().map(|(method, path)| (method.to_string(), path.to_string())).collect();
    assert_eq!(operations(&document), listed);

    for (_, path) in ROUTES {
        for other in METHODS {
            let method_of =
                |name: &str| Method::from_bytes(name.to_uppercase().as_bytes()).expect("a method");
            let served = ROUTES.contains(&(other, path));
            if served && path.starts_with("/v1/subscribe") {
                // A feed never ends; the feed tests read it.
                continue;
            }
            let body = (other == "post").then(|| b"{}".to_vec());
            let answer = app.request(method_of(other), &concrete(path), Some(Who::Admin), body).await;
            if served {
                assert_ne!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{other} {path}: {}", answer.text);
                assert!(!answer.text.contains("no such endpoint"), "{other} {path} is not served");
            } else {
                assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{other} {path} is served");
            }
        }
    }
}

#[tokio::test]
async fn every_error_is_documented_as_problem_json_and_every_route_may_answer_405_408_and_429() {
    let app = TestApp::spawn().await;
    let document = document(&app).await;
    let responses = &document["components"]["responses"];
    for (method, path) in ROUTES {
        let operation = &document["paths"][path][method];
        let answers = operation["responses"].as_object().expect("responses");
        for status in ["405", "408", "429"] {
            assert!(answers.contains_key(status), "{method} {path} does not document {status}");
        }
        let takes_body = operation.get("requestBody").is_some();
        assert_eq!(answers.contains_key("415"), takes_body, "{method} {path}: 415");
        let offers_csv = operation["responses"]["200"]["content"].get("text/csv").is_some();
        assert_eq!(answers.contains_key("406"), offers_csv, "{method} {path}: 406");
        let needs_token = operation["security"].as_array().is_some_and(|s| !s.is_empty());
        let open = [
            "/healthz",
            "/readyz",
            "/openapi.json",
            "/v1/checkpoint",
            "/v1/checkpoint/key",
            "/v1/checkpoint/keys",
        ]
        .contains(&path);
        assert_eq!(needs_token, !open, "{method} {path}: security");
        assert_eq!(answers.contains_key("401"), needs_token, "{method} {path}: 401");
        assert!(!needs_token || answers.contains_key("503"), "{method} {path}: 503 (a busy database)");
        for (status, answer) in answers.iter().filter(|(status, _)| status.starts_with('4')) {
            let reference = answer["$ref"].as_str().expect("a reference to a problem response");
            let name = reference.trim_start_matches("#/components/responses/");
            let schema = &responses[name]["content"]["application/problem+json"]["schema"]["$ref"];
            assert_eq!(schema, "#/components/schemas/Problem", "{method} {path} {status}");
        }
    }
}

#[tokio::test]
async fn the_append_body_offers_every_event_type_and_the_configured_limit() {
    let app = TestApp::spawn_with(Limits { events_per_append_max: 7, ..Limits::default() }).await;
    let document = document(&app).await;
    let schemas = &document["components"]["schemas"];
    let events = &schemas["AppendRequest"]["properties"]["events"];
    assert_eq!(events["maxItems"], 7);
    let offered = events["items"]["oneOf"].as_array().expect("one schema per event type");
    for &event_type in domain::EventType::ALL {
        let name = format!("#/components/schemas/{event_type}Event");
        let is_offered = offered.iter().any(|o| o["$ref"] == name.as_str());
        let appendable = event_type.own_endpoint().is_none();
        assert_eq!(is_offered, appendable, "{event_type}");
    }
    let visit = &schemas["VisitRecordedData"];
    assert_eq!(visit["additionalProperties"], false);
    assert_eq!(visit["properties"]["duration_minutes"]["maximum"], 1440);
    assert_eq!(visit["properties"]["summary"]["maxLength"], 10_000);
    assert_eq!(visit["properties"]["staff"]["maxLength"], 200);
}
