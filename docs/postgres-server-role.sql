-- A least-privilege PostgreSQL role for `aidledger serve --no-migrate`. Run it as the owner of the
-- schema after `aidledger migrate`, setting a password of your own. The server may only add to the
-- log (INSERT and SELECT on events, Merkle nodes, checkpoints, the keys that signed them and the
-- witnesses' cosignatures of them); it
-- keeps its read models and tokens; it can neither change nor remove a record, nor run DDL.
CREATE ROLE aidledger_server LOGIN PASSWORD 'change-me';
GRANT USAGE ON SCHEMA public TO aidledger_server;
GRANT SELECT, INSERT ON events, merkle_nodes, checkpoints, fund_movements, signing_keys, cosignatures
    TO aidledger_server;
GRANT SELECT, INSERT, UPDATE ON tokens TO aidledger_server;
-- Subject keys are created on first use and destroyed (set to NULL) when a person is forgotten.
GRANT SELECT, INSERT, UPDATE ON subject_keys TO aidledger_server;
GRANT USAGE ON SEQUENCE tokens_id_seq TO aidledger_server;
GRANT SELECT, UPDATE ON projection_checkpoints TO aidledger_server;
GRANT SELECT, INSERT, UPDATE, DELETE ON
    beneficiaries, visits, concerns, hardship_assessments, pairings,
    funds, disbursements, disbursement_movements,
    volunteers, volunteer_hours, activities, suggestions, suggestion_steps, daily_totals,
    beneficiary_marks
    TO aidledger_server;
