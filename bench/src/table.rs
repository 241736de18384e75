//! The benchmark's figures, the bound each is measured against, and the plain aligned table.

use std::fmt::Write;

/// What a figure is measured against.
#[derive(Clone, Debug)]
pub(crate) enum Bound {
    /// At least this much (a rate), and where the bound comes from.
    AtLeast(f64, &'static str),
    /// At most this much (a latency or a size), and where the bound comes from.
    AtMost(f64, &'static str),
    /// At least `factor` times a rate measured in the same run, and what that rate is of.
    AtLeastTimes { factor: f64, measured: f64, source: String },
    /// Reported for information only.
    None,
}

/// One measured figure.
#[derive(Clone, Debug)]
pub(crate) struct Figure {
    /// Its name (stable: tests and scripts look for it).
    pub name: &'static str,
    /// The measured value (NaN when it could not be measured).
    pub value: f64,
    /// Its unit.
    pub unit: &'static str,
    /// What it is measured against.
    pub bound: Bound,
}

impl Figure {
    /// A figure.
    pub fn new(name: &'static str, value: f64, unit: &'static str, bound: Bound) -> Figure {
        Figure { name, value, unit, bound }
    }

    /// How far the figure is from its bound: 1.0 or more meets it.
    pub(crate) fn ratio(&self) -> Option<f64> {
        let ratio = match self.bound {
            Bound::AtLeast(bound, _) => self.value / bound,
            Bound::AtLeastTimes { factor, measured, .. } => self.value / (factor * measured),
            Bound::AtMost(bound, _) => bound / self.value,
            Bound::None => return None,
        };
        ratio.is_finite().then_some(ratio)
    }
}

/// The names of every figure the benchmark prints, in order.
pub const FIGURE_NAMES: [&str; 14] = [
    "append_batched",
    "plain_insert",
    "projection_rebuild",
    "verify_chain_tree",
    "summary_report_p50",
    "http_append_batched",
    "http_append",
    "http_append_p50",
    "http_append_p99",
    "feed_latency_p50",
    "feed_latency_p99",
    "audit_trail_p99",
    "serve_rss_peak",
    "serve_rss",
];

fn number(value: f64) -> String {
    if !value.is_finite() {
        "n/a".to_owned()
    } else if value >= 100.0 || value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}

fn bound_text(bound: &Bound) -> String {
    match bound {
        Bound::AtLeast(value, source) => format!(">= {} ({source})", number(*value)),
        Bound::AtLeastTimes { factor, measured, source } => {
            format!(">= {} x {} ({source})", number(*factor), number(*measured))
        }
        Bound::AtMost(value, source) => format!("< {} ({source})", number(*value)),
        Bound::None => "-".to_owned(),
    }
}

/// The figures as a plain table with aligned columns.
pub(crate) fn render(figures: &[Figure]) -> String {
    let header = ["figure", "value", "unit", "bound", "ratio"].map(str::to_owned);
    let mut rows = vec![header];
    for figure in figures {
        let ratio = figure.ratio().map_or_else(|| "-".to_owned(), |r| format!("{r:.2}"));
        rows.push([
            figure.name.to_owned(),
            number(figure.value),
            figure.unit.to_owned(),
            bound_text(&figure.bound),
            ratio,
        ]);
    }
    let widths: Vec<usize> =
        (0..5).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, width))| match c {
                1 | 4 => format!("{cell:>width$}"),
                _ => format!("{cell:<width$}"),
            })
            .collect();
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
    }
    out
}
