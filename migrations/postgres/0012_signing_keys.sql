-- Every key that has signed the log's checkpoints, by its public half only (never the private
-- part), with the tree size it started at: after a rotation the old checkpoints still verify with
-- the key that signed them. Rows are never updated or deleted.
CREATE TABLE signing_keys (
    verifier_key TEXT   PRIMARY KEY,
    tree_size    BIGINT NOT NULL,
    recorded_at  TEXT   NOT NULL
);

CREATE TRIGGER signing_keys_refuse_update_delete BEFORE UPDATE OR DELETE ON signing_keys
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER signing_keys_refuse_truncate BEFORE TRUNCATE ON signing_keys
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
ALTER TABLE signing_keys ENABLE ALWAYS TRIGGER signing_keys_refuse_update_delete;
ALTER TABLE signing_keys ENABLE ALWAYS TRIGGER signing_keys_refuse_truncate;
