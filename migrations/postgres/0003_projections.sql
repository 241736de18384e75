-- Read models. Each projection owns its tables and one checkpoint row; they are rebuilt from the
-- log at will and hold no personal fields (names, phones and free text stay in the records).
CREATE TABLE projection_checkpoints (
    name     TEXT PRIMARY KEY,
    position BIGINT NOT NULL
);
INSERT INTO projection_checkpoints (name, position) VALUES
    ('beneficiaries', 0), ('disbursements', 0), ('volunteers', 0), ('activities', 0), ('suggestions', 0);

-- beneficiaries
CREATE TABLE beneficiaries (
    beneficiary_id      TEXT PRIMARY KEY,
    district            TEXT NOT NULL,
    category            TEXT NOT NULL,
    party_member        BIGINT NOT NULL,
    registered_position BIGINT NOT NULL,
    registered_on       TEXT NOT NULL,
    forgotten           BIGINT NOT NULL
);
CREATE TABLE visits (
    position         BIGINT PRIMARY KEY,
    beneficiary_id   TEXT NOT NULL,
    visit_kind       TEXT NOT NULL,
    staff            TEXT NOT NULL,
    duration_minutes BIGINT NOT NULL,
    occurred_on      TEXT NOT NULL
);
CREATE INDEX visits_by_date ON visits (occurred_on);
CREATE INDEX visits_by_beneficiary ON visits (beneficiary_id, occurred_on);
CREATE TABLE concerns (
    beneficiary_id    TEXT NOT NULL,
    concern_id        TEXT NOT NULL,
    category          TEXT NOT NULL,
    raised_position   BIGINT NOT NULL,
    raised_on         TEXT NOT NULL,
    resolved_position BIGINT,
    resolved_on       TEXT,
    on_site           BIGINT,
    PRIMARY KEY (beneficiary_id, concern_id)
);
CREATE INDEX concerns_by_raised ON concerns (raised_on);
CREATE INDEX concerns_by_resolved ON concerns (resolved_on);
CREATE TABLE hardship_assessments (
    position       BIGINT PRIMARY KEY,
    beneficiary_id TEXT NOT NULL,
    cause          TEXT NOT NULL,
    severity       BIGINT NOT NULL,
    occurred_on    TEXT NOT NULL
);
CREATE INDEX hardship_by_date ON hardship_assessments (occurred_on);
CREATE TABLE pairings (
    beneficiary_id    TEXT PRIMARY KEY,
    staff             TEXT NOT NULL,
    call_every_days   BIGINT NOT NULL,
    visit_every_days  BIGINT NOT NULL,
    assigned_position BIGINT NOT NULL,
    assigned_on       TEXT NOT NULL
);

-- disbursements
CREATE TABLE funds (
    fund_id              TEXT PRIMARY KEY,
    name                 TEXT NOT NULL,
    currency             TEXT NOT NULL,
    year                 BIGINT,
    opened_position      BIGINT NOT NULL,
    opening_budget_minor BIGINT NOT NULL,
    adjustments_minor    BIGINT NOT NULL,
    requested_minor      BIGINT NOT NULL,
    approved_minor       BIGINT NOT NULL,
    paid_minor           BIGINT NOT NULL,
    reversed_minor       BIGINT NOT NULL
);
CREATE TABLE disbursements (
    disbursement_id    TEXT PRIMARY KEY,
    beneficiary_id     TEXT NOT NULL,
    fund_id            TEXT NOT NULL,
    form               TEXT NOT NULL,
    amount_minor       BIGINT NOT NULL,
    currency           TEXT NOT NULL,
    status             TEXT NOT NULL,
    requested_position BIGINT NOT NULL,
    requested_on       TEXT NOT NULL,
    requested_by       TEXT NOT NULL,
    decided_position   BIGINT,
    decided_by         TEXT,
    paid_position      BIGINT,
    paid_on            TEXT,
    reversed_position  BIGINT,
    reversed_on        TEXT
);
CREATE INDEX disbursements_by_beneficiary ON disbursements (beneficiary_id);
CREATE INDEX disbursements_by_requested ON disbursements (requested_on);
CREATE TABLE disbursement_movements (
    position        BIGINT PRIMARY KEY,
    disbursement_id TEXT NOT NULL,
    movement        TEXT NOT NULL,
    form            TEXT NOT NULL,
    amount_minor    BIGINT NOT NULL,
    occurred_on     TEXT NOT NULL
);
CREATE INDEX movements_by_date ON disbursement_movements (occurred_on);

-- volunteers
CREATE TABLE volunteers (
    volunteer_id      TEXT PRIMARY KEY,
    unit              TEXT,
    enrolled_position BIGINT NOT NULL,
    enrolled_on       TEXT NOT NULL
);
CREATE TABLE volunteer_hours (
    volunteer_id      TEXT NOT NULL,
    entry_id          TEXT NOT NULL,
    activity_kind     TEXT NOT NULL,
    activity_id       TEXT,
    worked_on         TEXT NOT NULL,
    minutes           BIGINT NOT NULL,
    logged_position   BIGINT NOT NULL,
    logged_by         TEXT NOT NULL,
    verified_position BIGINT,
    voided_position   BIGINT,
    voided_on         TEXT,
    PRIMARY KEY (volunteer_id, entry_id)
);
CREATE INDEX hours_by_date ON volunteer_hours (worked_on);

-- activities
CREATE TABLE activities (
    activity_id       TEXT PRIMARY KEY,
    kind              TEXT NOT NULL,
    title             TEXT NOT NULL,
    held_on           TEXT NOT NULL,
    location          TEXT,
    attendees         BIGINT NOT NULL,
    brochures         BIGINT,
    books             BIGINT,
    goods_value_minor BIGINT,
    position          BIGINT NOT NULL
);
CREATE INDEX activities_by_date ON activities (held_on);

-- suggestions
CREATE TABLE suggestions (
    suggestion_id      TEXT PRIMARY KEY,
    topic              TEXT NOT NULL,
    campaign           TEXT,
    status             TEXT NOT NULL,
    submitted_position BIGINT NOT NULL,
    submitted_on       TEXT NOT NULL
);
CREATE INDEX suggestions_by_date ON suggestions (submitted_on);
CREATE TABLE suggestion_steps (
    position      BIGINT PRIMARY KEY,
    suggestion_id TEXT NOT NULL,
    step          TEXT NOT NULL,
    forwarded_to  TEXT,
    occurred_on   TEXT NOT NULL
);
CREATE INDEX suggestion_steps_by_date ON suggestion_steps (occurred_on);
