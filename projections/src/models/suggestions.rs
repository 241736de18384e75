//! The suggestions projection: `suggestions` (where each stands) and `suggestion_steps` (each
//! forwarding and decision).

use domain::events::SuggestionEvent as S;
use domain::Event;
use sqlx::AnyConnection;

use crate::daily::DailyTotals;
use crate::{ProjectionName, RecordedEvent};

const PROJECTION: ProjectionName = ProjectionName::Suggestions;

/// Applies one event, adding submissions, forwardings and adoptions to the per-day totals in `daily`.
pub async fn apply(
    connection: &mut AnyConnection,
    recorded: &RecordedEvent,
    daily: &mut DailyTotals,
) -> Result<(), sqlx::Error> {
    let Event::Suggestion(event) = &recorded.event else { return Ok(()) };
    let id = recorded.stream_id.as_str();
    let (step, forwarded_to) = match event {
        S::SuggestionSubmitted(e) => {
            sqlx::query(
                "INSERT INTO suggestions (suggestion_id, topic, campaign, status, submitted_position, submitted_on) \
                 VALUES ($1, $2, $3, 'submitted', $4, $5)",
            )
            .bind(id)
            .bind(e.topic.as_str())
            .bind(e.campaign.as_ref().map(|c| c.as_str().to_owned()))
            .bind(recorded.position)
            .bind(recorded.date.as_str())
            .execute(&mut *connection)
            .await?;
            daily.add(PROJECTION, "suggestions_submitted", &recorded.date, 1);
            return Ok(());
        }
        S::SuggestionForwarded(e) => ("forwarded", Some(e.to.as_str().to_owned())),
        S::SuggestionAdopted(_) => ("adopted", None),
        S::SuggestionDeclined(_) => ("declined", None),
    };
    sqlx::query(
        "INSERT INTO suggestion_steps (position, suggestion_id, step, forwarded_to, occurred_on) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(recorded.position)
    .bind(id)
    .bind(step)
    .bind(forwarded_to)
    .bind(recorded.date.as_str())
    .execute(&mut *connection)
    .await?;
    match step {
        "forwarded" => daily.add(PROJECTION, "suggestions_forwarded", &recorded.date, 1),
        "adopted" => daily.add(PROJECTION, "suggestions_adopted", &recorded.date, 1),
        _ => {}
    }
    // A forwarded suggestion stays "forwarded" until it is decided; a decision is final.
    sqlx::query("UPDATE suggestions SET status = $2 WHERE suggestion_id = $1 AND status IN ('submitted', 'forwarded')")
        .bind(id)
        .bind(step)
        .execute(&mut *connection)
        .await?;
    Ok(())
}
