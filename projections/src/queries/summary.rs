//! The summary report: the figures a yearly work report quotes, each computed over the read models,
//! and each traceable to exactly the positions of the events counted or summed in it.
//!
//! A figure is defined once, as the rows it counts (`FROM … WHERE …`), the aggregate over them and
//! the position of each row; its trace is always a query over those rows. For the whole city its
//! value is read from the per-day totals the projections keep (`daily_totals`), which is what makes a
//! year's report cheap however many events it covers; for one district, and for the counts of
//! distinct beneficiaries (which do not add up day by day), the value is the aggregate over the rows.
//! Tests hold both ways to the same figures. `district` narrows the figures about beneficiaries
//! (visits, concerns, hardship, disbursements); volunteers, activities and suggestions have no
//! district.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use sql::{bounded_sum, clamp_figure};
use sqlx::AnyPool;

use super::Period;
use crate::figure::{Figure, Figures};
use crate::sql::{bind_all, render, Aggregate, Param};
use crate::table::{Cell, Table};
use crate::ProjectionError;

/// One figure's definition: the rows behind it, how they add up, and each row's position.
struct Definition {
    /// The figure.
    figure: Figure,
    /// `FROM … [JOIN …]` naming the rows.
    from: &'static str,
    /// The beneficiary column the district filter joins on, for figures about beneficiaries.
    beneficiary: Option<&'static str>,
    /// `WHERE` conditions, with `{from}` and `{to}` markers.
    filter: &'static str,
    /// The aggregate giving the value.
    value: Aggregate,
    /// The position of each row (the trace).
    position: &'static str,
    /// How its whole-city value is read.
    total: Total,
}

/// How a figure's whole-city value over a period is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Total {
    /// The sum of its per-day totals over the period.
    Days,
    /// Concerns raised before the period's end less those closed before it, from the per-day totals.
    OpenConcerns,
    /// The sum of its per-day totals, less the period's entries voided before its end.
    DaysLessVoided,
    /// A count of distinct beneficiaries: over whole years or months, from the beneficiaries marked
    /// in each; otherwise the beneficiaries with at least one of its rows (one index probe per
    /// beneficiary instead of sorting every row of the period).
    DistinctBeneficiaries,
}

const IN_PERIOD_VISITS: &str = "v.occurred_on >= {from} AND v.occurred_on < {to}";
const MOVEMENTS: &str =
    "disbursement_movements m JOIN disbursements d ON d.disbursement_id = m.disbursement_id";
const PAID_COUNT: Aggregate = Aggregate::Sum("CASE WHEN m.movement = 'paid' THEN 1 ELSE -1 END");
const PAID_AMOUNT: Aggregate =
    Aggregate::Sum("CASE WHEN m.movement = 'paid' THEN m.amount_minor ELSE -m.amount_minor END");
const HOURS_STANDING: &str =
    "h.worked_on >= {from} AND h.worked_on < {to} AND (h.voided_on IS NULL OR h.voided_on >= {to})";
const ACTIVITIES_HELD: &str = "a.held_on >= {from} AND a.held_on < {to}";

/// Every reported figure's definition, in report order.
const DEFINITIONS: &[Definition] = &[
    Definition {
        figure: Figure::VisitsHome,
        from: "visits v",
        beneficiary: Some("v.beneficiary_id"),
        filter: "v.occurred_on >= {from} AND v.occurred_on < {to} AND v.visit_kind = 'home'",
        value: Aggregate::Count,
        position: "v.position",
        total: Total::Days,
    },
    Definition {
        figure: Figure::VisitsPhone,
        from: "visits v",
        beneficiary: Some("v.beneficiary_id"),
        filter: "v.occurred_on >= {from} AND v.occurred_on < {to} AND v.visit_kind = 'phone'",
        value: Aggregate::Count,
        position: "v.position",
        total: Total::Days,
    },
    Definition {
        figure: Figure::VisitsTotal,
        from: "visits v",
        beneficiary: Some("v.beneficiary_id"),
        filter: IN_PERIOD_VISITS,
        value: Aggregate::Count,
        position: "v.position",
        total: Total::Days,
    },
    Definition {
        figure: Figure::BeneficiariesVisited,
        from: "visits v",
        beneficiary: Some("v.beneficiary_id"),
        filter: IN_PERIOD_VISITS,
        value: Aggregate::CountDistinct("v.beneficiary_id"),
        position: "v.position",
        total: Total::DistinctBeneficiaries,
    },
    Definition {
        figure: Figure::ConcernsRaised,
        from: "concerns c",
        beneficiary: Some("c.beneficiary_id"),
        filter: "c.raised_on >= {from} AND c.raised_on < {to}",
        value: Aggregate::Count,
        position: "c.raised_position",
        total: Total::Days,
    },
    Definition {
        figure: Figure::ConcernsResolvedOnSite,
        from: "concerns c",
        beneficiary: Some("c.beneficiary_id"),
        filter: "c.resolved_on >= {from} AND c.resolved_on < {to} AND c.on_site = 1",
        value: Aggregate::Count,
        position: "c.resolved_position",
        total: Total::Days,
    },
    Definition {
        figure: Figure::ConcernsResolvedLater,
        from: "concerns c",
        beneficiary: Some("c.beneficiary_id"),
        filter: "c.resolved_on >= {from} AND c.resolved_on < {to} AND c.on_site = 0",
        value: Aggregate::Count,
        position: "c.resolved_position",
        total: Total::Days,
    },
    Definition {
        figure: Figure::ConcernsOpen,
        from: "concerns c",
        beneficiary: Some("c.beneficiary_id"),
        filter: "c.raised_on < {to} AND (c.resolved_on IS NULL OR c.resolved_on >= {to})",
        value: Aggregate::Count,
        position: "c.raised_position",
        total: Total::OpenConcerns,
    },
    Definition {
        figure: Figure::HardshipCases,
        from: "hardship_assessments h",
        beneficiary: Some("h.beneficiary_id"),
        filter: "h.occurred_on >= {from} AND h.occurred_on < {to}",
        value: Aggregate::CountDistinct("h.beneficiary_id"),
        position: "h.position",
        total: Total::DistinctBeneficiaries,
    },
    Definition {
        figure: Figure::DisbursementsPaid,
        from: MOVEMENTS,
        beneficiary: Some("d.beneficiary_id"),
        filter: "m.occurred_on >= {from} AND m.occurred_on < {to}",
        value: PAID_COUNT,
        position: "m.position",
        total: Total::Days,
    },
    Definition {
        figure: Figure::CashPaidMinor,
        from: MOVEMENTS,
        beneficiary: Some("d.beneficiary_id"),
        filter: "m.occurred_on >= {from} AND m.occurred_on < {to} AND m.form = 'cash'",
        value: PAID_AMOUNT,
        position: "m.position",
        total: Total::Days,
    },
    Definition {
        figure: Figure::InKindPaidMinor,
        from: MOVEMENTS,
        beneficiary: Some("d.beneficiary_id"),
        filter: "m.occurred_on >= {from} AND m.occurred_on < {to} AND m.form = 'in_kind'",
        value: PAID_AMOUNT,
        position: "m.position",
        total: Total::Days,
    },
    Definition {
        figure: Figure::VolunteerEntries,
        from: "volunteer_hours h",
        beneficiary: None,
        filter: HOURS_STANDING,
        value: Aggregate::Count,
        position: "h.logged_position",
        total: Total::DaysLessVoided,
    },
    Definition {
        figure: Figure::VolunteerMinutes,
        from: "volunteer_hours h",
        beneficiary: None,
        filter: HOURS_STANDING,
        value: Aggregate::Sum("h.minutes"),
        position: "h.logged_position",
        total: Total::DaysLessVoided,
    },
    Definition {
        figure: Figure::Activities,
        from: "activities a",
        beneficiary: None,
        filter: ACTIVITIES_HELD,
        value: Aggregate::Count,
        position: "a.position",
        total: Total::Days,
    },
    Definition {
        figure: Figure::ActivityAttendees,
        from: "activities a",
        beneficiary: None,
        filter: "a.held_on >= {from} AND a.held_on < {to} AND a.attendees > 0",
        value: Aggregate::Sum("a.attendees"),
        position: "a.position",
        total: Total::Days,
    },
    Definition {
        figure: Figure::Brochures,
        from: "activities a",
        beneficiary: None,
        filter: "a.held_on >= {from} AND a.held_on < {to} AND a.brochures > 0",
        value: Aggregate::Sum("a.brochures"),
        position: "a.position",
        total: Total::Days,
    },
    Definition {
        figure: Figure::Books,
        from: "activities a",
        beneficiary: None,
        filter: "a.held_on >= {from} AND a.held_on < {to} AND a.books > 0",
        value: Aggregate::Sum("a.books"),
        position: "a.position",
        total: Total::Days,
    },
    Definition {
        figure: Figure::SuggestionsSubmitted,
        from: "suggestions s",
        beneficiary: None,
        filter: "s.submitted_on >= {from} AND s.submitted_on < {to}",
        value: Aggregate::Count,
        position: "s.submitted_position",
        total: Total::Days,
    },
    Definition {
        figure: Figure::SuggestionsForwarded,
        from: "suggestion_steps st",
        beneficiary: None,
        filter: "st.step = 'forwarded' AND st.occurred_on >= {from} AND st.occurred_on < {to}",
        value: Aggregate::Count,
        position: "st.position",
        total: Total::Days,
    },
    Definition {
        figure: Figure::SuggestionsAdopted,
        from: "suggestion_steps st",
        beneficiary: None,
        filter: "st.step = 'adopted' AND st.occurred_on >= {from} AND st.occurred_on < {to}",
        value: Aggregate::Count,
        position: "st.position",
        total: Total::Days,
    },
];

/// What to summarise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryQuery {
    /// The period.
    pub period: Period,
    /// Only beneficiaries of this district (for the figures about beneficiaries).
    pub district: Option<String>,
    /// Only payments and reversals in this currency (for the money figures).
    pub currency: Option<String>,
}

/// `GET /v1/reports/summary`.
// The summary: what was asked, the figures, and, when the ledger pays in more than one currency
// and none was chosen, the money figures per currency instead (a sum across currencies means
// nothing). Also what `aidledger report --format json` prints. Fields in name order, the order the
// answer has always been served in.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Summary {
    /// Currency → money figure (`cash_paid_minor`, `in_kind_paid_minor`) → value, when the ledger
    /// pays in more than one currency and none was asked for (the money figures are then not in
    /// `figures`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(nullable = false, value_type = Option<Object>))]
    pub by_currency: Option<BTreeMap<String, Figures>>,
    /// The only currency the money figures count, when asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(nullable = false))]
    pub currency: Option<String>,
    /// The district the beneficiary figures are narrowed to, when asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(nullable = false))]
    pub district: Option<String>,
    /// The figures. Without the money figures when they are given per currency.
    #[cfg_attr(feature = "schema", schema(schema_with = Figures::reported_schema))]
    pub figures: Figures,
    /// First day of the period.
    pub from: String,
    /// First day after the period.
    pub to: String,
}

/// The currencies the ledger's funds pay in, in order.
pub async fn currencies(pool: &AnyPool) -> Result<Vec<String>, ProjectionError> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT DISTINCT currency FROM funds ORDER BY currency").fetch_all(pool).await?;
    Ok(rows.into_iter().map(|(currency,)| currency).collect())
}

/// The summary for `query`: its figures, with the money figures per currency when the ledger pays
/// in several and `query` names none.
pub async fn summary(pool: &AnyPool, query: &SummaryQuery) -> Result<Summary, ProjectionError> {
    let mut figures = figures(pool, query).await?;
    let currencies = currencies(pool).await?;
    let by_currency = if query.currency.is_some() || currencies.len() < 2 {
        None
    } else {
        let mut by_currency = BTreeMap::new();
        for currency in currencies {
            let in_currency = SummaryQuery { currency: Some(currency.clone()), ..query.clone() };
            let mut money = Figures::default();
            for definition in DEFINITIONS.iter().filter(|d| d.figure.is_money()) {
                figures.remove(definition.figure);
                money.insert(definition.figure, rows_value(pool, definition, &in_currency, "").await?);
            }
            by_currency.insert(currency, money);
        }
        Some(by_currency)
    };
    Ok(Summary {
        by_currency,
        currency: query.currency.clone(),
        district: query.district.clone(),
        figures,
        from: query.period.from.clone(),
        to: query.period.to.clone(),
    })
}

fn rows_sql(
    definition: &Definition,
    query: &SummaryQuery,
    select: &str,
    extra_filter: &str,
) -> (String, Vec<Param>) {
    let currency_filter = if query.currency.is_some() && definition.from == MOVEMENTS {
        " AND d.currency = {currency}"
    } else {
        ""
    };
    let extra_filter = &format!("{currency_filter}{extra_filter}");
    let template = match (definition.beneficiary, &query.district) {
        // The district's beneficiaries first, each one's rows found by its index (`CROSS JOIN` keeps
        // SQLite from scanning the whole city's period instead).
        (Some(column), Some(_)) => format!(
            "SELECT {select} FROM beneficiaries b CROSS JOIN {} WHERE {column} = b.beneficiary_id \
             AND b.district = {{district}} AND {}{extra_filter}",
            definition.from, definition.filter
        ),
        _ => format!("SELECT {select} FROM {} WHERE {}{extra_filter}", definition.from, definition.filter),
    };
    let mut params =
        vec![("from", Param::Text(query.period.from.clone())), ("to", Param::Text(query.period.to.clone()))];
    if let Some(district) = &query.district {
        params.push(("district", Param::Text(district.clone())));
    }
    if let Some(currency) = &query.currency {
        params.push(("currency", Param::Text(currency.clone())));
    }
    render(&template, &params)
}

async fn scalar(pool: &AnyPool, sql: &str, params: &[Param]) -> Result<i64, ProjectionError> {
    let (value,): (i64,) = bind_all(sqlx::query(sql), params)
        .fetch_one(pool)
        .await
        .and_then(|row| sqlx::FromRow::from_row(&row))?;
    Ok(value)
}

/// The definition of `figure`, and the condition narrowing its rows to the figure when it is a part
/// of a reported one (the activities of one kind); `None` for a figure the summary does not report.
fn definition_of(figure: Figure) -> Option<(&'static Definition, String)> {
    let (whole, part_filter) = match figure {
        // The kind names are the domain's own constants, never client text.
        Figure::ActivitiesOf(kind) => (Figure::Activities, format!(" AND a.kind = '{}'", kind.as_str())),
        _ => (figure, String::new()),
    };
    DEFINITIONS.iter().find(|d| d.figure == whole).map(|definition| (definition, part_filter))
}

/// Every figure's value: for the whole city from the per-day totals, for one district (and the money
/// figures in one currency) from the rows.
async fn figures(pool: &AnyPool, query: &SummaryQuery) -> Result<Figures, ProjectionError> {
    if query.district.is_some() {
        return summary_over_rows(pool, query).await;
    }
    let days = DayTotals::read(pool, &query.period).await?;
    let mut figures = Figures::default();
    for definition in DEFINITIONS {
        let parts = definition.figure.parts();
        if !parts.is_empty() {
            // Parts are counted per day each (the per-day totals hold no whole).
            for part in parts {
                figures.insert(part, days.in_period(part));
            }
            continue;
        }
        let value = match definition.total {
            Total::Days if query.currency.is_some() && definition.figure.is_money() => {
                rows_value(pool, definition, query, "").await?
            }
            Total::Days => days.in_period(definition.figure),
            Total::OpenConcerns => days.open_concerns,
            Total::DaysLessVoided => {
                let voided = Definition { filter: VOIDED_IN_PERIOD, ..*definition };
                clamp_figure(days.in_period(definition.figure) - rows_value(pool, &voided, query, "").await?)
            }
            Total::DistinctBeneficiaries => match query.period.whole_span() {
                Some((span, from, to)) => beneficiaries_marked(pool, definition, span, from, to).await?,
                None => beneficiaries_with_rows(pool, definition, query).await?,
            },
        };
        figures.insert(definition.figure, value);
    }
    Ok(figures)
}

/// Every figure's value as the aggregate over its rows (what a district's summary reads, and what
/// the per-day totals must always agree with).
pub async fn summary_over_rows(pool: &AnyPool, query: &SummaryQuery) -> Result<Figures, ProjectionError> {
    let mut figures = Figures::default();
    for definition in DEFINITIONS {
        let parts = definition.figure.parts();
        if parts.is_empty() {
            figures.insert(definition.figure, rows_value(pool, definition, query, "").await?);
        }
        for part in parts {
            if let Some((definition, part_filter)) = definition_of(part) {
                figures.insert(part, rows_value(pool, definition, query, &part_filter).await?);
            }
        }
    }
    Ok(figures)
}

/// Volunteer entries worked in the period but voided before its end (which the per-day totals of
/// logged hours still hold).
const VOIDED_IN_PERIOD: &str =
    "h.worked_on >= {from} AND h.worked_on < {to} AND h.voided_on IS NOT NULL AND h.voided_on < {to}";

/// `definition`'s aggregate over its rows, narrowed by `part_filter`.
async fn rows_value(
    pool: &AnyPool,
    definition: &Definition,
    query: &SummaryQuery,
    part_filter: &str,
) -> Result<i64, ProjectionError> {
    let select = format!("CAST(COALESCE({}, 0) AS BIGINT)", definition.value.sql());
    let (sql, params) = rows_sql(definition, query, &select, part_filter);
    scalar(pool, &sql, &params).await
}

/// How many beneficiaries are marked in `definition`'s figure in a `span` (month or year) from `from`
/// to before `to`.
async fn beneficiaries_marked(
    pool: &AnyPool,
    definition: &Definition,
    span: &str,
    from: &str,
    to: &str,
) -> Result<i64, ProjectionError> {
    // DISTINCT in a subquery: PostgreSQL hashes it, where COUNT(DISTINCT …) would sort.
    let (count,): (i64,) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM (SELECT DISTINCT beneficiary_id FROM beneficiary_marks \
         WHERE figure = $1 AND span = $2 AND period >= $3 AND period < $4) marked",
    )
    .bind(definition.figure.name().into_owned())
    .bind(span)
    .bind(from)
    .bind(to)
    .fetch_one(pool)
    .await?;
    Ok(count)
}

/// How many beneficiaries have at least one of `definition`'s rows: its `COUNT(DISTINCT …)` value,
/// since every row names a registered beneficiary.
async fn beneficiaries_with_rows(
    pool: &AnyPool,
    definition: &Definition,
    query: &SummaryQuery,
) -> Result<i64, ProjectionError> {
    let column = definition.beneficiary.ok_or_else(|| {
        ProjectionError::Corrupt(format!("{} is not a figure about beneficiaries", definition.figure))
    })?;
    let template = format!(
        "SELECT COUNT(*) FROM beneficiaries b WHERE EXISTS (SELECT 1 FROM {} WHERE {column} = b.beneficiary_id \
         AND {})",
        definition.from, definition.filter
    );
    let params =
        [("from", Param::Text(query.period.from.clone())), ("to", Param::Text(query.period.to.clone()))];
    let (sql, params) = render(&template, &params);
    scalar(pool, &sql, &params).await
}

/// The per-day totals a whole-city summary reads: each figure's sum over the period, and the
/// concerns open at its end.
struct DayTotals {
    period: HashMap<String, i64>,
    open_concerns: i64,
}

impl DayTotals {
    async fn read(pool: &AnyPool, period: &Period) -> Result<DayTotals, ProjectionError> {
        let sums: Vec<(String, i64)> = sqlx::query_as(&format!(
            "SELECT figure, {} FROM daily_totals WHERE day >= $1 AND day < $2 GROUP BY figure",
            bounded_sum("total")
        ))
        .bind(period.from.as_str())
        .bind(period.to.as_str())
        .fetch_all(pool)
        .await?;
        let (raised, closed) = (Figure::ConcernsRaised.name(), Figure::ConcernsClosed.name());
        let before_end: Vec<(String, i64)> = sqlx::query_as(&format!(
            "SELECT figure, {} FROM daily_totals WHERE figure IN ($2, $3) AND day < $1 GROUP BY figure",
            bounded_sum("total")
        ))
        .bind(period.to.as_str())
        .bind(raised.as_ref())
        .bind(closed.as_ref())
        .fetch_all(pool)
        .await?;
        let before_end: HashMap<String, i64> = before_end.into_iter().collect();
        let count = |figure: &str| before_end.get(figure).copied().unwrap_or(0);
        Ok(DayTotals {
            period: sums.into_iter().collect(),
            open_concerns: clamp_figure(count(&raised) - count(&closed)),
        })
    }

    fn in_period(&self, figure: Figure) -> i64 {
        self.period.get(figure.name().as_ref()).copied().unwrap_or(0)
    }
}

/// The summary as a `figure,value` table, with each figure's parts (the activities of each kind) a
/// row each and money figures per currency as `<figure>.<currency>` rows.
pub fn summary_table(summary: &Summary) -> Table {
    let mut table = Table::new(&["figure", "value"]);
    let mut row = |name: String, value: i64| table.rows.push(vec![Cell::Text(name), Cell::Int(value)]);
    for figure in Figure::REPORTED {
        let parts = figure.parts();
        if !parts.is_empty() {
            for part in parts {
                row(part.name().into_owned(), summary.figures.get(part).unwrap_or(0));
            }
            continue;
        }
        match summary.figures.get(figure) {
            Some(value) => row(figure.name().into_owned(), value),
            None => {
                for (currency, money) in summary.by_currency.iter().flatten() {
                    if let Some(value) = money.get(figure) {
                        row(format!("{figure}.{currency}"), value);
                    }
                }
            }
        }
    }
    table
}

/// The positions of exactly the events counted or summed in `figure` (one of
/// [`Figure::traceable`]), ascending. `None` for a figure the summary does not report.
pub async fn trace(
    pool: &AnyPool,
    figure: Figure,
    query: &SummaryQuery,
) -> Result<Option<Vec<i64>>, ProjectionError> {
    let Some((definition, part_filter)) = definition_of(figure) else { return Ok(None) };
    Ok(Some(positions(pool, definition, query, &part_filter).await?))
}

/// The late events of `figure` (one of [`Figure::traceable`]) for a period closed over the log's
/// first `tree_size` records: the positions after `tree_size` of the events the figure counts now,
/// and of the events that took a row it counted out of it before the period's end (a concern
/// resolved, hours voided); ascending. `None` for a figure the summary does not report.
pub async fn late(
    pool: &AnyPool,
    figure: Figure,
    query: &SummaryQuery,
    tree_size: i64,
) -> Result<Option<Vec<i64>>, ProjectionError> {
    let Some((definition, part_filter)) = definition_of(figure) else { return Ok(None) };
    // `tree_size` is an integer, never client text.
    let after = |column: &str| format!(" AND {column} > {tree_size}");
    let mut late =
        positions(pool, definition, query, &format!("{part_filter}{}", after(definition.position))).await?;
    if let Some((filter, position)) = taken_out(definition.figure) {
        let taken_out = Definition { filter, position, ..*definition };
        late.extend(positions(pool, &taken_out, query, &format!("{part_filter}{}", after(position))).await?);
        late.sort_unstable();
        late.dedup();
    }
    Ok(Some(late))
}

/// For a figure that counts rows not yet taken out of it, the rows taken out before the period's end
/// and the position of the event that took each out.
fn taken_out(figure: Figure) -> Option<(&'static str, &'static str)> {
    match figure {
        Figure::ConcernsOpen => Some(("c.raised_on < {to} AND c.resolved_on < {to}", "c.resolved_position")),
        Figure::VolunteerEntries | Figure::VolunteerMinutes => Some((VOIDED_IN_PERIOD, "h.voided_position")),
        _ => None,
    }
}

/// The position of each of `definition`'s rows, narrowed by `extra_filter`, ascending.
async fn positions(
    pool: &AnyPool,
    definition: &Definition,
    query: &SummaryQuery,
    extra_filter: &str,
) -> Result<Vec<i64>, ProjectionError> {
    let (sql, params) =
        rows_sql(definition, query, definition.position, &format!("{extra_filter} ORDER BY 1"));
    let rows: Vec<(i64,)> = bind_all(sqlx::query(&sql), &params)
        .fetch_all(pool)
        .await?
        .iter()
        .map(sqlx::FromRow::from_row)
        .collect::<Result<_, _>>()?;
    Ok(rows.into_iter().map(|(position,)| position).collect())
}
