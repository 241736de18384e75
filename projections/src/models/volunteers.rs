//! The volunteers projection: `volunteers` and `volunteer_hours`.

use domain::events::VolunteerEvent as V;
use domain::Event;
use sql::Dialect;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::daily::DailyTotals;
use crate::figure::Figure;
use crate::rows::NewRows;
use crate::sql::{name_of, Param};
use crate::stored::{StoredRow, Touched};
use crate::{ProjectionName, RecordedEvent};

const PROJECTION: ProjectionName = ProjectionName::Volunteers;

/// A row of `volunteer_hours`, keyed by volunteer and entry.
#[derive(Debug)]
pub struct HoursEntry {
    activity_kind: String,
    activity_id: Option<String>,
    worked_on: String,
    minutes: i64,
    logged_position: i64,
    logged_by: String,
    verified_position: Option<i64>,
    voided_position: Option<i64>,
    voided_on: Option<String>,
}

impl StoredRow for HoursEntry {
    type Key = (String, String);
    const TABLE: &'static str = "volunteer_hours";
    const COLUMNS: &'static [&'static str] = &[
        "volunteer_id",
        "entry_id",
        "activity_kind",
        "activity_id",
        "worked_on",
        "minutes",
        "logged_position",
        "logged_by",
        "verified_position",
        "voided_position",
        "voided_on",
    ];

    fn values(&self) -> Vec<Param> {
        vec![
            Param::Text(self.activity_kind.clone()),
            Param::text(self.activity_id.clone()),
            Param::Text(self.worked_on.clone()),
            Param::Int(self.minutes),
            Param::Int(self.logged_position),
            Param::Text(self.logged_by.clone()),
            Param::int(self.verified_position),
            Param::int(self.voided_position),
            Param::text(self.voided_on.clone()),
        ]
    }

    fn read(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(HoursEntry {
            activity_kind: row.try_get(2)?,
            activity_id: row.try_get(3)?,
            worked_on: row.try_get(4)?,
            minutes: row.try_get(5)?,
            logged_position: row.try_get(6)?,
            logged_by: row.try_get(7)?,
            verified_position: row.try_get(8)?,
            voided_position: row.try_get(9)?,
            voided_on: row.try_get(10)?,
        })
    }
}

/// A chunk's fold of the volunteers projection: the hours entries its events change.
#[derive(Debug, Default)]
pub struct Fold {
    hours: Touched<HoursEntry>,
}

impl Fold {
    /// Notes the stored rows `recorded` changes.
    pub fn want(&mut self, recorded: &RecordedEvent) {
        let entry_id = match &recorded.event {
            Event::Volunteer(V::VolunteerHoursVerified(e)) => e.entry_id,
            Event::Volunteer(V::VolunteerHoursVoided(e)) => e.entry_id,
            _ => return,
        };
        self.hours.want((recorded.stream_id.clone(), entry_id.to_string()));
    }

    /// Loads the stored rows wanted.
    pub async fn load(
        &mut self,
        connection: &mut AnyConnection,
        dialect: Dialect,
    ) -> Result<(), sqlx::Error> {
        self.hours.load(connection, dialect).await
    }

    /// Folds `recorded` in: a volunteer (into `rows`), an hours entry and its verification or void,
    /// logged hours into the per-day totals in `daily` on the day worked (voided entries are
    /// subtracted by the report, which knows the period's end).
    pub fn apply(&mut self, recorded: &RecordedEvent, rows: &mut NewRows, daily: &mut DailyTotals) {
        let Event::Volunteer(event) = &recorded.event else { return };
        match event {
            V::VolunteerEnrolled(e) => rows.add(
                "INSERT INTO volunteers (volunteer_id, unit, enrolled_position, enrolled_on)",
                vec![
                    Param::Text(recorded.stream_id.clone()),
                    Param::text(e.unit.as_ref().map(|u| u.as_str())),
                    Param::Int(recorded.position),
                    Param::Text(recorded.date.clone()),
                ],
            ),
            V::VolunteerHoursLogged(e) => {
                let worked_on = e.date.to_string();
                daily.add(PROJECTION, Figure::VolunteerEntries, &worked_on, 1);
                daily.add(PROJECTION, Figure::VolunteerMinutes, &worked_on, e.minutes.get());
                self.hours.insert(
                    (recorded.stream_id.clone(), e.entry_id.to_string()),
                    HoursEntry {
                        activity_kind: name_of(&e.activity_kind),
                        activity_id: e.activity_id.map(|a| a.to_string()),
                        worked_on,
                        minutes: e.minutes.get(),
                        logged_position: recorded.position,
                        logged_by: recorded.actor.clone(),
                        verified_position: None,
                        voided_position: None,
                        voided_on: None,
                    },
                );
            }
            V::VolunteerHoursVerified(e) => {
                if let Some(entry) = self.hours.get_mut(&(recorded.stream_id.clone(), e.entry_id.to_string()))
                {
                    entry.verified_position = Some(recorded.position);
                }
            }
            V::VolunteerHoursVoided(e) => {
                if let Some(entry) = self.hours.get_mut(&(recorded.stream_id.clone(), e.entry_id.to_string()))
                {
                    entry.voided_position = Some(recorded.position);
                    entry.voided_on = Some(recorded.date.clone());
                }
            }
        }
    }

    /// Writes every row the chunk changed.
    pub async fn write(
        &mut self,
        connection: &mut AnyConnection,
        dialect: Dialect,
    ) -> Result<(), sqlx::Error> {
        self.hours.write(connection, dialect).await
    }
}
