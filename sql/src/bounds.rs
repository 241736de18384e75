//! Figures stay within ±(2^53 − 1), the integers every JSON reader holds exactly: sums and running
//! totals are clamped in SQL, and a figure read back is clamped in Rust.

use domain::strict_json::SAFE_INTEGER_MAX;

/// `SUM({expression})` that can neither overflow nor leave ±(2^53 − 1), on both backends: summed
/// as doubles (exact while the sum is below 2^53, where every figure must stay) and clamped, then
/// cast back to an integer. SQLite's integer `SUM` fails on overflow and PostgreSQL's returns
/// `numeric`, which a cast to `BIGINT` can overflow; neither may turn client input into an error.
pub fn bounded_sum(expression: &str) -> String {
    let sum = format!("SUM(CAST({expression} AS DOUBLE PRECISION))");
    clamped(&sum, &format!("CAST({sum} AS BIGINT)"))
}

/// `{current} + {addition}` clamped to ±(2^53 − 1), for running totals kept in read models; both
/// sides must already lie within ±(2^53 − 1), so the sum itself cannot overflow.
pub fn bounded_add(current: &str, addition: &str) -> String {
    let sum = format!("{current} + {addition}");
    clamped(&sum, &sum)
}

/// A figure's value clamped to ±(2^53 − 1).
pub fn clamp_figure(value: i64) -> i64 {
    value.clamp(-SAFE_INTEGER_MAX, SAFE_INTEGER_MAX)
}

/// `value` clamped to ±(2^53 − 1) in SQL, answered as `within` when it is inside.
fn clamped(value: &str, within: &str) -> String {
    let max = SAFE_INTEGER_MAX;
    format!("(CASE WHEN {value} > {max} THEN {max} WHEN {value} < -{max} THEN -{max} ELSE {within} END)")
}
