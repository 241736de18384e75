//! Appends that share one group commit each keep their own checks and their own answer, and what the
//! writer remembers between groups is exactly what was committed — also when another writer (another
//! process, on PostgreSQL) appends in between.

use aidledger_server::store::{AppendError, AppendRequest, ExpectedVersion, ProposedEvent};
use aidledger_tests::data::*;
use aidledger_tests::TestApp;
use domain::values::Id;
use domain::{Event, EventType, StreamName};
use serde_json::Value;

fn event(event_type: EventType, data: Value, id: Option<Id>) -> ProposedEvent {
    let event = Event::parse(event_type, &data).expect("valid test data");
    ProposedEvent { id, event, occurred_at: None, correlation_id: None, causation_id: None }
}

fn request(stream: &StreamName, expected: ExpectedVersion, events: Vec<ProposedEvent>) -> AppendRequest {
    AppendRequest {
        stream: stream.clone(),
        expected_version: expected,
        events,
        actor: "zhao.min".to_owned(),
        erasure_reason: None,
    }
}

fn stream(kind: &str) -> (StreamName, String) {
    let id = uuid::Uuid::new_v4().to_string();
    (format!("{kind}-{id}").parse().expect("stream name"), id)
}

fn fresh_id() -> Id {
    Id(uuid::Uuid::new_v4())
}

#[tokio::test]
async fn each_append_of_one_group_is_checked_and_answered_on_its_own() {
    let app = TestApp::spawn().await;
    let (beneficiary, beneficiary_id) = stream("beneficiary");
    let (fund, fund_id) = stream("fund");
    let (disbursement, _) = stream("disbursement");
    let (second_disbursement, _) = stream("disbursement");
    let registered_id = fresh_id();
    let registered =
        event(EventType::BeneficiaryRegistered, beneficiary_registered("郑秀英"), Some(registered_id));

    let results = app
        .store
        .append_each(vec![
            request(&beneficiary, ExpectedVersion::Exactly(0), vec![registered.clone()]),
            request(
                &fund,
                ExpectedVersion::Exactly(0),
                vec![event(EventType::FundOpened, fund_opened(), None)],
            ),
            // Replays the first append of this same group.
            request(&beneficiary, ExpectedVersion::Exactly(0), vec![registered]),
            // Refused at its second event: its first must not land either.
            request(
                &beneficiary,
                ExpectedVersion::Exactly(1),
                vec![
                    event(EventType::VisitRecorded, visit("zhao.min"), None),
                    event(EventType::BeneficiaryRegistered, beneficiary_registered("郑秀英"), None),
                ],
            ),
            // Still at version 1, so this conflicts.
            request(
                &beneficiary,
                ExpectedVersion::Exactly(2),
                vec![event(EventType::VisitRecorded, visit("zhao.min"), None)],
            ),
            // Refers to the beneficiary and the fund opened earlier in the same group.
            request(
                &disbursement,
                ExpectedVersion::Exactly(0),
                vec![event(
                    EventType::DisbursementRequested,
                    cash_requested(&beneficiary_id, &fund_id, 80_000),
                    None,
                )],
            ),
            // Refers to a fund that does not exist.
            request(
                &second_disbursement,
                ExpectedVersion::Any,
                vec![event(
                    EventType::DisbursementRequested,
                    cash_requested(&beneficiary_id, &uuid::Uuid::new_v4().to_string(), 80_000),
                    None,
                )],
            ),
            request(
                &beneficiary,
                ExpectedVersion::Exactly(1),
                vec![event(EventType::VisitRecorded, visit("sun.hua"), None)],
            ),
        ])
        .await;

    let positions: Vec<Option<i64>> =
        results.iter().map(|r| r.as_ref().ok().map(|outcome| outcome.events[0].position)).collect();
    assert_eq!(positions, [Some(1), Some(2), Some(1), None, None, Some(3), None, Some(4)]);
    assert!(results[2].as_ref().is_ok_and(|outcome| outcome.replayed));
    assert!(
        matches!(&results[3], Err(AppendError::Rule { index: 1, breach }) if breach.rule == "stream_opened_once"),
        "{:?}",
        results[3]
    );
    assert!(
        matches!(results[4], Err(AppendError::VersionConflict { current_version: 1 })),
        "{:?}",
        results[4]
    );
    assert!(matches!(&results[6], Err(AppendError::Rule { breach, .. }) if breach.rule == "fund_exists"));
    assert_eq!(results[7].as_ref().map(|outcome| outcome.next_expected_version).ok(), Some(2));

    let records = app.all_records().await;
    assert_eq!(records.len(), 4, "only the accepted appends are in the log");
    assert!(app.store.verify().await.expect("verify").ok);

    // The next group starts from what was committed: the refused appends left nothing behind.
    let next = app
        .store
        .append(request(
            &beneficiary,
            ExpectedVersion::Exactly(2),
            vec![event(EventType::VisitRecorded, visit("zhao.min"), None)],
        ))
        .await
        .expect("appends at version 2");
    assert_eq!(next.events[0].position, 5);
}

#[tokio::test]
async fn a_writer_sees_what_another_writer_appended_to_the_same_stream() {
    let app = TestApp::spawn().await;
    let other = app.second_writer().await;
    let (beneficiary, _) = stream("beneficiary");

    let register = event(EventType::BeneficiaryRegistered, beneficiary_registered("冯淑珍"), None);
    app.store
        .append(request(&beneficiary, ExpectedVersion::Exactly(0), vec![register]))
        .await
        .expect("first");
    for (turn, version) in (1..=6).enumerate() {
        let writer = if turn % 2 == 0 { &other } else { &app.store };
        let stale = writer
            .append(request(
                &beneficiary,
                ExpectedVersion::Exactly(version - 1),
                vec![event(EventType::VisitRecorded, visit("zhao.min"), None)],
            ))
            .await;
        assert!(
            matches!(stale, Err(AppendError::VersionConflict { current_version }) if current_version == version),
            "turn {turn}: {stale:?}"
        );
        let outcome = writer
            .append(request(
                &beneficiary,
                ExpectedVersion::Exactly(version),
                vec![event(EventType::VisitRecorded, visit("zhao.min"), None)],
            ))
            .await
            .expect("appends at the current version");
        assert_eq!(outcome.next_expected_version, version + 1);
    }
    assert!(app.store.verify().await.expect("verify").ok);
    assert_eq!(app.all_records().await.len(), 7);
}

#[tokio::test]
async fn a_writer_does_not_seal_with_a_key_another_writer_destroyed() {
    let app = TestApp::spawn().await;
    let other = app.second_writer().await;
    let (beneficiary, beneficiary_id) = stream("beneficiary");
    let (fund, fund_id) = stream("fund");
    let register = event(EventType::BeneficiaryRegistered, beneficiary_registered("冯淑珍"), None);
    app.store
        .append(request(&beneficiary, ExpectedVersion::Exactly(0), vec![register]))
        .await
        .expect("registered");
    let opened = event(EventType::FundOpened, fund_opened(), None);
    app.store.append(request(&fund, ExpectedVersion::Exactly(0), vec![opened])).await.expect("fund");
    // The app's writer now remembers the beneficiary's sealing key.
    let mut forget = request(
        &beneficiary,
        ExpectedVersion::Any,
        vec![event(EventType::BeneficiaryForgotten, serde_json::json!({}), None)],
    );
    (forget.actor, forget.erasure_reason) = ("admin".to_owned(), Some("本人申请删除".to_owned()));
    other.append(forget).await.expect("forgotten by the other writer");

    let (disbursement, _) = stream("disbursement");
    let requested =
        event(EventType::DisbursementRequested, cash_requested(&beneficiary_id, &fund_id, 50_000), None);
    let refused =
        app.store.append(request(&disbursement, ExpectedVersion::Exactly(0), vec![requested])).await;
    assert!(
        matches!(&refused, Err(AppendError::Rule { breach, .. }) if breach.rule == "subject_forgotten"),
        "the reason would have been sealed with a destroyed key: {refused:?}"
    );
    assert!(app.store.verify().await.expect("verify").ok);
}
