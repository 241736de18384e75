-- The beneficiaries counted in a figure (visited, assessed for hardship) month by month, kept by the
-- beneficiaries projection, so that a count of distinct beneficiaries over whole months reads a row
-- per beneficiary and month. The projection is rebuilt to fill it.
CREATE TABLE monthly_beneficiaries (
    figure         TEXT NOT NULL,
    month          TEXT NOT NULL,
    beneficiary_id TEXT NOT NULL,
    PRIMARY KEY (figure, month, beneficiary_id)
);
DELETE FROM beneficiaries;
DELETE FROM visits;
DELETE FROM concerns;
DELETE FROM hardship_assessments;
DELETE FROM pairings;
DELETE FROM daily_totals WHERE projection = 'beneficiaries';
UPDATE projection_checkpoints SET position = 0 WHERE name = 'beneficiaries';
