//! The figures of the summary report and of the per-day totals behind them, each named once: the
//! models add to a [`Figure`], the summary reads and serves one, and its name (in `daily_totals`,
//! in the summary's JSON and CSV, in a trace's `?figure=`) is [`Figure::name`]. A misspelt figure
//! is a compile error, not a total nobody reads.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use domain::events::activity::ActivityKind;
use domain::events::beneficiary::VisitKind;
use serde::{Serialize, Serializer};

/// A figure the summary reports, or a per-day total the projections keep for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Figure {
    /// Home visits made.
    VisitsHome,
    /// Phone visits made.
    VisitsPhone,
    /// Hospital visits made (a per-day total only).
    VisitsHospital,
    /// Group visits made (a per-day total only).
    VisitsGroup,
    /// Visits of every kind made.
    VisitsTotal,
    /// Beneficiaries visited at least once.
    BeneficiariesVisited,
    /// Concerns raised.
    ConcernsRaised,
    /// Concerns resolved on the visit that raised them.
    ConcernsResolvedOnSite,
    /// Concerns resolved afterwards.
    ConcernsResolvedLater,
    /// Concerns closed, on the day they count as closed (a per-day total only).
    ConcernsClosed,
    /// Concerns open at the period's end.
    ConcernsOpen,
    /// Beneficiaries assessed in hardship.
    HardshipCases,
    /// Disbursements paid, less those reversed.
    DisbursementsPaid,
    /// Cash paid, less reversed, in minor units.
    CashPaidMinor,
    /// Goods paid, less reversed, in minor units of their value.
    InKindPaidMinor,
    /// Volunteer hours entries standing.
    VolunteerEntries,
    /// Volunteer minutes standing.
    VolunteerMinutes,
    /// Activities held: reported as the counts of its parts, one per kind; traced as a whole.
    Activities,
    /// Activities of one kind held (a part of [`Figure::Activities`]).
    ActivitiesOf(ActivityKind),
    /// People who attended activities.
    ActivityAttendees,
    /// Brochures handed out at activities.
    Brochures,
    /// Books handed out at activities.
    Books,
    /// Suggestions submitted.
    SuggestionsSubmitted,
    /// Suggestions forwarded.
    SuggestionsForwarded,
    /// Suggestions adopted.
    SuggestionsAdopted,
}

impl Figure {
    /// Every figure the summary reports, in report order.
    pub const REPORTED: [Figure; 21] = [
        Figure::VisitsHome,
        Figure::VisitsPhone,
        Figure::VisitsTotal,
        Figure::BeneficiariesVisited,
        Figure::ConcernsRaised,
        Figure::ConcernsResolvedOnSite,
        Figure::ConcernsResolvedLater,
        Figure::ConcernsOpen,
        Figure::HardshipCases,
        Figure::DisbursementsPaid,
        Figure::CashPaidMinor,
        Figure::InKindPaidMinor,
        Figure::VolunteerEntries,
        Figure::VolunteerMinutes,
        Figure::Activities,
        Figure::ActivityAttendees,
        Figure::Brochures,
        Figure::Books,
        Figure::SuggestionsSubmitted,
        Figure::SuggestionsForwarded,
        Figure::SuggestionsAdopted,
    ];

    /// The per-day total of visits of `kind`.
    pub fn visits(kind: VisitKind) -> Figure {
        match kind {
            VisitKind::Home => Figure::VisitsHome,
            VisitKind::Phone => Figure::VisitsPhone,
            VisitKind::Hospital => Figure::VisitsHospital,
            VisitKind::Group => Figure::VisitsGroup,
        }
    }

    /// The name of the figure, or of the whole it is a part of, and the part's own name: the key and
    /// the key within it that the summary's JSON serves the figure under.
    pub fn key(self) -> (&'static str, Option<&'static str>) {
        let whole = match self {
            Figure::VisitsHome => "visits_home",
            Figure::VisitsPhone => "visits_phone",
            Figure::VisitsHospital => "visits_hospital",
            Figure::VisitsGroup => "visits_group",
            Figure::VisitsTotal => "visits_total",
            Figure::BeneficiariesVisited => "beneficiaries_visited",
            Figure::ConcernsRaised => "concerns_raised",
            Figure::ConcernsResolvedOnSite => "concerns_resolved_on_site",
            Figure::ConcernsResolvedLater => "concerns_resolved_later",
            Figure::ConcernsClosed => "concerns_closed",
            Figure::ConcernsOpen => "concerns_open",
            Figure::HardshipCases => "hardship_cases",
            Figure::DisbursementsPaid => "disbursements_paid",
            Figure::CashPaidMinor => "cash_paid_minor",
            Figure::InKindPaidMinor => "in_kind_paid_minor",
            Figure::VolunteerEntries => "volunteer_entries",
            Figure::VolunteerMinutes => "volunteer_minutes",
            Figure::Activities => "activities",
            Figure::ActivitiesOf(kind) => return (Figure::Activities.key().0, Some(kind.as_str())),
            Figure::ActivityAttendees => "activity_attendees",
            Figure::Brochures => "brochures",
            Figure::Books => "books",
            Figure::SuggestionsSubmitted => "suggestions_submitted",
            Figure::SuggestionsForwarded => "suggestions_forwarded",
            Figure::SuggestionsAdopted => "suggestions_adopted",
        };
        (whole, None)
    }

    /// The figure's name: `<whole>.<part>` for a part (`activities.lecture`).
    pub fn name(self) -> Cow<'static, str> {
        match self.key() {
            (whole, None) => Cow::Borrowed(whole),
            (whole, Some(part)) => Cow::Owned(format!("{whole}.{part}")),
        }
    }

    /// The parts the figure is reported as, each counted on its own (the activities of each kind);
    /// empty for a figure reported as one number.
    pub fn parts(self) -> Vec<Figure> {
        match self {
            Figure::Activities => ActivityKind::ALL.into_iter().map(Figure::ActivitiesOf).collect(),
            _ => Vec::new(),
        }
    }

    /// Whether the figure is a sum of money, which only adds up within one currency.
    pub fn is_money(self) -> bool {
        matches!(self, Figure::CashPaidMinor | Figure::InKindPaidMinor)
    }

    /// Every figure a trace may name: the reported figures, then the parts of those that have parts.
    pub fn traceable() -> Vec<Figure> {
        let parts = Figure::REPORTED.into_iter().flat_map(Figure::parts);
        Figure::REPORTED.into_iter().chain(parts).collect()
    }

    /// The traceable figure named `name`, if there is one.
    pub fn parse_traceable(name: &str) -> Option<Figure> {
        Figure::traceable().into_iter().find(|figure| figure.name() == name)
    }
}

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// Figures' values. Served as one JSON object keyed by figure name, in which the parts of a figure
/// are an object of their values keyed by part (`"activities": {"lecture": 3, …}`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Figures(BTreeMap<Figure, i64>);

impl Figures {
    /// The value of `figure`, if it is here.
    pub fn get(&self, figure: Figure) -> Option<i64> {
        self.0.get(&figure).copied()
    }

    /// Sets the value of `figure`.
    pub fn insert(&mut self, figure: Figure, value: i64) {
        self.0.insert(figure, value);
    }

    /// Leaves `figure` out.
    pub fn remove(&mut self, figure: Figure) {
        self.0.remove(&figure);
    }
}

impl Serialize for Figures {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        /// A figure's value, or its parts' values by part.
        #[derive(Serialize)]
        #[serde(untagged)]
        enum Served {
            Value(i64),
            Parts(BTreeMap<&'static str, i64>),
        }
        let mut served: BTreeMap<&'static str, Served> = BTreeMap::new();
        for (figure, value) in &self.0 {
            match figure.key() {
                (whole, None) => {
                    served.insert(whole, Served::Value(*value));
                }
                (whole, Some(part)) => {
                    let parts = served.entry(whole).or_insert_with(|| Served::Parts(BTreeMap::new()));
                    if let Served::Parts(parts) = parts {
                        parts.insert(part, *value);
                    }
                }
            }
        }
        served.serialize(serializer)
    }
}

#[cfg(feature = "schema")]
impl Figures {
    /// The schema of the reported figures as served: each an integer, or an object of integers for
    /// a figure with parts; each required but the money figures, which are given per currency
    /// instead when the ledger pays in several.
    pub fn reported_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
        let integer = || ObjectBuilder::new().schema_type(Type::Integer);
        let mut figures = ObjectBuilder::new().schema_type(Type::Object);
        for figure in Figure::REPORTED {
            let name = figure.name();
            let schema = if figure.parts().is_empty() {
                integer()
            } else {
                ObjectBuilder::new().schema_type(Type::Object).additional_properties(Some(integer()))
            };
            figures = figures.property(name.as_ref(), schema);
            if !figure.is_money() {
                figures = figures.required(name.as_ref());
            }
        }
        utoipa::openapi::RefOr::T(Schema::Object(figures.build()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_traceable_figure_parses_back_from_its_name_and_nothing_else_does() {
        for figure in Figure::traceable() {
            assert_eq!(Figure::parse_traceable(&figure.name()), Some(figure), "{figure}");
        }
        assert_eq!(
            Figure::parse_traceable("activities.lecture"),
            Some(Figure::ActivitiesOf(ActivityKind::Lecture))
        );
        for name in
            ["visits_hospital", "concerns_closed", "activities.", "activities.nap", "visits_home.x", ""]
        {
            assert_eq!(Figure::parse_traceable(name), None, "{name}");
        }
    }
}
