//! Small SQL helpers: enum names as stored, named placeholders rendered as `$n`, and the statement
//! that opens a write transaction on each backend.

use serde::Serialize;
use sqlx::AnyConnection;

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

/// `($1, $2, …), (…)`: the markers of a multi-row `VALUES` list of `rows` rows of `columns` values,
/// for the backend of `connection`. SQLite gets anonymous `?` markers, which bind in order without
/// the name lookup a numbered marker costs there (quadratic in the number of markers).
pub fn values_list(connection: &AnyConnection, rows: usize, columns: usize) -> String {
    let numbered = !is_sqlite(connection);
    let mut list = String::with_capacity(rows * columns * 5);
    for row in 0..rows {
        list.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..columns {
            if column > 0 {
                list.push_str(", ");
            }
            if numbered {
                list.push_str(&format!("${}", row * columns + column + 1));
            } else {
                list.push('?');
            }
        }
        list.push(')');
    }
    list
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

/// A statement with its values bound so far.
pub type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Inserts `rows`, `rows_per_statement` at a time, with multi-row statements `{insert} VALUES (…),
/// (…) {tail}` of `columns` values per row, binding each row's values in column order with `bind`.
/// `tail` is what follows the values (`ON CONFLICT …`), or empty.
pub async fn insert_rows<T, E>(
    connection: &mut AnyConnection,
    (insert, tail): (&str, &str),
    columns: usize,
    rows: &[T],
    rows_per_statement: usize,
    bind: impl for<'q> Fn(AnyQuery<'q>, &'q T) -> Result<AnyQuery<'q>, E>,
) -> Result<(), E>
where
    E: From<sqlx::Error>,
{
    for chunk in rows.chunks(rows_per_statement.max(1)) {
        let sql = format!("{insert} VALUES {} {tail}", values_list(connection, chunk.len(), columns));
        let mut query = sqlx::query(sql.trim_end());
        for row in chunk {
            query = bind(query, row)?;
        }
        query.execute(&mut *connection).await?;
    }
    Ok(())
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

/// `SUM({expression})` that can neither overflow nor leave ±(2^53 − 1), on both backends: summed
/// as doubles (exact while the sum is below 2^53, where every figure must stay) and clamped, then
/// cast back to an integer. SQLite's integer `SUM` fails on overflow and PostgreSQL's returns
/// `numeric`, which a cast to `BIGINT` can overflow; neither may turn client input into an error.
pub fn bounded_sum(expression: &str) -> String {
    let sum = format!("SUM(CAST({expression} AS DOUBLE PRECISION))");
    clamped(&sum, &format!("CAST({sum} AS BIGINT)"))
}

/// `value` clamped to ±(2^53 − 1) in SQL, answered as `within` when it is inside.
fn clamped(value: &str, within: &str) -> String {
    let max = domain::strict_json::SAFE_INTEGER_MAX;
    format!("(CASE WHEN {value} > {max} THEN {max} WHEN {value} < -{max} THEN -{max} ELSE {within} END)")
}

/// A figure's value clamped to ±(2^53 − 1), the integers every JSON reader holds exactly.
pub fn clamp_figure(value: i64) -> i64 {
    let max = domain::strict_json::SAFE_INTEGER_MAX;
    value.clamp(-max, max)
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

/// `{current} + {addition}` clamped to ±(2^53 − 1), for running totals kept in read models; both
/// sides must already lie within ±(2^53 − 1), so the sum itself cannot overflow.
pub fn bounded_add(current: &str, addition: &str) -> String {
    let sum = format!("{current} + {addition}");
    clamped(&sum, &sum)
}

/// Runs one statement that binds nothing and returns no rows (`BEGIN`, `COMMIT`, `SAVEPOINT` …).
pub async fn execute(connection: &mut AnyConnection, sql: &str) -> Result<(), sqlx::Error> {
    sqlx::query(sql).execute(&mut *connection).await.map(|_| ())
}

/// Whether `connection` is to SQLite (which needs `BEGIN IMMEDIATE` to take the write lock up front).
pub fn is_sqlite(connection: &AnyConnection) -> bool {
    connection.backend_name().eq_ignore_ascii_case("sqlite")
}

/// The statement that opens a transaction that will write.
pub fn begin_write(connection: &AnyConnection) -> &'static str {
    if is_sqlite(connection) {
        "BEGIN IMMEDIATE"
    } else {
        "BEGIN"
    }
}
