//! Volunteer streams: a volunteer and the service hours they log, verified by someone else.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{DataCheck, VolunteerEvent};
use crate::errors::RuleBreach;
use crate::values::{Date, Id, LongText, Minutes, Personal, Text};

/// What volunteer hours were spent on: an activity kind, or other service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HoursActivityKind {
    /// A lecture.
    Lecture,
    /// A civility class.
    CivilityClass,
    /// A training.
    Training,
    /// Outreach in the community.
    Outreach,
    /// A ceremony.
    Ceremony,
    /// A study tour.
    StudyTour,
    /// Community service.
    CommunityService,
    /// Helping with visits.
    VisitSupport,
    /// Anything else.
    Other,
}

/// Opens a volunteer stream.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VolunteerEnrolled {
    /// Full name (personal).
    #[cfg_attr(feature = "schema", schema(inline, value_type = Text))]
    pub name: Personal<Text>,
    /// Work unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(inline, nullable = false))]
    pub unit: Option<Text>,
    /// Skills offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(inline, nullable = false))]
    pub skills: Option<Vec<Text>>,
}
impl DataCheck for VolunteerEnrolled {}

/// Hours worked on one day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VolunteerHoursLogged {
    /// The entry's id, chosen by the client.
    #[cfg_attr(feature = "schema", schema(inline))]
    pub entry_id: Id,
    /// What the time was spent on.
    #[cfg_attr(feature = "schema", schema(inline))]
    pub activity_kind: HoursActivityKind,
    /// The activity (the UUID of stream `activity-<uuid>`), when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(inline, nullable = false))]
    pub activity_id: Option<Id>,
    /// The day worked.
    #[cfg_attr(feature = "schema", schema(inline))]
    pub date: Date,
    /// Minutes worked, 1 to 1440.
    #[cfg_attr(feature = "schema", schema(inline))]
    pub minutes: Minutes,
}
impl DataCheck for VolunteerHoursLogged {}

/// An entry verified by someone other than who logged it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VolunteerHoursVerified {
    /// The entry.
    #[cfg_attr(feature = "schema", schema(inline))]
    pub entry_id: Id,
}
impl DataCheck for VolunteerHoursVerified {}

/// An entry voided.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VolunteerHoursVoided {
    /// The entry.
    #[cfg_attr(feature = "schema", schema(inline))]
    pub entry_id: Id,
    /// Why (personal).
    #[cfg_attr(feature = "schema", schema(inline, value_type = LongText))]
    pub reason: Personal<LongText>,
}
impl DataCheck for VolunteerHoursVoided {}

/// One logged entry's standing.
#[derive(Clone, Debug, PartialEq)]
pub struct HoursEntry {
    /// Who logged it.
    pub logged_by: String,
    /// Whether it was verified.
    pub verified: bool,
    /// Whether it was voided.
    pub voided: bool,
}

/// A volunteer stream's state after its opening event.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VolunteerState {
    /// Logged entries by id.
    pub entries: HashMap<Id, HoursEntry>,
}

impl VolunteerState {
    fn entry(&self, entry_id: Id) -> Result<&HoursEntry, RuleBreach> {
        self.entries.get(&entry_id).ok_or_else(|| {
            RuleBreach::new(
                "hours_entry_logged",
                format!("no hours entry {entry_id} was logged for this volunteer"),
            )
        })
    }

    /// Checks `event`, appended by `actor`, against the state.
    pub fn decide(&self, event: &VolunteerEvent, actor: &str) -> Result<(), RuleBreach> {
        match event {
            VolunteerEvent::VolunteerHoursLogged(e) if self.entries.contains_key(&e.entry_id) => {
                Err(RuleBreach::new(
                    "hours_entry_logged_once",
                    format!("hours entry {} was already logged", e.entry_id),
                ))
            }
            VolunteerEvent::VolunteerHoursVerified(e) => {
                let entry = self.entry(e.entry_id)?;
                if entry.voided {
                    Err(RuleBreach::new("voided_hours_not_verified", "a voided entry cannot be verified"))
                } else if entry.verified {
                    Err(RuleBreach::new("hours_verified_once", "this entry was already verified"))
                } else if entry.logged_by == actor {
                    Err(RuleBreach::new(
                        "verifier_is_not_logger",
                        format!("{actor} logged these hours and may not verify them"),
                    ))
                } else {
                    Ok(())
                }
            }
            VolunteerEvent::VolunteerHoursVoided(e) => {
                if self.entry(e.entry_id)?.voided {
                    Err(RuleBreach::new("hours_voided_once", "this entry was already voided"))
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }

    /// Folds `event`, appended by `actor`, into the state.
    pub fn apply(&mut self, event: &VolunteerEvent, actor: &str) {
        match event {
            VolunteerEvent::VolunteerHoursLogged(e) => {
                let entry = HoursEntry { logged_by: actor.to_owned(), verified: false, voided: false };
                self.entries.insert(e.entry_id, entry);
            }
            VolunteerEvent::VolunteerHoursVerified(e) => {
                if let Some(entry) = self.entries.get_mut(&e.entry_id) {
                    entry.verified = true;
                }
            }
            VolunteerEvent::VolunteerHoursVoided(e) => {
                if let Some(entry) = self.entries.get_mut(&e.entry_id) {
                    entry.voided = true;
                }
            }
            VolunteerEvent::VolunteerEnrolled(_) => {}
        }
    }
}
