//! Valid data for every event type, with Chinese names and text, for tests to start from.

use serde_json::{json, Value};

/// `BeneficiaryRegistered`.
pub fn beneficiary_registered(name: &str) -> Value {
    json!({"name": name, "category": "retired_cadre", "district": "鼓楼区", "unit": "市文化局",
           "party_member": true, "phone": "+86 138-0013-8000"})
}

/// `VisitRecorded`, a home visit.
pub fn visit(staff: &str) -> Value {
    json!({"visit_kind": "home", "staff": staff, "duration_minutes": 45, "summary": "老人精神很好，谈到孙子考上大学。"})
}

/// `FundOpened` in CNY.
pub fn fund_opened() -> Value {
    json!({"name": "困难帮扶专项资金", "budget_minor": 10_000_000, "currency": "CNY", "year": 2022})
}

/// `DisbursementRequested`: cash from `fund_id` to `beneficiary_id`.
pub fn cash_requested(beneficiary_id: &str, fund_id: &str, amount_minor: i64) -> Value {
    json!({"beneficiary_id": beneficiary_id, "fund_id": fund_id, "form": "cash", "amount_minor": amount_minor,
           "currency": "CNY", "reason": "因病致困，住院费用较高"})
}

/// `DisbursementPaid` by bank transfer.
pub fn paid() -> Value {
    json!({"method": "bank_transfer", "reference": "转账-2022-0716"})
}

/// `VolunteerEnrolled`.
pub fn volunteer_enrolled(name: &str) -> Value {
    json!({"name": name, "unit": "市老年大学", "skills": ["理发", "陪聊"]})
}

/// `VolunteerHoursLogged`.
pub fn hours_logged(entry_id: &str) -> Value {
    json!({"entry_id": entry_id, "activity_kind": "community_service", "date": "2022-05-04", "minutes": 120})
}

/// `ActivityHeld`, a lecture.
pub fn activity_held() -> Value {
    json!({"kind": "lecture", "title": "老年人防诈骗讲座", "date": "2022-09-10", "location": "社区活动中心",
           "attendees": 56, "materials": {"brochures": 120, "books": 30, "goods_value_minor": 50_000}})
}

/// `SuggestionSubmitted`.
pub fn suggestion_submitted() -> Value {
    json!({"topic": "文体活动", "text": "希望增加书法和太极拳班。", "campaign": "2022年金秋征集", "submitted_by": "刘桂兰"})
}
