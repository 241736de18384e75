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

CREATE TRIGGER cosignatures_refuse_update_delete BEFORE UPDATE OR DELETE ON cosignatures
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER cosignatures_refuse_truncate BEFORE TRUNCATE ON cosignatures
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
ALTER TABLE cosignatures ENABLE ALWAYS TRIGGER cosignatures_refuse_update_delete;
ALTER TABLE cosignatures ENABLE ALWAYS TRIGGER cosignatures_refuse_truncate;
