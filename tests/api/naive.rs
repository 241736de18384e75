//! The summary figures computed the slow, obvious way: one pass over every record as served by
//! `GET /v1/events`, with none of the projections' code. The test compares the two.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{json, Map, Value};

/// The day an event counts on: its data's `date`, else `occurred_at`'s calendar date in its offset.
fn day(record: &Value) -> String {
    match record["data"]["date"].as_str() {
        Some(date) => date.to_owned(),
        None => record["meta"]["occurred_at"].as_str().unwrap()[..10].to_owned(),
    }
}

fn stream_id(record: &Value) -> String {
    let stream = record["stream"].as_str().unwrap();
    stream.split_once('-').unwrap().1.to_owned()
}

/// The summary over `records` for `[from, to)`, narrowed to `district` for beneficiary figures.
pub fn summary(records: &[Value], from: &str, to: &str, district: Option<&str>) -> Map<String, Value> {
    let within = |d: &str| d >= from && d < to;
    // Districts as finally corrected apply to every event of the beneficiary.
    let mut districts: HashMap<String, String> = HashMap::new();
    for r in records {
        if let Some(d) = r["data"]["district"].as_str() {
            districts.insert(stream_id(r), d.to_owned());
        }
    }
    let counted = |beneficiary: &str| {
        district.is_none_or(|d| districts.get(beneficiary).map(String::as_str) == Some(d))
    };

    let mut figures: BTreeMap<&str, i64> = BTreeMap::new();
    let mut visited = HashSet::new();
    let mut assessed = HashSet::new();
    let mut concerns: HashMap<(String, String), (String, Option<String>)> = HashMap::new();
    let mut disbursements: HashMap<String, (String, String, i64)> = HashMap::new();
    let mut hours: HashMap<(String, String), (String, i64, Option<String>)> = HashMap::new();
    let mut activities: BTreeMap<String, i64> = BTreeMap::new();
    for r in records {
        let (id, date, data) = (stream_id(r), day(r), &r["data"]);
        let mut add = |name: &'static str, value: i64| *figures.entry(name).or_insert(0) += value;
        match r["type"].as_str().unwrap() {
            "VisitRecorded" if within(&date) && counted(&id) => {
                let kind = data["visit_kind"].as_str().unwrap();
                add("visits_total", 1);
                if kind == "home" {
                    add("visits_home", 1);
                }
                if kind == "phone" {
                    add("visits_phone", 1);
                }
                visited.insert(id);
            }
            "ConcernRaised" => {
                concerns.insert(
                    (id.clone(), data["concern_id"].as_str().unwrap().to_owned()),
                    (date.clone(), None),
                );
                if within(&date) && counted(&id) {
                    add("concerns_raised", 1);
                }
            }
            "ConcernResolved" => {
                concerns.get_mut(&(id.clone(), data["concern_id"].as_str().unwrap().to_owned())).unwrap().1 =
                    Some(date.clone());
                if within(&date) && counted(&id) {
                    let on_site = data["on_site"].as_bool().unwrap();
                    add(if on_site { "concerns_resolved_on_site" } else { "concerns_resolved_later" }, 1);
                }
            }
            "HardshipAssessed" if within(&date) && counted(&id) => {
                assessed.insert(id);
            }
            "DisbursementRequested" => {
                let beneficiary = data["beneficiary_id"].as_str().unwrap().to_owned();
                let form = data["form"].as_str().unwrap().to_owned();
                disbursements.insert(id, (beneficiary, form, data["amount_minor"].as_i64().unwrap()));
            }
            kind @ ("DisbursementPaid" | "DisbursementReversed") => {
                let (beneficiary, form, amount) = disbursements[&id].clone();
                if within(&date) && counted(&beneficiary) {
                    let sign = if kind == "DisbursementPaid" { 1 } else { -1 };
                    add("disbursements_paid", sign);
                    add(if form == "cash" { "cash_paid_minor" } else { "in_kind_paid_minor" }, sign * amount);
                }
            }
            "VolunteerHoursLogged" => {
                let entry = data["entry_id"].as_str().unwrap().to_owned();
                hours.insert((id, entry), (date, data["minutes"].as_i64().unwrap(), None));
            }
            "VolunteerHoursVoided" => {
                hours.get_mut(&(id, data["entry_id"].as_str().unwrap().to_owned())).unwrap().2 = Some(date);
            }
            "ActivityHeld" if within(&date) => {
                *activities.entry(data["kind"].as_str().unwrap().to_owned()).or_insert(0) += 1;
                add("activity_attendees", data["attendees"].as_i64().unwrap());
                add("brochures", data["materials"]["brochures"].as_i64().unwrap_or(0));
                add("books", data["materials"]["books"].as_i64().unwrap_or(0));
            }
            "SuggestionSubmitted" if within(&date) => add("suggestions_submitted", 1),
            "SuggestionForwarded" if within(&date) => add("suggestions_forwarded", 1),
            "SuggestionAdopted" if within(&date) => add("suggestions_adopted", 1),
            _ => {}
        }
    }
    for ((beneficiary, _), (raised, resolved)) in &concerns {
        let open = raised.as_str() < to && resolved.as_deref().is_none_or(|r| r >= to);
        if open && counted(beneficiary) {
            *figures.entry("concerns_open").or_insert(0) += 1;
        }
    }
    for (worked, minutes, voided) in hours.values() {
        if within(worked) && voided.as_deref().is_none_or(|v| v >= to) {
            *figures.entry("volunteer_entries").or_insert(0) += 1;
            *figures.entry("volunteer_minutes").or_insert(0) += minutes;
        }
    }
    figures.insert("beneficiaries_visited", visited.len() as i64);
    figures.insert("hardship_cases", assessed.len() as i64);

    let mut out = Map::new();
    for name in [
        "visits_home",
        "visits_phone",
        "visits_total",
        "beneficiaries_visited",
        "concerns_raised",
        "concerns_resolved_on_site",
        "concerns_resolved_later",
        "concerns_open",
        "hardship_cases",
        "disbursements_paid",
        "cash_paid_minor",
        "in_kind_paid_minor",
        "volunteer_entries",
        "volunteer_minutes",
        "activity_attendees",
        "brochures",
        "books",
        "suggestions_submitted",
        "suggestions_forwarded",
        "suggestions_adopted",
    ] {
        out.insert(name.into(), json!(figures.get(name).copied().unwrap_or(0)));
    }
    let mut by_kind = Map::new();
    for kind in ["lecture", "civility_class", "training", "outreach", "ceremony", "study_tour"] {
        by_kind.insert(kind.into(), json!(activities.get(kind).copied().unwrap_or(0)));
    }
    out.insert("activities".into(), Value::Object(by_kind));
    out
}
