//! Fund streams: a budget that disbursements draw on.

use serde::{Deserialize, Serialize};

use super::{DataCheck, FundEvent};
use crate::errors::{FieldError, RuleBreach};
use crate::limits::{self, at_most};
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
impl DataCheck for FundOpened {
    fn admit(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let budget = self.budget_minor.get();
        at_most(&mut errors, "/budget_minor", budget, limits::FUND_BUDGET_MINOR_MAX, "a fund's budget");
        errors
    }
}

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

    fn admit(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let size = self.delta_minor.get().saturating_abs();
        at_most(
            &mut errors,
            "/delta_minor",
            size,
            limits::BUDGET_DELTA_MINOR_MAX,
            "one adjustment, either way",
        );
        errors
    }
}

/// What a disbursement does to its fund's budget when it is approved or paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spending {
    /// Approval commits the amount: approved and not reversed may not exceed the budget.
    Approving,
    /// Payment spends it: paid and not reversed may not exceed the budget.
    Paying,
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

    /// Checks `event` against the state: the budget stays within 0 ..=
    /// [`limits::FUND_BUDGET_MINOR_MAX`] (a budget recorded above it may still be cut).
    pub fn decide(&self, event: &FundEvent) -> Result<(), RuleBreach> {
        if let FundEvent::FundBudgetAdjusted(e) = event {
            let delta = e.delta_minor.get();
            let after = self.budget_minor.saturating_add(delta);
            if after < 0 || (delta > 0 && after > limits::FUND_BUDGET_MINOR_MAX) {
                return Err(RuleBreach::new(
                    "budget_stays_within_range",
                    format!(
                        "the budget of {} adjusted by {delta} would leave 0 ..= {}",
                        self.budget_minor,
                        limits::FUND_BUDGET_MINOR_MAX
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Checks that `spending` `amount_minor` more, when `spent_minor` is already spent that way,
    /// keeps the fund within its budget (with every adjustment).
    pub fn check_within_budget(
        &self,
        spending: Spending,
        spent_minor: i64,
        amount_minor: i64,
    ) -> Result<(), RuleBreach> {
        let after = spent_minor.saturating_add(amount_minor);
        if after <= self.budget_minor {
            return Ok(());
        }
        let (doing, spent) = match spending {
            Spending::Approving => ("approving", "committed (approved and not reversed)"),
            Spending::Paying => ("paying", "paid (and not reversed)"),
        };
        Err(RuleBreach::new(
            "within_fund_budget",
            format!(
                "{doing} {amount_minor} would take what the fund has {spent} from {spent_minor} to {after}, \
                 past its budget of {} (minor units, {})",
                self.budget_minor, self.currency
            ),
        ))
    }

    /// Folds `event` into the state.
    pub fn apply(&mut self, event: &FundEvent) {
        if let FundEvent::FundBudgetAdjusted(e) = event {
            self.budget_minor = self.budget_minor.saturating_add(e.delta_minor.get());
        }
    }
}
