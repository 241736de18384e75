//! Bulk import of past records from the files bureaus keep: a spreadsheet's CSV (UTF-8 or GB18030)
//! or JSONL, every row one event of one type, every row held to exactly what an append by the
//! caller is held to, and the whole file appended in one transaction or not at all.
//!
//! # Layout
//! - [`encoding`]: the text encodings a file may be in, decoded without ever replacing a byte.
//! - [`rows`]: reading a file into numbered rows, each an append's event and its stream.
//! - [`kinds`]: the JSON type of each data field, read from the API's own schema of the event.
//! - [`plan`]: turning rows into appends (new streams for opening events), with what is wrong with each.
//! - [`importer`]: running an import: rows to the writer in chunks, one transaction, all or nothing.
//! - [`report`]: what an import answers: the bad rows, or where each row landed.

pub mod encoding;
pub mod importer;
pub mod kinds;
pub mod plan;
pub mod report;
pub mod rows;
