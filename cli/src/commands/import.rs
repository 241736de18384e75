//! `aidledger import`: appends a file of past records — a spreadsheet's CSV (UTF-8 or GB18030) or
//! JSONL, every row one event of `--type` — as the holder of `--token` would append them, all in one
//! transaction or none. Bad rows are printed one a line (exit 1); a good file prints where each row
//! landed, as CSV (`row,stream,position,replayed`); progress and the summary go to stderr.

use std::fs::File;
use std::io::{BufReader, Seek};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use aidledger_server::app::{open_database, Migrations};
use aidledger_server::import::encoding::{OpenProblem, TextEncoding};
use aidledger_server::import::importer::{import, ImportError, ImportFormat, ImportRequest};
use aidledger_server::import::report::{BadRow, ImportReport};
use aidledger_server::privacy::master_key::MasterKeyOptions;
use aidledger_server::store::Store;
use aidledger_server::tokens;
use anyhow::Context;
use clap::Args;
use domain::EventType;
use indicatif::{ProgressBar, ProgressStyle};

/// Files smaller than this are read without a progress bar.
const PROGRESS_BYTES_MIN: u64 = 256 * 1024;

/// The arguments of `aidledger import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file: CSV with a header row naming the event's data fields (plus stream, id,
    /// occurred_at), or JSONL.
    file: PathBuf,
    /// csv or jsonl [default: jsonl for .jsonl and .ndjson files, else csv].
    #[arg(long, value_enum)]
    format: Option<ImportFormat>,
    /// The event type of every row, e.g. VisitRecorded.
    #[arg(long = "type", value_parser = parse_event_type)]
    event_type: EventType,
    /// The file's text encoding (spreadsheets on zh-CN systems save CSV as GB18030).
    #[arg(long, value_enum, default_value_t = TextEncoding::Utf8)]
    encoding: TextEncoding,
    /// Check every row and append nothing.
    #[arg(long)]
    dry_run: bool,
    /// The token of whoever the rows are appended as: its principal becomes each event's actor and
    /// its role decides what it may import.
    #[arg(long, env = "AIDLEDGER_TOKEN", hide_env_values = true)]
    token: String,
    /// The master key that wraps every subject's key.
    #[command(flatten)]
    master_key: MasterKeyOptions,
}

fn parse_event_type(name: &str) -> Result<EventType, String> {
    name.parse()
}

/// Imports the file `args` names into the database `url` names.
pub async fn run(url: &str, args: ImportArgs) -> anyhow::Result<ExitCode> {
    let format = args.format.unwrap_or_else(|| match args.file.extension().and_then(|e| e.to_str()) {
        Some("jsonl" | "ndjson") => ImportFormat::Jsonl,
        _ => ImportFormat::Csv,
    });
    let database = open_database(url, Migrations::Apply).await?;
    let caller = tokens::authenticate(&database.pool, args.token.trim())
        .await?
        .context("the token is unknown or revoked")?;
    let store = Store::open(&database, Some(args.master_key.keyring()?)).await?;
    let file = File::open(&args.file).with_context(|| format!("opening {}", args.file.display()))?;
    let length = file.metadata().map(|metadata| metadata.len()).unwrap_or(0);
    let bar = if length >= PROGRESS_BYTES_MIN { ProgressBar::new(length) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{msg} {bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(if args.dry_run { "checking" } else { "importing" });
    let rewind = |mut file: File| {
        file.rewind()?;
        Ok(file)
    };
    let text = match args.encoding.open(file, rewind) {
        Ok(text) => text,
        Err(OpenProblem::Encoding(problem)) => {
            let report = ImportReport::unreadable_file(problem.to_string());
            return Ok(print_bad_rows(&report));
        }
        Err(OpenProblem::Read(error)) => return Err(error).context("reading the file"),
    };
    let request =
        ImportRequest { event_type: args.event_type, format, encoding: args.encoding, dry_run: args.dry_run };
    let started = Instant::now();
    let report = import(&store, &caller, request, BufReader::new(bar.wrap_read(text))).await;
    bar.finish_and_clear();
    let report = match report {
        Ok(report) => report,
        Err(ImportError::Forbidden(detail)) => anyhow::bail!(detail),
        Err(ImportError::Store(error)) => return Err(error).context("importing"),
    };
    if report.bad_rows > 0 {
        return Ok(print_bad_rows(&report));
    }
    let seconds = started.elapsed().as_secs_f64();
    let rate = report.rows as f64 / seconds.max(1e-9);
    if report.dry_run {
        eprintln!(
            "all {} rows are good (checked in {seconds:.2} s, {rate:.0} rows/s); nothing was imported",
            report.rows
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!("row,stream,position,replayed");
    for row in &report.appended {
        println!("{},{},{},{}", row.row, row.stream, row.position, row.replayed);
    }
    let appended = report.newly_appended();
    eprintln!(
        "imported {} rows in {seconds:.2} s ({rate:.0} rows/s): {appended} appended, {} already recorded",
        report.rows,
        report.appended.len() - appended
    );
    Ok(ExitCode::SUCCESS)
}

/// Prints each bad row's problems, one a line, and answers exit code 1.
fn print_bad_rows(report: &ImportReport) -> ExitCode {
    for bad in &report.bad {
        println!("{}", bad_row_line(bad));
    }
    let unlisted = report.bad_rows - report.bad.len() as u64;
    if unlisted > 0 {
        println!("… and {unlisted} more bad rows");
    }
    if report.rows == 0 {
        eprintln!("the file could not be read; nothing was imported");
    } else {
        eprintln!("{} of {} rows are bad; nothing was imported", report.bad_rows, report.rows);
    }
    ExitCode::from(1)
}

/// `row N: <pointer>: <detail>; …`, or `row N: <rule>: <detail>`.
fn bad_row_line(bad: &BadRow) -> String {
    let problems: Vec<String> = if bad.errors.is_empty() {
        let detail = bad.detail.clone().unwrap_or_default();
        vec![match bad.rule {
            Some(rule) => format!("{rule}: {detail}"),
            None => detail,
        }]
    } else {
        bad.errors.iter().map(|error| format!("{}: {}", column_of(&error.pointer), error.detail)).collect()
    };
    format!("row {}: {}", bad.row, problems.join("; "))
}

/// The column a pointer names: `/data/materials/brochures` → `materials.brochures`.
fn column_of(pointer: &str) -> String {
    let path = pointer.strip_prefix("/data/").or_else(|| pointer.strip_prefix('/')).unwrap_or(pointer);
    if path.is_empty() {
        "(row)".to_owned()
    } else {
        path.replace('/', ".")
    }
}
