//! `aidledger report`: brings the projections up to date and prints the summary report's figures
//! for a period as an aligned table (money also in major units), as JSON or as CSV.

use std::path::PathBuf;
use std::process::ExitCode;

use aidledger_server::app::{open_database, Migrations};
use clap::{Args, ValueEnum};
use projections::queries::summary::{self, SummaryQuery};
use projections::queries::Period;
use projections::table::Table;

use super::report_export;
use crate::progress::catch_up_with_progress;

/// How `aidledger report` prints the figures. (The variants carry plain comments: a doc comment
/// would become a help line of its own under `--format` and change `--help`.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    // One figure a line, aligned, money also in major units.
    Table,
    // The summary as the API answers it.
    Json,
    // `figure,value` rows, as the API answers them.
    Csv,
}

/// The arguments of `aidledger report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// First day of the period (YYYY-MM-DD).
    #[arg(long)]
    from: String,
    /// First day after the period (YYYY-MM-DD; exclusive).
    #[arg(long)]
    to: String,
    /// Only beneficiaries of this district (for the figures about beneficiaries).
    #[arg(long)]
    district: Option<String>,
    /// table, json or csv.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    format: ReportFormat,
    /// Recompute the figures from this export (records as served, one a line) instead of a
    /// database, and compare them with the export's report that closed the period at --tree-size.
    #[arg(long, value_name = "FILE.jsonl", requires = "tree_size")]
    export: Option<PathBuf>,
    /// With --export: how many of its records the figures count (a closed report's tree_size).
    #[arg(long, value_name = "N", requires = "export")]
    tree_size: Option<u64>,
}

/// Prints the summary of the database `url` names for the period `args` gives; with `--export`,
/// the figures recomputed from the export beside its closed report's (exit 1 when they differ).
pub async fn run(url: &str, args: ReportArgs) -> anyhow::Result<ExitCode> {
    let ReportArgs { from, to, district, format, export, tree_size } = args;
    let period = Period::parse(&from, &to).map_err(anyhow::Error::msg)?;
    if let (Some(export), Some(tree_size)) = (export, tree_size) {
        let query = SummaryQuery { period, district, currency: None };
        return report_export::run(&export, tree_size, &query, format == ReportFormat::Json).await;
    }
    let database = open_database(url, Migrations::Apply).await?;
    catch_up_with_progress(&database).await?;
    let query = SummaryQuery { period, district, currency: None };
    let summary = summary::summary(&database.pool, &query).await?;
    let table = summary::summary_table(&summary);
    match format {
        ReportFormat::Json => println!("{}", serde_json::to_string(&summary)?),
        ReportFormat::Csv => print!("{}", table.to_csv()),
        ReportFormat::Table => {
            let single_currency = match summary::currencies(&database.pool).await?.as_slice() {
                [only] => Some(only.clone()),
                _ => None,
            };
            print!("{}", text(&from, &to, query.district.as_deref(), &table, single_currency.as_deref()));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The figures as text: a heading naming the period (and district), then one figure a line with
/// money in major units too, in `single_currency` when a money figure names none.
fn text(
    from: &str,
    to: &str,
    district: Option<&str>,
    table: &Table,
    single_currency: Option<&str>,
) -> String {
    let district = district.map(|d| format!(", {d}")).unwrap_or_default();
    let mut text = format!("summary {from} .. {to} (to exclusive{district})\n");
    for row in &table.rows {
        let name = row[0].as_text().unwrap_or_default();
        let value = row[1].as_int().unwrap_or_default();
        let currency = match name.rsplit_once('.') {
            Some((figure, currency)) if figure.ends_with("_minor") => Some(currency),
            _ if name.ends_with("_minor") => single_currency,
            _ => None,
        };
        let line = match currency {
            Some(currency) => format!("  {name:<28} {value:>14}  ({})\n", major_units(value, currency)),
            None => format!("  {name:<28} {value:>14}\n"),
        };
        text.push_str(&line);
    }
    text
}

/// An amount in minor units written in major units with its sign and currency: −50 fen is
/// "-0.50 CNY".
fn major_units(minor: i64, currency: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let size = minor.unsigned_abs();
    format!("{sign}{}.{:02} {currency}", size / 100, size % 100)
}

#[cfg(test)]
mod tests {
    use super::major_units;

    #[test]
    fn major_units_keep_the_sign_and_two_decimals() {
        assert_eq!(major_units(-50, "CNY"), "-0.50 CNY");
        assert_eq!(major_units(123_456, "EUR"), "1234.56 EUR");
    }
}
