//! The suggestions projection: `suggestions` (where each stands) and `suggestion_steps` (each
//! forwarding and decision).

use domain::events::SuggestionEvent as S;
use domain::Event;
use sql::Dialect;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::daily::DailyTotals;
use crate::figure::Figure;
use crate::rows::NewRows;
use crate::sql::Param;
use crate::stored::{StoredRow, Touched};
use crate::{ProjectionName, RecordedEvent};

const PROJECTION: ProjectionName = ProjectionName::Suggestions;

/// A row of `suggestions`: where one stands.
#[derive(Debug)]
pub struct Suggestion {
    topic: String,
    campaign: Option<String>,
    status: String,
    submitted_position: i64,
    submitted_on: String,
}

impl StoredRow for Suggestion {
    type Key = String;
    const TABLE: &'static str = "suggestions";
    const COLUMNS: &'static [&'static str] =
        &["suggestion_id", "topic", "campaign", "status", "submitted_position", "submitted_on"];

    fn values(&self) -> Vec<Param> {
        vec![
            Param::Text(self.topic.clone()),
            Param::text(self.campaign.clone()),
            Param::Text(self.status.clone()),
            Param::Int(self.submitted_position),
            Param::Text(self.submitted_on.clone()),
        ]
    }

    fn read(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Suggestion {
            topic: row.try_get(1)?,
            campaign: row.try_get(2)?,
            status: row.try_get(3)?,
            submitted_position: row.try_get(4)?,
            submitted_on: row.try_get(5)?,
        })
    }
}

/// The step a non-opening event records, and where it forwarded the suggestion.
fn step(event: &S) -> Option<(&'static str, Option<String>)> {
    match event {
        S::SuggestionSubmitted(_) => None,
        S::SuggestionForwarded(e) => Some(("forwarded", Some(e.to.as_str().to_owned()))),
        S::SuggestionAdopted(_) => Some(("adopted", None)),
        S::SuggestionDeclined(_) => Some(("declined", None)),
    }
}

/// A chunk's fold of the suggestions projection: the suggestions its events move on.
#[derive(Debug, Default)]
pub struct Fold {
    suggestions: Touched<Suggestion>,
}

impl Fold {
    /// Notes the stored rows `recorded` changes.
    pub fn want(&mut self, recorded: &RecordedEvent) {
        if let Event::Suggestion(event) = &recorded.event {
            if step(event).is_some() {
                self.suggestions.want(recorded.stream_id.clone());
            }
        }
    }

    /// Loads the stored rows wanted.
    pub async fn load(
        &mut self,
        connection: &mut AnyConnection,
        dialect: Dialect,
    ) -> Result<(), sqlx::Error> {
        self.suggestions.load(connection, dialect).await
    }

    /// Folds `recorded` in: a suggestion, or one of its steps (into `rows`) and where it stands,
    /// submissions, forwardings and adoptions into the per-day totals in `daily`.
    pub fn apply(&mut self, recorded: &RecordedEvent, rows: &mut NewRows, daily: &mut DailyTotals) {
        let Event::Suggestion(event) = &recorded.event else { return };
        if let S::SuggestionSubmitted(e) = event {
            self.suggestions.insert(
                recorded.stream_id.clone(),
                Suggestion {
                    topic: e.topic.as_str().to_owned(),
                    campaign: e.campaign.as_ref().map(|c| c.as_str().to_owned()),
                    status: "submitted".to_owned(),
                    submitted_position: recorded.position,
                    submitted_on: recorded.date.clone(),
                },
            );
            daily.add(PROJECTION, Figure::SuggestionsSubmitted, &recorded.date, 1);
        }
        let Some((step, forwarded_to)) = step(event) else { return };
        rows.add(
            "INSERT INTO suggestion_steps (position, suggestion_id, step, forwarded_to, occurred_on)",
            vec![
                Param::Int(recorded.position),
                Param::Text(recorded.stream_id.clone()),
                Param::Text(step.into()),
                Param::text(forwarded_to),
                Param::Text(recorded.date.clone()),
            ],
        );
        match step {
            "forwarded" => daily.add(PROJECTION, Figure::SuggestionsForwarded, &recorded.date, 1),
            "adopted" => daily.add(PROJECTION, Figure::SuggestionsAdopted, &recorded.date, 1),
            _ => {}
        }
        // A forwarded suggestion stays "forwarded" until it is decided; a decision is final.
        if let Some(suggestion) = self.suggestions.get_mut(&recorded.stream_id) {
            if matches!(suggestion.status.as_str(), "submitted" | "forwarded") {
                step.clone_into(&mut suggestion.status);
            }
        }
    }

    /// Writes every row the chunk changed.
    pub async fn write(
        &mut self,
        connection: &mut AnyConnection,
        dialect: Dialect,
    ) -> Result<(), sqlx::Error> {
        self.suggestions.write(connection, dialect).await
    }
}
