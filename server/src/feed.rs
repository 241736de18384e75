//! The live feed behind `GET /v1/subscribe`: every record, in position order, from any position on,
//! then live as records are committed — by this server or by any other on the same database.
//!
//! One task per server (the publisher) reads what was committed after what it last published, after
//! each local commit and at least every [`POLL_MS`] (to see other servers' and processes' commits),
//! and broadcasts it into a bounded buffer; while no one subscribes to records it only follows the
//! head, reading no record. Each subscriber first catches up from the database, then
//! follows the broadcast; one that falls more than [`BUFFER_RECORDS`] behind (a slow client) misses
//! part of it and goes back to reading the database until it is live again. Appends never wait for a
//! subscriber: the writer only publishes its head.
//!
//! Positions are dense and committed in order (ADR 0001), so reading `position >= next` in order
//! never skips one: whatever a subscriber is handed next must be exactly `next`, and anything else
//! sends it back to the database.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use domain::Position;
use futures_util::Stream;
use sqlx::AnyPool;
use tokio::sync::{broadcast, watch};

use crate::store::read::{committed_head, log_rows, serve_row};
use crate::telemetry::subscribers::{FeedKind, Subscribed};

/// Records the broadcast holds for subscribers that are behind; one further behind reads the database.
pub(crate) const BUFFER_RECORDS: usize = 4096;
/// Longest the publisher waits before looking for commits it was not told of, in milliseconds.
pub(crate) const POLL_MS: u64 = 200;
/// Records read from the database at once.
const PAGE_RECORDS: i64 = 512;

/// One record as served: its position and its text.
#[derive(Clone, Debug)]
pub struct Published {
    /// The record's position.
    pub position: i64,
    /// The record exactly as served elsewhere (canonical JSON plus `hash`).
    pub record: Arc<str>,
}

/// A handle on the feed; cheap to clone.
#[derive(Clone)]
pub struct Feed {
    pool: AnyPool,
    records: broadcast::Sender<Published>,
    head: watch::Receiver<i64>,
    closed: watch::Sender<bool>,
}

impl Feed {
    /// Starts the publisher over `pool`, woken by `commits` (the writer's head after each commit).
    pub async fn start(pool: AnyPool, commits: watch::Receiver<Position>) -> Result<Feed, sqlx::Error> {
        let published = committed_head(&pool).await?;
        let (records, _) = broadcast::channel(BUFFER_RECORDS);
        let (head_sender, head) = watch::channel(published);
        let (closed, closed_receiver) = watch::channel(false);
        let publisher =
            Publisher { pool: pool.clone(), records: records.clone(), head: head_sender, published };
        tokio::spawn(publisher.run(commits, closed_receiver));
        Ok(Feed { pool, records, head, closed })
    }

    /// The head as last published.
    pub fn head(&self) -> watch::Receiver<i64> {
        self.head.clone()
    }

    /// Whether the feed was closed (the server is shutting down).
    pub fn closed(&self) -> watch::Receiver<bool> {
        self.closed.subscribe()
    }

    /// Ends every subscription and the publisher.
    pub fn close(&self) {
        self.closed.send_replace(true);
    }

    /// The log's head as committed now.
    pub async fn committed_head(&self) -> Result<i64, sqlx::Error> {
        committed_head(&self.pool).await
    }

    /// Every record from `from_position` on, in order, then each as it is committed; ends when the
    /// feed is closed. A database error ends it too (the client reconnects with `Last-Event-ID`).
    pub fn subscribe(&self, from_position: i64) -> impl Stream<Item = Published> + Send + 'static {
        let subscriber = Subscriber {
            pool: self.pool.clone(),
            live: self.records.subscribe(),
            closed: self.closed.subscribe(),
            next: from_position.max(1),
            backlog: VecDeque::new(),
            caught_up: false,
            _counted: Subscribed::new(FeedKind::Records),
        };
        futures_util::stream::unfold(subscriber, |mut subscriber| async move {
            let published = subscriber.next_record().await?;
            Some((published, subscriber))
        })
    }
}

/// Records from `from_position` on, at most [`PAGE_RECORDS`], as served.
async fn page(pool: &AnyPool, from_position: i64) -> Result<Vec<Published>, sqlx::Error> {
    let rows = log_rows(pool, from_position, PAGE_RECORDS).await?;
    Ok(rows
        .into_iter()
        .map(|(position, body, hash)| Published { position, record: serve_row(&body, &hash).into() })
        .collect())
}

/// The task that reads new commits and broadcasts them.
struct Publisher {
    pool: AnyPool,
    records: broadcast::Sender<Published>,
    head: watch::Sender<i64>,
    published: i64,
}

impl Publisher {
    async fn run(mut self, mut commits: watch::Receiver<Position>, mut closed: watch::Receiver<bool>) {
        let mut local_commit = false;
        loop {
            let published = if self.records.receiver_count() > 0 {
                self.publish_new().await
            } else {
                self.follow_head(local_commit.then(|| commits.borrow().stored())).await
            };
            if let Err(error) = published {
                tracing::warn!(%error, "the live feed could not read new records; it tries again");
            }
            tokio::select! {
                changed = commits.changed() => {
                    if changed.is_err() { return }
                    local_commit = true;
                }
                _ = closed.changed() => return,
                () = tokio::time::sleep(Duration::from_millis(POLL_MS)) => local_commit = false,
            }
        }
    }

    /// With no one following the records, only the head moves: to `local` (this server's last
    /// commit) when it woke for one, else to the log's head as committed by anyone. A subscriber
    /// that joins later reads what it missed from the database.
    async fn follow_head(&mut self, local: Option<i64>) -> Result<(), sqlx::Error> {
        let head = match local {
            Some(head) => head,
            None => committed_head(&self.pool).await?,
        };
        self.published = self.published.max(head);
        self.head.send_if_modified(|current| std::mem::replace(current, self.published) != self.published);
        Ok(())
    }

    /// Broadcasts every record committed after the last one published.
    async fn publish_new(&mut self) -> Result<(), sqlx::Error> {
        loop {
            let records = page(&self.pool, self.published + 1).await?;
            let full = records.len() as i64 == PAGE_RECORDS;
            for published in records {
                if published.position != self.published + 1 {
                    // Never publish past a hole: the next read starts from it again.
                    break;
                }
                self.published = published.position;
                // No subscriber is not an error: there is nobody to tell.
                let _ = self.records.send(published);
            }
            self.head.send_if_modified(|head| std::mem::replace(head, self.published) != self.published);
            if !full {
                return Ok(());
            }
        }
    }
}

/// One subscription's place in the log.
struct Subscriber {
    pool: AnyPool,
    live: broadcast::Receiver<Published>,
    closed: watch::Receiver<bool>,
    next: i64,
    backlog: VecDeque<Published>,
    caught_up: bool,
    /// Counts the subscription while it lives.
    _counted: Subscribed,
}

impl Subscriber {
    /// The record at `next`: from what was read, from the database until caught up, then from the
    /// broadcast. `None` once the feed is closed or the database fails.
    async fn next_record(&mut self) -> Option<Published> {
        loop {
            if *self.closed.borrow() {
                return None;
            }
            if let Some(published) = self.backlog.pop_front() {
                self.next = published.position + 1;
                return Some(published);
            }
            if !self.caught_up {
                let read = match page(&self.pool, self.next).await {
                    Ok(read) => read,
                    Err(error) => {
                        tracing::warn!(%error, "a subscription could not read the log; it ends");
                        return None;
                    }
                };
                let dense = read.iter().zip(self.next..).take_while(|(p, expected)| p.position == *expected);
                self.backlog.extend(dense.map(|(p, _)| p.clone()));
                self.caught_up = self.backlog.is_empty();
                continue;
            }
            tokio::select! {
                received = self.live.recv() => match received {
                    Ok(published) if published.position < self.next => {}
                    Ok(published) if published.position == self.next => {
                        self.next += 1;
                        return Some(published);
                    }
                    // Ahead of it (it was behind when it joined the broadcast), or lagged behind the
                    // buffer: back to the database.
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => self.caught_up = false,
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                _ = self.closed.changed() => return None,
            }
        }
    }
}
