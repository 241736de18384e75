-- What each approval, payment and reversal moved in its fund's budget, written by the writer in the
-- append's own transaction, so that a rule can ask what a fund has committed (approved and not
-- reversed) and paid (not reversed) without folding every disbursement. Rows are never updated or
-- deleted. Filled here from the disbursements already recorded.
CREATE TABLE fund_movements (
    position        BIGINT PRIMARY KEY,
    fund_id         TEXT   NOT NULL,
    committed_minor BIGINT NOT NULL,
    paid_minor      BIGINT NOT NULL
);
CREATE INDEX fund_movements_by_fund ON fund_movements (fund_id);

CREATE TRIGGER fund_movements_refuse_update_delete BEFORE UPDATE OR DELETE ON fund_movements
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER fund_movements_refuse_truncate BEFORE TRUNCATE ON fund_movements
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
-- As for the log (0009): in every session, a replica-role one included.
ALTER TABLE fund_movements ENABLE ALWAYS TRIGGER fund_movements_refuse_update_delete;
ALTER TABLE fund_movements ENABLE ALWAYS TRIGGER fund_movements_refuse_truncate;

INSERT INTO fund_movements (position, fund_id, committed_minor, paid_minor)
SELECT e.position,
       r.body::jsonb -> 'data' ->> 'fund_id',
       CASE e.type WHEN 'DisbursementApproved' THEN (r.body::jsonb -> 'data' ->> 'amount_minor')::bigint
                   WHEN 'DisbursementReversed' THEN -(r.body::jsonb -> 'data' ->> 'amount_minor')::bigint
                   ELSE 0 END,
       CASE e.type WHEN 'DisbursementPaid' THEN (r.body::jsonb -> 'data' ->> 'amount_minor')::bigint
                   WHEN 'DisbursementReversed' THEN -(r.body::jsonb -> 'data' ->> 'amount_minor')::bigint
                   ELSE 0 END
FROM events e
JOIN events r ON r.stream = e.stream AND r.version = 1
WHERE e.type IN ('DisbursementApproved', 'DisbursementPaid', 'DisbursementReversed');
