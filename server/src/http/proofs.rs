//! Merkle proofs: a record's inclusion in the tree of some size (RFC 9162 §2.1.3), and the
//! consistency of a tree with a later one (§2.1.4), as lists of hex hashes; and a record's receipt,
//! a C2SP `tlog-proof` that verifies offline. Any size up to the committed log's may be asked for;
//! readable by every role but analysts.

use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::auth::require;
use super::openapi::responses::{BadRequest, Forbidden, NotFound};
use super::problem::ApiError;
use super::AppState;
use crate::signing::receipt::Receipt;
use crate::tokens::Caller;

/// The content type of a receipt.
const TLOG_PROOF: &str = "text/plain; charset=utf-8";

/// `?position=&tree_size=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InclusionQuery {
    /// The record's position (1 ≤ position ≤ tree_size).
    #[param(value_type = u64, minimum = 1, required = true)]
    position: Option<String>,
    /// The size of the tree to prove it in (≤ the log's size).
    #[param(value_type = u64, minimum = 1, required = true)]
    tree_size: Option<String>,
}

/// `?position=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReceiptQuery {
    /// The record's position (1 ≤ position ≤ the log's size).
    #[param(value_type = u64, minimum = 1, required = true)]
    position: Option<String>,
}

/// `?first=&second=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ConsistencyQuery {
    /// The earlier tree size (1 ≤ first ≤ second).
    #[param(value_type = u64, minimum = 1, required = true)]
    first: Option<String>,
    /// The later tree size (≤ the log's size).
    #[param(value_type = u64, minimum = 1, required = true)]
    second: Option<String>,
}

/// An inclusion proof: the record at position `leaf_index + 1` is in the tree of `tree_size` records.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct InclusionProof {
    /// The record's position − 1.
    pub leaf_index: u64,
    /// The size of the tree it is proved in.
    pub tree_size: u64,
    /// The sibling hashes from the leaf up, lowercase hex.
    pub hashes: Vec<String>,
}

/// A consistency proof: the tree of `second` records extends the tree of `first`.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ConsistencyProof {
    /// The earlier size.
    pub first: u64,
    /// The later size.
    pub second: u64,
    /// The proof's hashes, lowercase hex.
    pub hashes: Vec<String>,
}

/// A required query parameter holding a whole number ≥ 1.
fn count(name: &str, value: Option<String>) -> Result<u64, ApiError> {
    let value = value.ok_or_else(|| ApiError::BadRequest(format!("{name} is required")))?;
    value
        .parse::<u64>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| ApiError::BadRequest(format!("{name} must be a whole number ≥ 1, not {value:?}")))
}

/// `GET /v1/proofs/inclusion?position=&tree_size=`.
#[utoipa::path(get, path = "/v1/proofs/inclusion", tag = "auditors", params(InclusionQuery),
    security(("bearer" = [])),
    description = "RFC 9162 §2.1.3 inclusion proof (every role but analyst).",
    responses(
        (status = 200, description = "The proof", body = InclusionProof),
        (status = 400, response = BadRequest),
        (status = 403, response = Forbidden),
    ))]
pub async fn inclusion(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<InclusionQuery>,
) -> Result<Json<InclusionProof>, ApiError> {
    require(&caller, caller.role.may_verify(), "read proofs")?;
    let position = count("position", query.position)?;
    let tree_size = count("tree_size", query.tree_size)?;
    let current = state.store.tree_size();
    if position > tree_size || tree_size > current {
        return Err(ApiError::BadRequest(format!(
            "an inclusion proof needs 1 ≤ position ≤ tree_size ≤ {current} (the log's size), not position \
             {position} and tree_size {tree_size}"
        )));
    }
    let proof = state.store.inclusion_proofs(&[position - 1], tree_size).await?.pop().unwrap_or_default();
    Ok(Json(InclusionProof {
        leaf_index: position - 1,
        tree_size,
        hashes: proof.iter().map(|hash| hash.to_hex()).collect(),
    }))
}

/// `GET /v1/proofs/consistency?first=&second=`.
#[utoipa::path(get, path = "/v1/proofs/consistency", tag = "auditors", params(ConsistencyQuery),
    security(("bearer" = [])),
    description = "RFC 9162 §2.1.4 consistency proof (every role but analyst).",
    responses(
        (status = 200, description = "The proof", body = ConsistencyProof),
        (status = 400, response = BadRequest),
        (status = 403, response = Forbidden),
    ))]
pub async fn consistency(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ConsistencyQuery>,
) -> Result<Json<ConsistencyProof>, ApiError> {
    require(&caller, caller.role.may_verify(), "read proofs")?;
    let first = count("first", query.first)?;
    let second = count("second", query.second)?;
    let current = state.store.tree_size();
    if first > second || second > current {
        return Err(ApiError::BadRequest(format!(
            "a consistency proof needs 1 ≤ first ≤ second ≤ {current} (the log's size), not first {first} and \
             second {second}"
        )));
    }
    let proof = state.store.consistency_proof(first, second).await?;
    Ok(Json(ConsistencyProof { first, second, hashes: proof.iter().map(|hash| hash.to_hex()).collect() }))
}

/// `GET /v1/proofs/receipt?position=`.
#[utoipa::path(get, path = "/v1/proofs/receipt", tag = "auditors", params(ReceiptQuery),
    security(("bearer" = [])),
    description = "The record's receipt, a C2SP tlog-proof (`c2sp.org/tlog-proof@v1`, `index <position − 1>`, the \
                   base64 inclusion proof, a blank line, then the checkpoint with its cosignatures, verbatim) that \
                   verifies offline with the log's key and the witnesses' keys; its entry is the record's hash. The \
                   checkpoint is the one covering the record that most witnesses cosigned (every role but analyst).",
    responses(
        (status = 200, description = "The receipt", body = String, content_type = "text/plain"),
        (status = 400, response = BadRequest),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ))]
pub async fn receipt(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ReceiptQuery>,
) -> Result<Response, ApiError> {
    require(&caller, caller.role.may_verify(), "read proofs")?;
    let position = count("position", query.position)?;
    let current = state.store.tree_size();
    if position > current {
        return Err(ApiError::BadRequest(format!(
            "a receipt needs 1 ≤ position ≤ {current} (the log's size), not position {position}"
        )));
    }
    let checkpoint = crate::cosigning::covering(&state.store, position).await?.ok_or_else(|| {
        ApiError::NotFound(format!(
            "no checkpoint covering position {position} is signed yet; ask again shortly"
        ))
    })?;
    let proof =
        state.store.inclusion_proofs(&[position - 1], checkpoint.tree_size).await?.pop().unwrap_or_default();
    let text = Receipt { index: position - 1, proof, checkpoint: checkpoint.note }.to_text();
    let mut response = (StatusCode::OK, text).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(TLOG_PROOF));
    let file = format!("attachment; filename=\"record-{position}.tlog-proof\"");
    if let Ok(value) = HeaderValue::from_str(&file) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
