//! Open live-feed subscriptions, counted up when one opens and down when its stream is dropped
//! (the client went away, or the server closed the feed).

use metrics::gauge;

use super::SUBSCRIBERS;

/// Which feed a subscription follows.
#[derive(Clone, Copy, Debug)]
pub enum FeedKind {
    /// `GET /v1/subscribe`: records.
    Records,
    /// `GET /v1/subscribe/head`: head positions.
    Head,
}

impl FeedKind {
    fn label(self) -> &'static str {
        match self {
            FeedKind::Records => "records",
            FeedKind::Head => "head",
        }
    }
}

/// One open subscription, counted while it lives.
#[derive(Debug)]
pub struct Subscribed(FeedKind);

impl Subscribed {
    /// Counts a subscription to `feed`.
    pub fn new(feed: FeedKind) -> Subscribed {
        gauge!(SUBSCRIBERS, "feed" => feed.label()).increment(1.0);
        Subscribed(feed)
    }
}

impl Drop for Subscribed {
    fn drop(&mut self) {
        gauge!(SUBSCRIBERS, "feed" => self.0.label()).decrement(1.0);
    }
}
