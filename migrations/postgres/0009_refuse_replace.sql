-- PostgreSQL has no REPLACE, and an upsert's DO UPDATE over an existing row fires the row's BEFORE
-- UPDATE triggers (as MERGE fires the UPDATE and DELETE ones), so the triggers of 0001 and 0004
-- already refuse an INSERT over an existing row of the log, the tree or the checkpoints, and TRUNCATE.
-- What they did not cover is a session with `session_replication_role = replica` (as replication and
-- restore tools set it), in which ordinary triggers do not fire: these fire in every session.
ALTER TABLE events ENABLE ALWAYS TRIGGER events_refuse_update_delete;
ALTER TABLE events ENABLE ALWAYS TRIGGER events_refuse_truncate;
ALTER TABLE merkle_nodes ENABLE ALWAYS TRIGGER merkle_nodes_refuse_update_delete;
ALTER TABLE merkle_nodes ENABLE ALWAYS TRIGGER merkle_nodes_refuse_truncate;
ALTER TABLE checkpoints ENABLE ALWAYS TRIGGER checkpoints_refuse_update_delete;
ALTER TABLE checkpoints ENABLE ALWAYS TRIGGER checkpoints_refuse_truncate;

COMMENT ON TABLE events IS 'The log: append-only (UPDATE, DELETE, TRUNCATE and upserts over a row are refused).';
COMMENT ON TABLE merkle_nodes IS 'The Merkle tree''s nodes: append-only, as the log is.';
COMMENT ON TABLE checkpoints IS 'Every signed checkpoint: append-only, as the log is.';
