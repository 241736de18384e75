//! `aidledger bench` on a small fresh SQLite database: it exits 0 and prints every figure (no timing
//! is checked), and it refuses a database that already holds events.

mod common;

use aidledger_bench::table::FIGURE_NAMES;
use common::{aidledger, sqlite_url};

const SMALL: [&str; 7] = ["bench", "--events", "300", "--batch", "10", "--clients", "4"];

#[test]
fn bench_prints_every_figure_and_refuses_a_database_with_events() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    let output = aidledger(&url).args(SMALL).output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    for name in FIGURE_NAMES {
        assert!(stdout.lines().any(|line| line.starts_with(name)), "no {name} in:\n{stdout}");
    }

    let again = aidledger(&url).args(SMALL).output().unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("fresh database"));
}
