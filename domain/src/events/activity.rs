//! Activity streams: one outreach activity (a lecture, a civility class …) and what it handed out.

use serde::{Deserialize, Serialize};

use super::DataCheck;
use crate::errors::FieldError;
use crate::limits::{self, at_most};
use crate::values::{Count, Date, NonNegativeMinor, Text};

/// The kinds of outreach activity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
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
}

impl ActivityKind {
    /// Every kind.
    pub const ALL: [ActivityKind; 6] = [
        ActivityKind::Lecture,
        ActivityKind::CivilityClass,
        ActivityKind::Training,
        ActivityKind::Outreach,
        ActivityKind::Ceremony,
        ActivityKind::StudyTour,
    ];

    /// The kind's name in records.
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Lecture => "lecture",
            ActivityKind::CivilityClass => "civility_class",
            ActivityKind::Training => "training",
            ActivityKind::Outreach => "outreach",
            ActivityKind::Ceremony => "ceremony",
            ActivityKind::StudyTour => "study_tour",
        }
    }
}

/// What an activity handed out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Materials {
    /// Brochures handed out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(schema_with = crate::schema::materials_count, nullable = false))]
    pub brochures: Option<Count>,
    /// Books handed out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(schema_with = crate::schema::materials_count, nullable = false))]
    pub books: Option<Count>,
    /// Value of goods handed out, in minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(schema_with = crate::schema::goods_value_minor, nullable = false))]
    pub goods_value_minor: Option<NonNegativeMinor>,
}

/// Opens (and is the whole of) an activity stream.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActivityHeld {
    /// The kind.
    #[cfg_attr(feature = "schema", schema(inline))]
    pub kind: ActivityKind,
    /// Its title.
    #[cfg_attr(feature = "schema", schema(inline))]
    pub title: Text,
    /// When.
    #[cfg_attr(feature = "schema", schema(inline))]
    pub date: Date,
    /// Where.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(inline, nullable = false))]
    pub location: Option<Text>,
    /// How many attended.
    #[cfg_attr(feature = "schema", schema(schema_with = crate::schema::attendees))]
    pub attendees: Count,
    /// What it handed out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(inline, nullable = false))]
    pub materials: Option<Materials>,
}
impl DataCheck for ActivityHeld {
    fn admit(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        at_most(
            &mut errors,
            "/attendees",
            self.attendees.get(),
            limits::ATTENDEES_MAX,
            "one activity's attendance",
        );
        if let Some(materials) = &self.materials {
            let counts = [("brochures", materials.brochures), ("books", materials.books)];
            for (field, count) in counts {
                let count = count.map_or(0, |c| c.get());
                let pointer = format!("/materials/{field}");
                at_most(&mut errors, &pointer, count, limits::MATERIALS_COUNT_MAX, "one activity hands out");
            }
            let goods = materials.goods_value_minor.map_or(0, |v| v.get());
            let pointer = "/materials/goods_value_minor";
            at_most(&mut errors, pointer, goods, limits::GOODS_VALUE_MINOR_MAX, "one activity's goods");
        }
        errors
    }
}
