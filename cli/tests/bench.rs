//! `aidledger bench` on a small fresh database (SQLite, or PostgreSQL when the environment names a
//! server): it exits 0 and prints every figure with a measured value, each append beside the plain
//! inserts it is bound by (no timing is checked), and it refuses a database that already holds events.

mod common;

use aidledger_bench::table::FIGURE_NAMES;
use aidledger_test_support::TestDatabase;
use common::aidledger;

const SMALL: [&str; 7] = ["bench", "--events", "300", "--batch", "10", "--clients", "4"];

/// The printed row of `name`.
fn row<'a>(stdout: &'a str, name: &str) -> &'a str {
    let found = stdout.lines().find(|line| line.split_whitespace().next() == Some(name));
    found.unwrap_or_else(|| panic!("no {name} in:\n{stdout}"))
}

#[tokio::test]
async fn bench_prints_every_figure_and_refuses_a_database_with_events() {
    let database = TestDatabase::create().await;
    let output = aidledger(&database.url).args(SMALL).output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    for name in FIGURE_NAMES {
        let value = row(&stdout, name).split_whitespace().nth(1).unwrap();
        let measured = value != "n/a" || name == "audit_trail_p99";
        assert!(measured, "{name} was not measured:\n{stdout}");
    }
    let plain = if database.is_postgres() { "plain INSERTs" } else { "plain SQLite" };
    for (name, transactions) in [
        ("append_batched", "10 rows a transaction"),
        ("http_append_batched", "300 rows a transaction"),
        ("http_append", "one row a transaction"),
    ] {
        let bound = format!("({plain}, {transactions})");
        assert!(row(&stdout, name).contains(&bound), "{name} is not bound by {bound}:\n{stdout}");
    }

    let again = aidledger(&database.url).args(SMALL).output().unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("fresh database"));
}
