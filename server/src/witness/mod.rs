//! A C2SP `tlog-witness`: `aidledger witness serve` cosigns the checkpoints of the logs it is told
//! to trust, each only if it extends the last one it cosigned for that log.
//!
//! # Layout
//! - [`request`]: the `add-checkpoint` body.
//! - [`state`]: the witness's own database (the latest cosigned checkpoint per log).
//! - [`http`]: the `add-checkpoint` endpoint and its status codes.

pub mod http;
pub mod request;
pub mod state;

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::http::header;
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use tokio::net::TcpListener;

use crate::signing::{NoteSigner, NoteVerifier};
use state::WitnessState;

/// How long a connection may sit idle before the witness closes it.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// The largest request body taken: 63 proof lines and a checkpoint with its signatures.
const BODY_BYTES_MAX: usize = 64 * 1024;

/// A witness: its key, the logs it witnesses and its state.
pub struct Witness {
    /// Its cosigning key ([`crate::signing::SignatureType::CosignatureV1`]).
    pub signer: NoteSigner,
    /// For each log origin, the keys trusted to sign its checkpoints.
    pub logs: HashMap<String, Vec<NoteVerifier>>,
    /// The latest checkpoint cosigned for each log.
    pub state: WitnessState,
}

/// Rewrites axum's own plain-text errors as problem+json, but for the spec's 409 size body.
async fn problems_but_sizes(response: Response) -> Response {
    let is_size = response.headers().get(header::CONTENT_TYPE).is_some_and(|value| value == http::TLOG_SIZE);
    if is_size {
        return response;
    }
    crate::http::problem::problem_for_plain_errors(response).await
}

/// The witness's HTTP interface.
pub fn router(witness: Arc<Witness>) -> Router {
    Router::new()
        .route("/add-checkpoint", post(http::add_checkpoint))
        .fallback(|| async {
            crate::http::problem::problem(
                axum::http::StatusCode::NOT_FOUND,
                "about:blank",
                "no such endpoint",
            )
        })
        .layer(axum::extract::DefaultBodyLimit::max(BODY_BYTES_MAX))
        .layer(axum::middleware::map_response(problems_but_sizes))
        .with_state(witness)
}

/// Serves `witness` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    witness: Witness,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    crate::http::connections::serve_connections(listener, router(Arc::new(witness)), IDLE_TIMEOUT, shutdown)
        .await
}
