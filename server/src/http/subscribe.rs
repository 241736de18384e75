//! The live feed as Server-Sent Events: `GET /v1/subscribe` (records, for the roles that read raw
//! records) and `GET /v1/subscribe/head` (the head position only, for every role).
//!
//! A client resumes with `Last-Event-ID: P` (the last position it saw; it wins over
//! `from_position`) and is sent P + 1 onward, none skipped and none repeated. A comment line keeps
//! each connection alive every [`KEEP_ALIVE_MS`]; the feed ends when the server shuts down.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use super::auth::require;
use super::openapi::responses::{BadRequest, Forbidden};
use super::problem::ApiError;
use super::AppState;
use crate::telemetry::subscribers::{FeedKind, Subscribed};
use crate::tokens::Caller;

/// How often a comment keeps a quiet connection alive, in milliseconds.
pub(crate) const KEEP_ALIVE_MS: u64 = 15_000;

/// `?from_position=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SubscribeQuery {
    /// The first position to send [default: the next one committed: only new records]. A
    /// `Last-Event-ID` header wins over it.
    #[param(minimum = 1, value_type = Option<i64>)]
    from_position: Option<String>,
}

/// Where a subscription starts: after `Last-Event-ID`, else at `from_position`, else after the head.
async fn start_position(
    state: &AppState,
    query: SubscribeQuery,
    headers: &HeaderMap,
) -> Result<i64, ApiError> {
    if let Some(last) = headers.get("last-event-id") {
        let text = last.to_str().unwrap_or_default().trim();
        let seen = text.parse::<i64>().ok().filter(|p| *p >= 0).ok_or_else(|| {
            ApiError::BadRequest(format!("Last-Event-ID must be a position (0 or more), not {text:?}"))
        })?;
        return Ok(seen + 1);
    }
    match query.from_position {
        Some(text) => text.parse::<i64>().ok().filter(|p| *p >= 1).ok_or_else(|| {
            ApiError::BadRequest(format!("from_position must be a position (1 or more), not {text:?}"))
        }),
        None => Ok(state.feed.committed_head().await.map_err(anyhow::Error::from)? + 1),
    }
}

fn keep_alive() -> KeepAlive {
    KeepAlive::new().interval(Duration::from_millis(KEEP_ALIVE_MS)).text("keep-alive")
}

/// `GET /v1/subscribe`.
#[utoipa::path(get, path = "/v1/subscribe", tag = "records", params(SubscribeQuery), security(("bearer" = [])),
    description = "Server-Sent Events of records in position order (`id: <position>`, `event: record`, `data: \
                   <the record exactly as served elsewhere>`), from `from_position` (default: only new ones), \
                   then live as they are committed by any server of the deployment. `Last-Event-ID: P` resumes \
                   at P + 1 and wins over `from_position`. A `: keep-alive` comment at least every 15 s. Not \
                   for analysts.",
    responses(
        (status = 200, description = "The feed", body = String, content_type = "text/event-stream"),
        (status = 400, response = BadRequest),
        (status = 403, response = Forbidden),
    ))]
pub async fn records(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Query(query): Query<SubscribeQuery>,
) -> Result<Response, ApiError> {
    require(&caller, caller.role.may_read_records(), "subscribe to raw records")?;
    let from = start_position(&state, query, &headers).await?;
    let events = state.feed.subscribe(from).map(|published| {
        Ok::<_, Infallible>(
            Event::default().id(published.position.to_string()).event("record").data(&*published.record),
        )
    });
    Ok(Sse::new(events).keep_alive(keep_alive()).into_response())
}

/// The data of one `head` event of `GET /v1/subscribe/head`.
#[derive(Debug, Serialize)]
pub struct Head {
    /// The log's last committed position.
    pub position: i64,
}

/// A `head` event telling of `position`.
fn head_event(position: i64) -> Event {
    let event = Event::default().id(position.to_string()).event("head");
    // A struct of one integer serializes infallibly; `json_data` only fails for what cannot be JSON.
    event.json_data(Head { position }).unwrap_or_default()
}

/// `GET /v1/subscribe/head`.
#[utoipa::path(get, path = "/v1/subscribe/head", tag = "records", security(("bearer" = [])),
    description = "Server-Sent Events of the log's head (`id: <position>`, `event: head`, `data: {\"position\": \
                   P}`): the current head at once, then each new one as records are committed (several \
                   commits close together may be told as one). For every role: consoles refresh their figures \
                   from it.",
    responses(
        (status = 200, description = "The feed of head positions", body = String, content_type = "text/event-stream"),
    ))]
pub async fn head(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    require(&caller, caller.role.may_read_figures(), "subscribe to the head")?;
    // The head as committed now, which the publisher may not have read yet; then each later one.
    let now = state.feed.committed_head().await.map_err(anyhow::Error::from)?;
    let events = heads_after(now, state.feed.head(), state.feed.closed())
        .map(|position| Ok::<_, Infallible>(head_event(position)));
    Ok(Sse::new(events).keep_alive(keep_alive()).into_response())
}

/// `first`, then every later head `head` is told of that is past the last one sent, until `closed`.
fn heads_after(
    first: i64,
    head: watch::Receiver<i64>,
    closed: watch::Receiver<bool>,
) -> impl futures_util::Stream<Item = i64> + Send + 'static {
    let counted = Subscribed::new(FeedKind::Head);
    let later = futures_util::stream::unfold(
        (head, closed, first, counted),
        |(mut head, mut closed, sent, counted)| async move {
            loop {
                tokio::select! {
                    changed = head.changed() => changed.ok()?,
                    _ = closed.changed() => return None,
                }
                if *closed.borrow() {
                    return None;
                }
                let position = *head.borrow_and_update();
                if position > sent {
                    return Some((position, (head, closed, position, counted)));
                }
            }
        },
    );
    futures_util::stream::once(async move { first }).chain(later)
}
