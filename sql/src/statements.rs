//! Building and running statements: one that binds nothing, the markers of a multi-row `VALUES`
//! list in each dialect, and inserts of many rows a statement.

use sqlx::AnyConnection;

use crate::Dialect;

/// A statement with its values bound so far.
pub type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Runs one statement that binds nothing and returns no rows (`BEGIN`, `COMMIT`, `SAVEPOINT` …).
pub async fn execute(connection: &mut AnyConnection, sql: &str) -> Result<(), sqlx::Error> {
    sqlx::query(sql).execute(&mut *connection).await.map(|_| ())
}

/// `($1, $2, …), (…)`: the markers of a multi-row `VALUES` list of `rows` rows of `columns` values.
/// SQLite gets anonymous `?` markers, which bind in order without the name lookup a numbered marker
/// costs there (quadratic in the number of markers).
pub fn values_list(dialect: Dialect, rows: usize, columns: usize) -> String {
    let numbered = dialect == Dialect::Postgres;
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

/// The sizes of the statements that insert `rows` rows, at most `rows_per_statement` each: as many
/// full statements as fit, then the rest in powers of two (13 rows are 8 + 4 + 1), so that however
/// many rows there are, a table is written with a handful of statement texts that the connection
/// has already prepared, rather than a new one (parsed and planned again) for every remainder.
pub fn statement_sizes(rows: usize, rows_per_statement: usize) -> impl Iterator<Item = usize> {
    let full = rows_per_statement.max(1);
    let rest = rows % full;
    std::iter::repeat_n(full, rows / full)
        .chain((0..usize::BITS).rev().map(|bit| 1_usize << bit).filter(move |size| rest & size != 0))
}

/// Inserts `rows`, at most `rows_per_statement` at a time (see [`statement_sizes`]), with multi-row
/// statements `{insert} VALUES (…), (…) {tail}` of `columns` values per row, binding each row's
/// values in column order with `bind`. `tail` is what follows the values (`ON CONFLICT …`), or
/// empty.
pub async fn insert_rows<T, E>(
    connection: &mut AnyConnection,
    dialect: Dialect,
    (insert, tail): (&str, &str),
    columns: usize,
    rows: &[T],
    rows_per_statement: usize,
    bind: impl for<'q> Fn(AnyQuery<'q>, &'q T) -> Result<AnyQuery<'q>, E>,
) -> Result<(), E>
where
    E: From<sqlx::Error>,
{
    let mut rest = rows;
    for size in statement_sizes(rows.len(), rows_per_statement) {
        let (chunk, after) = rest.split_at(size);
        rest = after;
        let sql = format!("{insert} VALUES {} {tail}", values_list(dialect, chunk.len(), columns));
        let mut query = sqlx::query(sql.trim_end());
        for row in chunk {
            query = bind(query, row)?;
        }
        query.execute(&mut *connection).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{statement_sizes, values_list};
    use crate::Dialect;

    #[test]
    fn writes_whole_statements_then_the_rest_in_powers_of_two() {
        assert_eq!(statement_sizes(0, 100).collect::<Vec<_>>(), Vec::<usize>::new());
        assert_eq!(statement_sizes(13, 100).collect::<Vec<_>>(), vec![8, 4, 1]);
        assert_eq!(statement_sizes(200, 100).collect::<Vec<_>>(), vec![100, 100]);
        assert_eq!(statement_sizes(237, 100).collect::<Vec<_>>(), vec![100, 100, 32, 4, 1]);
        assert_eq!(statement_sizes(3, 0).collect::<Vec<_>>(), vec![1, 1, 1]);
    }

    #[test]
    fn numbers_the_markers_on_postgres_only() {
        assert_eq!(values_list(Dialect::Postgres, 2, 2), "($1, $2), ($3, $4)");
        assert_eq!(values_list(Dialect::Sqlite, 2, 2), "(?, ?), (?, ?)");
    }
}
