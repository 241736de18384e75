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

use std::collections::HashMap;

use domain::events::activity::ActivityKind;
use serde_json::{Map, Value};
use sql::{bounded_sum, clamp_figure};
use sqlx::AnyPool;

use super::Period;
use crate::sql::{bind_all, render, Aggregate, Param};
use crate::table::{Cell, Table};
use crate::ProjectionError;

/// One figure: the rows behind it, how they add up, and each row's position.
struct Figure {
    name: &'static str,
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

const FIGURES: &[Figure] = &[
    Figure {
        name: "visits_home",
        from: "visits v",
        beneficiary: Some("v.beneficiary_id"),
        filter: "v.occurred_on >= {from} AND v.occurred_on < {to} AND v.visit_kind = 'home'",
        value: Aggregate::Count,
        position: "v.position",
        total: Total::Days,
    },
    Figure {
        name: "visits_phone",
        from: "visits v",
        beneficiary: Some("v.beneficiary_id"),
        filter: "v.occurred_on >= {from} AND v.occurred_on < {to} AND v.visit_kind = 'phone'",
        value: Aggregate::Count,
        position: "v.position",
        total: Total::Days,
    },
    Figure {
        name: "visits_total",
        from: "visits v",
        beneficiary: Some("v.beneficiary_id"),
        filter: IN_PERIOD_VISITS,
        value: Aggregate::Count,
        position: "v.position",
        total: Total::Days,
    },
    Figure {
        name: "beneficiaries_visited",
        from: "visits v",
        beneficiary: Some("v.beneficiary_id"),
        filter: IN_PERIOD_VISITS,
        value: Aggregate::CountDistinct("v.beneficiary_id"),
        position: "v.position",
        total: Total::DistinctBeneficiaries,
    },
    Figure {
        name: "concerns_raised",
        from: "concerns c",
        beneficiary: Some("c.beneficiary_id"),
        filter: "c.raised_on >= {from} AND c.raised_on < {to}",
        value: Aggregate::Count,
        position: "c.raised_position",
        total: Total::Days,
    },
    Figure {
        name: "concerns_resolved_on_site",
        from: "concerns c",
        beneficiary: Some("c.beneficiary_id"),
        filter: "c.resolved_on >= {from} AND c.resolved_on < {to} AND c.on_site = 1",
        value: Aggregate::Count,
        position: "c.resolved_position",
        total: Total::Days,
    },
    Figure {
        name: "concerns_resolved_later",
        from: "concerns c",
        beneficiary: Some("c.beneficiary_id"),
        filter: "c.resolved_on >= {from} AND c.resolved_on < {to} AND c.on_site = 0",
        value: Aggregate::Count,
        position: "c.resolved_position",
        total: Total::Days,
    },
    Figure {
        name: "concerns_open",
        from: "concerns c",
        beneficiary: Some("c.beneficiary_id"),
        filter: "c.raised_on < {to} AND (c.resolved_on IS NULL OR c.resolved_on >= {to})",
        value: Aggregate::Count,
        position: "c.raised_position",
        total: Total::OpenConcerns,
    },
    Figure {
        name: "hardship_cases",
        from: "hardship_assessments h",
        beneficiary: Some("h.beneficiary_id"),
        filter: "h.occurred_on >= {from} AND h.occurred_on < {to}",
        value: Aggregate::CountDistinct("h.beneficiary_id"),
        position: "h.position",
        total: Total::DistinctBeneficiaries,
    },
    Figure {
        name: "disbursements_paid",
        from: MOVEMENTS,
        beneficiary: Some("d.beneficiary_id"),
        filter: "m.occurred_on >= {from} AND m.occurred_on < {to}",
        value: PAID_COUNT,
        position: "m.position",
        total: Total::Days,
    },
    Figure {
        name: "cash_paid_minor",
        from: MOVEMENTS,
        beneficiary: Some("d.beneficiary_id"),
        filter: "m.occurred_on >= {from} AND m.occurred_on < {to} AND m.form = 'cash'",
        value: PAID_AMOUNT,
        position: "m.position",
        total: Total::Days,
    },
    Figure {
        name: "in_kind_paid_minor",
        from: MOVEMENTS,
        beneficiary: Some("d.beneficiary_id"),
        filter: "m.occurred_on >= {from} AND m.occurred_on < {to} AND m.form = 'in_kind'",
        value: PAID_AMOUNT,
        position: "m.position",
        total: Total::Days,
    },
    Figure {
        name: "volunteer_entries",
        from: "volunteer_hours h",
        beneficiary: None,
        filter: HOURS_STANDING,
        value: Aggregate::Count,
        position: "h.logged_position",
        total: Total::DaysLessVoided,
    },
    Figure {
        name: "volunteer_minutes",
        from: "volunteer_hours h",
        beneficiary: None,
        filter: HOURS_STANDING,
        value: Aggregate::Sum("h.minutes"),
        position: "h.logged_position",
        total: Total::DaysLessVoided,
    },
    Figure {
        name: "activities",
        from: "activities a",
        beneficiary: None,
        filter: ACTIVITIES_HELD,
        value: Aggregate::Count,
        position: "a.position",
        total: Total::Days,
    },
    Figure {
        name: "activity_attendees",
        from: "activities a",
        beneficiary: None,
        filter: "a.held_on >= {from} AND a.held_on < {to} AND a.attendees > 0",
        value: Aggregate::Sum("a.attendees"),
        position: "a.position",
        total: Total::Days,
    },
    Figure {
        name: "brochures",
        from: "activities a",
        beneficiary: None,
        filter: "a.held_on >= {from} AND a.held_on < {to} AND a.brochures > 0",
        value: Aggregate::Sum("a.brochures"),
        position: "a.position",
        total: Total::Days,
    },
    Figure {
        name: "books",
        from: "activities a",
        beneficiary: None,
        filter: "a.held_on >= {from} AND a.held_on < {to} AND a.books > 0",
        value: Aggregate::Sum("a.books"),
        position: "a.position",
        total: Total::Days,
    },
    Figure {
        name: "suggestions_submitted",
        from: "suggestions s",
        beneficiary: None,
        filter: "s.submitted_on >= {from} AND s.submitted_on < {to}",
        value: Aggregate::Count,
        position: "s.submitted_position",
        total: Total::Days,
    },
    Figure {
        name: "suggestions_forwarded",
        from: "suggestion_steps st",
        beneficiary: None,
        filter: "st.step = 'forwarded' AND st.occurred_on >= {from} AND st.occurred_on < {to}",
        value: Aggregate::Count,
        position: "st.position",
        total: Total::Days,
    },
    Figure {
        name: "suggestions_adopted",
        from: "suggestion_steps st",
        beneficiary: None,
        filter: "st.step = 'adopted' AND st.occurred_on >= {from} AND st.occurred_on < {to}",
        value: Aggregate::Count,
        position: "st.position",
        total: Total::Days,
    },
];

/// Every figure name the summary reports, in report order (`activities` is an object of counts by
/// kind; its parts are traced as `activities.<kind>`).
pub fn figure_names() -> Vec<&'static str> {
    FIGURES.iter().map(|f| f.name).collect()
}

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

/// The summary's figures, and, when the ledger pays in more than one currency and none was chosen,
/// its money figures per currency instead (a sum across currencies means nothing).
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// Figure name → value (`activities`: kind → count). Without the money figures when they are
    /// given per currency.
    pub figures: Map<String, Value>,
    /// Currency → money figure name → value, when the ledger pays in more than one currency.
    pub by_currency: Option<Map<String, Value>>,
}

impl Summary {
    /// The answer as JSON for `query`: `{"from", "to", "district"?, "currency"?, "figures",
    /// "by_currency"?}` (what the API answers and `aidledger report --format json` prints).
    pub fn to_json(&self, query: &SummaryQuery) -> Value {
        let mut body = Map::new();
        body.insert("from".into(), query.period.from.clone().into());
        body.insert("to".into(), query.period.to.clone().into());
        if let Some(district) = &query.district {
            body.insert("district".into(), district.clone().into());
        }
        if let Some(currency) = &query.currency {
            body.insert("currency".into(), currency.clone().into());
        }
        body.insert("figures".into(), Value::Object(self.figures.clone()));
        if let Some(by_currency) = &self.by_currency {
            body.insert("by_currency".into(), Value::Object(by_currency.clone()));
        }
        Value::Object(body)
    }
}

/// The figures that are sums of money, which only add up within one currency.
pub const MONEY_FIGURES: [&str; 2] = ["cash_paid_minor", "in_kind_paid_minor"];

/// Whether `figure` is a sum of money.
fn is_money(figure: &Figure) -> bool {
    MONEY_FIGURES.contains(&figure.name)
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
    if query.currency.is_some() || currencies.len() < 2 {
        return Ok(Summary { figures, by_currency: None });
    }
    let mut by_currency = Map::new();
    for currency in currencies {
        let in_currency = SummaryQuery { currency: Some(currency.clone()), ..query.clone() };
        let mut money = Map::new();
        for figure in FIGURES.iter().filter(|f| is_money(f)) {
            figures.remove(figure.name);
            money.insert(figure.name.into(), rows_value(pool, figure, &in_currency).await?.into());
        }
        by_currency.insert(currency, Value::Object(money));
    }
    Ok(Summary { figures, by_currency: Some(by_currency) })
}

fn rows_sql(figure: &Figure, query: &SummaryQuery, select: &str, extra_filter: &str) -> (String, Vec<Param>) {
    let currency_filter = if query.currency.is_some() && figure.from == MOVEMENTS {
        " AND d.currency = {currency}"
    } else {
        ""
    };
    let extra_filter = &format!("{currency_filter}{extra_filter}");
    let template = match (figure.beneficiary, &query.district) {
        // The district's beneficiaries first, each one's rows found by its index (`CROSS JOIN` keeps
        // SQLite from scanning the whole city's period instead).
        (Some(column), Some(_)) => format!(
            "SELECT {select} FROM beneficiaries b CROSS JOIN {} WHERE {column} = b.beneficiary_id \
             AND b.district = {{district}} AND {}{extra_filter}",
            figure.from, figure.filter
        ),
        _ => format!("SELECT {select} FROM {} WHERE {}{extra_filter}", figure.from, figure.filter),
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

fn activity_kind_filter(kind: ActivityKind) -> String {
    // The kind names are this crate's own constants, never client text.
    format!(" AND a.kind = '{}'", kind.as_str())
}

/// Every figure's value: for the whole city from the per-day totals, for one district (and the money
/// figures in one currency) from the rows.
async fn figures(pool: &AnyPool, query: &SummaryQuery) -> Result<Map<String, Value>, ProjectionError> {
    if query.district.is_some() {
        return summary_over_rows(pool, query).await;
    }
    let days = DayTotals::read(pool, &query.period).await?;
    let mut figures = Map::new();
    for figure in FIGURES {
        let value = match figure.total {
            _ if figure.name == "activities" => {
                let by_kind = ActivityKind::ALL.into_iter().map(|kind| {
                    (kind.as_str().into(), days.in_period(&format!("activities.{}", kind.as_str())).into())
                });
                Value::Object(by_kind.collect())
            }
            Total::Days if query.currency.is_some() && is_money(figure) => {
                rows_value(pool, figure, query).await?.into()
            }
            Total::Days => days.in_period(figure.name).into(),
            Total::OpenConcerns => days.open_concerns.into(),
            Total::DaysLessVoided => {
                let voided = Figure { filter: VOIDED_IN_PERIOD, ..*figure };
                clamp_figure(days.in_period(figure.name) - rows_value(pool, &voided, query).await?).into()
            }
            Total::DistinctBeneficiaries => match query.period.whole_span() {
                Some((span, from, to)) => beneficiaries_marked(pool, figure, span, from, to).await?.into(),
                None => beneficiaries_with_rows(pool, figure, query).await?.into(),
            },
        };
        figures.insert(figure.name.into(), value);
    }
    Ok(figures)
}

/// Every figure's value as the aggregate over its rows (what a district's summary reads, and what
/// the per-day totals must always agree with).
pub async fn summary_over_rows(
    pool: &AnyPool,
    query: &SummaryQuery,
) -> Result<Map<String, Value>, ProjectionError> {
    let mut figures = Map::new();
    for figure in FIGURES {
        if figure.name == "activities" {
            let mut by_kind = Map::new();
            for kind in ActivityKind::ALL {
                let (sql, params) = rows_sql(figure, query, "COUNT(*)", &activity_kind_filter(kind));
                by_kind.insert(kind.as_str().into(), Value::from(scalar(pool, &sql, &params).await?));
            }
            figures.insert(figure.name.into(), Value::Object(by_kind));
            continue;
        }
        figures.insert(figure.name.into(), Value::from(rows_value(pool, figure, query).await?));
    }
    Ok(figures)
}

/// Volunteer entries worked in the period but voided before its end (which the per-day totals of
/// logged hours still hold).
const VOIDED_IN_PERIOD: &str =
    "h.worked_on >= {from} AND h.worked_on < {to} AND h.voided_on IS NOT NULL AND h.voided_on < {to}";

/// `figure`'s aggregate over its rows.
async fn rows_value(pool: &AnyPool, figure: &Figure, query: &SummaryQuery) -> Result<i64, ProjectionError> {
    let select = format!("CAST(COALESCE({}, 0) AS BIGINT)", figure.value.sql());
    let (sql, params) = rows_sql(figure, query, &select, "");
    scalar(pool, &sql, &params).await
}

/// How many beneficiaries are marked in `figure` in a `span` (month or year) from `from` to before `to`.
async fn beneficiaries_marked(
    pool: &AnyPool,
    figure: &Figure,
    span: &str,
    from: &str,
    to: &str,
) -> Result<i64, ProjectionError> {
    // DISTINCT in a subquery: PostgreSQL hashes it, where COUNT(DISTINCT …) would sort.
    let (count,): (i64,) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM (SELECT DISTINCT beneficiary_id FROM beneficiary_marks \
         WHERE figure = $1 AND span = $2 AND period >= $3 AND period < $4) marked",
    )
    .bind(figure.name)
    .bind(span)
    .bind(from)
    .bind(to)
    .fetch_one(pool)
    .await?;
    Ok(count)
}

/// How many beneficiaries have at least one of `figure`'s rows: its `COUNT(DISTINCT …)` value,
/// since every row names a registered beneficiary.
async fn beneficiaries_with_rows(
    pool: &AnyPool,
    figure: &Figure,
    query: &SummaryQuery,
) -> Result<i64, ProjectionError> {
    let column = figure.beneficiary.ok_or_else(|| {
        ProjectionError::Corrupt(format!("{} is not a figure about beneficiaries", figure.name))
    })?;
    let template = format!(
        "SELECT COUNT(*) FROM beneficiaries b WHERE EXISTS (SELECT 1 FROM {} WHERE {column} = b.beneficiary_id \
         AND {})",
        figure.from, figure.filter
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
        let before_end: Vec<(String, i64)> = sqlx::query_as(&format!(
            "SELECT figure, {} FROM daily_totals \
                 WHERE figure IN ('concerns_raised', 'concerns_closed') AND day < $1 GROUP BY figure",
            bounded_sum("total")
        ))
        .bind(period.to.as_str())
        .fetch_all(pool)
        .await?;
        let before_end: HashMap<String, i64> = before_end.into_iter().collect();
        let count = |figure: &str| before_end.get(figure).copied().unwrap_or(0);
        Ok(DayTotals {
            period: sums.into_iter().collect(),
            open_concerns: clamp_figure(count("concerns_raised") - count("concerns_closed")),
        })
    }

    fn in_period(&self, figure: &str) -> i64 {
        self.period.get(figure).copied().unwrap_or(0)
    }
}

/// The summary as a `figure,value` table, with `activities` flattened to `activities.<kind>` rows
/// and money figures per currency to `<figure>.<currency>` rows.
pub fn summary_table(summary: &Summary) -> Table {
    let mut table = Table::new(&["figure", "value"]);
    let mut row = |name: String, value: &Value| {
        table.rows.push(vec![Cell::Text(name), Cell::Int(value.as_i64().unwrap_or(0))])
    };
    for name in figure_names() {
        match summary.figures.get(name) {
            Some(Value::Object(parts)) => {
                for kind in ActivityKind::ALL {
                    let value = parts.get(kind.as_str()).cloned().unwrap_or(Value::from(0));
                    row(format!("{name}.{}", kind.as_str()), &value);
                }
            }
            Some(value) => row(name.into(), value),
            None => {
                for (currency, money) in summary.by_currency.iter().flatten() {
                    if let Some(value) = money.get(name) {
                        row(format!("{name}.{currency}"), value);
                    }
                }
            }
        }
    }
    table
}

/// The positions of exactly the events counted or summed in `figure` (a name from
/// [`figure_names`], or `activities.<kind>`), ascending. `None` for an unknown figure.
pub async fn trace(
    pool: &AnyPool,
    figure_name: &str,
    query: &SummaryQuery,
) -> Result<Option<Vec<i64>>, ProjectionError> {
    let (name, kind) = match figure_name.split_once('.') {
        Some(("activities", kind)) => match ActivityKind::ALL.into_iter().find(|k| k.as_str() == kind) {
            Some(kind) => ("activities", Some(kind)),
            None => return Ok(None),
        },
        Some(_) => return Ok(None),
        None => (figure_name, None),
    };
    let Some(figure) = FIGURES.iter().find(|f| f.name == name) else { return Ok(None) };
    let extra = kind.map(activity_kind_filter).unwrap_or_default();
    let (sql, params) = rows_sql(figure, query, figure.position, &format!("{extra} ORDER BY 1"));
    let rows: Vec<(i64,)> = bind_all(sqlx::query(&sql), &params)
        .fetch_all(pool)
        .await?
        .iter()
        .map(sqlx::FromRow::from_row)
        .collect::<Result<_, _>>()?;
    Ok(Some(rows.into_iter().map(|(position,)| position).collect()))
}
