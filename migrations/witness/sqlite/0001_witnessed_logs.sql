-- The witness's state: for each log it witnesses (by origin), the latest checkpoint it cosigned.
-- A submission replaces it only by a compare-and-swap on the size and root it was checked against,
-- so that two submissions checked against the same state cannot both win. `root` is lowercase hex;
-- `note` is the checkpoint as submitted; `cosigned_at` is the POSIX time of the cosignature.
CREATE TABLE witnessed_logs (
    origin      TEXT   PRIMARY KEY,
    tree_size   BIGINT NOT NULL,
    root        TEXT   NOT NULL,
    note        TEXT   NOT NULL,
    cosigned_at BIGINT NOT NULL
);

-- A log's cosigned size never goes down.
CREATE TRIGGER witnessed_logs_never_shrink BEFORE UPDATE ON witnessed_logs
WHEN NEW.tree_size < OLD.tree_size OR NEW.origin <> OLD.origin
BEGIN
    SELECT RAISE(ABORT, 'witnessed_logs: a cosigned size never goes down');
END;
