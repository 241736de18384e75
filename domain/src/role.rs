//! Roles and what each may do with events.

use std::fmt;
use std::str::FromStr;

use crate::events::EventType;

/// The role a token carries; serialized as its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Appends every event type except the reserved ones; reads streams.
    Staff,
    /// Staff, plus approving and rejecting disbursements and verifying volunteer hours.
    Supervisor,
    /// Reads everything, audit trails and proofs; appends nothing.
    Auditor,
    /// Reports, traces and tallies only: no personal fields, no raw records.
    Analyst,
    /// Tokens, rebuilds and erasure, and appending what staff append — but, by separation of
    /// duties, never approving, rejecting, paying or reversing aid, nor verifying volunteer hours
    /// (see [`EventType::is_checker_duty`]).
    Admin,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 5] = [Role::Staff, Role::Supervisor, Role::Auditor, Role::Analyst, Role::Admin];

    /// The role's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Staff => "staff",
            Role::Supervisor => "supervisor",
            Role::Auditor => "auditor",
            Role::Analyst => "analyst",
            Role::Admin => "admin",
        }
    }

    /// Whether this role may append events of `event_type` through the append endpoint.
    /// A type with its own endpoint (erasure, a period's closing) is never appended there, and an admin,
    /// who issues every token, never appends a checker's duty.
    pub fn may_append(self, event_type: EventType) -> bool {
        if event_type.own_endpoint().is_some() {
            return false;
        }
        match self {
            Role::Staff => !event_type.is_supervisor_only(),
            Role::Supervisor => true,
            Role::Admin => !event_type.is_checker_duty(),
            Role::Auditor | Role::Analyst => false,
        }
    }

    /// Whether this role may read raw records (stream reads, the global log, single records).
    pub fn may_read_records(self) -> bool {
        !matches!(self, Role::Analyst)
    }

    /// Whether this role may read figures: the summary report and its traces, tallies, fund balances
    /// and projection status (every role; none of them holds a personal field).
    pub fn may_read_figures(self) -> bool {
        true
    }

    /// Whether this role may read the ledgers staff follow up on (concerns, overdue pairings) and
    /// audit trails.
    pub fn may_read_trails(self) -> bool {
        !matches!(self, Role::Analyst)
    }

    /// Whether this role may rebuild projections.
    pub fn may_rebuild(self) -> bool {
        matches!(self, Role::Admin)
    }

    /// Whether this role may list, issue and revoke API tokens.
    pub fn may_manage_tokens(self) -> bool {
        matches!(self, Role::Admin)
    }

    /// Whether this role may close a reporting period (appending `ReportClosed`, which only the close
    /// endpoint does): a supervisor's sign-off.
    pub fn may_close_reports(self) -> bool {
        matches!(self, Role::Supervisor)
    }

    /// Whether this role may re-verify the chain.
    pub fn may_verify(self) -> bool {
        !matches!(self, Role::Analyst)
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == value)
            .ok_or_else(|| format!("\"{value}\" is not a role (staff, supervisor, auditor, analyst, admin)"))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
