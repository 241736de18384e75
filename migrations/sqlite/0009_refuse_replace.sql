-- REPLACE, INSERT OR REPLACE and an upsert's DO UPDATE over an existing row of an append-only table
-- are refused, as UPDATE and DELETE are. REPLACE resolves a uniqueness conflict by deleting the row
-- in the way, and SQLite fires no DELETE trigger for that unless `recursive_triggers` is on, which a
-- connection of anyone else's (the sqlite3 shell's, say) does not have: without these, such a row
-- could be swapped for another.
--
-- Each trigger runs before a row is inserted and does anything only when a row with one of the new
-- row's keys (its primary key or a unique column) exists already, which the insert would find
-- anyway: an append of new rows pays a probe of indexes it is about to write to, nothing more. A
-- plain INSERT of a duplicate is refused here rather than by the unique index, with a message that
-- says so; either way the statement fails and the transaction stays as it was before it.
CREATE TRIGGER events_refuse_replace BEFORE INSERT ON events
WHEN EXISTS (SELECT 1 FROM events WHERE position = NEW.position)
  OR EXISTS (SELECT 1 FROM events WHERE id = NEW.id)
  OR EXISTS (SELECT 1 FROM events WHERE stream = NEW.stream AND version = NEW.version)
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: an INSERT over an existing row (REPLACE, upsert) is refused');
END;

CREATE TRIGGER merkle_nodes_refuse_replace BEFORE INSERT ON merkle_nodes
WHEN EXISTS (SELECT 1 FROM merkle_nodes WHERE level = NEW.level AND node_index = NEW.node_index)
BEGIN
    SELECT RAISE(ABORT, 'merkle nodes are append-only: an INSERT over an existing row (REPLACE, upsert) is refused');
END;

CREATE TRIGGER checkpoints_refuse_replace BEFORE INSERT ON checkpoints
WHEN EXISTS (SELECT 1 FROM checkpoints WHERE tree_size = NEW.tree_size)
BEGIN
    SELECT RAISE(ABORT, 'checkpoints are append-only: an INSERT over an existing row (REPLACE, upsert) is refused');
END;
