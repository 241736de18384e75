-- Per-day totals of the summary report's figures, kept by the projections as they apply events (a
-- figure's value over a period is the sum of its days), so that a yearly report reads a few hundred
-- rows per figure. Each row belongs to one projection and goes with it when it is rebuilt.
CREATE TABLE daily_totals (
    projection TEXT NOT NULL,
    figure     TEXT NOT NULL,
    day        TEXT NOT NULL,
    total      BIGINT NOT NULL,
    PRIMARY KEY (figure, day)
);
CREATE INDEX daily_totals_by_day ON daily_totals (day, figure, total);

-- The report subtracts voided volunteer hours and counts distinct visited beneficiaries from rows.
CREATE INDEX hours_by_voided ON volunteer_hours (voided_on) WHERE voided_on IS NOT NULL;
CREATE INDEX visits_by_date_beneficiary ON visits (occurred_on, beneficiary_id);
DROP INDEX visits_by_date;

-- The projections are rebuilt from the log so that their totals cover every event already applied.
DELETE FROM beneficiaries;
DELETE FROM visits;
DELETE FROM concerns;
DELETE FROM hardship_assessments;
DELETE FROM pairings;
DELETE FROM funds;
DELETE FROM disbursements;
DELETE FROM disbursement_movements;
DELETE FROM volunteers;
DELETE FROM volunteer_hours;
DELETE FROM activities;
DELETE FROM suggestions;
DELETE FROM suggestion_steps;
UPDATE projection_checkpoints SET position = 0;
