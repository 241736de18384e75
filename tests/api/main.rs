//! The black-box suite: every test starts a real server on a free port over its own database and
//! talks HTTP with real tokens.

mod bad_input;
mod bounds;
mod budget;
mod concurrency;
mod console;
mod console_files;
mod currencies;
mod demo_data;
mod forgotten_aid;
mod group_commit;
mod idempotency;
mod limits;
mod me;
mod naive;
mod openapi;
mod privacy;
mod proofs;
mod reads;
mod reports;
mod roles;
mod round_trip;
mod rules;
mod scenario;
mod tamper;
mod tokens;
mod verification;
