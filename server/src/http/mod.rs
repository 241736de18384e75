//! The HTTP API (axum): one module per resource, merged in [`app`].
//!
//! # Layout
//! - [`problem`]: the error type and the problem+json rewriting of axum's own rejections.
//! - [`auth`]: bearer tokens as an extractor, and role checks.
//! - [`append`] and [`append_body`]: appending events.
//! - [`records`]: reading records.
//! - [`status`]: health and verification.
//! - [`checkpoints`] and [`proofs`]: signed checkpoints, their key, and Merkle proofs for auditors.
//! - [`reports`], [`tallies`], [`ledgers`], [`audit`]: the read side, answered from the projections
//!   once they have caught up with every append acknowledged before the request ([`tabular`]
//!   renders JSON or CSV).
//! - [`projections`]: projection status and rebuilds.

pub mod append;
pub mod append_body;
pub mod audit;
pub mod auth;
pub mod checkpoints;
pub mod ledgers;
pub mod problem;
pub mod projections;
pub mod proofs;
pub mod records;
pub mod reports;
pub mod status;
pub mod tabular;
pub mod tallies;

use std::future::Future;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

use crate::checkpointer::Checkpointer;
use crate::projector::Projector;
use crate::store::Store;

/// Limits on what one request may ask for.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest request body, in bytes.
    pub body_bytes_max: usize,
    /// Most events in one append.
    pub events_per_append_max: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { body_bytes_max: 1024 * 1024, events_per_append_max: 1000 }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The event store.
    pub store: Store,
    /// The projection runner.
    pub projector: Projector,
    /// The checkpointer (and the key that verifies its checkpoints).
    pub checkpointer: Checkpointer,
    /// Request limits.
    pub limits: Arc<Limits>,
}

/// The whole API.
pub fn app(state: AppState) -> Router {
    let body_bytes_max = state.limits.body_bytes_max;
    Router::new()
        .route("/healthz", get(status::healthz))
        .route("/v1/verify", get(status::verify))
        .route("/v1/checkpoint", get(checkpoints::checkpoint))
        .route("/v1/checkpoint/key", get(checkpoints::key))
        .route("/v1/proofs/inclusion", get(proofs::inclusion))
        .route("/v1/proofs/consistency", get(proofs::consistency))
        .route("/v1/events", get(records::read_log))
        .route("/v1/events/{position}", get(records::read_one))
        .route("/v1/streams/{stream}/events", get(records::read_stream).post(append::append))
        .route("/v1/reports/summary", get(reports::summary))
        .route("/v1/reports/summary/trace", get(reports::trace))
        .route("/v1/tallies/{name}", get(tallies::tally))
        .route("/v1/concerns", get(ledgers::concerns))
        .route("/v1/pairings/overdue", get(ledgers::overdue_pairings))
        .route("/v1/funds/{id}", get(ledgers::fund))
        .route("/v1/audit/disbursements/{id}", get(audit::disbursement))
        .route("/v1/audit/beneficiaries/{id}", get(audit::beneficiary))
        .route("/v1/projections", get(projections::status))
        .route("/v1/projections/{name}/rebuild", post(projections::rebuild))
        .fallback(|| async { problem::ApiError::NotFound("no such endpoint".into()) })
        .layer(DefaultBodyLimit::max(body_bytes_max))
        .layer(axum::middleware::map_response(problem::problem_for_plain_errors))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves the API on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state)).with_graceful_shutdown(shutdown).await
}
