-- The log. One row per record; `body` is the record's canonical JSON without `hash`, byte for byte as
-- hashed, and is what every read serves. Rows are never updated or deleted.
CREATE TABLE events (
    position INTEGER PRIMARY KEY,
    stream   TEXT    NOT NULL,
    version  INTEGER NOT NULL,
    id       TEXT    NOT NULL,
    type     TEXT    NOT NULL,
    body     TEXT    NOT NULL,
    hash     TEXT    NOT NULL,
    CONSTRAINT events_stream_version UNIQUE (stream, version),
    CONSTRAINT events_id UNIQUE (id)
);

CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: UPDATE is refused');
END;

CREATE TRIGGER events_refuse_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: DELETE is refused');
END;
