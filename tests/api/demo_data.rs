//! Over the synthetic city of `aidledger demo`: the summary equals a naive fold over the raw log,
//! rebuilt projections equal incremental ones, and analysts never receive a personal field.

use std::collections::BTreeSet;

use aidledger_tests::{TestApp, Who};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::naive;

/// How many events the demo city holds.
pub(crate) const DEMO_EVENTS: u64 = 3000;

/// A server over the demo city of [`DEMO_EVENTS`] events.
pub(crate) async fn demo_app() -> TestApp {
    let app = TestApp::spawn().await;
    let outcome = aidledger_demo::generate(&app.store, DEMO_EVENTS, 42, 2022, |_| {}).await.unwrap();
    assert_eq!(outcome.events, DEMO_EVENTS);
    app
}

#[tokio::test]
async fn the_demo_summary_equals_a_naive_fold_over_every_record() {
    let app = demo_app().await;
    let records = app.all_records().await;
    assert_eq!(records.len() as u64, DEMO_EVENTS);
    for (from, to, district) in [
        ("2022-01-01", "2023-01-01", None),
        ("2022-04-01", "2022-07-01", None),
        ("2022-01-01", "2023-01-01", Some("鼓楼区")),
        ("2022-11-15", "2022-12-01", Some("江宁区")),
    ] {
        let mut path = format!("/v1/reports/summary?from={from}&to={to}");
        if let Some(district) = district {
            path.push_str(&format!("&district={district}"));
        }
        let served = app.get(Who::Analyst, &path).await;
        assert_eq!(served.status, StatusCode::OK, "{}", served.text);
        let expected = naive::summary(&records, from, to, district);
        assert_eq!(served.body["figures"], Value::Object(expected), "{from}..{to} {district:?}");
    }
    let year = app.get(Who::Analyst, "/v1/reports/summary?from=2022-01-01&to=2023-01-01").await;
    for figure in [
        "visits_total",
        "concerns_raised",
        "disbursements_paid",
        "volunteer_entries",
        "suggestions_submitted",
    ] {
        assert!(year.body["figures"][figure].as_i64().unwrap() > 0, "the demo city has {figure}");
    }
}

#[tokio::test]
async fn the_per_day_totals_give_the_same_figures_as_the_rows_for_any_period() {
    let app = demo_app().await;
    app.get(Who::Admin, "/v1/reports/summary?from=2022-01-01&to=2023-01-01").await;
    let pool = aidledger_server::db::Database::open(&app.database_url).await.unwrap().pool;
    let mut periods = vec![
        ("2022-01-01".to_owned(), "2023-01-01".to_owned()),
        ("2021-06-01".to_owned(), "2022-02-10".to_owned()),
        ("2022-12-31".to_owned(), "2024-01-01".to_owned()),
        ("2022-03-17".to_owned(), "2022-03-18".to_owned()),
    ];
    for month in 1..=12 {
        let next = if month == 12 { "2023-01-01".to_owned() } else { format!("2022-{:02}-01", month + 1) };
        periods.push((format!("2022-{month:02}-01"), next));
    }
    for (from, to) in periods {
        let period = projections::queries::Period::parse(&from, &to).unwrap();
        let query = projections::queries::summary::SummaryQuery { period, district: None, currency: None };
        let from_days = projections::queries::summary::summary(&pool, &query).await.unwrap();
        let from_rows = projections::queries::summary::summary_over_rows(&pool, &query).await.unwrap();
        assert_eq!(from_days.figures, from_rows, "{from}..{to}");
    }
}

/// Every row of every projection's tables and of the per-day totals, as text, in key order.
pub(crate) async fn dump_projection_tables(app: &TestApp) -> Vec<String> {
    let pool = aidledger_server::db::Database::open(&app.database_url).await.unwrap().pool;
    let mut dump = Vec::new();
    for projection in projections::ProjectionName::ALL {
        for table in projection.tables() {
            let columns_sql = if app.database.is_postgres() {
                format!(
                    "SELECT CAST(column_name AS TEXT) FROM information_schema.columns WHERE table_name = '{table}' \
                     ORDER BY ordinal_position"
                )
            } else {
                format!("SELECT name FROM pragma_table_info('{table}')")
            };
            let columns: Vec<(String,)> = sqlx::query_as(&columns_sql).fetch_all(&pool).await.unwrap();
            let concat: Vec<String> =
                columns.iter().map(|(c,)| format!("COALESCE(CAST({c} AS TEXT), 'NULL')")).collect();
            let sql = format!("SELECT {} FROM {table} ORDER BY 1", concat.join(" || '|' || "));
            let rows: Vec<(String,)> = sqlx::query_as(&sql).fetch_all(&pool).await.unwrap();
            dump.push(format!("{table}: {} rows", rows.len()));
            dump.extend(rows.into_iter().map(|(row,)| format!("{table}: {row}")));
        }
    }
    let sql =
        "SELECT projection || '|' || figure || '|' || day || '|' || CAST(total AS TEXT) FROM daily_totals \
               ORDER BY 1";
    let totals: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&pool).await.unwrap();
    assert!(totals.len() > 100, "the per-day totals hold the demo");
    dump.extend(totals.into_iter().map(|(row,)| format!("daily_totals: {row}")));
    dump
}

#[tokio::test]
async fn rebuilt_projections_equal_the_incremental_ones() {
    let app = demo_app().await;
    app.get(Who::Admin, "/v1/reports/summary?from=2022-01-01&to=2023-01-01").await;
    let incremental = dump_projection_tables(&app).await;
    assert!(incremental.len() > DEMO_EVENTS as usize / 2, "the read models hold the demo");
    for projection in projections::ProjectionName::ALL {
        let path = format!("/v1/projections/{projection}/rebuild");
        let answer = app.request(Method::POST, &path, Some(Who::Admin), None).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    }
    assert_eq!(dump_projection_tables(&app).await, incremental);
}

/// Every personal value of the demo's beneficiaries and disbursements (names, phones, free text), as
/// the audit trails open them for an auditor.
async fn personal_values(app: &TestApp, records: &[Value]) -> BTreeSet<String> {
    let mut values = BTreeSet::new();
    for record in records.iter().filter(|r| r["version"] == 1) {
        let stream = record["stream"].as_str().unwrap();
        let path = match stream.split_once('-') {
            Some(("beneficiary", id)) => format!("/v1/audit/beneficiaries/{id}"),
            Some(("disbursement", id)) => format!("/v1/audit/disbursements/{id}"),
            _ => continue,
        };
        let trail = app.get(Who::Auditor, &path).await;
        for entry in trail.body["records"].as_array().unwrap() {
            for value in entry["personal"].as_object().into_iter().flat_map(|fields| fields.values()) {
                values.insert(value.as_str().expect("opened for an auditor").to_owned());
            }
        }
    }
    values
}

#[tokio::test]
async fn an_analyst_never_receives_a_personal_field() {
    let app = demo_app().await;
    let records = app.all_records().await;
    let personal = personal_values(&app, &records).await;
    assert!(personal.len() > 50, "the demo has names, phones and free text: {}", personal.len());

    let mut paths = vec![
        "/v1/reports/summary?from=2022-01-01&to=2023-01-01".to_string(),
        "/v1/reports/summary?from=2022-01-01&to=2023-01-01&format=csv".to_string(),
        "/v1/projections".to_string(),
    ];
    for figure in projections::figure::Figure::REPORTED {
        paths.push(format!("/v1/reports/summary/trace?figure={figure}&from=2022-01-01&to=2023-01-01"));
    }
    for tally in projections::queries::tallies::TallyName::ALL {
        for group_by in tally.group_bys() {
            paths.push(format!("/v1/tallies/{tally}?group_by={group_by}"));
            paths.push(format!("/v1/tallies/{tally}?group_by={group_by}&format=csv"));
        }
    }
    for record in records.iter().filter(|r| r["type"] == "FundOpened") {
        let fund = record["stream"].as_str().unwrap().trim_start_matches("fund-");
        paths.push(format!("/v1/funds/{fund}"));
    }
    for path in &paths {
        let answer = app.get(Who::Analyst, path).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.text);
        for value in &personal {
            assert!(!answer.text.contains(value.as_str()), "{path} leaked {value:?}");
        }
    }

    let beneficiary = records.iter().find(|r| r["type"] == "BeneficiaryRegistered").unwrap();
    let beneficiary_id = beneficiary["stream"].as_str().unwrap().trim_start_matches("beneficiary-");
    let disbursement = records.iter().find(|r| r["type"] == "DisbursementRequested").unwrap();
    let disbursement_id = disbursement["stream"].as_str().unwrap().trim_start_matches("disbursement-");
    for refused in [
        "/v1/events".to_string(),
        "/v1/events/1".to_string(),
        format!("/v1/streams/{}/events", beneficiary["stream"].as_str().unwrap()),
        format!("/v1/audit/beneficiaries/{beneficiary_id}"),
        format!("/v1/audit/disbursements/{disbursement_id}"),
        "/v1/concerns".to_string(),
        "/v1/pairings/overdue".to_string(),
        "/v1/verify".to_string(),
    ] {
        let answer = app.get(Who::Analyst, &refused).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{refused}");
        for value in &personal {
            assert!(!answer.text.contains(value.as_str()), "{refused} leaked {value:?}");
        }
    }
}
