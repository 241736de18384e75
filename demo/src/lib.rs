//! The synthetic city behind `aidledger demo`, the benchmark and the black-box suite: a realistic,
//! deterministic city — districts, beneficiaries with Chinese names and their paired staff, a year of
//! visits, concerns, hardship cases and disbursements (approvals, rejections, a few reversals),
//! volunteers and their hours, activities and suggestions — appended through the server's store and
//! rules like real data. It lives outside the server library, which carries no load-generation code.
//!
//! The same seed gives the same events (ids included); only `recorded_at`, and so the hashes,
//! differ between runs.
//!
//! # Layout
//! - [`generate`]: appends a demo year through a store, with progress.
//! - [`DemoRequests`]: the same events as append requests, built lazily in batches (the benchmark
//!   times their appends itself).

use anyhow::Context;
use domain::values::Id;
use domain::{Event, EventType, StreamKind, StreamName};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use time::{Date, Duration, Month};

use aidledger_server::store::{AppendRequest, ExpectedVersion, ProposedEvent, Store};

/// Requests sent to the writer in one call.
const REQUESTS_PER_BATCH: usize = 500;

const DISTRICTS: &[&str] =
    &["鼓楼区", "玄武区", "秦淮区", "建邺区", "栖霞区", "雨花台区", "江宁区", "浦口区"];
const STAFF: &[&str] = &["zhao.min", "sun.hua", "li.wei", "zhou.jie", "wu.fang", "zheng.lei"];
const SUPERVISORS: &[&str] = &["qian.li", "wang.qiang"];
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何",
    "林", "高", "罗", "欧阳", "司马",
];
const GIVEN_NAMES: &[&str] = &[
    "建国", "秀英", "桂兰", "玉兰", "志强", "德明", "淑珍", "国华", "秀梅", "建华", "丽华", "桂芳", "振华",
    "文华", "玉珍", "明德", "惠芳", "宝山", "金凤", "永福",
];
const UNITS: &[&str] = &["市文化局", "市教育局", "市第一医院", "南京钢铁厂", "市供销社", "市邮电局"];
const VISIT_SUMMARIES: &[&str] = &[
    "老人精神很好，谈到孙子考上大学。",
    "腿脚不便，已提醒注意防滑。",
    "询问养老金调整情况，已作解释。",
    "独居，冰箱里食物充足。",
    "刚出院，恢复情况良好。",
];
const CONCERN_CATEGORIES: &[&str] = &["住房", "医疗", "养老金", "家政", "心理", "出行"];
const CONCERN_SUMMARIES: &[&str] = &[
    "屋顶漏雨，需要维修",
    "看病排队时间长",
    "养老金到账延迟",
    "需要钟点工帮忙打扫",
    "老伴去世后情绪低落",
    "行动不便，出门困难",
];
const RESOLUTIONS: &[&str] =
    &["已联系物业维修", "已协调医院绿色通道", "已与社保中心核实", "已安排家政服务", "已安排志愿者陪伴"];
const ITEMS: &[&str] = &["米面油", "棉被", "慰问品", "药品", "营养品"];
const SUGGESTION_TOPICS: &[&str] = &["文体活动", "医疗保障", "交通出行", "学习培训", "生活服务"];
const SUGGESTION_TEXTS: &[&str] = &[
    "希望增加书法和太极拳班。",
    "建议社区医院增设老年门诊。",
    "建议增设公交站。",
    "希望开设智能手机培训班。",
    "建议提供上门理发服务。",
];
const FORWARD_TO: &[&str] = &["市老干部局", "区民政局", "社区居委会", "老年大学"];
const ACTIVITY_TITLES: &[(&str, &str)] = &[
    ("lecture", "老年人防诈骗讲座"),
    ("civility_class", "文明礼仪课堂"),
    ("training", "智能手机使用培训"),
    ("outreach", "政策宣传进社区"),
    ("ceremony", "重阳节敬老活动"),
    ("study_tour", "红色教育基地参观"),
];
const HOURS_KINDS: &[&str] =
    &["community_service", "visit_support", "lecture", "training", "outreach", "other"];

/// What a demo run appended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DemoOutcome {
    /// Events appended.
    pub events: u64,
    /// Beneficiaries registered.
    pub beneficiaries: u64,
}

struct Beneficiary {
    id: Id,
    staff: &'static str,
}

struct Disbursement {
    id: Id,
    form_in_kind: bool,
}

struct Generator {
    rng: ChaCha8Rng,
    year: i32,
    pending: Vec<AppendRequest>,
    beneficiaries: Vec<Beneficiary>,
    funds: Vec<Id>,
    volunteers: Vec<Id>,
    open_concerns: Vec<(usize, Id)>,
    requested: Vec<Disbursement>,
    approved: Vec<Disbursement>,
    paid: Vec<Disbursement>,
    unverified_hours: Vec<(Id, Id)>,
    standing_hours: Vec<(Id, Id)>,
    undecided_suggestions: Vec<Id>,
    reference: u64,
}

impl Generator {
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.rng.random_range(0..items.len())]
    }

    fn id(&mut self) -> Id {
        Id(uuid::Builder::from_random_bytes(self.rng.random()).into_uuid())
    }

    fn name(&mut self) -> String {
        format!("{}{}", self.pick(SURNAMES), self.pick(GIVEN_NAMES))
    }

    fn day(&self, index: u64, total: u64) -> Date {
        let start = Date::from_calendar_date(self.year, Month::January, 1).unwrap_or(Date::MIN);
        let days = if time::util::is_leap_year(self.year) { 366 } else { 365 };
        start + Duration::days((index * days / total.max(1)) as i64)
    }

    fn occurred_at(&mut self, day: Date) -> String {
        let (hour, minute) = (self.rng.random_range(8..18), self.rng.random_range(0..60));
        format!("{day}T{hour:02}:{minute:02}:00+08:00")
    }

    fn emit(
        &mut self,
        kind: StreamKind,
        stream_id: Id,
        actor: &str,
        event_type: EventType,
        data: Value,
        day: Date,
    ) {
        let occurred_at = self.occurred_at(day);
        let id = self.id();
        // The generator only builds data that parses; a failure here is a bug in this module.
        let event =
            Event::parse(event_type, &data).unwrap_or_else(|e| panic!("demo built bad {event_type}: {e:?}"));
        self.pending.push(AppendRequest {
            stream: StreamName::new(kind, stream_id),
            expected_version: ExpectedVersion::Any,
            events: vec![ProposedEvent {
                id: Some(id),
                event,
                occurred_at: Some(occurred_at),
                correlation_id: None,
                causation_id: None,
            }],
            actor: actor.to_owned(),
            erasure_reason: None,
        });
    }

    fn setup(&mut self, events: u64, beneficiaries: u64, volunteers: u64) {
        let first = self.day(0, 1);
        // Budgets grow with the city's year, so that what is approved stays within them (about one
        // event in twenty is a request of 2 700 yuan on average), well under the domain's bound.
        let per_event = |fen: i64| fen.saturating_mul(i64::try_from(events).unwrap_or(i64::MAX));
        let funds = [
            ("困难帮扶专项资金", 50_000_000_i64 + per_event(40_000)),
            ("节日慰问金", 20_000_000 + per_event(20_000)),
        ];
        for (name, budget) in
            funds.map(|(name, budget)| (name, budget.min(domain::limits::FUND_BUDGET_MINOR_MAX)))
        {
            let fund = self.id();
            let data = json!({"name": name, "budget_minor": budget, "currency": "CNY", "year": self.year});
            self.emit(StreamKind::Fund, fund, SUPERVISORS[0], EventType::FundOpened, data, first);
            self.funds.push(fund);
        }
        for _ in 0..beneficiaries {
            let id = self.id();
            let staff = self.pick(STAFF);
            let category = self.pick(&["retired_cadre", "retired_staff", "retired_staff", "family", "other"]);
            let mut data = json!({"name": self.name(), "category": category, "district": self.pick(DISTRICTS),
                                  "unit": self.pick(UNITS), "party_member": self.rng.random_bool(0.6)});
            if self.rng.random_bool(0.7) {
                data["phone"] = json!(format!(
                    "+86 139-{:04}-{:04}",
                    self.rng.random_range(0..10_000),
                    self.rng.random_range(0..10_000)
                ));
            }
            self.emit(StreamKind::Beneficiary, id, staff, EventType::BeneficiaryRegistered, data, first);
            let pairing = json!({"staff": staff, "call_every_days": 30, "visit_every_days": 90});
            self.emit(StreamKind::Beneficiary, id, staff, EventType::PairingAssigned, pairing, first);
            self.beneficiaries.push(Beneficiary { id, staff });
        }
        for _ in 0..volunteers {
            let id = self.id();
            let data = json!({"name": self.name(), "unit": self.pick(UNITS), "skills": ["陪聊", "理发"]});
            let staff = self.pick(STAFF);
            self.emit(StreamKind::Volunteer, id, staff, EventType::VolunteerEnrolled, data, first);
            self.volunteers.push(id);
        }
    }

    fn beneficiary(&mut self) -> (usize, Id, &'static str) {
        let index = self.rng.random_range(0..self.beneficiaries.len());
        (index, self.beneficiaries[index].id, self.beneficiaries[index].staff)
    }

    fn take<T>(&mut self, from: fn(&mut Generator) -> &mut Vec<T>) -> Option<T> {
        let len = from(self).len();
        if len == 0 {
            return None;
        }
        let index = self.rng.random_range(0..len);
        Some(from(self).swap_remove(index))
    }

    /// Emits one event of the year; falls back to a visit when the chosen step has nothing to act on.
    fn step(&mut self, day: Date) {
        let roll = self.rng.random_range(0..1000);
        let done = match roll {
            0..400 => false,
            400..460 => self.concern_raised(day),
            460..510 => self.concern_resolved(day),
            510..540 => self.hardship(day),
            540..550 => self.correction(day),
            550..600 => self.disbursement_requested(day),
            600..645 => self.disbursement_decided(day),
            645..685 => self.disbursement_paid(day),
            685..690 => self.disbursement_reversed(day),
            690..810 => self.hours_logged(day),
            810..870 => self.hours_verified(day),
            870..880 => self.hours_voided(day),
            880..910 => self.activity(day),
            910..950 => self.suggestion_submitted(day),
            950..975 => self.suggestion_forwarded(day),
            _ => self.suggestion_decided(day),
        };
        if !done {
            self.visit(day);
        }
    }

    fn visit(&mut self, day: Date) {
        let (_, id, staff) = self.beneficiary();
        let (kind, minutes) = match self.rng.random_range(0..100) {
            0..45 => ("home", self.rng.random_range(30..=90)),
            45..85 => ("phone", self.rng.random_range(5..=30)),
            85..95 => ("hospital", self.rng.random_range(20..=60)),
            _ => ("group", self.rng.random_range(60..=120)),
        };
        let mut data = json!({"visit_kind": kind, "staff": staff, "duration_minutes": minutes});
        if self.rng.random_bool(0.5) {
            data["summary"] = json!(self.pick(VISIT_SUMMARIES));
        }
        self.emit(StreamKind::Beneficiary, id, staff, EventType::VisitRecorded, data, day);
    }

    fn concern_raised(&mut self, day: Date) -> bool {
        let (index, id, staff) = self.beneficiary();
        let concern = self.id();
        let data = json!({"concern_id": concern, "category": self.pick(CONCERN_CATEGORIES),
                          "summary": self.pick(CONCERN_SUMMARIES)});
        self.emit(StreamKind::Beneficiary, id, staff, EventType::ConcernRaised, data, day);
        self.open_concerns.push((index, concern));
        true
    }

    fn concern_resolved(&mut self, day: Date) -> bool {
        let Some((index, concern)) = self.take(|g| &mut g.open_concerns) else { return false };
        let (id, staff) = (self.beneficiaries[index].id, self.beneficiaries[index].staff);
        let data = json!({"concern_id": concern, "resolution": self.pick(RESOLUTIONS), "on_site": self.rng.random_bool(0.4)});
        self.emit(StreamKind::Beneficiary, id, staff, EventType::ConcernResolved, data, day);
        true
    }

    fn hardship(&mut self, day: Date) -> bool {
        let (_, id, staff) = self.beneficiary();
        let data = json!({"cause": self.pick(&["illness", "illness", "accident", "disaster", "bereavement", "other"]),
                          "severity": self.rng.random_range(1..=3), "notes": "入户核实"});
        self.emit(StreamKind::Beneficiary, id, staff, EventType::HardshipAssessed, data, day);
        true
    }

    fn correction(&mut self, day: Date) -> bool {
        let (_, id, staff) = self.beneficiary();
        let data = if self.rng.random_bool(0.7) {
            json!({"phone": format!("025-{:08}", self.rng.random_range(0..100_000_000))})
        } else {
            json!({"unit": self.pick(UNITS)})
        };
        self.emit(StreamKind::Beneficiary, id, staff, EventType::BeneficiaryDetailsCorrected, data, day);
        true
    }

    fn disbursement_requested(&mut self, day: Date) -> bool {
        let (_, beneficiary, staff) = self.beneficiary();
        let fund = self.pick(&self.funds.clone());
        let id = self.id();
        let in_kind = self.rng.random_bool(0.3);
        let mut data = json!({"beneficiary_id": beneficiary, "fund_id": fund, "currency": "CNY",
                              "reason": self.pick(&["因病致困", "因灾致困", "年节困难补助", "突发困难"])});
        if in_kind {
            let items: Vec<Value> = (0..self.rng.random_range(1..=3))
                .map(|_| {
                    json!({"name": self.pick(ITEMS), "quantity": self.rng.random_range(1..=5),
                               "unit_value_minor": self.rng.random_range(50..=500) * 100})
                })
                .collect();
            let amount: i64 = items
                .iter()
                .map(|i| i["quantity"].as_i64().unwrap_or(0) * i["unit_value_minor"].as_i64().unwrap_or(0))
                .sum();
            data["form"] = json!("in_kind");
            data["amount_minor"] = json!(amount);
            data["items"] = json!(items);
        } else {
            data["form"] = json!("cash");
            data["amount_minor"] = json!(self.rng.random_range(5..=50) * 10_000);
        }
        self.emit(StreamKind::Disbursement, id, staff, EventType::DisbursementRequested, data, day);
        self.requested.push(Disbursement { id, form_in_kind: in_kind });
        true
    }

    fn disbursement_decided(&mut self, day: Date) -> bool {
        let Some(disbursement) = self.take(|g| &mut g.requested) else { return false };
        let supervisor = self.pick(SUPERVISORS);
        if self.rng.random_bool(0.85) {
            self.emit(
                StreamKind::Disbursement,
                disbursement.id,
                supervisor,
                EventType::DisbursementApproved,
                json!({}),
                day,
            );
            self.approved.push(disbursement);
        } else {
            let data = json!({"reason": "不符合救助条件"});
            self.emit(
                StreamKind::Disbursement,
                disbursement.id,
                supervisor,
                EventType::DisbursementRejected,
                data,
                day,
            );
        }
        true
    }

    fn disbursement_paid(&mut self, day: Date) -> bool {
        let Some(disbursement) = self.take(|g| &mut g.approved) else { return false };
        self.reference += 1;
        let method = if disbursement.form_in_kind {
            "goods_delivered"
        } else if self.rng.random_bool(0.7) {
            "bank_transfer"
        } else {
            "cash"
        };
        let data =
            json!({"method": method, "reference": format!("付款-{}-{:05}", self.year, self.reference)});
        let staff = self.pick(STAFF);
        self.emit(StreamKind::Disbursement, disbursement.id, staff, EventType::DisbursementPaid, data, day);
        self.paid.push(disbursement);
        true
    }

    fn disbursement_reversed(&mut self, day: Date) -> bool {
        let Some(disbursement) = self.take(|g| &mut g.paid) else { return false };
        let data = json!({"reason": "重复发放，已退回"});
        let staff = self.pick(STAFF);
        self.emit(
            StreamKind::Disbursement,
            disbursement.id,
            staff,
            EventType::DisbursementReversed,
            data,
            day,
        );
        true
    }

    fn hours_logged(&mut self, day: Date) -> bool {
        let volunteer = self.pick(&self.volunteers.clone());
        let entry = self.id();
        let data = json!({"entry_id": entry, "activity_kind": self.pick(HOURS_KINDS), "date": day.to_string(),
                          "minutes": self.rng.random_range(3..=24) * 10});
        let staff = self.pick(STAFF);
        self.emit(StreamKind::Volunteer, volunteer, staff, EventType::VolunteerHoursLogged, data, day);
        self.unverified_hours.push((volunteer, entry));
        self.standing_hours.push((volunteer, entry));
        true
    }

    fn hours_verified(&mut self, day: Date) -> bool {
        let Some((volunteer, entry)) = self.take(|g| &mut g.unverified_hours) else { return false };
        if !self.standing_hours.contains(&(volunteer, entry)) {
            return false;
        }
        let supervisor = self.pick(SUPERVISORS);
        self.emit(
            StreamKind::Volunteer,
            volunteer,
            supervisor,
            EventType::VolunteerHoursVerified,
            json!({"entry_id": entry}),
            day,
        );
        true
    }

    fn hours_voided(&mut self, day: Date) -> bool {
        let Some((volunteer, entry)) = self.take(|g| &mut g.standing_hours) else { return false };
        let data = json!({"entry_id": entry, "reason": "登记错误"});
        let staff = self.pick(STAFF);
        self.emit(StreamKind::Volunteer, volunteer, staff, EventType::VolunteerHoursVoided, data, day);
        true
    }

    fn activity(&mut self, day: Date) -> bool {
        let (kind, title) = self.pick(ACTIVITY_TITLES);
        let id = self.id();
        let mut data = json!({"kind": kind, "title": title, "date": day.to_string(), "location": "社区活动中心",
                              "attendees": self.rng.random_range(10..=200)});
        if self.rng.random_bool(0.6) {
            data["materials"] =
                json!({"brochures": self.rng.random_range(0..=300), "books": self.rng.random_range(0..=50)});
        }
        let staff = self.pick(STAFF);
        self.emit(StreamKind::Activity, id, staff, EventType::ActivityHeld, data, day);
        true
    }

    fn suggestion_submitted(&mut self, day: Date) -> bool {
        let id = self.id();
        let mut data = json!({"topic": self.pick(SUGGESTION_TOPICS), "text": self.pick(SUGGESTION_TEXTS)});
        if self.rng.random_bool(0.5) {
            data["campaign"] = json!(format!("{}年金秋征集", self.year));
            data["submitted_by"] = json!(self.name());
        }
        let staff = self.pick(STAFF);
        self.emit(StreamKind::Suggestion, id, staff, EventType::SuggestionSubmitted, data, day);
        self.undecided_suggestions.push(id);
        true
    }

    fn suggestion_forwarded(&mut self, day: Date) -> bool {
        if self.undecided_suggestions.is_empty() {
            return false;
        }
        let id = self.pick(&self.undecided_suggestions.clone());
        let data = json!({"to": self.pick(FORWARD_TO)});
        let staff = self.pick(STAFF);
        self.emit(StreamKind::Suggestion, id, staff, EventType::SuggestionForwarded, data, day);
        true
    }

    fn suggestion_decided(&mut self, day: Date) -> bool {
        let Some(id) = self.take(|g| &mut g.undecided_suggestions) else { return false };
        let staff = self.pick(STAFF);
        if self.rng.random_bool(0.6) {
            self.emit(
                StreamKind::Suggestion,
                id,
                staff,
                EventType::SuggestionAdopted,
                json!({"note": "已纳入明年计划"}),
                day,
            );
        } else {
            self.emit(
                StreamKind::Suggestion,
                id,
                staff,
                EventType::SuggestionDeclined,
                json!({"reason": "经费不足"}),
                day,
            );
        }
        true
    }
}

async fn flush(store: &Store, requests: Vec<AppendRequest>) -> anyhow::Result<u64> {
    let count = requests.len() as u64;
    for (request, result) in requests.iter().zip(store.append_each(requests.clone()).await) {
        result.with_context(|| format!("appending demo event to {}", request.stream))?;
    }
    Ok(count)
}

/// The demo's append requests (one event each), built lazily in batches so that a large run never
/// holds them all at once.
pub struct DemoRequests {
    generator: Generator,
    index: u64,
    rest: u64,
    beneficiaries: u64,
}

impl DemoRequests {
    /// The requests of about `events` synthetic events of `year`, seeded by `seed`.
    pub fn new(events: u64, seed: u64, year: i32) -> DemoRequests {
        let beneficiaries = (events / 25).clamp(3, 5000);
        let volunteers = (events / 250).clamp(2, 500);
        let mut generator = Generator {
            rng: ChaCha8Rng::seed_from_u64(seed),
            year,
            pending: Vec::new(),
            beneficiaries: Vec::new(),
            funds: Vec::new(),
            volunteers: Vec::new(),
            open_concerns: Vec::new(),
            requested: Vec::new(),
            approved: Vec::new(),
            paid: Vec::new(),
            unverified_hours: Vec::new(),
            standing_hours: Vec::new(),
            undecided_suggestions: Vec::new(),
            reference: 0,
        };
        generator.setup(events, beneficiaries, volunteers);
        let rest = events.saturating_sub(generator.pending.len() as u64);
        DemoRequests { generator, index: 0, rest, beneficiaries }
    }

    /// How many beneficiaries the demo registers.
    pub fn beneficiaries(&self) -> u64 {
        self.beneficiaries
    }

    /// The next at most `size` requests, in order; empty once every one was handed out.
    pub fn next_batch(&mut self, size: usize) -> Vec<AppendRequest> {
        let size = size.max(1);
        while self.generator.pending.len() < size && self.index < self.rest {
            let day = self.generator.day(self.index, self.rest);
            self.generator.step(day);
            self.index += 1;
        }
        let take = size.min(self.generator.pending.len());
        self.generator.pending.drain(..take).collect()
    }
}

/// Appends `events` synthetic events of `year`, seeded by `seed`; `progress` hears the running total.
pub async fn generate(
    store: &Store,
    events: u64,
    seed: u64,
    year: i32,
    mut progress: impl FnMut(u64),
) -> anyhow::Result<DemoOutcome> {
    let mut requests = DemoRequests::new(events, seed, year);
    let mut appended = 0;
    loop {
        let batch = requests.next_batch(REQUESTS_PER_BATCH);
        if batch.is_empty() {
            break;
        }
        appended += flush(store, batch).await?;
        progress(appended);
    }
    Ok(DemoOutcome { events: appended, beneficiaries: requests.beneficiaries() })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use domain::events::fund::FundMovement;
    use domain::events::Event;
    use domain::{StreamKind, StreamName, StreamState};

    use super::DemoRequests;

    /// Every event the demo makes passes the domain's rules and the writer's fund budget rule,
    /// folded here the way the writer folds them, at a small size and at a large one.
    #[test]
    fn the_demo_keeps_every_fund_within_its_budget_at_any_size() {
        for events in [2_000, 150_000] {
            let mut demo = DemoRequests::new(events, 7, 2022);
            let mut states: HashMap<StreamName, StreamState> = HashMap::new();
            let mut spent: HashMap<StreamName, FundMovement> = HashMap::new();
            loop {
                let batch = demo.next_batch(1000);
                if batch.is_empty() {
                    break;
                }
                for request in batch {
                    let stream = request.stream.clone();
                    for proposed in &request.events {
                        let mut state =
                            states.get(&stream).cloned().unwrap_or_else(|| StreamState::new(stream.kind()));
                        let event = &proposed.event;
                        if let Err(breach) = state.decide(event, &request.actor) {
                            panic!("{events} events: {stream}: {breach}");
                        }
                        if let (StreamState::Disbursement(disbursement), Event::Disbursement(e)) =
                            (&state, event)
                        {
                            let fund = StreamName::new(StreamKind::Fund, disbursement.fund_id);
                            let budget = states[&fund].as_fund().expect("the fund is opened first");
                            let so_far = spent.entry(fund.clone()).or_default();
                            let movement = disbursement.fund_movement(e);
                            if let Err(breach) = budget.check_movement(*so_far, movement) {
                                panic!("{events} events: {stream}: {breach}");
                            }
                            so_far.committed_minor += movement.committed_minor;
                            so_far.paid_minor += movement.paid_minor;
                        }
                        state.apply(event, &request.actor);
                        states.insert(stream.clone(), state);
                    }
                }
            }
        }
    }
}
