//! Fund streams: a budget that disbursements draw on.

use serde::{Deserialize, Serialize};

use super::{DataCheck, FundEvent};
use crate::errors::{FieldError, RuleBreach};
use crate::values::{Currency, DeltaMinor, LongText, NonNegativeMinor, Personal, Text, Year};

/// Opens a fund stream.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundOpened {
    /// The fund's name.
    pub name: Text,
    /// The budget, in minor units.
    pub budget_minor: NonNegativeMinor,
    /// The currency every disbursement from it uses.
    pub currency: Currency,
    /// The budget year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<Year>,
}
impl DataCheck for FundOpened {}

/// The budget raised or cut.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundBudgetAdjusted {
    /// The change, in minor units; never zero.
    pub delta_minor: DeltaMinor,
    /// Why (personal).
    pub reason: Personal<LongText>,
}

impl DataCheck for FundBudgetAdjusted {
    fn check(&self) -> Vec<FieldError> {
        if self.delta_minor.get() == 0 {
            vec![FieldError::new("/delta_minor", "a budget adjustment changes the budget: 0 is not allowed")]
        } else {
            Vec::new()
        }
    }
}

/// A fund stream's state after its opening event.
#[derive(Clone, Debug, PartialEq)]
pub struct FundState {
    /// The fund's currency.
    pub currency: Currency,
    /// The budget after every adjustment, in minor units.
    pub budget_minor: i64,
}

impl FundState {
    /// The state right after `event`.
    pub fn opened(event: &FundOpened) -> Self {
        Self { currency: event.currency.clone(), budget_minor: event.budget_minor.get() }
    }

    /// Checks `event` against the state.
    pub fn decide(&self, event: &FundEvent) -> Result<(), RuleBreach> {
        if let FundEvent::FundBudgetAdjusted(e) = event {
            let after = self.budget_minor.checked_add(e.delta_minor.get());
            if !after.is_some_and(|b| (0..=crate::strict_json::SAFE_INTEGER_MAX).contains(&b)) {
                return Err(RuleBreach::new(
                    "budget_stays_within_range",
                    format!(
                        "the budget of {} adjusted by {} would leave 0 ..= 2^53 − 1",
                        self.budget_minor,
                        e.delta_minor.get()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Folds `event` into the state.
    pub fn apply(&mut self, event: &FundEvent) {
        if let FundEvent::FundBudgetAdjusted(e) = event {
            self.budget_minor += e.delta_minor.get();
        }
    }
}
