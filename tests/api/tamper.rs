//! The database refuses edits to the log, and an edit made behind the server's back (trigger
//! dropped) is found by verification at exactly that position.

use aidledger_tests::data::*;
use aidledger_tests::{new_stream, TestApp, Who};
use serde_json::json;

#[tokio::test]
async fn the_database_refuses_update_and_delete_on_events() {
    let app = TestApp::spawn().await;
    let (stream, _) = new_stream("activity");
    app.must_append(Who::Staff, &stream, "ActivityHeld", activity_held()).await;
    let pool = aidledger_server::db::Database::open(&app.database_url).await.unwrap().pool;
    let update = sqlx::query("UPDATE events SET body = replace(body, '56', '57')").execute(&pool).await;
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = sqlx::query("DELETE FROM events").execute(&pool).await;
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    assert_eq!(app.all_records().await.len(), 1);
}

#[tokio::test]
async fn a_row_edited_behind_the_servers_back_fails_verification_at_that_position() {
    let app = TestApp::spawn().await;
    let (stream, _) = new_stream("beneficiary");
    app.must_append(Who::Staff, &stream, "BeneficiaryRegistered", beneficiary_registered("冯淑英")).await;
    for _ in 0..4 {
        app.must_append(Who::Staff, &stream, "VisitRecorded", visit("zhao.min")).await;
    }
    let pool = aidledger_server::db::Database::open(&app.database_url).await.unwrap().pool;
    let drop_trigger = if app.database.is_postgres() {
        "ALTER TABLE events DISABLE TRIGGER events_refuse_update_delete"
    } else {
        "DROP TRIGGER events_refuse_update"
    };
    sqlx::query(drop_trigger).execute(&pool).await.unwrap();
    sqlx::query("UPDATE events SET body = replace(body, '\"duration_minutes\":45', '\"duration_minutes\":450') WHERE position = 3")
        .execute(&pool)
        .await
        .unwrap();

    let verify = app.get(Who::Auditor, "/v1/verify").await;
    assert_eq!(verify.body["ok"], json!(false), "{}", verify.text);
    assert_eq!(verify.body["first_bad_position"], json!(3));
    assert_eq!(verify.body["checked"], json!(2));
}
