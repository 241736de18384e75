-- The Merkle tree over the records' hashes (RFC 9162), kept as it grows: one row per perfect subtree
-- (the 2^level leaves from node_index * 2^level on), written in the same transaction as the record
-- that completes it. `hash` is lowercase hex; level 0 holds the leaf hashes SHA-256(0x00 || record
-- hash). Any root or proof needs only O(log n) of these rows. Rows are never updated or deleted.
CREATE TABLE merkle_nodes (
    level      BIGINT  NOT NULL,
    node_index BIGINT  NOT NULL,
    hash       TEXT    NOT NULL,
    PRIMARY KEY (level, node_index)
);

CREATE TRIGGER merkle_nodes_refuse_update_delete BEFORE UPDATE OR DELETE ON merkle_nodes
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER merkle_nodes_refuse_truncate BEFORE TRUNCATE ON merkle_nodes
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Every signed checkpoint, kept so that an auditor can ask for the one at any size it saw. `root` is
-- lowercase hex; `note` is the signed note exactly as served; `signed_at` is RFC 3339 UTC.
CREATE TABLE checkpoints (
    tree_size BIGINT PRIMARY KEY,
    root      TEXT NOT NULL,
    note      TEXT NOT NULL,
    signed_at TEXT NOT NULL
);

CREATE TRIGGER checkpoints_refuse_update_delete BEFORE UPDATE OR DELETE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER checkpoints_refuse_truncate BEFORE TRUNCATE ON checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
