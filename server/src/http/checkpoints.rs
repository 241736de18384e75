//! Signed checkpoints and the key that verifies them, as `text/plain`, and every key that has signed
//! them (JSON), for checkpoints signed before a rotation.
//!
//! Both are open without a token: a checkpoint says only how many records the log has and its Merkle
//! root, the key is public, and an auditor (or anyone keeping watch over the log) must be able to
//! fetch them and compare notes without being given access to the records.

use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::openapi::responses::{BadRequest, NotFound};
use super::problem::ApiError;
use super::AppState;

/// `?tree_size=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CheckpointQuery {
    /// The tree size of a checkpoint signed earlier (every one is kept) [default: the latest].
    #[param(value_type = Option<u64>)]
    tree_size: Option<String>,
}

fn text_response(text: String) -> Response {
    let mut response = (StatusCode::OK, text).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    response
}

/// `GET /v1/checkpoint[?tree_size=N]`: the latest signed checkpoint, or the one signed at size N.
#[utoipa::path(get, path = "/v1/checkpoint", tag = "auditors", params(CheckpointQuery),
    description = "A C2SP signed note of the log's size and Merkle root, signed with Ed25519, with the cosignatures \
                   (C2SP tlog-cosignature) its witnesses have answered appended as further signature lines; open \
                   without a token.",
    responses(
        (status = 200, description = "The signed checkpoint", body = String, content_type = "text/plain"),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
    ))]
pub async fn checkpoint(
    State(state): State<AppState>,
    Query(query): Query<CheckpointQuery>,
) -> Result<Response, ApiError> {
    let stored = match query.tree_size {
        None => state.store.latest_checkpoint().await?,
        Some(text) => {
            let tree_size = text.parse::<u64>().map_err(|_| {
                ApiError::BadRequest(format!("tree_size must be a whole number of records, not {text:?}"))
            })?;
            let stored = state.store.checkpoint_at(tree_size).await?;
            if stored.is_none() {
                return Err(ApiError::NotFound(format!("no checkpoint was signed at tree size {tree_size}")));
            }
            stored
        }
    };
    let stored = stored.ok_or_else(|| ApiError::NotFound("no checkpoint has been signed yet".into()))?;
    let cosigned = crate::cosigning::with_cosignatures(&state.store, stored).await?;
    Ok(text_response(cosigned.note))
}

/// `GET /v1/checkpoint/key`: the verifier key, `<name>+<hex key id>+<base64(0x01 ‖ public key)>`.
#[utoipa::path(get, path = "/v1/checkpoint/key", tag = "auditors",
    responses((status = 200, description = "The note verifier key, open without a token", body = String,
               content_type = "text/plain")))]
pub async fn key(State(state): State<AppState>) -> Response {
    text_response(format!("{}\n", state.checkpointer.verifier()))
}

/// One key of the log, in `GET /v1/checkpoint/keys`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LogKey {
    /// Whether it signs the checkpoints this server signs now.
    pub current: bool,
    /// The key id, hex.
    pub key_id: String,
    /// When the log first recorded it (RFC 3339 UTC).
    pub recorded_at: String,
    /// The tree size it started at: it signs checkpoints of at least this many records, and of at
    /// most the size the next key started at.
    pub tree_size: u64,
    /// The note verifier key, `<name>+<hex key id>+<base64(0x01 ‖ public key)>`.
    pub verifier_key: String,
}

/// `GET /v1/checkpoint/keys`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LogKeys {
    /// Every key that has signed the log's checkpoints, in the order they started.
    pub keys: Vec<LogKey>,
}

/// `GET /v1/checkpoint/keys`: every key that has signed checkpoints, with the tree size each started at.
#[utoipa::path(get, path = "/v1/checkpoint/keys", tag = "auditors",
    description = "Every key that has signed the log's checkpoints (public halves only), each with the tree size \
                   it started at, so that checkpoints signed before a key rotation still verify; open without a token.",
    responses((status = 200, description = "The log's keys", body = LogKeys)))]
pub async fn keys(State(state): State<AppState>) -> Result<Response, ApiError> {
    let current = state.checkpointer.verifier();
    let keys = crate::signing::key_history::keys(state.store.pool())
        .await?
        .into_iter()
        .map(|key| LogKey {
            current: key.verifier == current,
            key_id: hex::encode(key.verifier.id()),
            recorded_at: key.recorded_at,
            tree_size: key.tree_size,
            verifier_key: key.verifier.to_string(),
        })
        .collect();
    super::problem::json_answer(StatusCode::OK, &LogKeys { keys })
}
