//! What one request and one connection may take, and the middleware that holds every request to
//! it: a cap on requests answered at once (more are refused with 429) and a deadline for each
//! request, its body included (408).
//!
//! Where each limit is enforced:
//! - `body_bytes_max`: [`enforce`] refuses a declared `Content-Length` over it at once, before any
//!   of the body is read (413; a client that declares a huge body and sends none gets its answer
//!   now, not a 408 when the request timeout runs out); a body without a length (chunked) meets
//!   axum's body limit as it is read ([`super::json_body`], 413);
//! - `import_bytes_max`: the same, for `POST /v1/import` ([`super::import`] reads its body itself);
//! - `events_per_append_max`: the append body's parser (422 at `/events`);
//! - `request_timeout_ms`, `concurrent_requests_max`: [`enforce`], around every route;
//! - `idle_timeout_ms`: the connection itself ([`super::connections`]): a client that does not send
//!   a request's headers in time, or does not read its answer, is disconnected.
//!
//! Text lengths (200 and 10 000 characters) and integer ranges are the domain's own value types.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::header::CONTENT_LENGTH;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

use super::problem::ApiError;

/// Limits on what one request, and one connection, may take (each also an option of `serve`).
#[derive(Clone, Copy, Debug, clap::Args)]
pub struct Limits {
    /// Largest request body, in bytes (413 beyond it).
    #[arg(long, env = "AIDLEDGER_BODY_BYTES_MAX", default_value_t = Limits::default().body_bytes_max)]
    pub body_bytes_max: usize,
    /// Largest file `POST /v1/import` takes as its body, in bytes (413 beyond it; larger files are
    /// imported with `aidledger import`).
    #[arg(long, env = "AIDLEDGER_IMPORT_BYTES_MAX", default_value_t = Limits::default().import_bytes_max)]
    pub import_bytes_max: usize,
    /// Most events in one append (422 beyond it).
    #[arg(long, env = "AIDLEDGER_EVENTS_PER_APPEND_MAX", default_value_t = Limits::default().events_per_append_max)]
    pub events_per_append_max: usize,
    /// Longest a request may take, in milliseconds, from its headers being read to its answer being
    /// ready, body included (408 beyond it).
    #[arg(long, env = "AIDLEDGER_REQUEST_TIMEOUT_MS", default_value_t = Limits::default().request_timeout_ms,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout_ms: u64,
    /// Longest the server waits on a client, in milliseconds: for a request's headers (also between
    /// requests on a kept-alive connection), or for it to read any of an answer (the connection is
    /// closed beyond it).
    #[arg(long, env = "AIDLEDGER_IDLE_TIMEOUT_MS", default_value_t = Limits::default().idle_timeout_ms,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub idle_timeout_ms: u64,
    /// Most requests answered at once (429 beyond it).
    #[arg(long, env = "AIDLEDGER_CONCURRENT_REQUESTS_MAX", default_value_t = Limits::default().concurrent_requests_max,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub concurrent_requests_max: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            body_bytes_max: 1024 * 1024,
            import_bytes_max: 32 * 1024 * 1024,
            events_per_append_max: 1000,
            request_timeout_ms: 30_000,
            idle_timeout_ms: 30_000,
            concurrent_requests_max: 256,
        }
    }
}

/// The state [`enforce`] keeps: the request slots, the deadline and the body limit.
#[derive(Clone, Debug)]
pub struct RequestGate {
    slots: Arc<Semaphore>,
    slots_max: usize,
    timeout_ms: u64,
    body_bytes_max: usize,
    import_bytes_max: usize,
}

impl RequestGate {
    /// A gate for `limits`.
    pub fn new(limits: &Limits) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(limits.concurrent_requests_max)),
            slots_max: limits.concurrent_requests_max,
            timeout_ms: limits.request_timeout_ms,
            body_bytes_max: limits.body_bytes_max,
            import_bytes_max: limits.import_bytes_max,
        }
    }
}

/// Answers 413 when the request declares a body over the limit, 429 when every request slot is
/// taken, else runs the request and answers 408 when it has not finished within the request
/// timeout. The slot is held until the answer is ready.
pub(crate) async fn enforce(State(gate): State<RequestGate>, request: Request, next: Next) -> Response {
    let body_bytes_max =
        if request.uri().path() == super::import::PATH { gate.import_bytes_max } else { gate.body_bytes_max };
    if declared_length(&request).is_some_and(|length| length > body_bytes_max as u64) {
        return ApiError::PayloadTooLarge(body_bytes_max).into_response();
    }
    let Ok(_slot) = gate.slots.clone().try_acquire_owned() else {
        tracing::warn!(path = %request.uri().path(), "refused: every request slot is taken");
        return ApiError::TooManyRequests(gate.slots_max).into_response();
    };
    match tokio::time::timeout(Duration::from_millis(gate.timeout_ms), next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::RequestTimeout(gate.timeout_ms).into_response(),
    }
}

/// The body length the request declares (hyper has already refused a malformed `Content-Length`).
fn declared_length(request: &Request) -> Option<u64> {
    request.headers().get(CONTENT_LENGTH)?.to_str().ok()?.trim().parse().ok()
}
