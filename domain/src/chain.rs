//! Verifying the hash chain record by record, as an auditor would with nothing but SHA-256.

use std::borrow::Cow;

use crate::canonical;
use crate::canonical_text;
use crate::record::RecordHash;
use crate::strict_json;

/// Walks stored records in position order and names the first one that breaks the chain.
#[derive(Clone, Debug)]
pub struct ChainVerifier {
    next_position: i64,
    prev_hash: RecordHash,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self { next_position: 1, prev_hash: RecordHash::ZERO }
    }
}

impl ChainVerifier {
    /// A verifier expecting position 1.
    pub fn new() -> Self {
        Self::default()
    }

    /// A verifier taking up the chain after a record already checked: expecting `next_position`,
    /// whose `prev_hash` must be `prev_hash`. Lets separate verifiers check consecutive runs of the
    /// log side by side, each run starting from the stored hash of the record before it (which the
    /// run before checks).
    pub fn resume(next_position: i64, prev_hash: RecordHash) -> Self {
        Self { next_position, prev_hash }
    }

    /// The position it expects next.
    pub fn next_position(&self) -> i64 {
        self.next_position
    }

    /// How many records have passed.
    pub fn checked(&self) -> i64 {
        self.next_position - 1
    }

    /// The hash of the last record that passed (zeros before any).
    pub fn head_hash(&self) -> RecordHash {
        self.prev_hash
    }

    /// Checks the record stored at `position` with canonical `body` and `hash` (hex): the position
    /// is the next one, the body is canonical JSON whose own position and `prev_hash` continue the
    /// chain, and its SHA-256 is `hash`.
    pub fn check(&mut self, position: i64, body: &str, hash: &str) -> Result<(), String> {
        if position != self.next_position {
            return Err(format!("expected position {}, found {position}", self.next_position));
        }
        let (own_position, prev) = match canonical_text::record_links(body) {
            Some(links) => (links.position, Cow::Borrowed(links.prev_hash.unwrap_or_default())),
            None => {
                // Not recognised in one pass: the full parse decides, and names what is wrong.
                let value = strict_json::parse(body.as_bytes()).map_err(|e| e.to_string())?;
                let canonical = canonical::to_string(&value).map_err(|e| e.to_string())?;
                if canonical != body {
                    return Err("stored record is not in canonical form".into());
                }
                let prev = value.get("prev_hash").and_then(|p| p.as_str()).unwrap_or_default().to_owned();
                (value.get("position").and_then(|p| p.as_i64()), Cow::Owned(prev))
            }
        };
        if own_position != Some(position) {
            return Err("record's own position does not match its place in the log".into());
        }
        if !self.prev_hash.matches_hex(prev.as_bytes()) {
            return Err(format!("prev_hash {prev} does not match the previous record's hash"));
        }
        let computed = RecordHash::of(body.as_bytes());
        if !computed.matches_hex(hash) {
            return Err(format!("stored hash {hash} is not the SHA-256 of the record ({computed})"));
        }
        self.prev_hash = computed;
        self.next_position += 1;
        Ok(())
    }
}
