//! Disbursement streams: one payment of hardship aid, from request through approval to payment and,
//! rarely, reversal.

use serde::{Deserialize, Serialize};

use super::fund::FundMovement;
use super::{DataCheck, DisbursementEvent};
use crate::errors::{FieldError, RuleBreach};
use crate::limits::{self, at_most};
use crate::values::{Currency, Id, LongText, NonNegativeMinor, Personal, PositiveCount, PositiveMinor, Text};

/// What is handed over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DisbursementForm {
    /// Money.
    Cash,
    /// Goods, valued in money.
    InKind,
}

impl DisbursementForm {
    /// The form's name in records.
    pub fn as_str(self) -> &'static str {
        match self {
            DisbursementForm::Cash => "cash",
            DisbursementForm::InKind => "in_kind",
        }
    }
}

/// How a payment was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    /// A bank transfer.
    BankTransfer,
    /// Cash in hand.
    Cash,
    /// Goods delivered.
    GoodsDelivered,
}

/// One line of an in-kind disbursement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// What the goods are.
    #[cfg_attr(feature = "schema", schema(inline))]
    pub name: Text,
    /// How many.
    #[cfg_attr(feature = "schema", schema(schema_with = crate::schema::item_quantity))]
    pub quantity: PositiveCount,
    /// Value of one, in minor units.
    #[cfg_attr(feature = "schema", schema(schema_with = crate::schema::item_unit_value_minor))]
    pub unit_value_minor: NonNegativeMinor,
}

/// Opens a disbursement stream: aid requested for a beneficiary from a fund.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DisbursementRequested {
    /// The beneficiary (the UUID of stream `beneficiary-<uuid>`).
    #[cfg_attr(feature = "schema", schema(inline))]
    pub beneficiary_id: Id,
    /// The fund (the UUID of stream `fund-<uuid>`).
    #[cfg_attr(feature = "schema", schema(inline))]
    pub fund_id: Id,
    /// Cash or in kind.
    #[cfg_attr(feature = "schema", schema(inline))]
    pub form: DisbursementForm,
    /// The amount, in minor units.
    #[cfg_attr(feature = "schema", schema(schema_with = crate::schema::aid_amount_minor))]
    pub amount_minor: PositiveMinor,
    /// The currency; must be the fund's.
    #[cfg_attr(feature = "schema", schema(schema_with = crate::schema::fund_currency))]
    pub currency: Currency,
    /// For in-kind aid: the goods, whose values sum to the amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(schema_with = crate::schema::items, nullable = false))]
    pub items: Option<Vec<Item>>,
    /// Why (personal).
    #[cfg_attr(feature = "schema", schema(inline, value_type = LongText))]
    pub reason: Personal<LongText>,
}

impl DataCheck for DisbursementRequested {
    fn check(&self) -> Vec<FieldError> {
        match &self.items {
            Some(_) if self.form == DisbursementForm::Cash => {
                vec![FieldError::new("/items", "items are listed only for in_kind disbursements")]
            }
            Some(items) if items.is_empty() => {
                vec![FieldError::new("/items", "items, when present, list at least one item")]
            }
            None if self.form == DisbursementForm::InKind => {
                vec![FieldError::new("/items", "in_kind disbursements list the goods they hand over")]
            }
            _ => Vec::new(),
        }
    }

    fn admit(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let amount = self.amount_minor.get();
        at_most(&mut errors, "/amount_minor", amount, limits::AID_AMOUNT_MINOR_MAX, "one disbursement");
        let items = self.items.as_deref().unwrap_or_default();
        if items.len() > limits::ITEMS_MAX {
            errors.push(FieldError::new(
                "/items",
                format!("lists {} items; at most {} are allowed", items.len(), limits::ITEMS_MAX),
            ));
        }
        for (index, item) in items.iter().enumerate() {
            let (quantity, unit_value) = (item.quantity.get(), item.unit_value_minor.get());
            at_most(
                &mut errors,
                &format!("/items/{index}/quantity"),
                quantity,
                limits::ITEM_QUANTITY_MAX,
                "a quantity",
            );
            let pointer = format!("/items/{index}/unit_value_minor");
            at_most(&mut errors, &pointer, unit_value, limits::ITEM_UNIT_VALUE_MINOR_MAX, "one item's value");
        }
        errors
    }
}

/// Approved by a supervisor who is not the requester.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DisbursementApproved {}
impl DataCheck for DisbursementApproved {}

/// Why aid was rejected or a payment reversed, in words that name no one: what bookkeeping records
/// when free text may not be (the beneficiary was forgotten), or beside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SettlementReason {
    /// The beneficiary does not qualify.
    Ineligible,
    /// Requested or paid twice.
    Duplicate,
    /// Withdrawn by whoever asked for it.
    Withdrawn,
    /// The payment did not reach the beneficiary.
    PaymentFailed,
    /// Recorded in error.
    RecordedInError,
    /// The beneficiary was forgotten; the aid is settled without anything personal.
    BeneficiaryForgotten,
    /// Anything else.
    Other,
}

/// Why a disbursement was settled without payment, or its payment undone: a reason (personal), a
/// reason code that names no one, or both.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Settlement {
    /// Why (personal); may be left out when `reason_code` says why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(inline, value_type = Option<LongText>, nullable = false))]
    pub reason: Option<Personal<LongText>>,
    /// Why, in a word that names no one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(inline, nullable = false))]
    pub reason_code: Option<SettlementReason>,
}

impl DataCheck for Settlement {
    fn check(&self) -> Vec<FieldError> {
        if self.reason.is_none() && self.reason_code.is_none() {
            vec![FieldError::new("/reason", "give a reason, a reason_code, or both")]
        } else {
            Vec::new()
        }
    }
}

/// Rejected by a supervisor who is not the requester.
pub type DisbursementRejected = Settlement;

/// Paid, after approval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DisbursementPaid {
    /// How.
    #[cfg_attr(feature = "schema", schema(inline))]
    pub method: PaymentMethod,
    /// The transfer, receipt or delivery note reference.
    #[cfg_attr(feature = "schema", schema(inline))]
    pub reference: Text,
}
impl DataCheck for DisbursementPaid {}

/// A payment reversed, after it was made.
pub type DisbursementReversed = Settlement;

/// Where a disbursement stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DisbursementStatus {
    /// Requested, not decided.
    Requested,
    /// Approved, not paid.
    Approved,
    /// Rejected.
    Rejected,
    /// Paid.
    Paid,
    /// Paid, then reversed.
    Reversed,
}

/// A disbursement stream's state after its opening event.
#[derive(Clone, Debug, PartialEq)]
pub struct DisbursementState {
    /// Who requested it.
    pub requester: String,
    /// Whom it is for.
    pub beneficiary_id: Id,
    /// The fund it draws on.
    pub fund_id: Id,
    /// Its amount, in minor units.
    pub amount_minor: i64,
    /// Where it stands.
    pub status: DisbursementStatus,
}

impl DisbursementState {
    /// The state right after `event`, requested by `actor`.
    pub fn opened(event: &DisbursementRequested, actor: &str) -> Self {
        Self {
            requester: actor.to_owned(),
            beneficiary_id: event.beneficiary_id,
            fund_id: event.fund_id,
            amount_minor: event.amount_minor.get(),
            status: DisbursementStatus::Requested,
        }
    }

    /// Checks the opening event itself.
    pub fn check_opening(event: &DisbursementRequested) -> Result<(), RuleBreach> {
        if let Some(items) = &event.items {
            let total = items.iter().try_fold(0_i64, |sum, item| {
                item.quantity.get().checked_mul(item.unit_value_minor.get()).and_then(|v| sum.checked_add(v))
            });
            if total != Some(event.amount_minor.get()) {
                return Err(RuleBreach::new(
                    "in_kind_items_sum_to_amount",
                    format!(
                        "the items are worth {} but amount_minor is {}",
                        total.map_or("more than can be counted".to_string(), |t| t.to_string()),
                        event.amount_minor.get()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Checks `event`, appended by `actor`, against the state.
    pub fn decide(&self, event: &DisbursementEvent, actor: &str) -> Result<(), RuleBreach> {
        use DisbursementStatus as S;
        match event {
            DisbursementEvent::DisbursementApproved(_) | DisbursementEvent::DisbursementRejected(_) => {
                if self.status != S::Requested {
                    return Err(RuleBreach::new(
                        "disbursement_decided_once",
                        "this disbursement was already approved or rejected",
                    ));
                }
                if actor == self.requester {
                    return Err(RuleBreach::new(
                        "decider_is_not_requester",
                        format!("{actor} requested this disbursement and may not decide it"),
                    ));
                }
                Ok(())
            }
            DisbursementEvent::DisbursementPaid(_) => match self.status {
                S::Approved => Ok(()),
                S::Paid | S::Reversed => {
                    Err(RuleBreach::new("paid_once", "this disbursement was already paid"))
                }
                S::Requested | S::Rejected => Err(RuleBreach::new(
                    "paid_only_after_approval",
                    "a disbursement is paid only after it is approved",
                )),
            },
            DisbursementEvent::DisbursementReversed(_) => match self.status {
                S::Paid => Ok(()),
                S::Reversed => Err(RuleBreach::new("reversed_once", "this payment was already reversed")),
                _ => Err(RuleBreach::new(
                    "reversed_only_after_payment",
                    "only a paid disbursement can be reversed",
                )),
            },
            DisbursementEvent::DisbursementRequested(_) => Ok(()),
        }
    }

    /// What `event` (which passed [`DisbursementState::decide`]) moves in the fund's budget: the
    /// change to what it has committed (approved, not reversed) and to what it has paid (not
    /// reversed), in minor units.
    pub fn fund_movement(&self, event: &DisbursementEvent) -> FundMovement {
        let amount = self.amount_minor;
        let (committed_minor, paid_minor) = match event {
            DisbursementEvent::DisbursementApproved(_) => (amount, 0),
            DisbursementEvent::DisbursementPaid(_) => (0, amount),
            DisbursementEvent::DisbursementReversed(_) => (-amount, -amount),
            _ => (0, 0),
        };
        FundMovement { committed_minor, paid_minor }
    }

    /// Folds `event` into the state.
    pub fn apply(&mut self, event: &DisbursementEvent) {
        self.status = match event {
            DisbursementEvent::DisbursementRequested(_) => DisbursementStatus::Requested,
            DisbursementEvent::DisbursementApproved(_) => DisbursementStatus::Approved,
            DisbursementEvent::DisbursementRejected(_) => DisbursementStatus::Rejected,
            DisbursementEvent::DisbursementPaid(_) => DisbursementStatus::Paid,
            DisbursementEvent::DisbursementReversed(_) => DisbursementStatus::Reversed,
        };
    }
}
