//! Suggestion streams: a suggestion collected, forwarded, and decided once.

use serde::{Deserialize, Serialize};

use super::{DataCheck, SuggestionEvent};
use crate::errors::RuleBreach;
use crate::values::{LongText, Personal, Text};

/// Opens a suggestion stream.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SuggestionSubmitted {
    /// What it is about.
    #[cfg_attr(feature = "schema", schema(inline))]
    pub topic: Text,
    /// The suggestion (personal).
    #[cfg_attr(feature = "schema", schema(inline, value_type = LongText))]
    pub text: Personal<LongText>,
    /// The campaign that collected it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(inline, nullable = false))]
    pub campaign: Option<Text>,
    /// Who made it (personal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(inline, value_type = Option<Text>, nullable = false))]
    pub submitted_by: Option<Personal<Text>>,
}
impl DataCheck for SuggestionSubmitted {}

/// Forwarded to the body that can act on it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SuggestionForwarded {
    /// To whom.
    #[cfg_attr(feature = "schema", schema(inline))]
    pub to: Text,
}
impl DataCheck for SuggestionForwarded {}

/// Adopted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SuggestionAdopted {
    /// A note (personal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(inline, value_type = Option<LongText>, nullable = false))]
    pub note: Option<Personal<LongText>>,
}
impl DataCheck for SuggestionAdopted {}

/// Declined.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SuggestionDeclined {
    /// Why (personal).
    #[cfg_attr(feature = "schema", schema(inline, value_type = LongText))]
    pub reason: Personal<LongText>,
}
impl DataCheck for SuggestionDeclined {}

/// A suggestion stream's state after its opening event.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SuggestionState {
    /// Whether it was adopted or declined.
    pub decided: bool,
}

impl SuggestionState {
    /// Checks `event` against the state.
    pub fn decide(&self, event: &SuggestionEvent) -> Result<(), RuleBreach> {
        let deciding =
            matches!(event, SuggestionEvent::SuggestionAdopted(_) | SuggestionEvent::SuggestionDeclined(_));
        if deciding && self.decided {
            return Err(RuleBreach::new(
                "suggestion_decided_once",
                "this suggestion was already adopted or declined",
            ));
        }
        Ok(())
    }

    /// Folds `event` into the state.
    pub fn apply(&mut self, event: &SuggestionEvent) {
        if matches!(event, SuggestionEvent::SuggestionAdopted(_) | SuggestionEvent::SuggestionDeclined(_)) {
            self.decided = true;
        }
    }
}
