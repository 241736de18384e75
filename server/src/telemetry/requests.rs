//! HTTP requests by method, route and status, and how long each took to answer. The route is the
//! matched path template (`/v1/streams/{stream}/events`), never the raw URI, so that stream names
//! and ids never become labels; anything no route matched counts as `unmatched`.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics::{counter, histogram};

use super::{HTTP_DURATION, HTTP_REQUESTS};

/// The route label of anything no route matched.
const UNMATCHED: &str = "unmatched";

/// Middleware: answers the request and counts it.
pub async fn count(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| UNMATCHED.to_owned(), |path| path.as_str().to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    histogram!(HTTP_DURATION, "method" => method.clone(), "route" => route.clone())
        .record(started.elapsed().as_secs_f64());
    counter!(HTTP_REQUESTS, "method" => method, "route" => route, "status" => status).increment(1);
    response
}
