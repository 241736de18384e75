//! Reading an import file into rows: each row an append's event (`type`, `data`, and the optional
//! `id` and `occurred_at`) with the stream it goes to, numbered as a spreadsheet numbers it.
//!
//! CSV: a header row names the columns: the event's data fields (nested ones dotted, e.g.
//! `materials.brochures`; a list such as `items` as one JSON cell) and the optional `stream`, `id`,
//! `occurred_at`. A cell is read as the field's JSON type says (an integer, a flag, text, or JSON);
//! an empty cell leaves the field out. The header is row 1, so the first record is row 2.
//! JSONL: one object a line, `{"stream"?, "id"?, "occurred_at"?, "data"}`; the row is the line number.
//!
//! The text is decoded field by field (CSV) or line by line (JSONL), so an encoding problem is
//! reported with its row, and nothing is ever decoded with replacement characters.

use serde_json::{Map, Value};

use std::io::{BufRead, BufReader, Read};

use super::encoding::TextEncoding;
use domain::FieldError;

/// The JSON type of one data field, as its schema gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// A string.
    Text,
    /// An integer.
    Integer,
    /// `true` or `false`.
    Flag,
    /// An array or object, given as one JSON cell.
    Json,
}

/// The columns an import file of one event type may have beside its data fields.
pub(crate) const ROW_COLUMNS: [&str; 3] = ["stream", "id", "occurred_at"];

/// One row of an import file.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportRow {
    /// The row's number as a spreadsheet shows it (the header is row 1), or its line in JSONL.
    pub row: u64,
    /// The stream it goes to; none for a new stream.
    pub stream: Option<String>,
    /// The event, as in an append body: `type`, `data`, and `id`/`occurred_at` when given. A cell
    /// that could not be read as its field's kind is left in as its text.
    pub event: Map<String, Value>,
    /// The cells that could not be read as their fields' kinds, each at its field's pointer.
    pub cell_errors: Vec<FieldError>,
}

/// A row that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnreadableRow {
    /// The row's number.
    pub row: u64,
    /// What is wrong with it, each at a pointer into the row's event (`/data/amount_minor`, `/stream`).
    pub errors: Vec<FieldError>,
}

/// Why a CSV file could not be read at all: its header row is missing or names columns the event
/// type does not have.
#[derive(Debug, thiserror::Error)]
pub enum FileProblem {
    /// What is wrong with row 1.
    #[error("row 1: {0}")]
    Header(String),
}

/// Each row of a CSV file of `event_type` events (`text` opened by [`TextEncoding::open`]), with
/// `kinds` giving the kind of each dotted data field path (none: the event type has no such field).
pub(crate) fn csv_rows<R: Read>(
    text: R,
    encoding: TextEncoding,
    event_type: &'static str,
    kinds: impl Fn(&str) -> Option<FieldKind>,
) -> Result<impl Iterator<Item = Result<ImportRow, UnreadableRow>>, FileProblem> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text);
    let header = reader.byte_headers().map_err(|error| FileProblem::Header(error.to_string()))?.clone();
    let columns = header_columns(&header, encoding, &kinds)?;
    let rows = reader.into_byte_records().enumerate().map(move |(index, record)| {
        let row = index as u64 + 2;
        let record = record.map_err(|error| UnreadableRow {
            row,
            errors: vec![FieldError::new("", format!("not a CSV row: {error}"))],
        })?;
        row_of(row, &record, &columns, encoding, event_type)
    });
    Ok(rows)
}

/// A column of the header: where its cells go, and the pointer its problems are reported at.
#[derive(Clone, Debug)]
struct Column {
    target: Target,
    pointer: String,
}

/// Where a column's cells go.
#[derive(Clone, Debug)]
enum Target {
    /// `stream`, `id` or `occurred_at`.
    Row(&'static str),
    /// A data field at this dotted path, of this kind.
    Data(Vec<String>, FieldKind),
}

fn header_columns(
    header: &csv::ByteRecord,
    encoding: TextEncoding,
    kinds: &impl Fn(&str) -> Option<FieldKind>,
) -> Result<Vec<Column>, FileProblem> {
    if header.is_empty() || header.iter().all(<[u8]>::is_empty) {
        return Err(FileProblem::Header("the file has no header row naming its columns".into()));
    }
    let mut seen = std::collections::HashSet::new();
    let mut columns = Vec::with_capacity(header.len());
    for cell in header {
        let name = encoding.decode(cell).map_err(|problem| FileProblem::Header(problem.to_string()))?;
        let name = name.trim();
        if !seen.insert(name.to_owned()) {
            return Err(FileProblem::Header(format!("the column \"{name}\" appears twice")));
        }
        let column = match ROW_COLUMNS.iter().find(|known| **known == name) {
            Some(known) => Column { target: Target::Row(known), pointer: format!("/{known}") },
            None => match kinds(name) {
                Some(kind) => {
                    let path: Vec<String> = name.split('.').map(str::to_owned).collect();
                    Column { pointer: format!("/data/{}", path.join("/")), target: Target::Data(path, kind) }
                }
                None => return Err(FileProblem::Header(format!("unknown column \"{name}\""))),
            },
        };
        columns.push(column);
    }
    Ok(columns)
}

fn row_of(
    row: u64,
    record: &csv::ByteRecord,
    columns: &[Column],
    encoding: TextEncoding,
    event_type: &str,
) -> Result<ImportRow, UnreadableRow> {
    if record.len() > columns.len() {
        let detail = format!("{} cells, but the header names {} columns", record.len(), columns.len());
        return Err(UnreadableRow { row, errors: vec![FieldError::new("", detail)] });
    }
    let mut cell_errors = Vec::new();
    let mut event = Map::new();
    event.insert("type".into(), Value::from(event_type));
    let mut data = Map::new();
    let mut stream = None;
    for (cell, column) in record.iter().zip(columns) {
        let text = match encoding.decode(cell) {
            Ok(text) => text,
            Err(problem) => {
                cell_errors.push(FieldError::new(column.pointer.as_str(), problem.to_string()));
                continue;
            }
        };
        if text.is_empty() {
            continue;
        }
        match &column.target {
            Target::Row("stream") => stream = Some(text.into_owned()),
            Target::Row(name) => {
                event.insert((*name).to_owned(), Value::from(text.into_owned()));
            }
            Target::Data(path, kind) => {
                let value = cell_value(&text, *kind).unwrap_or_else(|detail| {
                    cell_errors.push(FieldError::new(column.pointer.as_str(), detail));
                    Value::from(text.into_owned())
                });
                insert_at(&mut data, path, value);
            }
        }
    }
    event.insert("data".into(), Value::Object(data));
    Ok(ImportRow { row, stream, event, cell_errors })
}

/// A cell's value as its field's kind reads it.
fn cell_value(text: &str, kind: FieldKind) -> Result<Value, String> {
    match kind {
        FieldKind::Text => Ok(Value::from(text)),
        FieldKind::Integer => text
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| format!("\"{text}\" is not a whole number (money in fen, durations in minutes)")),
        FieldKind::Flag => match text.trim().to_lowercase().as_str() {
            "true" | "yes" | "1" | "是" => Ok(Value::Bool(true)),
            "false" | "no" | "0" | "否" => Ok(Value::Bool(false)),
            _ => Err(format!("\"{text}\" is not true or false (是/否)")),
        },
        FieldKind::Json => {
            domain::strict_json::parse(text.as_bytes()).map_err(|error| format!("not JSON: {error}"))
        }
    }
}

/// Puts `value` at the dotted `path` of `data`, making the objects on the way.
fn insert_at(data: &mut Map<String, Value>, path: &[String], value: Value) {
    let Some((last, parents)) = path.split_last() else { return };
    let mut object = data;
    for parent in parents {
        let entry = object.entry(parent.clone()).or_insert_with(|| Value::Object(Map::new()));
        let Value::Object(inner) = entry else { return };
        object = inner;
    }
    object.insert(last.clone(), value);
}

/// Each line of a JSONL file of `event_type` events (`text` opened by [`TextEncoding::open`]);
/// blank lines are skipped but counted.
pub(crate) fn jsonl_rows<R: Read>(
    text: R,
    encoding: TextEncoding,
    event_type: &'static str,
) -> impl Iterator<Item = Result<ImportRow, UnreadableRow>> {
    let lines = BufReader::new(text).split(b'\n').enumerate();
    lines.filter_map(move |(index, line)| {
        let row = index as u64 + 1;
        let line = match line {
            Ok(line) => line,
            Err(error) => {
                return Some(Err(UnreadableRow { row, errors: vec![FieldError::new("", error.to_string())] }))
            }
        };
        let line = line.strip_suffix(b"\r").unwrap_or(&line);
        if line.iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        Some(line_row(row, line, encoding, event_type))
    })
}

fn line_row(
    row: u64,
    line: &[u8],
    encoding: TextEncoding,
    event_type: &str,
) -> Result<ImportRow, UnreadableRow> {
    let unreadable = |detail: String| UnreadableRow { row, errors: vec![FieldError::new("", detail)] };
    let text = encoding.decode(line).map_err(|problem| unreadable(problem.to_string()))?;
    let value: Value =
        domain::strict_json::parse(text.as_bytes()).map_err(|error| unreadable(error.to_string()))?;
    let Value::Object(mut event) = value else {
        return Err(unreadable(
            "a line is one JSON object {\"stream\"?, \"id\"?, \"occurred_at\"?, \"data\"}".into(),
        ));
    };
    let stream = match event.remove("stream") {
        None => None,
        Some(Value::String(stream)) if stream.is_empty() => None,
        Some(Value::String(stream)) => Some(stream),
        Some(_) => {
            return Err(UnreadableRow {
                row,
                errors: vec![FieldError::new("/stream", "must be a stream name string")],
            })
        }
    };
    if let Some(key) = event.keys().find(|key| !["id", "occurred_at", "data"].contains(&key.as_str())) {
        let detail = format!("unknown field \"{key}\"; expected stream, id, occurred_at, data");
        return Err(UnreadableRow { row, errors: vec![FieldError::new(format!("/{key}"), detail)] });
    }
    event.insert("type".into(), Value::from(event_type));
    Ok(ImportRow { row, stream, event, cell_errors: Vec::new() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn kinds(path: &str) -> Option<FieldKind> {
        match path {
            "title" | "kind" | "date" => Some(FieldKind::Text),
            "attendees" | "materials.brochures" | "materials.books" => Some(FieldKind::Integer),
            "on_site" => Some(FieldKind::Flag),
            "items" => Some(FieldKind::Json),
            _ => None,
        }
    }

    fn read(file: &str) -> Vec<Result<ImportRow, UnreadableRow>> {
        csv_rows(file.as_bytes(), TextEncoding::Utf8, "ActivityHeld", kinds).unwrap().collect()
    }

    #[test]
    fn csv_cells_take_their_fields_kinds_and_dotted_columns_nest() {
        let rows = read(
            "stream,id,title,attendees,materials.brochures,on_site,items\n\
             activity-1,,敬老讲座,40,120,是,\"[{\"\"name\"\":\"\"米\"\"}]\"\n",
        );
        let row = rows[0].as_ref().unwrap();
        assert_eq!(row.row, 2);
        assert_eq!(row.stream.as_deref(), Some("activity-1"));
        assert_eq!(
            Value::Object(row.event.clone()),
            json!({"type": "ActivityHeld", "data": {"title": "敬老讲座", "attendees": 40,
                   "materials": {"brochures": 120}, "on_site": true, "items": [{"name": "米"}]}})
        );
    }

    #[test]
    fn an_empty_cell_leaves_its_field_out_and_rows_are_numbered_as_a_spreadsheet_shows_them() {
        let rows = read("title,attendees\n\"两行\n的标题\",\n第三行,3\n");
        assert_eq!(rows[0].as_ref().unwrap().event["data"], json!({"title": "两行\n的标题"}));
        assert_eq!(rows[1].as_ref().unwrap().row, 3);
    }

    #[test]
    fn a_cell_that_is_not_its_kind_names_its_row_and_field() {
        let rows = read("title,attendees,on_site\nok,12.5,maybe\n");
        let bad = rows[0].as_ref().unwrap();
        assert_eq!(bad.row, 2);
        let pointers: Vec<&str> = bad.cell_errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/data/attendees", "/data/on_site"]);
        assert!(bad.cell_errors[0].detail.contains("12.5"), "{:?}", bad.cell_errors);
        assert_eq!(
            bad.event["data"]["attendees"],
            json!("12.5"),
            "left in as text for the schema's own check"
        );
        let repeated = read("title,items\nok,\"[{\"\"name\"\":1,\"\"name\"\":2}]\"\n");
        let repeated = repeated[0].as_ref().unwrap();
        assert_eq!(
            repeated.cell_errors[0].pointer, "/data/items",
            "a JSON cell is strict JSON: {repeated:?}"
        );
    }

    #[test]
    fn a_header_that_names_an_unknown_or_repeated_column_is_refused_at_row_1() {
        let unknown = csv_rows("title,colour\n".as_bytes(), TextEncoding::Utf8, "ActivityHeld", kinds);
        assert!(matches!(unknown, Err(FileProblem::Header(detail)) if detail.contains("colour")));
        let twice = csv_rows("title,title\n".as_bytes(), TextEncoding::Utf8, "ActivityHeld", kinds);
        assert!(matches!(twice, Err(FileProblem::Header(detail)) if detail.contains("twice")));
        let empty = csv_rows("".as_bytes(), TextEncoding::Utf8, "ActivityHeld", kinds);
        assert!(matches!(empty, Err(FileProblem::Header(_))));
    }

    #[test]
    fn a_gb18030_cell_in_a_utf8_file_names_its_row_and_column() {
        let mut file = b"title,attendees\nok,1\n".to_vec();
        file.extend(encoding_rs::GB18030.encode("讲座").0.iter());
        file.extend(b",2\n");
        let rows: Vec<_> = csv_rows(&file[..], TextEncoding::Utf8, "ActivityHeld", kinds).unwrap().collect();
        assert!(rows[0].is_ok());
        let bad = rows[1].as_ref().unwrap();
        assert_eq!((bad.row, bad.cell_errors[0].pointer.as_str()), (3, "/data/title"));
        assert!(bad.cell_errors[0].detail.contains("GB18030"), "{:?}", bad.cell_errors);
    }

    #[test]
    fn a_gb18030_file_reads_as_the_same_text() {
        let file = encoding_rs::GB18030.encode("title,attendees\n鼓楼区敬老讲座,40\n").0.into_owned();
        let rows: Vec<_> =
            csv_rows(&file[..], TextEncoding::Gb18030, "ActivityHeld", kinds).unwrap().collect();
        assert_eq!(rows[0].as_ref().unwrap().event["data"]["title"], json!("鼓楼区敬老讲座"));
    }

    #[test]
    fn jsonl_lines_are_rows_by_line_number_and_blank_lines_count() {
        let file = "{\"stream\":\"activity-1\",\"data\":{\"title\":\"讲座\"}}\n\n{\"data\":{},\"colour\":1}\nnot json\r\n";
        let rows: Vec<_> = jsonl_rows(file.as_bytes(), TextEncoding::Utf8, "ActivityHeld").collect();
        assert_eq!(rows.len(), 3);
        let first = rows[0].as_ref().unwrap();
        assert_eq!((first.row, first.stream.as_deref()), (1, Some("activity-1")));
        assert_eq!(first.event["type"], json!("ActivityHeld"));
        let unknown = rows[1].as_ref().unwrap_err();
        assert_eq!((unknown.row, unknown.errors[0].pointer.as_str()), (3, "/colour"));
        assert_eq!(rows[2].as_ref().unwrap_err().row, 4);
    }
}
