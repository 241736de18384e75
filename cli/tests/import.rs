//! `aidledger import`: a spreadsheet's rows appended as the token's holder would append them, all
//! in one transaction or none, on SQLite and (when the environment names a server) PostgreSQL.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use aidledger_test_support::TestDatabase;
use common::{aidledger_with_key, key_path};

fn run(database: &TestDatabase, args: &[&str]) -> Output {
    aidledger_with_key(&database.url, &key_path(database.dir())).args(args).output().unwrap()
}

/// A database with its signing key (for exports) and a token of `role`.
async fn ledger(role: &str) -> (TestDatabase, String) {
    let database = TestDatabase::create().await;
    let made = run(&database, &["keygen"]);
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let token = token(&database, role, "zhao.min");
    (database, token)
}

fn token(database: &TestDatabase, role: &str, name: &str) -> String {
    let created = run(database, &["token", "create", "--role", role, "--name", name]);
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    String::from_utf8(created.stdout).unwrap().lines().last().unwrap().to_owned()
}

fn file(database: &TestDatabase, name: &str, bytes: &[u8]) -> PathBuf {
    let path = database.dir().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn import(database: &TestDatabase, path: &Path, event_type: &str, token: &str, more: &[&str]) -> Output {
    let path = path.to_str().unwrap();
    let mut args = vec!["import", path, "--type", event_type, "--token", token];
    args.extend_from_slice(more);
    run(database, &args)
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// How many records the log holds, from an export.
fn records(database: &TestDatabase) -> usize {
    let out = database.dir().join("export.jsonl");
    let exported = run(database, &["export", "--out", out.to_str().unwrap()]);
    assert!(exported.status.success(), "{}", String::from_utf8_lossy(&exported.stderr));
    std::fs::read_to_string(out).unwrap().lines().count()
}

const ZHANG: &str = "0190a3b2-0000-7000-8000-000000000001";
const LI: &str = "0190a3b2-0000-7000-8000-000000000002";

#[tokio::test]
async fn a_gb18030_spreadsheet_is_imported_whole_and_a_rerun_appends_nothing() {
    let (database, staff) = ledger("staff").await;
    let registrations = format!(
        "id,name,category,district,party_member,phone\n\
         {ZHANG},张秀英,retired_staff,鼓楼区,是,13800000001\n\
         {LI},李建国,retired_cadre,玄武区,否,\n"
    );
    let gb18030 = encoding_rs::GB18030.encode(&registrations).0.into_owned();
    assert_ne!(gb18030, registrations.as_bytes(), "the file really is GB18030");
    let path = file(&database, "登记.csv", &gb18030);
    let imported = import(&database, &path, "BeneficiaryRegistered", &staff, &["--encoding", "gb18030"]);
    assert!(imported.status.success(), "{}", String::from_utf8_lossy(&imported.stderr));
    assert_eq!(
        stdout(&imported),
        format!("row,stream,position,replayed\n2,beneficiary-{ZHANG},1,false\n3,beneficiary-{LI},2,false\n")
    );

    let visits = format!(
        "stream,id,visit_kind,staff,duration_minutes,summary,occurred_at\n\
         beneficiary-{ZHANG},0190a3b2-0000-7000-8000-0000000000a1,home,zhao.min,45,\"送米面油,\n聊家常\",2022-06-01T10:00:00+08:00\n\
         beneficiary-{LI},0190a3b2-0000-7000-8000-0000000000a2,phone,zhao.min,10,,2022-06-02T09:00:00+08:00\n"
    );
    let path = file(&database, "visits.csv", format!("\u{feff}{visits}").as_bytes());
    let imported = import(&database, &path, "VisitRecorded", &staff, &[]);
    assert!(imported.status.success(), "{}", String::from_utf8_lossy(&imported.stderr));
    assert!(stdout(&imported).ends_with(&format!("3,beneficiary-{LI},4,false\n")), "{}", stdout(&imported));

    let again = import(&database, &path, "VisitRecorded", &staff, &[]);
    assert!(again.status.success());
    assert_eq!(
        stdout(&again),
        format!("row,stream,position,replayed\n2,beneficiary-{ZHANG},3,true\n3,beneficiary-{LI},4,true\n")
    );
    assert_eq!(records(&database), 4, "the re-run appended nothing");

    let report =
        run(&database, &["report", "--from", "2022-01-01", "--to", "2023-01-01", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    assert_eq!(report["figures"]["visits_home"], 1);
    assert_eq!(report["figures"]["visits_phone"], 1);
    assert!(run(&database, &["verify"]).status.success());
}

#[tokio::test]
async fn a_file_with_bad_rows_appends_nothing_and_names_every_bad_row() {
    let (database, staff) = ledger("staff").await;
    let path = file(
        &database,
        "one.csv",
        format!("id,name,category,district,party_member\n{ZHANG},张秀英,retired_staff,鼓楼区,否\n")
            .as_bytes(),
    );
    assert!(import(&database, &path, "BeneficiaryRegistered", &staff, &[]).status.success());

    let visits = format!(
        "stream,visit_kind,staff,duration_minutes\n\
         beneficiary-{ZHANG},home,zhao.min,30\n\
         beneficiary-{ZHANG},home,zhao.min,半小时\n\
         beneficiary-{LI},phone,zhao.min,10\n\
         ,home,zhao.min,10\n\
         beneficiary-{ZHANG},home,zhao.min,2000\n"
    );
    let path = file(&database, "visits.csv", visits.as_bytes());
    for dry_run in [&["--dry-run"][..], &[]] {
        let refused = import(&database, &path, "VisitRecorded", &staff, dry_run);
        assert_eq!(refused.status.code(), Some(1), "{}", String::from_utf8_lossy(&refused.stderr));
        let lines: Vec<String> = stdout(&refused).lines().map(str::to_owned).collect();
        assert_eq!(lines.len(), 4, "{lines:?}");
        assert!(lines[0].starts_with("row 3: duration_minutes: \"半小时\""), "{lines:?}");
        assert!(lines[1].starts_with("row 4: stream_opens_first"), "{lines:?}");
        assert!(lines[2].starts_with("row 5: stream: is required"), "{lines:?}");
        assert!(lines[3].starts_with("row 6: duration_minutes:"), "{lines:?}");
        assert!(
            String::from_utf8_lossy(&refused.stderr).contains("4 of 5 rows are bad; nothing was imported")
        );
    }
    assert_eq!(records(&database), 1, "the good row 2 was not appended either");

    let checked = import(&database, &path, "VisitRecorded", &staff, &["--dry-run"]);
    assert_eq!(checked.status.code(), Some(1));
    let good = file(
        &database,
        "good.csv",
        format!("stream,visit_kind,staff,duration_minutes\nbeneficiary-{ZHANG},home,zhao.min,30\n")
            .as_bytes(),
    );
    let checked = import(&database, &good, "VisitRecorded", &staff, &["--dry-run"]);
    assert!(checked.status.success());
    assert!(String::from_utf8_lossy(&checked.stderr).contains("all 1 rows are good"));
    assert_eq!(records(&database), 1, "a dry run appends nothing");

    let utf8_as_gb18030 = import(&database, &path, "VisitRecorded", &staff, &["--encoding", "gb18030"]);
    assert_eq!(utf8_as_gb18030.status.code(), Some(1));
    assert_eq!(stdout(&utf8_as_gb18030), "row 1: the file is UTF-8, not GB18030: declare UTF-8\n");

    let approvals = file(&database, "approvals.csv", b"stream\n");
    let forbidden = import(&database, &approvals, "DisbursementApproved", &staff, &[]);
    assert_eq!(forbidden.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&forbidden.stderr).contains("may not append DisbursementApproved"));
}

#[tokio::test]
async fn a_file_longer_than_a_chunk_sees_its_own_earlier_rows_in_every_chunk() {
    let (database, staff) = ledger("staff").await;
    let people = format!("id,name,category,district,party_member\n{ZHANG},张秀英,retired_staff,鼓楼区,否\n{LI},李建国,retired_cadre,玄武区,否\n");
    let path = file(&database, "people.csv", people.as_bytes());
    assert!(import(&database, &path, "BeneficiaryRegistered", &staff, &[]).status.success());
    // 1 234 visits to the same two people: every chunk appends to streams the chunks before it left
    // at versions only the import's own transaction holds.
    let mut visits = String::from("stream,visit_kind,staff,duration_minutes,occurred_at\n");
    for n in 0..1234 {
        let person = if n % 2 == 0 { ZHANG } else { LI };
        visits.push_str(&format!(
            "beneficiary-{person},home,zhao.min,{},2022-03-0{}T10:00:00+08:00\n",
            10 + n % 50,
            1 + n % 9
        ));
    }
    let path = file(&database, "visits.csv", visits.as_bytes());
    let imported = import(&database, &path, "VisitRecorded", &staff, &[]);
    assert!(imported.status.success(), "{}", String::from_utf8_lossy(&imported.stderr));
    let landed: Vec<String> = stdout(&imported).lines().skip(1).map(str::to_owned).collect();
    assert_eq!(landed.len(), 1234);
    assert_eq!(landed[1233], format!("1235,beneficiary-{LI},1236,false"));
    assert_eq!(records(&database), 1236);
    assert!(run(&database, &["verify"]).status.success());
}
