//! The black-box suite: every test starts a real server on a free port over its own database and
//! talks HTTP with real tokens.

mod append_only;
mod bad_input;
mod bounds;
mod budget;
mod closing;
mod concurrency;
mod console;
mod console_files;
mod console_verify;
mod currencies;
mod demo_data;
mod erasure;
mod feed;
mod forgotten_aid;
mod group_commit;
mod idempotency;
mod import;
mod limits;
mod me;
mod naive;
mod openapi;
mod principals;
mod privacy;
mod proofs;
mod protocol;
mod reads;
mod rebuild;
mod reports;
mod roles;
mod round_trip;
mod rules;
mod scenario;
mod tamper;
mod tokens;
mod verification;
