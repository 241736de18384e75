//! `POST /add-checkpoint`, as C2SP `tlog-witness` says: checks the log's signature and the
//! consistency proof against the last checkpoint cosigned for the log, records the new one by a
//! compare-and-swap before answering, and answers the cosignature line.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::merkle::verify_consistency;

use super::request::AddCheckpoint;
use super::state::Witnessed;
use super::Witness;
use crate::http::problem::problem;
use crate::signing::{cosignature, note, Checkpoint, NoteError};

/// The content type of a 409's body: the size the witness last cosigned.
pub const TLOG_SIZE: &str = "text/x.tlog.size";

/// A refusal with a problem+json body.
fn refuse(status: StatusCode, detail: &str) -> Response {
    problem(status, "about:blank", detail)
}

/// The 409 the spec asks for: the size of the latest cosigned checkpoint, in decimal, and a newline.
fn conflict(size: u64) -> Response {
    let mut response = (StatusCode::CONFLICT, format!("{size}\n")).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(TLOG_SIZE));
    response
}

/// `POST /add-checkpoint`.
pub async fn add_checkpoint(State(witness): State<Arc<Witness>>, body: Bytes) -> Response {
    match add(&witness, &body).await {
        Ok(response) | Err(response) => response,
    }
}

async fn add(witness: &Witness, body: &[u8]) -> Result<Response, Response> {
    let bad = |detail: &str| refuse(StatusCode::BAD_REQUEST, detail);
    let body = std::str::from_utf8(body).map_err(|_| bad("the body is not UTF-8"))?;
    let request = AddCheckpoint::parse(body).map_err(|detail| bad(&detail))?;
    let split = note::split(&request.checkpoint).map_err(|error| bad(&error.to_string()))?;
    let submitted = Checkpoint::parse_body(split.text).map_err(|error| bad(&error.to_string()))?;
    let keys = witness.logs.get(&submitted.origin).ok_or_else(|| {
        refuse(
            StatusCode::NOT_FOUND,
            &format!("this witness does not witness the log {:?}", submitted.origin),
        )
    })?;
    let signed = keys.iter().any(|key| Checkpoint::open(&request.checkpoint, key).is_ok());
    if !signed {
        let detail =
            match keys.iter().map(|key| Checkpoint::open(&request.checkpoint, key)).find_map(Result::err) {
                Some(NoteError::BadSignature(key)) => format!("the signature by {key} does not verify"),
                _ => "no signature by a key this witness trusts for the log".into(),
            };
        return Err(refuse(StatusCode::FORBIDDEN, &detail));
    }
    if request.old_size > submitted.tree_size {
        return Err(bad(&format!(
            "the old size {} is larger than the checkpoint's size {}",
            request.old_size, submitted.tree_size
        )));
    }
    let internal = |error: anyhow::Error| {
        tracing::error!(error = format!("{error:#}"), "the witness's database failed");
        refuse(StatusCode::SERVICE_UNAVAILABLE, "the witness cannot read or write its state; try again")
    };
    let latest = witness.state.latest(&submitted.origin).await.map_err(internal)?;
    let latest_size = latest.as_ref().map_or(0, |latest| latest.tree_size);
    if request.old_size != latest_size {
        return Err(conflict(latest_size));
    }
    let new = Witnessed { tree_size: submitted.tree_size, root: submitted.root };
    match &latest {
        None if !request.proof.is_empty() => {
            return Err(refuse(StatusCode::UNPROCESSABLE_ENTITY, "the proof from size 0 must be empty"));
        }
        Some(latest) if latest.tree_size == new.tree_size && latest.root != new.root => {
            tracing::warn!(
                origin = submitted.origin,
                tree_size = new.tree_size,
                "a fork: same size, another root"
            );
            return Err(conflict(latest_size));
        }
        Some(latest) if latest.tree_size > 0 => {
            verify_consistency(latest.tree_size, new.tree_size, &latest.root, &new.root, &request.proof).map_err(
                |error| {
                    tracing::warn!(origin = submitted.origin, %error, "a checkpoint inconsistent with the cosigned one");
                    refuse(StatusCode::UNPROCESSABLE_ENTITY, &format!("the consistency proof does not verify: {error}"))
                },
            )?;
        }
        _ if !request.proof.is_empty() => {
            return Err(refuse(StatusCode::UNPROCESSABLE_ENTITY, "the proof from size 0 must be empty"));
        }
        _ => {}
    }
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| since.as_secs());
    let won = witness
        .state
        .advance(&submitted.origin, latest.as_ref(), &new, &request.checkpoint, now)
        .await
        .map_err(internal)?;
    if !won {
        let latest = witness.state.latest(&submitted.origin).await.map_err(internal)?;
        return Err(conflict(latest.map_or(0, |latest| latest.tree_size)));
    }
    let line = cosignature::cosign(&witness.signer, split.text, now).map_err(internal)?.line();
    let mut response = (StatusCode::OK, line).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    Ok(response)
}
