-- One data key per subject (a beneficiary, a volunteer, a fund, a suggestion), wrapped by the master
-- key that lives outside the database. Personal fields are sealed with their subject's key; erasing a
-- person destroys the key (`wrapped_key` becomes NULL), after which their fields cannot be opened by
-- anyone while every record, hash and proof stays as it was. This table is the one place where
-- forgetting happens, so it is not append-only.
CREATE TABLE subject_keys (
    subject       TEXT PRIMARY KEY,
    wrapped_key   TEXT,
    created_at    TEXT NOT NULL,
    forgotten_at  TEXT,
    forgotten_by  TEXT,
    forget_reason TEXT
);
