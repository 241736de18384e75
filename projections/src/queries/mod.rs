//! Queries over the read models. Every period is `[from, to)` by the date an event counts on.

pub mod funds;
pub mod ledgers;
pub mod summary;
pub mod tallies;

use domain::values::Date;

/// A half-open period of dates, `from` inclusive, `to` exclusive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    /// First day in the period (`YYYY-MM-DD`).
    pub from: String,
    /// First day after the period (`YYYY-MM-DD`).
    pub to: String,
}

impl Period {
    /// The period as whole years (`YYYY`, the first one in and the first one after) when it starts
    /// and ends on a first of January, else as whole months (`YYYY-MM`) when it starts and ends on the
    /// first of a month: the span's name and the two periods.
    pub fn whole_span(&self) -> Option<(&'static str, &str, &str)> {
        if let (Some(from), Some(to)) = (self.from.strip_suffix("-01-01"), self.to.strip_suffix("-01-01")) {
            if from.len() == 4 && to.len() == 4 {
                return Some(("year", from, to));
            }
        }
        match (self.from.strip_suffix("-01"), self.to.strip_suffix("-01")) {
            (Some(from), Some(to)) if from.len() == 7 && to.len() == 7 => Some(("month", from, to)),
            _ => None,
        }
    }

    /// Parses `from` and `to` (each `YYYY-MM-DD`, `from` before `to`).
    pub fn parse(from: &str, to: &str) -> Result<Period, String> {
        let start = Date::parse(from).map_err(|e| format!("from: {e}"))?;
        let end = Date::parse(to).map_err(|e| format!("to: {e}"))?;
        if start >= end {
            return Err(format!("from ({from}) must be before to ({to}); to is exclusive"));
        }
        Ok(Period { from: start.to_string(), to: end.to_string() })
    }

    /// All of time, for queries whose period is optional.
    pub fn all_time() -> Period {
        Period { from: "0000-01-01".into(), to: "9999-12-31".into() }
    }
}
