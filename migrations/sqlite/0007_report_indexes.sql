-- Indexes the summary report reads through at scale:
-- a district's figures walk that district's beneficiaries and probe each one's rows;
CREATE INDEX hardship_by_beneficiary ON hardship_assessments (beneficiary_id, occurred_on);
CREATE INDEX movements_by_disbursement ON disbursement_movements (disbursement_id);
CREATE INDEX visits_by_beneficiary_kind ON visits (beneficiary_id, occurred_on, visit_kind);
DROP INDEX visits_by_beneficiary;
-- the period's voided volunteer hours, subtracted from the per-day totals, come from a small index.
CREATE INDEX hours_voided_by_worked ON volunteer_hours (worked_on, voided_on, minutes) WHERE voided_on IS NOT NULL;
DROP INDEX hours_by_voided;
