//! Fund streams: a budget that disbursements draw on.

use serde::{Deserialize, Serialize};

use super::{DataCheck, FundEvent};
use crate::errors::{FieldError, RuleBreach};
use crate::limits::{self, at_most};
use crate::values::{Currency, DeltaMinor, LongText, NonNegativeMinor, Personal, Text, Year};

/// Opens a fund stream.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FundOpened {
    /// The fund's name.
    #[cfg_attr(feature = "schema", schema(inline))]
    pub name: Text,
    /// The budget, in minor units.
    #[cfg_attr(feature = "schema", schema(schema_with = crate::schema::fund_budget_minor))]
    pub budget_minor: NonNegativeMinor,
    /// The currency every disbursement from it uses.
    #[cfg_attr(feature = "schema", schema(inline))]
    pub currency: Currency,
    /// The budget year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(inline, nullable = false))]
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
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FundBudgetAdjusted {
    /// The change, in minor units; never zero.
    #[cfg_attr(feature = "schema", schema(schema_with = crate::schema::budget_delta_minor))]
    pub delta_minor: DeltaMinor,
    /// Why (personal).
    #[cfg_attr(feature = "schema", schema(inline, value_type = LongText))]
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

/// A change to what a fund has committed (approved and not reversed) and paid (not reversed), in
/// minor units, as one disbursement event moves it; summed over a fund's events, what it has so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FundMovement {
    /// The change to what the fund has committed: approved and not reversed.
    pub committed_minor: i64,
    /// The change to what the fund has paid and not reversed.
    pub paid_minor: i64,
}

impl FundMovement {
    /// Whether it moves nothing.
    pub fn is_none(self) -> bool {
        self == FundMovement::default()
    }

    /// Whether it spends more of the budget (an approval or a payment), and so must be checked.
    pub fn spends(self) -> bool {
        self.committed_minor > 0 || self.paid_minor > 0
    }

    /// This and `later` together (a fund's totals so far plus one more movement). The budget checks
    /// keep every total far inside `i64`; at the edge it saturates rather than wrap.
    pub fn plus(self, later: FundMovement) -> FundMovement {
        FundMovement {
            committed_minor: self.committed_minor.saturating_add(later.committed_minor),
            paid_minor: self.paid_minor.saturating_add(later.paid_minor),
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

    /// Checks that `movement`, when the fund has `spent` so far, keeps what it has committed and
    /// what it has paid within its budget (with every adjustment).
    pub fn check_movement(&self, spent: FundMovement, movement: FundMovement) -> Result<(), RuleBreach> {
        let spending = [
            (
                "approving",
                "committed (approved and not reversed)",
                spent.committed_minor,
                movement.committed_minor,
            ),
            ("paying", "paid (and not reversed)", spent.paid_minor, movement.paid_minor),
        ];
        for (doing, what, spent_minor, amount_minor) in spending {
            let after = spent_minor.saturating_add(amount_minor);
            if amount_minor > 0 && after > self.budget_minor {
                return Err(RuleBreach::new(
                    "within_fund_budget",
                    format!(
                        "{doing} {amount_minor} would take what the fund has {what} from {spent_minor} to \
                         {after}, past its budget of {} (minor units, {})",
                        self.budget_minor, self.currency
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Folds `event` into the state.
    pub fn apply(&mut self, event: &FundEvent) {
        if let FundEvent::FundBudgetAdjusted(e) = event {
            self.budget_minor = self.budget_minor.saturating_add(e.delta_minor.get());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fund(budget_minor: i64) -> FundState {
        FundState { currency: Currency::try_from("CNY".to_owned()).unwrap(), budget_minor }
    }

    #[test]
    fn an_approval_or_payment_past_the_budget_breaks_the_rule_and_a_reversal_never_does() {
        let spent = FundMovement { committed_minor: 60, paid_minor: 60 };
        let approve = |amount| FundMovement { committed_minor: amount, paid_minor: 0 };
        let pay = |amount| FundMovement { committed_minor: 0, paid_minor: amount };
        assert!(fund(100).check_movement(spent, approve(40)).is_ok(), "up to the budget");
        assert_eq!(fund(100).check_movement(spent, approve(41)).unwrap_err().rule, "within_fund_budget");
        assert_eq!(fund(100).check_movement(spent, pay(41)).unwrap_err().rule, "within_fund_budget");
        let reversal = FundMovement { committed_minor: -500, paid_minor: -500 };
        assert!(fund(0).check_movement(spent, reversal).is_ok());
    }
}
