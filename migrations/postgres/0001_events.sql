-- The log. One row per record; `body` is the record's canonical JSON without `hash`, byte for byte as
-- hashed (TEXT, never jsonb: jsonb reorders keys), and is what every read serves. Positions are
-- assigned by the single ordered writer under an advisory lock, never by a sequence (sequences leave
-- gaps and commit out of order).
CREATE TABLE events (
    position BIGINT PRIMARY KEY,
    stream   TEXT   NOT NULL,
    version  BIGINT NOT NULL,
    id       TEXT   NOT NULL,
    type     TEXT   NOT NULL,
    body     TEXT   NOT NULL,
    hash     TEXT   NOT NULL,
    CONSTRAINT events_stream_version UNIQUE (stream, version),
    CONSTRAINT events_id UNIQUE (id)
);

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is refused', TG_TABLE_NAME, TG_OP;
END;
$$;

CREATE TRIGGER events_refuse_update_delete BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
-- Row triggers do not fire on TRUNCATE.
CREATE TRIGGER events_refuse_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
