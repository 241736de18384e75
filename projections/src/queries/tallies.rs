//! Tallies: counts and sums of one kind of fact over a period, grouped by one dimension.

use std::fmt;
use std::str::FromStr;

use sqlx::AnyPool;

use super::Period;
use crate::sql::{bind_all, render, Aggregate, Param};
use crate::table::{Kind, Table};
use crate::ProjectionError;

/// What can be tallied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TallyName {
    /// Visits, by the day they happened.
    Visits,
    /// Disbursements, by the day they were requested.
    Disbursements,
    /// Volunteer hour entries, by the day worked.
    VolunteerHours,
    /// Suggestions, by the day submitted.
    Suggestions,
    /// Activities, by the day held.
    Activities,
}

struct TallySpec {
    from: &'static str,
    beneficiary: Option<&'static str>,
    date: &'static str,
    groups: &'static [(&'static str, &'static str)],
    measures: &'static [(&'static str, Aggregate)],
}

impl TallyName {
    /// Every tally.
    pub const ALL: [TallyName; 5] = [
        TallyName::Visits,
        TallyName::Disbursements,
        TallyName::VolunteerHours,
        TallyName::Suggestions,
        TallyName::Activities,
    ];

    /// The name in the URL.
    pub fn as_str(self) -> &'static str {
        match self {
            TallyName::Visits => "visits",
            TallyName::Disbursements => "disbursements",
            TallyName::VolunteerHours => "volunteer-hours",
            TallyName::Suggestions => "suggestions",
            TallyName::Activities => "activities",
        }
    }

    fn spec(self) -> TallySpec {
        match self {
            TallyName::Visits => TallySpec {
                from: "visits v",
                beneficiary: Some("v.beneficiary_id"),
                date: "v.occurred_on",
                groups: &[("month", "substr(v.occurred_on, 1, 7)"), ("district", "b.district"), ("kind", "v.visit_kind"), ("staff", "v.staff")],
                measures: &[("visits", Aggregate::Count), ("minutes", Aggregate::Sum("v.duration_minutes"))],
            },
            TallyName::Disbursements => TallySpec {
                from: "disbursements d",
                beneficiary: Some("d.beneficiary_id"),
                date: "d.requested_on",
                groups: &[("month", "substr(d.requested_on, 1, 7)"), ("district", "b.district"), ("form", "d.form"), ("fund", "d.fund_id"), ("status", "d.status")],
                measures: &[("disbursements", Aggregate::Count), ("amount_minor", Aggregate::Sum("d.amount_minor"))],
            },
            TallyName::VolunteerHours => TallySpec {
                from: "volunteer_hours h",
                beneficiary: None,
                date: "h.worked_on",
                groups: &[
                    ("month", "substr(h.worked_on, 1, 7)"),
                    ("activity_kind", "h.activity_kind"),
                    ("status", "CASE WHEN h.voided_position IS NOT NULL THEN 'voided' WHEN h.verified_position IS NOT NULL THEN 'verified' ELSE 'logged' END"),
                ],
                measures: &[("entries", Aggregate::Count), ("minutes", Aggregate::Sum("h.minutes"))],
            },
            TallyName::Suggestions => TallySpec {
                from: "suggestions s",
                beneficiary: None,
                date: "s.submitted_on",
                groups: &[("month", "substr(s.submitted_on, 1, 7)"), ("topic", "s.topic"), ("status", "s.status"), ("campaign", "COALESCE(s.campaign, '')")],
                measures: &[("suggestions", Aggregate::Count)],
            },
            TallyName::Activities => TallySpec {
                from: "activities a",
                beneficiary: None,
                date: "a.held_on",
                groups: &[("month", "substr(a.held_on, 1, 7)"), ("kind", "a.kind")],
                measures: &[
                    ("activities", Aggregate::Count),
                    ("attendees", Aggregate::Sum("a.attendees")),
                    ("brochures", Aggregate::Sum("COALESCE(a.brochures, 0)")),
                    ("books", Aggregate::Sum("COALESCE(a.books, 0)")),
                ],
            },
        }
    }

    /// The `group_by` values this tally accepts.
    pub fn group_bys(self) -> Vec<&'static str> {
        self.spec().groups.iter().map(|(name, _)| *name).collect()
    }
}

impl FromStr for TallyName {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        TallyName::ALL.into_iter().find(|t| t.as_str() == value).ok_or_else(|| {
            let names: Vec<&str> = TallyName::ALL.iter().map(|t| t.as_str()).collect();
            format!("\"{value}\" is not a tally ({})", names.join(", "))
        })
    }
}

impl fmt::Display for TallyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A tally's rows: one per group, in group order. `Err(detail)` (outer) for a `group_by` the tally
/// does not have.
pub async fn tally(
    pool: &AnyPool,
    name: TallyName,
    group_by: &str,
    period: &Period,
) -> Result<Result<Table, String>, ProjectionError> {
    let spec = name.spec();
    let Some((_, group)) = spec.groups.iter().find(|(g, _)| *g == group_by) else {
        return Ok(Err(format!(
            "{name} can be grouped by {}, not \"{group_by}\"",
            name.group_bys().join(", ")
        )));
    };
    let join = match spec.beneficiary {
        Some(column) if group_by == "district" => {
            format!(" JOIN beneficiaries b ON b.beneficiary_id = {column}")
        }
        _ => String::new(),
    };
    let measures: Vec<String> = spec
        .measures
        .iter()
        .map(|(_, aggregate)| format!("CAST(COALESCE({}, 0) AS BIGINT)", aggregate.sql()))
        .collect();
    let template = format!(
        "SELECT {group}, {} FROM {}{join} WHERE {date} >= {{from}} AND {date} < {{to}} GROUP BY 1 ORDER BY 1",
        measures.join(", "),
        spec.from,
        date = spec.date
    );
    let (sql, params) = render(
        &template,
        &[("from", Param::Text(period.from.clone())), ("to", Param::Text(period.to.clone()))],
    );
    let rows = bind_all(sqlx::query(&sql), &params).fetch_all(pool).await?;
    let mut columns = vec![(group_by, Kind::Text)];
    columns.extend(spec.measures.iter().map(|(measure, _)| (*measure, Kind::Int)));
    Ok(Ok(Table::from_rows(&columns, &rows)?))
}
