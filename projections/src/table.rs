//! The tabular result every read-model query returns: named columns and typed cells, rendered as
//! JSON objects or as CSV by whoever serves it.

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};
use sql::clamp_figure;
use sqlx::any::AnyRow;
use sqlx::Row;

/// How a column is decoded and shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An integer.
    Int,
    /// Text.
    Text,
    /// A flag stored as 0/1.
    Bool,
}

/// One cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    /// No value.
    Null,
    /// An integer.
    Int(i64),
    /// Text.
    Text(String),
    /// A flag.
    Bool(bool),
}

impl Cell {
    fn to_json(&self) -> Value {
        match self {
            Cell::Null => Value::Null,
            Cell::Int(value) => Value::from(*value),
            Cell::Text(text) => Value::from(text.as_str()),
            Cell::Bool(flag) => Value::from(*flag),
        }
    }

    /// The cell as a CSV field's text (quoting is the writer's).
    fn to_csv(&self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Int(value) => value.to_string(),
            Cell::Bool(flag) => flag.to_string(),
            Cell::Text(text) => defused(text),
        }
    }

    /// The integer, if this is one.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Cell::Int(value) => Some(*value),
            _ => None,
        }
    }

    /// The text, if this is text.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Cell::Text(text) => Some(text),
            _ => None,
        }
    }
}

/// Text a spreadsheet would run as a formula, defused by a `'` before it.
fn defused(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// An integer cell, clamped to ±(2^53 − 1) so that no figure leaves what JSON readers hold exactly.
/// A total SQLite turned into a float on overflow (before totals were bounded) reads as its clamp.
fn int_cell(row: &AnyRow, index: usize) -> Result<Cell, sqlx::Error> {
    let value = match row.try_get::<Option<i64>, _>(index) {
        Ok(value) => value,
        // `as` saturates at the bounds of i64 (and reads NaN as 0); the clamp does the rest.
        Err(error) => row.try_get::<Option<f64>, _>(index).map_err(|_| error)?.map(|v| v as i64),
    };
    Ok(value.map_or(Cell::Null, |v| Cell::Int(clamp_figure(v))))
}

/// Named columns and rows of cells.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    /// Column names, in order.
    pub columns: Vec<String>,
    /// Rows, each with one cell per column.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// An empty table with these columns.
    pub fn new(columns: &[&str]) -> Table {
        Table { columns: columns.iter().map(|c| (*c).to_owned()).collect(), rows: Vec::new() }
    }

    /// Decodes `rows`, whose columns are in the order and of the kinds of `columns`.
    pub fn from_rows(columns: &[(&str, Kind)], rows: &[AnyRow]) -> Result<Table, sqlx::Error> {
        let mut table = Table::new(&columns.iter().map(|(name, _)| *name).collect::<Vec<_>>());
        for row in rows {
            let mut cells = Vec::with_capacity(columns.len());
            for (index, (_, kind)) in columns.iter().enumerate() {
                let cell = match kind {
                    Kind::Int => int_cell(row, index)?,
                    Kind::Bool => {
                        row.try_get::<Option<i64>, _>(index)?.map_or(Cell::Null, |v| Cell::Bool(v != 0))
                    }
                    Kind::Text => row.try_get::<Option<String>, _>(index)?.map_or(Cell::Null, Cell::Text),
                };
                cells.push(cell);
            }
            table.rows.push(cells);
        }
        Ok(table)
    }

    /// Each row as a JSON object.
    pub fn to_json_rows(&self) -> Vec<Value> {
        self.rows
            .iter()
            .map(|row| {
                let object: Map<String, Value> =
                    self.columns.iter().zip(row).map(|(name, cell)| (name.clone(), cell.to_json())).collect();
                Value::Object(object)
            })
            .collect()
    }

    /// RFC 4180 CSV with a header row (CRLF line ends, fields quoted only where they must be), text
    /// that would run as a formula defused.
    pub fn to_csv(&self) -> String {
        let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
        // Writing to memory cannot fail; a failure would lose the table, never garble it.
        let written = writer.write_record(self.columns.iter().map(|column| defused(column))).and_then(|()| {
            self.rows.iter().try_for_each(|row| writer.write_record(row.iter().map(Cell::to_csv)))
        });
        match (written, writer.into_inner()) {
            (Ok(()), Ok(bytes)) => String::from_utf8(bytes).unwrap_or_default(),
            _ => String::new(),
        }
    }
}

/// A table is served in JSON as its rows, each an object of column name → cell.
impl Serialize for Table {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json_rows().serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_quoting_and_defuses_formulas() {
        let mut table = Table::new(&["figure", "value"]);
        table.rows.push(vec![Cell::Text("鼓楼区, \"东\"".into()), Cell::Int(-3)]);
        table.rows.push(vec![Cell::Text("=SUM(A1)".into()), Cell::Null]);
        assert_eq!(table.to_csv(), "figure,value\r\n\"鼓楼区, \"\"东\"\"\",-3\r\n'=SUM(A1),\r\n");
    }
}
