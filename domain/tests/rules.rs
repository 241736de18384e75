//! Every domain rule, given events / when / then, with no database.

use aidledger_domain::{Event, EventType, StreamKind, StreamState};
use serde_json::{json, Value};

const SUPERVISOR: &str = "qian.li";
const STAFF: &str = "zhao.min";

fn event(type_name: &str, data: Value) -> Event {
    Event::parse(type_name.parse::<EventType>().unwrap(), &data).unwrap()
}

/// Folds `given` (each appended by its actor) into a new stream of `kind`.
fn given(kind: StreamKind, history: &[(&str, Event)]) -> StreamState {
    let mut state = StreamState::new(kind);
    for (actor, event) in history {
        state.decide(event, actor).expect("history must be valid");
        state.apply(event, actor);
    }
    state
}

#[track_caller]
fn breaks(state: &StreamState, actor: &str, event: Event, rule: &str) {
    let breach = state.decide(&event, actor).expect_err("the rule should refuse this event");
    assert_eq!(breach.rule, rule, "{breach}");
}

fn registered() -> Event {
    event(
        "BeneficiaryRegistered",
        json!({"name": "王建国", "category": "retired_cadre", "district": "鼓楼区", "party_member": true}),
    )
}

fn requested(form: &str, amount: i64, items: Option<Value>) -> Event {
    let mut data = json!({"beneficiary_id": "0190a1b2-0000-7000-8000-000000000001",
        "fund_id": "0190a1b2-0000-7000-8000-000000000003", "form": form, "amount_minor": amount,
        "currency": "CNY", "reason": "因病致困"});
    if let Some(items) = items {
        data["items"] = items;
    }
    event("DisbursementRequested", data)
}

fn approved() -> Event {
    event("DisbursementApproved", json!({}))
}

fn paid() -> Event {
    event("DisbursementPaid", json!({"method": "bank_transfer", "reference": "TX-991"}))
}

fn reversed() -> Event {
    event("DisbursementReversed", json!({"reason": "重复发放"}))
}

#[test]
fn a_stream_starts_with_its_opening_event() {
    let state = given(StreamKind::Beneficiary, &[]);
    breaks(
        &state,
        STAFF,
        event("VisitRecorded", json!({"visit_kind": "home", "staff": STAFF, "duration_minutes": 30})),
        "stream_opens_first",
    );
}

#[test]
fn a_stream_has_exactly_one_opening_event() {
    let state = given(StreamKind::Beneficiary, &[(STAFF, registered())]);
    breaks(&state, STAFF, registered(), "stream_opened_once");
}

#[test]
fn an_event_type_joins_only_streams_of_its_kind() {
    let state = given(StreamKind::Fund, &[]);
    breaks(&state, STAFF, registered(), "event_type_of_stream_kind");
}

#[test]
fn a_disbursement_is_decided_once() {
    let state = given(
        StreamKind::Disbursement,
        &[(STAFF, requested("cash", 50_000, None)), (SUPERVISOR, approved())],
    );
    breaks(&state, SUPERVISOR, approved(), "disbursement_decided_once");
    breaks(
        &state,
        SUPERVISOR,
        event("DisbursementRejected", json!({"reason": "材料不全"})),
        "disbursement_decided_once",
    );
}

#[test]
fn rejects_a_decision_by_the_requester() {
    let state = given(StreamKind::Disbursement, &[(SUPERVISOR, requested("cash", 50_000, None))]);
    breaks(&state, SUPERVISOR, approved(), "decider_is_not_requester");
    assert!(state.decide(&approved(), "sun.hua").is_ok());
}

#[test]
fn a_disbursement_is_paid_only_after_approval_and_once() {
    let requested_only = given(StreamKind::Disbursement, &[(STAFF, requested("cash", 50_000, None))]);
    breaks(&requested_only, STAFF, paid(), "paid_only_after_approval");
    let rejected = given(
        StreamKind::Disbursement,
        &[
            (STAFF, requested("cash", 50_000, None)),
            (SUPERVISOR, event("DisbursementRejected", json!({"reason": "不符合条件"}))),
        ],
    );
    breaks(&rejected, STAFF, paid(), "paid_only_after_approval");
    let paid_once = given(
        StreamKind::Disbursement,
        &[(STAFF, requested("cash", 50_000, None)), (SUPERVISOR, approved()), (STAFF, paid())],
    );
    breaks(&paid_once, STAFF, paid(), "paid_once");
}

#[test]
fn a_disbursement_is_reversed_only_after_payment_and_once() {
    let approved_only = given(
        StreamKind::Disbursement,
        &[(STAFF, requested("cash", 50_000, None)), (SUPERVISOR, approved())],
    );
    breaks(&approved_only, STAFF, reversed(), "reversed_only_after_payment");
    let reversed_once = given(
        StreamKind::Disbursement,
        &[
            (STAFF, requested("cash", 50_000, None)),
            (SUPERVISOR, approved()),
            (STAFF, paid()),
            (STAFF, reversed()),
        ],
    );
    breaks(&reversed_once, STAFF, reversed(), "reversed_once");
    breaks(&reversed_once, STAFF, paid(), "paid_once");
}

#[test]
fn in_kind_items_sum_to_the_amount() {
    let state = given(StreamKind::Disbursement, &[]);
    let items = json!([{"name": "米面油", "quantity": 4, "unit_value_minor": 20_000}]);
    breaks(&state, STAFF, requested("in_kind", 90_000, Some(items.clone())), "in_kind_items_sum_to_amount");
    assert!(state.decide(&requested("in_kind", 80_000, Some(items)), STAFF).is_ok());
}

fn raised(concern: &str) -> Event {
    event("ConcernRaised", json!({"concern_id": concern, "category": "住房", "summary": "屋顶漏雨"}))
}

fn resolved(concern: &str) -> Event {
    event("ConcernResolved", json!({"concern_id": concern, "resolution": "已联系物业维修", "on_site": false}))
}

const CONCERN: &str = "0190a1b2-0000-7000-8000-0000000000d1";

#[test]
fn a_concern_is_resolved_only_if_raised_and_once() {
    let state = given(StreamKind::Beneficiary, &[(STAFF, registered())]);
    breaks(&state, STAFF, resolved(CONCERN), "concern_not_raised");
    let resolved_once = given(
        StreamKind::Beneficiary,
        &[(STAFF, registered()), (STAFF, raised(CONCERN)), (STAFF, resolved(CONCERN))],
    );
    breaks(&resolved_once, STAFF, resolved(CONCERN), "concern_already_resolved");
    breaks(&resolved_once, STAFF, raised(CONCERN), "concern_already_raised");
}

const ENTRY: &str = "0190a1b2-0000-7000-8000-0000000000e1";

fn enrolled() -> Event {
    event("VolunteerEnrolled", json!({"name": "李志愿", "skills": ["理发", "陪聊"]}))
}

fn logged() -> Event {
    event(
        "VolunteerHoursLogged",
        json!({"entry_id": ENTRY, "activity_kind": "community_service", "date": "2022-05-04", "minutes": 120}),
    )
}

fn verified() -> Event {
    event("VolunteerHoursVerified", json!({"entry_id": ENTRY}))
}

fn voided() -> Event {
    event("VolunteerHoursVoided", json!({"entry_id": ENTRY, "reason": "重复登记"}))
}

#[test]
fn hours_are_verified_by_someone_other_than_who_logged_them() {
    let state = given(StreamKind::Volunteer, &[(STAFF, enrolled()), (SUPERVISOR, logged())]);
    breaks(&state, SUPERVISOR, verified(), "verifier_is_not_logger");
    assert!(state.decide(&verified(), "sun.hua").is_ok());
}

#[test]
fn hours_are_voided_at_most_once() {
    let state = given(StreamKind::Volunteer, &[(STAFF, enrolled()), (STAFF, logged()), (STAFF, voided())]);
    breaks(&state, STAFF, voided(), "hours_voided_once");
    breaks(&state, SUPERVISOR, verified(), "voided_hours_not_verified");
}

#[test]
fn hours_must_be_logged_before_they_are_verified() {
    let state = given(StreamKind::Volunteer, &[(STAFF, enrolled())]);
    breaks(&state, SUPERVISOR, verified(), "hours_entry_logged");
}

#[test]
fn a_suggestion_is_decided_once() {
    let submitted = event("SuggestionSubmitted", json!({"topic": "文体活动", "text": "希望增加书法班"}));
    let state = given(
        StreamKind::Suggestion,
        &[
            (STAFF, submitted),
            (STAFF, event("SuggestionForwarded", json!({"to": "老干部活动中心"}))),
            (STAFF, event("SuggestionAdopted", json!({}))),
        ],
    );
    breaks(
        &state,
        STAFF,
        event("SuggestionDeclined", json!({"reason": "经费不足"})),
        "suggestion_decided_once",
    );
}

#[test]
fn a_fund_budget_never_goes_below_zero() {
    let opened = event(
        "FundOpened",
        json!({"name": "困难帮扶资金", "budget_minor": 100_000, "currency": "CNY", "year": 2022}),
    );
    let state = given(StreamKind::Fund, &[(STAFF, opened)]);
    breaks(
        &state,
        STAFF,
        event("FundBudgetAdjusted", json!({"delta_minor": -100_001, "reason": "调减"})),
        "budget_stays_within_range",
    );
    assert_eq!(state.as_fund().unwrap().currency.as_str(), "CNY");
}
