//! Report streams: one closed reporting period, pinned to the log. `ReportClosed` holds the figures
//! of the summary as they were reported, the tree size they were computed at, and the Merkle root of
//! that tree, so that anyone holding an export can recompute them and see they are what was
//! reported.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::DataCheck;
use crate::errors::{pointer_token, FieldError};
use crate::record::RecordHash;
use crate::strict_json::SAFE_INTEGER_MAX;
use crate::values::{Count, Date, Text};

/// A figure's reported value: an integer, or, for a figure with parts (`activities`), an integer per
/// part.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum ReportedValue {
    /// The figure's value.
    Value(i64),
    /// The value of each of the figure's parts, by part.
    Parts(BTreeMap<String, i64>),
}

/// Closes a period: the whole of a report stream (appended only by `POST /v1/reports/close`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReportClosed {
    /// First day of the period.
    #[cfg_attr(feature = "schema", schema(inline))]
    pub from: Date,
    /// First day after the period (exclusive).
    #[cfg_attr(feature = "schema", schema(inline))]
    pub to: Date,
    /// The district the beneficiary figures were narrowed to, when they were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(inline, nullable = false))]
    pub district: Option<Text>,
    /// How many records of the log the figures were computed over (positions 1 to `tree_size`).
    #[cfg_attr(feature = "schema", schema(value_type = u64))]
    pub tree_size: Count,
    /// The Merkle root of the log's first `tree_size` records, lowercase hex.
    #[cfg_attr(feature = "schema", schema(value_type = String, pattern = "^[0-9a-f]{64}$"))]
    pub root_hash: RecordHash,
    /// The figures as reported, keyed by figure name.
    pub figures: BTreeMap<String, ReportedValue>,
    /// Currency → money figure → value, when the ledger paid in more than one currency (the money
    /// figures are then not in `figures`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schema(nullable = false))]
    pub by_currency: Option<BTreeMap<String, BTreeMap<String, i64>>>,
}

impl DataCheck for ReportClosed {
    fn check(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.to.0 <= self.from.0 {
            errors.push(FieldError::new("/to", "must be after from"));
        }
        if self.figures.is_empty() {
            errors.push(FieldError::new("/figures", "must hold the reported figures"));
        }
        for (name, value) in &self.figures {
            let pointer = format!("/figures/{}", pointer_token(name));
            match value {
                ReportedValue::Value(value) => check_safe(&mut errors, pointer, *value),
                ReportedValue::Parts(parts) => {
                    for (part, value) in parts {
                        check_safe(&mut errors, format!("{pointer}/{}", pointer_token(part)), *value);
                    }
                }
            }
        }
        for (currency, money) in self.by_currency.iter().flatten() {
            for (name, value) in money {
                let pointer = format!("/by_currency/{}/{}", pointer_token(currency), pointer_token(name));
                check_safe(&mut errors, pointer, *value);
            }
        }
        errors
    }
}

/// Refuses a reported value outside the integers every JSON reader holds exactly (±(2^53 − 1)).
fn check_safe(errors: &mut Vec<FieldError>, pointer: String, value: i64) {
    if !(-SAFE_INTEGER_MAX..=SAFE_INTEGER_MAX).contains(&value) {
        errors.push(FieldError::new(
            pointer,
            format!("{value} is not allowed: a figure must be within ±{SAFE_INTEGER_MAX}"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::events::{Event, EventType, ReportEvent};

    fn closed() -> serde_json::Value {
        json!({"from": "2026-01-01", "to": "2027-01-01", "district": "鼓楼区", "tree_size": 42,
               "root_hash": "ab".repeat(32),
               "figures": {"visits_total": 7, "activities": {"lecture": 2}}})
    }

    #[test]
    fn a_closed_report_reads_back_as_written() {
        let event = Event::parse(EventType::ReportClosed, &closed()).unwrap();
        let Event::Report(ReportEvent::ReportClosed(report)) = &event else { panic!("{event:?}") };
        assert_eq!(i64::from(report.tree_size), 42);
        assert_eq!(event.data_value(), closed());
        assert!(EventType::ReportClosed.is_opening());
    }

    #[test]
    fn a_period_that_ends_before_it_starts_or_holds_no_figures_is_refused() {
        let mut backwards = closed();
        backwards["to"] = json!("2025-12-31");
        let errors = Event::parse(EventType::ReportClosed, &backwards).unwrap_err();
        assert_eq!(errors[0].pointer, "/to");
        let mut empty = closed();
        empty["figures"] = json!({});
        assert_eq!(Event::parse(EventType::ReportClosed, &empty).unwrap_err()[0].pointer, "/figures");
        let mut float = closed();
        float["figures"]["visits_total"] = json!(1.5);
        assert!(Event::parse(EventType::ReportClosed, &float).is_err());
        let mut huge = closed();
        huge["figures"]["visits_total"] = json!(9_007_199_254_740_992_i64);
        let errors = Event::parse(EventType::ReportClosed, &huge).unwrap_err();
        assert_eq!(errors[0].pointer, "/figures/visits_total", "{errors:?}");
    }
}
