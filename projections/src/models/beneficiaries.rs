//! The beneficiaries projection: `beneficiaries`, `visits`, `concerns`, `hardship_assessments`,
//! `pairings` and (with the per-day totals) `beneficiary_marks`.

use domain::events::BeneficiaryEvent as B;
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

const PROJECTION: ProjectionName = ProjectionName::Beneficiaries;

/// A row of `beneficiaries`.
#[derive(Debug)]
pub struct Beneficiary {
    district: String,
    category: String,
    party_member: i64,
    registered_position: i64,
    registered_on: String,
    forgotten: i64,
}

impl StoredRow for Beneficiary {
    type Key = String;
    const TABLE: &'static str = "beneficiaries";
    const COLUMNS: &'static [&'static str] = &[
        "beneficiary_id",
        "district",
        "category",
        "party_member",
        "registered_position",
        "registered_on",
        "forgotten",
    ];

    fn values(&self) -> Vec<Param> {
        vec![
            Param::Text(self.district.clone()),
            Param::Text(self.category.clone()),
            Param::Int(self.party_member),
            Param::Int(self.registered_position),
            Param::Text(self.registered_on.clone()),
            Param::Int(self.forgotten),
        ]
    }

    fn read(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Beneficiary {
            district: row.try_get(1)?,
            category: row.try_get(2)?,
            party_member: row.try_get(3)?,
            registered_position: row.try_get(4)?,
            registered_on: row.try_get(5)?,
            forgotten: row.try_get(6)?,
        })
    }
}

/// A row of `concerns`, keyed by beneficiary and concern.
#[derive(Debug)]
pub struct Concern {
    category: String,
    raised_position: i64,
    raised_on: String,
    resolved_position: Option<i64>,
    resolved_on: Option<String>,
    on_site: Option<i64>,
}

impl StoredRow for Concern {
    type Key = (String, String);
    const TABLE: &'static str = "concerns";
    const COLUMNS: &'static [&'static str] = &[
        "beneficiary_id",
        "concern_id",
        "category",
        "raised_position",
        "raised_on",
        "resolved_position",
        "resolved_on",
        "on_site",
    ];

    fn values(&self) -> Vec<Param> {
        vec![
            Param::Text(self.category.clone()),
            Param::Int(self.raised_position),
            Param::Text(self.raised_on.clone()),
            Param::int(self.resolved_position),
            Param::text(self.resolved_on.clone()),
            Param::int(self.on_site),
        ]
    }

    fn read(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Concern {
            category: row.try_get(2)?,
            raised_position: row.try_get(3)?,
            raised_on: row.try_get(4)?,
            resolved_position: row.try_get(5)?,
            resolved_on: row.try_get(6)?,
            on_site: row.try_get(7)?,
        })
    }
}

/// A row of `pairings`: a beneficiary's latest pairing, which replaces any earlier one wholly.
#[derive(Debug)]
pub struct Pairing {
    staff: String,
    call_every_days: i64,
    visit_every_days: i64,
    assigned_position: i64,
    assigned_on: String,
}

impl StoredRow for Pairing {
    type Key = String;
    const TABLE: &'static str = "pairings";
    const COLUMNS: &'static [&'static str] = &[
        "beneficiary_id",
        "staff",
        "call_every_days",
        "visit_every_days",
        "assigned_position",
        "assigned_on",
    ];

    fn values(&self) -> Vec<Param> {
        vec![
            Param::Text(self.staff.clone()),
            Param::Int(self.call_every_days),
            Param::Int(self.visit_every_days),
            Param::Int(self.assigned_position),
            Param::Text(self.assigned_on.clone()),
        ]
    }

    fn read(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Pairing {
            staff: row.try_get(1)?,
            call_every_days: row.try_get(2)?,
            visit_every_days: row.try_get(3)?,
            assigned_position: row.try_get(4)?,
            assigned_on: row.try_get(5)?,
        })
    }
}

/// A chunk's fold of the beneficiaries projection: the rows its events change.
#[derive(Debug, Default)]
pub struct Fold {
    beneficiaries: Touched<Beneficiary>,
    concerns: Touched<Concern>,
    pairings: Touched<Pairing>,
}

impl Fold {
    /// Notes the stored rows `recorded` changes.
    pub fn want(&mut self, recorded: &RecordedEvent) {
        let Event::Beneficiary(event) = &recorded.event else { return };
        match event {
            B::BeneficiaryDetailsCorrected(_) | B::BeneficiaryForgotten(_) => {
                self.beneficiaries.want(recorded.stream_id.clone())
            }
            B::ConcernResolved(e) => {
                self.concerns.want((recorded.stream_id.clone(), e.concern_id.to_string()))
            }
            _ => {}
        }
    }

    /// Loads the stored rows wanted.
    pub async fn load(
        &mut self,
        connection: &mut AnyConnection,
        dialect: Dialect,
    ) -> Result<(), sqlx::Error> {
        self.beneficiaries.load(connection, dialect).await?;
        self.concerns.load(connection, dialect).await
    }

    /// Folds `recorded` in: the rows it inserts into `rows`, the rows it changes here, its per-day
    /// totals into `daily`.
    pub fn apply(&mut self, recorded: &RecordedEvent, rows: &mut NewRows, daily: &mut DailyTotals) {
        let Event::Beneficiary(event) = &recorded.event else { return };
        let id = || Param::Text(recorded.stream_id.clone());
        let date = || Param::Text(recorded.date.clone());
        match event {
            B::BeneficiaryRegistered(e) => self.beneficiaries.insert(
                recorded.stream_id.clone(),
                Beneficiary {
                    district: e.district.as_str().to_owned(),
                    category: name_of(&e.category),
                    party_member: i64::from(e.party_member),
                    registered_position: recorded.position,
                    registered_on: recorded.date.clone(),
                    forgotten: 0,
                },
            ),
            B::BeneficiaryDetailsCorrected(e) => {
                if let Some(row) = self.beneficiaries.get_mut(&recorded.stream_id) {
                    if let Some(district) = &e.district {
                        row.district = district.as_str().to_owned();
                    }
                    if let Some(category) = &e.category {
                        row.category = name_of(category);
                    }
                    if let Some(party_member) = e.party_member {
                        row.party_member = i64::from(party_member);
                    }
                }
            }
            B::BeneficiaryForgotten(_) => {
                if let Some(row) = self.beneficiaries.get_mut(&recorded.stream_id) {
                    row.forgotten = 1;
                }
            }
            B::PairingAssigned(e) => self.pairings.insert(
                recorded.stream_id.clone(),
                Pairing {
                    staff: e.staff.as_str().to_owned(),
                    call_every_days: e.call_every_days.get(),
                    visit_every_days: e.visit_every_days.get(),
                    assigned_position: recorded.position,
                    assigned_on: recorded.date.clone(),
                },
            ),
            B::HardshipAssessed(e) => {
                rows.add(
                    "INSERT INTO hardship_assessments (position, beneficiary_id, cause, severity, occurred_on)",
                    vec![
                        Param::Int(recorded.position),
                        id(),
                        Param::Text(name_of(&e.cause)),
                        Param::Int(e.severity.get()),
                        date(),
                    ],
                );
                daily.mark(Figure::HardshipCases, &recorded.date, &recorded.stream_id);
            }
            B::VisitRecorded(e) => {
                rows.add(
                    "INSERT INTO visits (position, beneficiary_id, visit_kind, staff, duration_minutes, occurred_on)",
                    vec![
                        Param::Int(recorded.position),
                        id(),
                        Param::Text(name_of(&e.visit_kind)),
                        Param::Text(e.staff.as_str().to_owned()),
                        Param::Int(e.duration_minutes.get()),
                        date(),
                    ],
                );
                daily.add(PROJECTION, Figure::visits(e.visit_kind), &recorded.date, 1);
                daily.add(PROJECTION, Figure::VisitsTotal, &recorded.date, 1);
                daily.mark(Figure::BeneficiariesVisited, &recorded.date, &recorded.stream_id);
            }
            B::ConcernRaised(e) => {
                self.concerns.insert(
                    (recorded.stream_id.clone(), e.concern_id.to_string()),
                    Concern {
                        category: e.category.as_str().to_owned(),
                        raised_position: recorded.position,
                        raised_on: recorded.date.clone(),
                        resolved_position: None,
                        resolved_on: None,
                        on_site: None,
                    },
                );
                daily.add(PROJECTION, Figure::ConcernsRaised, &recorded.date, 1);
            }
            B::ConcernResolved(e) => {
                let key = (recorded.stream_id.clone(), e.concern_id.to_string());
                let Some(concern) = self.concerns.get_mut(&key) else { return };
                let date = recorded.date.as_str();
                let resolved =
                    if e.on_site { Figure::ConcernsResolvedOnSite } else { Figure::ConcernsResolvedLater };
                daily.add(PROJECTION, resolved, date, 1);
                // Open on a day: raised before it and not closed before it, where a concern counts as
                // closed no earlier than it was raised (a resolution may carry an earlier date).
                daily.add(PROJECTION, Figure::ConcernsClosed, concern.raised_on.as_str().max(date), 1);
                concern.resolved_position = Some(recorded.position);
                concern.resolved_on = Some(recorded.date.clone());
                concern.on_site = Some(i64::from(e.on_site));
            }
        }
    }

    /// Writes every row the chunk changed.
    pub async fn write(
        &mut self,
        connection: &mut AnyConnection,
        dialect: Dialect,
    ) -> Result<(), sqlx::Error> {
        self.beneficiaries.write(connection, dialect).await?;
        self.concerns.write(connection, dialect).await?;
        self.pairings.write(connection, dialect).await
    }
}
