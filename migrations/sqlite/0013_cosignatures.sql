-- The witnesses' cosignatures of the log's checkpoints: one row per (checkpoint tree size, witness
-- key id), holding the cosignature line exactly as the witness answered it (C2SP tlog-cosignature),
-- the witness's verifier key, and when the log received it (RFC 3339 UTC). Rows are never updated
-- or deleted: GET /v1/checkpoint appends the lines of its size to the checkpoint note.
CREATE TABLE cosignatures (
    tree_size    BIGINT NOT NULL,
    key_id       TEXT   NOT NULL,
    witness_key  TEXT   NOT NULL,
    line         TEXT   NOT NULL,
    recorded_at  TEXT   NOT NULL,
    PRIMARY KEY (tree_size, key_id)
);

CREATE TRIGGER cosignatures_refuse_update BEFORE UPDATE ON cosignatures
BEGIN
    SELECT RAISE(ABORT, 'cosignatures is append-only: UPDATE is refused');
END;

CREATE TRIGGER cosignatures_refuse_delete BEFORE DELETE ON cosignatures
BEGIN
    SELECT RAISE(ABORT, 'cosignatures is append-only: DELETE is refused');
END;

CREATE TRIGGER cosignatures_refuse_replace BEFORE INSERT ON cosignatures
WHEN EXISTS (SELECT 1 FROM cosignatures WHERE tree_size = NEW.tree_size AND key_id = NEW.key_id)
BEGIN
    SELECT RAISE(ABORT, 'cosignatures is append-only: an INSERT over an existing row (REPLACE, upsert) is refused');
END;
