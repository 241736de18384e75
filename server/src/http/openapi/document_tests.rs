//! The document against the code that answers: every error body uses only the members the
//! `Problem` schema names.

use axum::response::IntoResponse;
use domain::{FieldError, RuleBreach};
use serde_json::Value;

use super::*;
use crate::http::problem::ApiError;

fn problem_members() -> Vec<String> {
    let document = serde_json::to_value(annotated()).expect("the document serializes");
    let properties = document["components"]["schemas"]["Problem"]["properties"].as_object().cloned();
    properties.expect("a Problem schema").keys().cloned().collect()
}

async fn body_of(error: ApiError) -> Value {
    let bytes = axum::body::to_bytes(error.into_response().into_body(), 1 << 20).await.expect("a body");
    serde_json::from_slice(&bytes).expect("a JSON body")
}

#[tokio::test]
async fn every_error_body_uses_only_members_the_problem_schema_names() {
    let members = problem_members();
    let errors = [
        ApiError::BadRequest("bad".into()),
        ApiError::Schema(vec![FieldError::new("/events", "is required")]),
        ApiError::Rule { index: 0, breach: RuleBreach::new("some_rule", "broken") },
        ApiError::VersionConflict { current_version: 3 },
        ApiError::IdConflict("reused".into()),
        ApiError::Unauthorized("no token".into()),
        ApiError::Forbidden("no".into()),
        ApiError::NotFound("none".into()),
        ApiError::NotAcceptable("neither".into()),
        ApiError::PayloadTooLarge(10),
        ApiError::UnsupportedMediaType("text/plain".into()),
        ApiError::RequestTimeout(10),
        ApiError::TooManyRequests(1),
        ApiError::Unavailable,
        ApiError::Busy(anyhow::anyhow!("locked")),
        ApiError::Internal(anyhow::anyhow!("boom")),
    ];
    for error in errors {
        let body = body_of(error).await;
        for key in body.as_object().expect("an object").keys() {
            assert!(members.contains(key), "{key} is not a member of the Problem schema: {body}");
        }
    }
}

#[test]
fn the_completed_document_names_every_response_and_schema_it_refers_to() {
    let document = crate::http::document(&Limits::default());
    assert!(document.paths.paths.len() > 20, "the document has the routes' paths");
    let text = serde_json::to_string(&document).expect("the document serializes");
    let value: Value = serde_json::from_str(&text).expect("JSON");
    let mut references = Vec::new();
    collect_references(&value, &mut references);
    for reference in references {
        let pointer = reference.trim_start_matches('#');
        assert!(value.pointer(pointer).is_some(), "{reference} is referred to but not defined");
    }
}

fn collect_references(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                out.push(reference.clone());
            }
            map.values().for_each(|v| collect_references(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_references(v, out)),
        _ => {}
    }
}
