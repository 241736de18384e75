//! Stream kinds and stream names: every stream is `<kind>-<uuid>`, and an event type belongs to
//! exactly one kind.

use std::fmt;
use std::str::FromStr;

use crate::values::Id;

/// The kinds of stream in the v1 catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StreamKind {
    /// A retired person the bureau serves.
    Beneficiary,
    /// One payment of hardship aid, from request to payment.
    Disbursement,
    /// A budget that disbursements draw on.
    Fund,
    /// A volunteer and the hours they work.
    Volunteer,
    /// An outreach activity.
    Activity,
    /// A suggestion collected and followed up.
    Suggestion,
    /// A closed reporting period.
    Report,
}

impl StreamKind {
    /// Every kind.
    pub const ALL: [StreamKind; 7] = [
        StreamKind::Beneficiary,
        StreamKind::Disbursement,
        StreamKind::Fund,
        StreamKind::Volunteer,
        StreamKind::Activity,
        StreamKind::Suggestion,
        StreamKind::Report,
    ];

    /// The kind's name as it prefixes stream names.
    pub fn as_str(self) -> &'static str {
        match self {
            StreamKind::Beneficiary => "beneficiary",
            StreamKind::Disbursement => "disbursement",
            StreamKind::Fund => "fund",
            StreamKind::Volunteer => "volunteer",
            StreamKind::Activity => "activity",
            StreamKind::Suggestion => "suggestion",
            StreamKind::Report => "report",
        }
    }
}

impl fmt::Display for StreamKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stream name, `<kind>-<uuid>`, with the UUID lowercase and hyphenated.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StreamName {
    kind: StreamKind,
    id: Id,
}

impl StreamName {
    /// The stream of `kind` with this `id`.
    pub fn new(kind: StreamKind, id: Id) -> Self {
        Self { kind, id }
    }

    /// The stream's kind.
    pub fn kind(&self) -> StreamKind {
        self.kind
    }

    /// The stream's UUID (what `*_id` fields that reference it hold).
    pub fn id(&self) -> Id {
        self.id
    }
}

impl FromStr for StreamName {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        for kind in StreamKind::ALL {
            if let Some(rest) = value.strip_prefix(kind.as_str()).and_then(|r| r.strip_prefix('-')) {
                let id = Id::parse(rest).map_err(|e| format!("stream \"{value}\": {e}"))?;
                return Ok(Self { kind, id });
            }
        }
        let kinds: Vec<&str> = StreamKind::ALL.iter().map(|k| k.as_str()).collect();
        Err(format!(
            "\"{value}\" is not a stream name: expected <kind>-<uuid> with kind one of {}",
            kinds.join(", ")
        ))
    }
}

impl fmt::Display for StreamName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.kind, self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_the_same_bytes() {
        let name = "disbursement-0190a1b2-0000-7000-8000-000000000002";
        let parsed: StreamName = name.parse().unwrap();
        assert_eq!(parsed.kind(), StreamKind::Disbursement);
        assert_eq!(parsed.to_string(), name);
    }

    #[test]
    fn refuses_unknown_kinds_and_other_uuid_spellings() {
        assert!("pet-0190a1b2-0000-7000-8000-000000000002".parse::<StreamName>().is_err());
        assert!("fund-0190A1B2-0000-7000-8000-000000000002".parse::<StreamName>().is_err());
        assert!("fund-".parse::<StreamName>().is_err());
    }
}
