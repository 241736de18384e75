//! The HTTP API (axum): one module per resource, merged in [`app`]. Each handler answers a typed
//! struct declared beside it (or the read model's own, such as the summary), which derives both
//! `Serialize` and its OpenAPI schema: what is served and what the document says are one type.
//!
//! # Layout
//! - [`problem`]: the error type and the problem+json rewriting of axum's own rejections.
//! - [`auth`]: bearer tokens as an extractor, and role checks.
//! - [`append`] and [`append_body`]: appending events; [`json_body`]: reading any JSON request body.
//! - [`records`]: reading records.
//! - [`status`]: liveness, readiness and verification; [`exposition`]: the metrics.
//! - [`checkpoints`] and [`proofs`]: signed checkpoints, their key, and Merkle proofs for auditors.
//! - [`reports`], [`tallies`], [`ledgers`], [`audit`]: the read side, answered from the projections
//!   once they have caught up with every append acknowledged before the request ([`tabular`]
//!   renders JSON or CSV).
//! - [`projections`]: projection status and rebuilds.
//! - [`openapi`]: the OpenAPI document, built from the same route list as the router.
//! - [`limits`]: what a request may take (body size, events per append, time, concurrency), and
//!   [`connections`]: serving connections so that a slow or idle client cannot hold one.
//! - [`me`]: who holds the caller's token; [`tokens`]: token management for admins.
//! - [`console`]: the console's static files, embedded in the binary (not in the OpenAPI document:
//!   they are a web page, not part of the API).

pub mod append;
pub mod append_body;
pub mod audit;
pub mod auth;
pub mod checkpoints;
pub mod closing;
pub mod connections;
pub mod console;
pub mod exposition;
pub mod forget;
pub mod import;
pub mod json_body;
pub mod ledgers;
pub mod limits;
pub mod me;
pub mod openapi;
pub mod problem;
pub mod projections;
pub mod proofs;
pub mod records;
pub mod reports;
pub mod status;
pub mod subscribe;
pub mod tabular;
pub mod tallies;
pub mod tokens;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::header::{CACHE_CONTROL, X_CONTENT_TYPE_OPTIONS};
use axum::http::HeaderValue;
use axum::{Extension, Router};
use tokio::net::TcpListener;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::checkpointer::Checkpointer;
use crate::feed::Feed;
use crate::privacy::Keyring;
use crate::projector::Projector;
use crate::readiness::Readiness;
use crate::store::Store;
use crate::tokens::TokenCheck;

pub use limits::Limits;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The event store.
    pub store: Store,
    /// The projection runner.
    pub projector: Projector,
    /// The checkpointer (and the key that verifies its checkpoints).
    pub checkpointer: Checkpointer,
    /// Opens personal fields for the views built for people (never for analysts).
    pub keyring: Keyring,
    /// Request limits.
    pub limits: Arc<Limits>,
    /// The live feed of records.
    pub feed: Feed,
    /// The token check every request makes.
    pub tokens: TokenCheck,
    /// Whether the server is ready for traffic.
    pub readiness: Readiness,
    /// Whether `/metrics` is served without a token.
    pub metrics_open: bool,
}

/// Every route, each registered from its handler's `#[utoipa::path]` annotation: the router and
/// the OpenAPI document are built from this one list.
fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::annotated())
        .routes(routes!(status::healthz))
        .routes(routes!(status::readyz))
        .routes(routes!(exposition::metrics_text))
        .routes(routes!(openapi::openapi_json))
        .routes(routes!(status::verify))
        .routes(routes!(checkpoints::checkpoint))
        .routes(routes!(checkpoints::key))
        .routes(routes!(checkpoints::keys))
        .routes(routes!(proofs::inclusion))
        .routes(routes!(proofs::consistency))
        .routes(routes!(proofs::receipt))
        .routes(routes!(records::read_log))
        .routes(routes!(records::read_one))
        .routes(routes!(subscribe::records))
        .routes(routes!(subscribe::head))
        .routes(routes!(records::read_stream, append::append))
        .routes(routes!(reports::summary))
        .routes(routes!(reports::trace))
        .routes(routes!(closing::close))
        .routes(routes!(closing::bundle))
        .routes(routes!(tallies::tally))
        .routes(routes!(ledgers::concerns))
        .routes(routes!(ledgers::overdue_pairings))
        .routes(routes!(ledgers::fund))
        .routes(routes!(audit::disbursement))
        .routes(routes!(audit::beneficiary))
        .routes(routes!(forget::forget))
        .routes(routes!(import::import_file))
        .routes(routes!(projections::status))
        .routes(routes!(projections::rebuild))
        .routes(routes!(me::me))
        .routes(routes!(tokens::list, tokens::issue))
        .routes(routes!(tokens::revoke))
}

/// The OpenAPI document of the API as served with `limits`.
pub fn document(limits: &Limits) -> OpenApi {
    let mut document = routes().into_openapi();
    openapi::complete(&mut document, limits);
    document
}

/// The whole API. Every answer it gives, errors included, carries `X-Content-Type-Options: nosniff`
/// and, unless its handler says otherwise, `Cache-Control: no-store`: answers carry tokens, opened
/// personal fields and records, and nothing an answer holds may linger in a browser's or a proxy's
/// cache after the session that asked for it.
pub fn app(state: AppState) -> Router {
    let limits = *state.limits;
    let (router, mut document) = routes().split_for_parts();
    openapi::complete(&mut document, &limits);
    router
        .merge(console::router())
        .fallback(|| async { problem::ApiError::NotFound("no such endpoint".into()) })
        .layer(Extension(openapi::Document::new(&document)))
        .layer(DefaultBodyLimit::max(limits.body_bytes_max))
        .layer(axum::middleware::from_fn_with_state(limits::RequestGate::new(&limits), limits::enforce))
        .layer(axum::middleware::map_response(problem::problem_for_plain_errors))
        .layer(axum::middleware::from_fn(crate::telemetry::requests::count))
        .layer(TraceLayer::new_for_http())
        .layer(SetResponseHeaderLayer::if_not_present(CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(SetResponseHeaderLayer::overriding(
            X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .with_state(state)
}

/// Serves the API on `listener` until `shutdown` completes, then waits for open connections to
/// finish.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let idle_timeout = Duration::from_millis(state.limits.idle_timeout_ms);
    let feed = state.feed.clone();
    // Subscriptions never end by themselves: close them, so that open connections can finish.
    let shutdown = async move {
        shutdown.await;
        feed.close();
    };
    connections::serve_connections(listener, app(state), idle_timeout, shutdown).await
}
