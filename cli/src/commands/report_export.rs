//! `aidledger report --export FILE --tree-size N`: a closed report recomputed from an export alone.
//! The export's chain is checked, its first N records folded into a scratch database, the summary
//! computed and printed beside the figures of the export's `ReportClosed` for the same period at the
//! same tree size, with the Merkle root they pinned; exit 1 when anything differs.

use std::path::Path;
use std::process::ExitCode;

use aidledger_server::closing::ClosedReport;
use aidledger_server::recompute::recompute;
use domain::events::report::ReportedValue;
use projections::queries::summary::{summary_table, SummaryQuery};

use crate::progress::progress_bar;

/// Recomputes the summary `query` asks for from the first `tree_size` records of `export` and
/// compares it with the export's report that closed the period at that size.
pub async fn run(
    export: &Path,
    tree_size: u64,
    query: &SummaryQuery,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let bar = progress_bar(0, "reading the export");
    let recomputed = recompute(export, tree_size, query, |read| bar.set_position(read)).await?;
    bar.finish_and_clear();
    let report = recomputed.closed.iter().rev().find(|closed| {
        closed.closes(query) && u64::try_from(i64::from(closed.report.tree_size)) == Ok(tree_size)
    });
    let table = summary_table(&recomputed.summary);
    let mut rows = Vec::new();
    for row in &table.rows {
        let name = row[0].as_text().unwrap_or_default().to_owned();
        let value = row[1].as_int().unwrap_or_default();
        let reported = report.and_then(|report| reported_value(report, &name));
        rows.push((name, value, reported));
    }
    let root_matches = report.map(|report| report.report.root_hash == recomputed.root);
    let figures_match = report.map(|_| rows.iter().all(|(_, value, reported)| Some(*value) == *reported));
    let matches = root_matches == Some(true) && figures_match == Some(true);
    if json {
        let answer = serde_json::json!({
            "recomputed": recomputed.summary,
            "root_hash": recomputed.root.to_hex(),
            "tree_size": tree_size,
            "report_id": report.map(|report| report.report_id.clone()),
            "matches": report.map(|_| matches),
        });
        println!("{answer}");
    } else {
        print!("{}", text(query, tree_size, &recomputed.root.to_hex(), report, &rows));
    }
    Ok(if report.is_some() && !matches { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// The value `report` gave the summary table's row `name` (`activities.<kind>`, `<figure>.<currency>`).
fn reported_value(report: &ClosedReport, name: &str) -> Option<i64> {
    if let Some(ReportedValue::Value(value)) = report.report.figures.get(name) {
        return Some(*value);
    }
    let (whole, part) = name.rsplit_once('.')?;
    match report.report.figures.get(whole) {
        Some(ReportedValue::Parts(parts)) => Some(parts.get(part).copied().unwrap_or(0)),
        _ => report.report.by_currency.as_ref()?.get(part)?.get(whole).copied(),
    }
}

/// The comparison as text: a heading, one figure a line (recomputed, reported, and a mark where they
/// differ), then the verdict.
fn text(
    query: &SummaryQuery,
    tree_size: u64,
    root: &str,
    report: Option<&ClosedReport>,
    rows: &[(String, i64, Option<i64>)],
) -> String {
    let district = query.district.as_deref().map(|d| format!(", {d}")).unwrap_or_default();
    let mut text = format!(
        "summary {} .. {} (to exclusive{district}) over the export's first {tree_size} records\nroot {root}\n",
        query.period.from, query.period.to
    );
    text.push_str(&format!("  {:<28} {:>14} {:>14}\n", "figure", "recomputed", "reported"));
    for (name, value, reported) in rows {
        let reported_text = reported.map_or_else(|| "-".to_owned(), |r| r.to_string());
        let mark = if report.is_some() && Some(*value) != *reported { "  DIFFERS" } else { "" };
        text.push_str(&format!("  {name:<28} {value:>14} {reported_text:>14}{mark}\n"));
    }
    match report {
        None => text.push_str("no report in the export closed this period at this tree size\n"),
        Some(report) => {
            let root_ok = report.report.root_hash.to_hex() == root;
            let figures_ok = rows.iter().all(|(_, value, reported)| Some(*value) == *reported);
            let verdict = if root_ok && figures_ok { "ok" } else { "FAILED" };
            text.push_str(&format!(
                "{verdict}: report {} (position {}): figures {}, root {}\n",
                report.report_id,
                report.position,
                if figures_ok { "equal" } else { "differ" },
                if root_ok { "equal" } else { "differs" },
            ));
        }
    }
    text
}
