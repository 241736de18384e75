//! Beneficiary streams: a retired person, their hardship, pairing, visits and concerns.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{BeneficiaryEvent, DataCheck};
use crate::errors::{FieldError, RuleBreach};
use crate::values::{Days, Id, LongText, Minutes, Personal, Phone, Severity, Text};

/// Who the beneficiary is to the bureau.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BeneficiaryCategory {
    /// A retired cadre.
    RetiredCadre,
    /// Retired staff.
    RetiredStaff,
    /// A family member.
    Family,
    /// Anyone else.
    Other,
}

/// What caused a hardship.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HardshipCause {
    /// Illness.
    Illness,
    /// An accident.
    Accident,
    /// A natural disaster.
    Disaster,
    /// A death in the family.
    Bereavement,
    /// Anything else.
    Other,
}

/// How a visit was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VisitKind {
    /// At the beneficiary's home.
    Home,
    /// A phone call.
    Phone,
    /// At a hospital.
    Hospital,
    /// A group visit.
    Group,
}

/// Opens a beneficiary stream.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BeneficiaryRegistered {
    /// Full name (personal).
    #[cfg_attr(feature = "schema", schema(inline, value_type = Text))]
    pub name: Personal<Text>,
    /// Category.
    #[cfg_attr(feature = "schema", schema(inline))]
    pub category: BeneficiaryCategory,
    /// District of residence.
    #[cfg_attr(feature = "schema", schema(inline))]
    pub district: Text,
    /// Former work unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(inline, nullable = false))]
    pub unit: Option<Text>,
    /// Whether a party member.
    pub party_member: bool,
    /// Phone number (personal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(inline, value_type = Option<Phone>, nullable = false))]
    pub phone: Option<Personal<Phone>>,
}
impl DataCheck for BeneficiaryRegistered {}

/// Corrects registered details: only the changed fields are present, at least one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BeneficiaryDetailsCorrected {
    /// Corrected name (personal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(inline, value_type = Option<Text>, nullable = false))]
    pub name: Option<Personal<Text>>,
    /// Corrected category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(inline, nullable = false))]
    pub category: Option<BeneficiaryCategory>,
    /// Corrected district.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(inline, nullable = false))]
    pub district: Option<Text>,
    /// Corrected work unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(inline, nullable = false))]
    pub unit: Option<Text>,
    /// Corrected party membership.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(nullable = false))]
    pub party_member: Option<bool>,
    /// Corrected phone (personal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(inline, value_type = Option<Phone>, nullable = false))]
    pub phone: Option<Personal<Phone>>,
}

impl DataCheck for BeneficiaryDetailsCorrected {
    fn check(&self) -> Vec<FieldError> {
        let nothing = self.name.is_none()
            && self.category.is_none()
            && self.district.is_none()
            && self.unit.is_none()
            && self.party_member.is_none()
            && self.phone.is_none();
        if nothing {
            vec![FieldError::new("", "a correction names at least one changed field")]
        } else {
            Vec::new()
        }
    }
}

/// A hardship assessment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HardshipAssessed {
    /// Cause.
    #[cfg_attr(feature = "schema", schema(inline))]
    pub cause: HardshipCause,
    /// Severity, 1 to 3.
    #[cfg_attr(feature = "schema", schema(inline))]
    pub severity: Severity,
    /// Notes (personal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(inline, value_type = Option<LongText>, nullable = false))]
    pub notes: Option<Personal<LongText>>,
}
impl DataCheck for HardshipAssessed {}

/// Pairs a staff member with the beneficiary, with how often to call and visit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PairingAssigned {
    /// The staff member's principal.
    #[cfg_attr(feature = "schema", schema(inline))]
    pub staff: Text,
    /// Days between calls.
    #[cfg_attr(feature = "schema", schema(inline))]
    pub call_every_days: Days,
    /// Days between visits.
    #[cfg_attr(feature = "schema", schema(inline))]
    pub visit_every_days: Days,
}
impl DataCheck for PairingAssigned {}

/// A visit or call that happened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VisitRecorded {
    /// How the visit was made.
    #[cfg_attr(feature = "schema", schema(inline))]
    pub visit_kind: VisitKind,
    /// The staff member's principal.
    #[cfg_attr(feature = "schema", schema(inline))]
    pub staff: Text,
    /// How long it took.
    #[cfg_attr(feature = "schema", schema(inline))]
    pub duration_minutes: Minutes,
    /// What was said and seen (personal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(inline, value_type = Option<LongText>, nullable = false))]
    pub summary: Option<Personal<LongText>>,
}
impl DataCheck for VisitRecorded {}

/// A concern raised, to be followed until resolved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConcernRaised {
    /// The concern's id, chosen by the client.
    #[cfg_attr(feature = "schema", schema(inline))]
    pub concern_id: Id,
    /// What the concern is about (housing, health, pension …).
    #[cfg_attr(feature = "schema", schema(inline))]
    pub category: Text,
    /// The concern (personal).
    #[cfg_attr(feature = "schema", schema(inline, value_type = LongText))]
    pub summary: Personal<LongText>,
}
impl DataCheck for ConcernRaised {}

/// A concern resolved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConcernResolved {
    /// The concern's id.
    #[cfg_attr(feature = "schema", schema(inline))]
    pub concern_id: Id,
    /// How it was resolved (personal).
    #[cfg_attr(feature = "schema", schema(inline, value_type = LongText))]
    pub resolution: Personal<LongText>,
    /// Whether it was resolved during the visit that raised it.
    pub on_site: bool,
}
impl DataCheck for ConcernResolved {}

/// The beneficiary's personal data was erased.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BeneficiaryForgotten {}
impl DataCheck for BeneficiaryForgotten {}

/// Where a concern stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConcernStatus {
    /// Raised, not resolved.
    Open,
    /// Resolved.
    Resolved,
}

/// A beneficiary stream's state after its opening event.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BeneficiaryState {
    /// Concerns by id.
    pub concerns: HashMap<Id, ConcernStatus>,
    /// Whether the beneficiary was forgotten.
    pub forgotten: bool,
}

impl BeneficiaryState {
    /// Checks `event` against the state; `_actor` is the appending principal.
    pub fn decide(&self, event: &BeneficiaryEvent, _actor: &str) -> Result<(), RuleBreach> {
        if self.forgotten {
            return Err(RuleBreach::new(
                "beneficiary_forgotten",
                "this beneficiary was forgotten; nothing more is recorded about them",
            ));
        }
        match event {
            BeneficiaryEvent::ConcernRaised(e) if self.concerns.contains_key(&e.concern_id) => {
                Err(RuleBreach::new(
                    "concern_already_raised",
                    format!("concern {} was already raised", e.concern_id),
                ))
            }
            BeneficiaryEvent::ConcernResolved(e) => match self.concerns.get(&e.concern_id) {
                None => Err(RuleBreach::new(
                    "concern_not_raised",
                    format!("concern {} was never raised for this beneficiary", e.concern_id),
                )),
                Some(ConcernStatus::Resolved) => Err(RuleBreach::new(
                    "concern_already_resolved",
                    format!("concern {} is already resolved", e.concern_id),
                )),
                Some(ConcernStatus::Open) => Ok(()),
            },
            _ => Ok(()),
        }
    }

    /// Folds `event` into the state.
    pub fn apply(&mut self, event: &BeneficiaryEvent) {
        match event {
            BeneficiaryEvent::ConcernRaised(e) => {
                self.concerns.insert(e.concern_id, ConcernStatus::Open);
            }
            BeneficiaryEvent::ConcernResolved(e) => {
                self.concerns.insert(e.concern_id, ConcernStatus::Resolved);
            }
            BeneficiaryEvent::BeneficiaryForgotten(_) => self.forgotten = true,
            _ => {}
        }
    }
}
