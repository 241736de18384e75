//! The rows a chunk inserts that no later event changes (visits, movements, steps, activities,
//! volunteers), gathered while its events are folded and then written with one multi-row `INSERT`
//! per table (and chunk of values). Rows that later events change are [`crate::stored`]'s.

use sql::{insert_rows, Dialect};
use sqlx::AnyConnection;

use crate::sql::{bind_all, Param};

/// Values bound per statement at most (well inside both backends' limits).
const VALUES_PER_INSERT_MAX: usize = 2000;

/// One table's rows waiting to be inserted.
#[derive(Debug)]
struct TableRows {
    insert: &'static str,
    columns: usize,
    values: Vec<Param>,
}

/// Rows waiting to be inserted, table by table in order of first use.
#[derive(Debug, Default)]
pub struct NewRows {
    tables: Vec<TableRows>,
}

impl NewRows {
    /// Adds a row for `insert` (`INSERT INTO table (column, …)`), its values in column order.
    pub fn add(&mut self, insert: &'static str, values: Vec<Param>) {
        let columns = values.len();
        match self.tables.iter_mut().find(|table| table.insert == insert && table.columns == columns) {
            Some(table) => table.values.extend(values),
            None => self.tables.push(TableRows { insert, columns, values }),
        }
    }

    /// Inserts every row waiting, and forgets them.
    pub async fn write(
        &mut self,
        connection: &mut AnyConnection,
        dialect: Dialect,
    ) -> Result<(), sqlx::Error> {
        for table in self.tables.drain(..) {
            let rows: Vec<&[Param]> = table.values.chunks(table.columns).collect();
            let rows_per_insert = VALUES_PER_INSERT_MAX / table.columns;
            insert_rows(
                connection,
                dialect,
                (table.insert, ""),
                table.columns,
                &rows,
                rows_per_insert,
                |query, row| Ok::<_, sqlx::Error>(bind_all(query, row)),
            )
            .await?;
        }
        Ok(())
    }
}
