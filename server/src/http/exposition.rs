//! `GET /metrics`: what the server counts, in Prometheus's text format (see [`crate::telemetry`]).
//!
//! Open without a token when the server listens on a loopback address (only this machine can ask)
//! or was started with `--metrics-open`; otherwise any role's token may read it. A token-free
//! scrape is not checked for a token at all, so it logs no refusal.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};

use super::openapi::responses::Unauthorized;
use super::problem::ApiError;
use super::AppState;
use crate::telemetry;
use crate::tokens::Caller;

/// The media type of Prometheus's text format.
const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// `GET /metrics`.
#[utoipa::path(get, path = "/metrics", tag = "status", security((), ("bearer" = [])),
    description = "What the server counts, in Prometheus's text format: appends and events by result, append \
                   latency, group sizes, the head, projection lag, subscribers, checkpoint age, HTTP requests by \
                   route and status. Open on a loopback listener or with --metrics-open, else any role's token.",
    responses(
        (status = 200, description = "The metrics", body = String, content_type = "text/plain"),
        (status = 401, response = Unauthorized),
    ))]
pub async fn metrics_text(State(state): State<AppState>, request: Request) -> Result<Response, ApiError> {
    if !state.metrics_open {
        let (mut parts, _) = request.into_parts();
        Caller::from_request_parts(&mut parts, &state).await?;
    }
    if let Err(error) = telemetry::scrape::read_gauges(&state.projector, &state.store).await {
        tracing::warn!(error = format!("{error:#}"), "could not read the scraped gauges; serving the rest");
    }
    let mut response = telemetry::handle().render().into_response();
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(PROMETHEUS_TEXT));
    Ok(response)
}
