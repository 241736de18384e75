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

CREATE TRIGGER fund_movements_refuse_update BEFORE UPDATE ON fund_movements
BEGIN
    SELECT RAISE(ABORT, 'fund_movements is append-only: UPDATE is refused');
END;

CREATE TRIGGER fund_movements_refuse_delete BEFORE DELETE ON fund_movements
BEGIN
    SELECT RAISE(ABORT, 'fund_movements is append-only: DELETE is refused');
END;

-- As for the log (0009): REPLACE and upserts over an existing row are refused too.
CREATE TRIGGER fund_movements_refuse_replace BEFORE INSERT ON fund_movements
WHEN EXISTS (SELECT 1 FROM fund_movements WHERE position = NEW.position)
BEGIN
    SELECT RAISE(ABORT, 'fund_movements is append-only: an INSERT over an existing row (REPLACE, upsert) is refused');
END;

INSERT INTO fund_movements (position, fund_id, committed_minor, paid_minor)
SELECT e.position,
       json_extract(r.body, '$.data.fund_id'),
       CASE e.type WHEN 'DisbursementApproved' THEN json_extract(r.body, '$.data.amount_minor')
                   WHEN 'DisbursementReversed' THEN -json_extract(r.body, '$.data.amount_minor')
                   ELSE 0 END,
       CASE e.type WHEN 'DisbursementPaid' THEN json_extract(r.body, '$.data.amount_minor')
                   WHEN 'DisbursementReversed' THEN -json_extract(r.body, '$.data.amount_minor')
                   ELSE 0 END
FROM events e
JOIN events r ON r.stream = e.stream AND r.version = 1
WHERE e.type IN ('DisbursementApproved', 'DisbursementPaid', 'DisbursementReversed');
