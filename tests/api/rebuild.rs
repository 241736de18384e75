//! Rebuilding the projections gives exactly the rows the live runner gave, in chunks of any size
//! (so rows stored by one chunk are changed by the next), with every event type in the log, and
//! with appends and the live runner running while it rebuilds.

use std::collections::BTreeSet;

use aidledger_server::db::Database;
use aidledger_server::projector::catch_up;
use aidledger_tests::{new_stream, TestApp, Who};
use domain::EventType;
use projections::ProjectionName;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::demo_data::{demo_app, dump_projection_tables};

/// Appends to the demo city the event types it lacks: a budget adjustment, a forgotten
/// beneficiary and a closed report.
async fn add_the_rare_event_types(app: &TestApp) {
    let records = app.all_records().await;
    let fund =
        records.iter().find(|r| r["type"] == "FundOpened").unwrap()["stream"].as_str().unwrap().to_owned();
    let raise = json!({"delta_minor": 1_000_000, "reason": "追加预算"});
    app.must_append(Who::Staff, &fund, "FundBudgetAdjusted", raise).await;
    let visited = records.iter().rev().find(|r| r["type"] == "VisitRecorded").unwrap();
    let beneficiary_id = visited["stream"].as_str().unwrap().trim_start_matches("beneficiary-").to_owned();
    let body = json!({"reason": "本人依法申请删除个人信息"}).to_string().into_bytes();
    let path = format!("/v1/beneficiaries/{beneficiary_id}/forget");
    let forgotten = app.request(Method::POST, &path, Some(Who::Admin), Some(body)).await;
    assert_eq!(forgotten.status, StatusCode::CREATED, "{}", forgotten.text);
    let close = json!({"from": "2022-01-01", "to": "2022-07-01"}).to_string().into_bytes();
    let closed = app.request(Method::POST, "/v1/reports/close", Some(Who::Supervisor), Some(close)).await;
    assert_eq!(closed.status, StatusCode::CREATED, "{}", closed.text);
}

/// Waits for the live runner to apply everything appended (a query waits for it).
async fn caught_up(app: &TestApp) {
    let answer = app.get(Who::Admin, "/v1/reports/summary?from=2022-01-01&to=2023-01-01").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
}

/// Resets every projection and applies the whole log again in chunks of `events_max`, on a
/// database handle of its own (as a second process would), beside the app's live runner.
async fn rebuild_in_chunks(app: &TestApp, events_max: i64) {
    let database = Database::open(&app.database_url).await.unwrap();
    let mut connection = database.connect_for_projections().await.unwrap();
    for projection in ProjectionName::ALL {
        projections::runner::reset(&mut connection, database.dialect, projection).await.unwrap();
    }
    catch_up(&mut connection, &database, events_max, |_| {}).await.unwrap();
    database.pool.close().await;
}

#[tokio::test]
async fn a_rebuild_in_chunks_of_any_size_gives_the_rows_the_live_runner_gave_for_every_event_type() {
    let app = demo_app().await;
    add_the_rare_event_types(&app).await;
    let types: BTreeSet<String> =
        app.all_records().await.iter().map(|r| r["type"].as_str().unwrap().to_owned()).collect();
    for event_type in EventType::ALL {
        assert!(types.contains(event_type.as_str()), "the log holds a {}", event_type.as_str());
    }
    caught_up(&app).await;
    let live = dump_projection_tables(&app).await;
    assert!(
        live.iter().any(|row| row.starts_with("beneficiaries: ") && row.ends_with("|1")),
        "one is forgotten"
    );

    for events_max in [97, 1000, projections::runner::REBUILD_CHUNK_EVENTS] {
        rebuild_in_chunks(&app, events_max).await;
        assert_eq!(dump_projection_tables(&app).await, live, "rebuilt in chunks of {events_max}");
    }
}

#[tokio::test]
async fn a_rebuild_while_appends_run_applies_every_event_exactly_once() {
    let app = demo_app().await;
    let records = app.all_records().await;
    let beneficiaries: Vec<String> = records
        .iter()
        .filter(|r| r["type"] == "BeneficiaryRegistered")
        .map(|r| r["stream"].as_str().unwrap().to_owned())
        .take(20)
        .collect();
    let appends = async {
        for round in 0..15 {
            for beneficiary in &beneficiaries {
                let visit = json!({"visit_kind": "phone", "staff": "李伟", "duration_minutes": 10 + round});
                app.must_append(Who::Staff, beneficiary, "VisitRecorded", visit).await;
            }
            let (stream, _) = new_stream("activity");
            let held =
                json!({"kind": "lecture", "title": "防诈骗讲座", "date": "2022-05-01", "attendees": round});
            app.must_append(Who::Staff, &stream, "ActivityHeld", held).await;
        }
    };
    // Two rebuilds one after the other while the appends run, so that at least one overlaps them.
    let rebuilds = async {
        rebuild_in_chunks(&app, 113).await;
        rebuild_in_chunks(&app, 113).await;
    };
    tokio::join!(appends, rebuilds);
    caught_up(&app).await;
    let after = dump_projection_tables(&app).await;
    let visits = after.iter().find(|row| row.starts_with("visits: ") && row.ends_with(" rows")).unwrap();
    let expected = records.iter().filter(|r| r["type"] == "VisitRecorded").count() + 15 * beneficiaries.len();
    assert_eq!(visits, &format!("visits: {expected} rows"));

    rebuild_in_chunks(&app, projections::runner::REBUILD_CHUNK_EVENTS).await;
    assert_eq!(dump_projection_tables(&app).await, after, "a quiet rebuild gives the same rows");
}
