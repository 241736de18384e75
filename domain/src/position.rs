//! A record's place in the log, as one type: 1 for the first record, 0 for the head of an empty log.
//!
//! The database stores positions as signed 64-bit integers; a [`Position`] holds only what such an
//! integer can hold and is never negative, so turning one into the stored integer cannot fail, and a
//! stored integer becomes a position only through a check.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A place in the log: the position of a record, or 0 before the first.
///
/// The head of a log is the position of its last record, which is also how many records it holds (and
/// so the size of the Merkle tree over them). Serialized as the bare number.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u64", into = "u64")]
pub struct Position(u64);

/// A number that is no position: negative, or past what the database can store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0} is not a position in the log")]
pub struct NotAPosition(pub i128);

impl Position {
    /// The head of an empty log, before the first record.
    pub const ZERO: Position = Position(0);

    /// The first record's position.
    pub const FIRST: Position = Position(1);

    /// The position `value`, when the database can store it (at most `i64::MAX`).
    pub fn new(value: u64) -> Result<Position, NotAPosition> {
        match i64::try_from(value) {
            Ok(_) => Ok(Position(value)),
            Err(_) => Err(NotAPosition(i128::from(value))),
        }
    }

    /// The position the database stores as `stored`, when it is not negative.
    pub fn from_stored(stored: i64) -> Result<Position, NotAPosition> {
        u64::try_from(stored).map(Position).map_err(|_| NotAPosition(i128::from(stored)))
    }

    /// The head of a log of `records` records (the size of its Merkle tree).
    pub fn after_records(records: u64) -> Result<Position, NotAPosition> {
        Position::new(records)
    }

    /// The position as a number.
    pub fn get(self) -> u64 {
        self.0
    }

    /// The position as the database stores it.
    pub fn stored(self) -> i64 {
        // Never past i64::MAX: every constructor checks it.
        i64::try_from(self.0).unwrap_or(i64::MAX)
    }

    /// How many records a log whose head this is holds: the size of the Merkle tree over them.
    pub fn records(self) -> u64 {
        self.0
    }

    /// The position after this one, when the database can store it.
    pub fn next(self) -> Result<Position, NotAPosition> {
        Position::new(self.0 + 1)
    }

    /// The position `records` records on from this one, when the database can store it.
    pub fn advanced(self, records: usize) -> Result<Position, NotAPosition> {
        let beyond =
            NotAPosition(i128::from(self.0).saturating_add(i128::try_from(records).unwrap_or(i128::MAX)));
        let records = u64::try_from(records).map_err(|_| beyond)?;
        Position::new(self.0.checked_add(records).ok_or(beyond)?)
    }
}

impl TryFrom<u64> for Position {
    type Error = NotAPosition;

    fn try_from(value: u64) -> Result<Position, NotAPosition> {
        Position::new(value)
    }
}

impl From<Position> for u64 {
    fn from(position: Position) -> u64 {
        position.0
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::{NotAPosition, Position};

    #[test]
    fn holds_only_what_the_database_can_store_and_never_less_than_zero() {
        assert_eq!(Position::from_stored(7).map(Position::get), Ok(7));
        assert_eq!(Position::from_stored(-1), Err(NotAPosition(-1)));
        assert_eq!(Position::new(i64::MAX as u64).map(Position::stored), Ok(i64::MAX));
        assert!(Position::new(i64::MAX as u64 + 1).is_err());
        assert!(Position::new(i64::MAX as u64).unwrap().next().is_err());
        assert_eq!(Position::ZERO.next(), Ok(Position::FIRST));
        assert_eq!(Position::ZERO.advanced(5).map(Position::get), Ok(5));
        assert!(Position::new(1).unwrap().advanced(usize::MAX).is_err());
    }

    #[test]
    fn is_the_bare_number_in_json() {
        let position = Position::new(42).unwrap();
        assert_eq!(serde_json::to_string(&position).unwrap(), "42");
        assert_eq!(serde_json::from_str::<Position>("42").unwrap(), position);
        assert!(serde_json::from_str::<Position>("-1").is_err());
        assert!(serde_json::from_str::<Position>("9223372036854775808").is_err());
    }
}
