-- The closed reports, found among the log's records without a scan: a partial index holds only the
-- `ReportClosed` records, so every other append writes nothing more than before.
CREATE INDEX events_closed_reports ON events (position) WHERE type = 'ReportClosed';
