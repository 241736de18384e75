//! The suggestions projection: `suggestions` (where each stands) and `suggestion_steps` (each
//! forwarding and decision).

use domain::events::SuggestionEvent as S;
use domain::Event;
use sqlx::AnyConnection;

use crate::daily::DailyTotals;
use crate::figure::Figure;
use crate::rows::NewRows;
use crate::sql::Param;
use crate::{ProjectionName, RecordedEvent};

const PROJECTION: ProjectionName = ProjectionName::Suggestions;

/// The step a non-opening event records, and where it forwarded the suggestion.
fn step(event: &S) -> Option<(&'static str, Option<String>)> {
    match event {
        S::SuggestionSubmitted(_) => None,
        S::SuggestionForwarded(e) => Some(("forwarded", Some(e.to.as_str().to_owned()))),
        S::SuggestionAdopted(_) => Some(("adopted", None)),
        S::SuggestionDeclined(_) => Some(("declined", None)),
    }
}

/// Gathers the rows `recorded` inserts (a suggestion or one of its steps), adding submissions,
/// forwardings and adoptions to the per-day totals in `daily`.
pub fn rows(recorded: &RecordedEvent, rows: &mut NewRows, daily: &mut DailyTotals) {
    let Event::Suggestion(event) = &recorded.event else { return };
    let id = || Param::Text(recorded.stream_id.clone());
    let date = || Param::Text(recorded.date.clone());
    if let S::SuggestionSubmitted(e) = event {
        rows.add(
            "INSERT INTO suggestions (suggestion_id, topic, campaign, status, submitted_position, submitted_on)",
            vec![
                id(),
                Param::Text(e.topic.as_str().to_owned()),
                Param::text(e.campaign.as_ref().map(|c| c.as_str())),
                Param::Text("submitted".into()),
                Param::Int(recorded.position),
                date(),
            ],
        );
        daily.add(PROJECTION, Figure::SuggestionsSubmitted, &recorded.date, 1);
    }
    let Some((step, forwarded_to)) = step(event) else { return };
    rows.add(
        "INSERT INTO suggestion_steps (position, suggestion_id, step, forwarded_to, occurred_on)",
        vec![
            Param::Int(recorded.position),
            id(),
            Param::Text(step.into()),
            Param::text(forwarded_to),
            date(),
        ],
    );
    match step {
        "forwarded" => daily.add(PROJECTION, Figure::SuggestionsForwarded, &recorded.date, 1),
        "adopted" => daily.add(PROJECTION, Figure::SuggestionsAdopted, &recorded.date, 1),
        _ => {}
    }
}

/// Applies what `recorded` changes in rows already written: where the suggestion stands.
pub async fn changes(connection: &mut AnyConnection, recorded: &RecordedEvent) -> Result<(), sqlx::Error> {
    let Event::Suggestion(event) = &recorded.event else { return Ok(()) };
    let Some((step, _)) = step(event) else { return Ok(()) };
    // A forwarded suggestion stays "forwarded" until it is decided; a decision is final.
    sqlx::query("UPDATE suggestions SET status = $2 WHERE suggestion_id = $1 AND status IN ('submitted', 'forwarded')")
        .bind(recorded.stream_id.as_str())
        .bind(step)
        .execute(&mut *connection)
        .await?;
    Ok(())
}
