//! The two ways a proposed event can be wrong: its shape (a schema error at a JSON pointer) or its
//! meaning (a named rule of the stream it would join).

use std::fmt;

/// One schema error: where in the request body, and what is wrong there.
// Fields in name order: the order problem bodies have always served them in.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// What is wrong, for a person to read.
    pub detail: String,
    /// RFC 6901 JSON pointer into the request body, e.g. `/events/0/data/amount_minor`.
    pub pointer: String,
}

impl FieldError {
    /// A schema error at `pointer`.
    pub fn new(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self { pointer: pointer.into(), detail: detail.into() }
    }

    /// The same error with `prefix` put before its pointer (to place a data error inside a body).
    pub fn under(mut self, prefix: &str) -> Self {
        self.pointer = format!("{prefix}{}", self.pointer);
        self
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pointer, self.detail)
    }
}

/// A broken domain rule: the event is well formed but may not happen in the stream's current state.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{rule}: {detail}")]
pub struct RuleBreach {
    /// Stable machine name of the rule, e.g. `disbursement_already_decided`.
    pub rule: &'static str,
    /// What happened, for a person to read.
    pub detail: String,
}

impl RuleBreach {
    /// A breach of `rule`, explained by `detail`.
    pub fn new(rule: &'static str, detail: impl Into<String>) -> Self {
        Self { rule, detail: detail.into() }
    }
}

/// Escapes one reference token of a JSON pointer (RFC 6901: `~` → `~0`, `/` → `~1`).
pub fn pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}
