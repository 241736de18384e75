-- The beneficiaries counted in a figure (visited, assessed for hardship) in each month and each year,
-- kept by the beneficiaries projection, so that a count of distinct beneficiaries over whole months
-- or whole years reads one row per beneficiary and month (or year). `span` is 'month' (period
-- YYYY-MM) or 'year' (period YYYY). The projection is rebuilt to fill it.
CREATE TABLE beneficiary_marks (
    figure         TEXT NOT NULL,
    span           TEXT NOT NULL,
    period         TEXT NOT NULL,
    beneficiary_id TEXT NOT NULL,
    PRIMARY KEY (figure, span, period, beneficiary_id)
);
DELETE FROM beneficiaries;
DELETE FROM visits;
DELETE FROM concerns;
DELETE FROM hardship_assessments;
DELETE FROM pairings;
DELETE FROM daily_totals WHERE projection = 'beneficiaries';
UPDATE projection_checkpoints SET position = 0 WHERE name = 'beneficiaries';
