-- Every key that has signed the log's checkpoints, by its public half only (never the private
-- part), with the tree size it started at: after a rotation the old checkpoints still verify with
-- the key that signed them. Rows are never updated or deleted.
CREATE TABLE signing_keys (
    verifier_key TEXT   PRIMARY KEY,
    tree_size    BIGINT NOT NULL,
    recorded_at  TEXT   NOT NULL
);

CREATE TRIGGER signing_keys_refuse_update BEFORE UPDATE ON signing_keys
BEGIN
    SELECT RAISE(ABORT, 'signing_keys is append-only: UPDATE is refused');
END;

CREATE TRIGGER signing_keys_refuse_delete BEFORE DELETE ON signing_keys
BEGIN
    SELECT RAISE(ABORT, 'signing_keys is append-only: DELETE is refused');
END;
