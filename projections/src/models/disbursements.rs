//! The disbursements projection: `funds` (balances), `disbursements` (where each stands) and
//! `disbursement_movements` (each payment and reversal, with the amount and form it moved).

use domain::events::{DisbursementEvent as D, FundEvent as F};
use domain::Event;
use sql::{clamp_figure, Dialect};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::daily::DailyTotals;
use crate::figure::Figure;
use crate::rows::NewRows;
use crate::sql::{name_of, Param};
use crate::stored::{StoredRow, Touched};
use crate::{ProjectionName, RecordedEvent};

const PROJECTION: ProjectionName = ProjectionName::Disbursements;

/// A row of `funds`: its budget and running totals.
#[derive(Debug)]
pub struct Fund {
    name: String,
    currency: String,
    year: Option<i64>,
    opened_position: i64,
    opening_budget_minor: i64,
    adjustments_minor: i64,
    requested_minor: i64,
    approved_minor: i64,
    paid_minor: i64,
    reversed_minor: i64,
}

impl StoredRow for Fund {
    type Key = String;
    const TABLE: &'static str = "funds";
    const COLUMNS: &'static [&'static str] = &[
        "fund_id",
        "name",
        "currency",
        "year",
        "opened_position",
        "opening_budget_minor",
        "adjustments_minor",
        "requested_minor",
        "approved_minor",
        "paid_minor",
        "reversed_minor",
    ];

    fn values(&self) -> Vec<Param> {
        vec![
            Param::Text(self.name.clone()),
            Param::Text(self.currency.clone()),
            Param::int(self.year),
            Param::Int(self.opened_position),
            Param::Int(self.opening_budget_minor),
            Param::Int(self.adjustments_minor),
            Param::Int(self.requested_minor),
            Param::Int(self.approved_minor),
            Param::Int(self.paid_minor),
            Param::Int(self.reversed_minor),
        ]
    }

    fn read(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Fund {
            name: row.try_get(1)?,
            currency: row.try_get(2)?,
            year: row.try_get(3)?,
            opened_position: row.try_get(4)?,
            opening_budget_minor: row.try_get(5)?,
            adjustments_minor: row.try_get(6)?,
            requested_minor: row.try_get(7)?,
            approved_minor: row.try_get(8)?,
            paid_minor: row.try_get(9)?,
            reversed_minor: row.try_get(10)?,
        })
    }
}

/// A row of `disbursements`: where one stands.
#[derive(Debug)]
pub struct Disbursement {
    beneficiary_id: String,
    fund_id: String,
    form: String,
    amount_minor: i64,
    currency: String,
    status: &'static str,
    requested_position: i64,
    requested_on: String,
    requested_by: String,
    decided_position: Option<i64>,
    decided_by: Option<String>,
    paid_position: Option<i64>,
    paid_on: Option<String>,
    reversed_position: Option<i64>,
    reversed_on: Option<String>,
}

/// The statuses a disbursement is stored with.
const STATUSES: [&str; 5] = ["requested", "approved", "rejected", "paid", "reversed"];

impl StoredRow for Disbursement {
    type Key = String;
    const TABLE: &'static str = "disbursements";
    const COLUMNS: &'static [&'static str] = &[
        "disbursement_id",
        "beneficiary_id",
        "fund_id",
        "form",
        "amount_minor",
        "currency",
        "status",
        "requested_position",
        "requested_on",
        "requested_by",
        "decided_position",
        "decided_by",
        "paid_position",
        "paid_on",
        "reversed_position",
        "reversed_on",
    ];

    fn values(&self) -> Vec<Param> {
        vec![
            Param::Text(self.beneficiary_id.clone()),
            Param::Text(self.fund_id.clone()),
            Param::Text(self.form.clone()),
            Param::Int(self.amount_minor),
            Param::Text(self.currency.clone()),
            Param::Text(self.status.to_owned()),
            Param::Int(self.requested_position),
            Param::Text(self.requested_on.clone()),
            Param::Text(self.requested_by.clone()),
            Param::int(self.decided_position),
            Param::text(self.decided_by.clone()),
            Param::int(self.paid_position),
            Param::text(self.paid_on.clone()),
            Param::int(self.reversed_position),
            Param::text(self.reversed_on.clone()),
        ]
    }

    fn read(row: &AnyRow) -> Result<Self, sqlx::Error> {
        let status: String = row.try_get(6)?;
        let status = STATUSES.into_iter().find(|known| *known == status).ok_or_else(|| {
            sqlx::Error::Decode(format!("a disbursement stored with the unknown status {status:?}").into())
        })?;
        Ok(Disbursement {
            beneficiary_id: row.try_get(1)?,
            fund_id: row.try_get(2)?,
            form: row.try_get(3)?,
            amount_minor: row.try_get(4)?,
            currency: row.try_get(5)?,
            status,
            requested_position: row.try_get(7)?,
            requested_on: row.try_get(8)?,
            requested_by: row.try_get(9)?,
            decided_position: row.try_get(10)?,
            decided_by: row.try_get(11)?,
            paid_position: row.try_get(12)?,
            paid_on: row.try_get(13)?,
            reversed_position: row.try_get(14)?,
            reversed_on: row.try_get(15)?,
        })
    }
}

/// Which of a fund's running totals a disbursement's amount is added to.
#[derive(Clone, Copy)]
enum FundTotal {
    Requested,
    Approved,
    Paid,
    Reversed,
}

impl Fund {
    fn add(&mut self, total: FundTotal, amount: i64) {
        let column = match total {
            FundTotal::Requested => &mut self.requested_minor,
            FundTotal::Approved => &mut self.approved_minor,
            FundTotal::Paid => &mut self.paid_minor,
            FundTotal::Reversed => &mut self.reversed_minor,
        };
        *column = clamp_figure(column.saturating_add(amount));
    }
}

/// A chunk's fold of the disbursements projection: the rows its events change.
#[derive(Debug, Default)]
pub struct Fold {
    funds: Touched<Fund>,
    disbursements: Touched<Disbursement>,
}

impl Fold {
    /// Notes the stored rows `recorded` changes (a disbursement's fund is found when it is loaded).
    pub fn want(&mut self, recorded: &RecordedEvent) {
        match &recorded.event {
            Event::Fund(F::FundBudgetAdjusted(_)) => self.funds.want(recorded.stream_id.clone()),
            Event::Disbursement(D::DisbursementRequested(e)) => self.funds.want(e.fund_id.to_string()),
            Event::Disbursement(_) => self.disbursements.want(recorded.stream_id.clone()),
            _ => {}
        }
    }

    /// Loads the stored rows wanted: the disbursements first, then the funds, theirs among them.
    pub async fn load(
        &mut self,
        connection: &mut AnyConnection,
        dialect: Dialect,
    ) -> Result<(), sqlx::Error> {
        let wanted: Vec<String> = self.disbursements.wanted().cloned().collect();
        self.disbursements.load(connection, dialect).await?;
        for id in wanted {
            if let Some(fund_id) = self.disbursements.get(&id).map(|d| d.fund_id.clone()) {
                self.funds.want(fund_id);
            }
        }
        self.funds.load(connection, dialect).await
    }

    /// Adds the disbursement's amount to one of its fund's running totals.
    fn add_to_fund(&mut self, disbursement_id: &str, total: FundTotal) {
        let Some(disbursement) = self.disbursements.get(&disbursement_id.to_owned()) else { return };
        let amount = disbursement.amount_minor;
        if let Some(fund) = self.funds.get_mut(&disbursement.fund_id.clone()) {
            fund.add(total, amount);
        }
    }

    /// Records a payment (`sign` 1) or reversal (`sign` −1) of the disbursement's whole amount, and
    /// adds it to the day's paid totals.
    fn movement(&mut self, recorded: &RecordedEvent, rows: &mut NewRows, daily: &mut DailyTotals, sign: i64) {
        let Some(disbursement) = self.disbursements.get(&recorded.stream_id) else { return };
        let (form, amount_minor) = (disbursement.form.clone(), disbursement.amount_minor);
        let date = recorded.date.as_str();
        daily.add(PROJECTION, Figure::DisbursementsPaid, date, sign);
        let amount_figure = if form == "cash" { Figure::CashPaidMinor } else { Figure::InKindPaidMinor };
        daily.add(PROJECTION, amount_figure, date, sign * amount_minor);
        rows.add(
            "INSERT INTO disbursement_movements (position, disbursement_id, movement, form, amount_minor, occurred_on)",
            vec![
                Param::Int(recorded.position),
                Param::Text(recorded.stream_id.clone()),
                Param::Text(if sign > 0 { "paid" } else { "reversed" }.to_owned()),
                Param::Text(form),
                Param::Int(amount_minor),
                Param::Text(recorded.date.clone()),
            ],
        );
    }

    /// Folds `recorded` in: new funds and disbursements, statuses, fund totals, and payments and
    /// reversals (into `rows`, and the per-day totals in `daily`).
    pub fn apply(&mut self, recorded: &RecordedEvent, rows: &mut NewRows, daily: &mut DailyTotals) {
        let id = recorded.stream_id.as_str();
        let position = recorded.position;
        match &recorded.event {
            Event::Fund(F::FundOpened(e)) => self.funds.insert(
                recorded.stream_id.clone(),
                Fund {
                    name: e.name.as_str().to_owned(),
                    currency: e.currency.as_str().to_owned(),
                    year: e.year.map(|y| y.get()),
                    opened_position: position,
                    opening_budget_minor: e.budget_minor.get(),
                    adjustments_minor: 0,
                    requested_minor: 0,
                    approved_minor: 0,
                    paid_minor: 0,
                    reversed_minor: 0,
                },
            ),
            Event::Fund(F::FundBudgetAdjusted(e)) => {
                if let Some(fund) = self.funds.get_mut(&recorded.stream_id) {
                    fund.adjustments_minor =
                        clamp_figure(fund.adjustments_minor.saturating_add(e.delta_minor.get()));
                }
            }
            Event::Disbursement(D::DisbursementRequested(e)) => {
                self.disbursements.insert(
                    recorded.stream_id.clone(),
                    Disbursement {
                        beneficiary_id: e.beneficiary_id.to_string(),
                        fund_id: e.fund_id.to_string(),
                        form: name_of(&e.form),
                        amount_minor: e.amount_minor.get(),
                        currency: e.currency.as_str().to_owned(),
                        status: "requested",
                        requested_position: position,
                        requested_on: recorded.date.clone(),
                        requested_by: recorded.actor.clone(),
                        decided_position: None,
                        decided_by: None,
                        paid_position: None,
                        paid_on: None,
                        reversed_position: None,
                        reversed_on: None,
                    },
                );
                self.add_to_fund(id, FundTotal::Requested);
            }
            Event::Disbursement(event @ (D::DisbursementApproved(_) | D::DisbursementRejected(_))) => {
                let approved = matches!(event, D::DisbursementApproved(_));
                let Some(disbursement) = self.disbursements.get_mut(&recorded.stream_id) else { return };
                disbursement.status = if approved { "approved" } else { "rejected" };
                disbursement.decided_position = Some(position);
                disbursement.decided_by = Some(recorded.actor.clone());
                if approved {
                    self.add_to_fund(id, FundTotal::Approved);
                }
            }
            Event::Disbursement(D::DisbursementPaid(_)) => {
                let Some(disbursement) = self.disbursements.get_mut(&recorded.stream_id) else { return };
                disbursement.status = "paid";
                disbursement.paid_position = Some(position);
                disbursement.paid_on = Some(recorded.date.clone());
                self.movement(recorded, rows, daily, 1);
                self.add_to_fund(id, FundTotal::Paid);
            }
            Event::Disbursement(D::DisbursementReversed(_)) => {
                let Some(disbursement) = self.disbursements.get_mut(&recorded.stream_id) else { return };
                disbursement.status = "reversed";
                disbursement.reversed_position = Some(position);
                disbursement.reversed_on = Some(recorded.date.clone());
                self.movement(recorded, rows, daily, -1);
                self.add_to_fund(id, FundTotal::Reversed);
            }
            _ => {}
        }
    }

    /// Writes every row the chunk changed.
    pub async fn write(
        &mut self,
        connection: &mut AnyConnection,
        dialect: Dialect,
    ) -> Result<(), sqlx::Error> {
        self.funds.write(connection, dialect).await?;
        self.disbursements.write(connection, dialect).await
    }
}
