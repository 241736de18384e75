//! The projections' own SQL helpers: enum names as stored, named placeholders rendered as `$n` with
//! their values, and the aggregates figures are computed with. What the store uses too (the
//! dialect, bulk inserts, bounded sums) is in the `sql` crate.

use serde::Serialize;
use sql::{bounded_sum, AnyQuery};

/// The snake_case name serde gives a unit enum variant (how enums are stored in read models).
pub fn name_of<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => String::new(),
    }
}

/// A value bound to a query.
#[derive(Clone, Debug, PartialEq)]
pub enum Param {
    /// Text.
    Text(String),
    /// An integer.
    Int(i64),
    /// A missing text.
    NullText,
    /// A missing integer.
    NullInt,
}

impl Param {
    /// Text, or a missing text.
    pub fn text(value: Option<impl Into<String>>) -> Param {
        value.map_or(Param::NullText, |value| Param::Text(value.into()))
    }

    /// An integer, or a missing integer.
    pub fn int(value: Option<i64>) -> Param {
        value.map_or(Param::NullInt, Param::Int)
    }
}

/// Renders `{name}` markers in `template` as `$1`, `$2` … in order of first appearance, and returns
/// the values to bind in that order. Only markers that appear are bound (PostgreSQL refuses a
/// parameter that a statement does not use).
pub fn render(template: &str, params: &[(&str, Param)]) -> (String, Vec<Param>) {
    let mut sql = template.to_owned();
    let mut bound = Vec::new();
    for (name, value) in params {
        let marker = format!("{{{name}}}");
        if sql.contains(&marker) {
            bound.push(value.clone());
            sql = sql.replace(&marker, &format!("${}", bound.len()));
        }
    }
    (sql, bound)
}

/// Binds `params` to `query` in order.
pub fn bind_all<'q>(mut query: AnyQuery<'q>, params: &'q [Param]) -> AnyQuery<'q> {
    for param in params {
        query = match param {
            Param::Text(text) => query.bind(text.as_str()),
            Param::Int(value) => query.bind(*value),
            Param::NullText => query.bind(None::<String>),
            Param::NullInt => query.bind(None::<i64>),
        };
    }
    query
}

/// An aggregate a figure or a tally measure is computed with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aggregate {
    /// How many rows.
    Count,
    /// How many distinct values of a column.
    CountDistinct(&'static str),
    /// The sum of an integer expression, bounded ([`bounded_sum`]).
    Sum(&'static str),
}

impl Aggregate {
    /// The aggregate as SQL.
    pub fn sql(self) -> String {
        match self {
            Aggregate::Count => "COUNT(*)".to_owned(),
            Aggregate::CountDistinct(column) => format!("COUNT(DISTINCT {column})"),
            Aggregate::Sum(expression) => bounded_sum(expression),
        }
    }
}
