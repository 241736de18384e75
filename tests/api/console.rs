//! The console in a real browser: the real server, a little data, and `tests/browser`'s
//! `console.test.mjs` driving the system's Chromium through playwright-core. It signs in (zh-CN
//! and English), holds every `[data-figure]` to the API's summary, finds the four charts, verifies a
//! disbursement's trail (and sees it fail with a record altered on the wire), renders at phone width
//! and saves screenshots to `target/console-{zh-CN,en,phone,trail}.png`.
//!
//! Without `tests/browser/node_modules/playwright-core` (`npm ci` there) or `/usr/bin/chromium`
//! the test says so loudly and passes, unless `AIDLEDGER_BROWSER_TESTS=required`, when it fails.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use aidledger_tests::data::*;
use aidledger_tests::{new_stream, TestApp, Who};
use serde_json::json;

const CHROMIUM: &str = "/usr/bin/chromium";

/// The period with data, and the one in which the browser test pays in a second currency.
const PERIOD: &str = "2022-01-01/2023-01-01";
const CURRENCIES_PERIOD: &str = "2023-01-01/2024-01-01";

fn browser_folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("browser")
}

/// Where the screenshots go: the workspace's target folder.
fn artifacts() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("target"))
}

/// What is missing for the browser tests, if anything.
fn missing() -> Vec<String> {
    let mut missing = Vec::new();
    if !browser_folder().join("node_modules").join("playwright-core").is_dir() {
        missing.push("tests/browser/node_modules/playwright-core (run `npm ci` in tests/browser)".to_owned());
    }
    if !Path::new(CHROMIUM).exists() {
        missing.push(format!("{CHROMIUM} (apt-get install chromium)"));
    }
    if Command::new("node").arg("--version").output().map_or(true, |o| !o.status.success()) {
        missing.push("node".to_owned());
    }
    missing
}

/// A little of everything in 2022 and a payment in 2023, all in yuan; answers the beneficiary's id
/// (the browser test pays it in dollars too) and the 2022 payment's disbursement id.
async fn append_a_little_of_everything(app: &TestApp) -> (String, String) {
    let (beneficiary, beneficiary_id) = new_stream("beneficiary");
    app.must_append(Who::Staff, &beneficiary, "BeneficiaryRegistered", beneficiary_registered("林美华"))
        .await;
    for day in ["2022-03-15", "2022-04-20", "2022-04-28"] {
        let occurred_at = format!("{day}T10:00:00+08:00");
        app.must_append_on(Who::Staff, &beneficiary, "VisitRecorded", visit("zhao.min"), &occurred_at).await;
    }
    // Another beneficiary, paired and never contacted since: overdue whatever the other tests record.
    let (paired, _) = new_stream("beneficiary");
    app.must_append(Who::Staff, &paired, "BeneficiaryRegistered", beneficiary_registered("张桂芳")).await;
    let pairing = json!({"staff": "zhao.min", "call_every_days": 7, "visit_every_days": 30});
    app.must_append_on(Who::Staff, &paired, "PairingAssigned", pairing, "2022-03-01T09:00:00+08:00").await;
    let assessed = json!({"cause": "illness", "severity": 2, "notes": "住院治疗，自付费用高"});
    app.must_append_on(Who::Staff, &beneficiary, "HardshipAssessed", assessed, "2022-04-20T11:00:00+08:00")
        .await;
    for category in ["医疗", "出行"] {
        let concern = json!({"concern_id": uuid::Uuid::new_v4().to_string(), "category": category,
                             "summary": "希望有人陪同去医院复查"});
        app.must_append_on(Who::Staff, &beneficiary, "ConcernRaised", concern, "2022-04-20T11:30:00+08:00")
            .await;
    }
    let disbursement_id =
        app.pay_from_new_fund(&beneficiary_id, "CNY", 123_456, "2022-06-01T10:00:00+08:00").await;
    let (volunteer, _) = new_stream("volunteer");
    app.must_append(Who::Staff, &volunteer, "VolunteerEnrolled", volunteer_enrolled("陈志强")).await;
    let entry = uuid::Uuid::new_v4().to_string();
    app.must_append(Who::Staff, &volunteer, "VolunteerHoursLogged", hours_logged(&entry)).await;
    let (activity, _) = new_stream("activity");
    app.must_append(Who::Staff, &activity, "ActivityHeld", activity_held()).await;
    let (suggestion, _) = new_stream("suggestion");
    let submitted = suggestion_submitted();
    app.must_append_on(
        Who::Staff,
        &suggestion,
        "SuggestionSubmitted",
        submitted,
        "2022-10-08T09:00:00+08:00",
    )
    .await;

    app.pay_from_new_fund(&beneficiary_id, "CNY", 80_000, "2023-03-01T10:00:00+08:00").await;
    (beneficiary_id, disbursement_id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_signs_in_and_shows_the_apis_figures_and_charts_in_a_real_browser() {
    let missing = missing();
    if !missing.is_empty() {
        let message = format!("the browser tests need {}", missing.join(", "));
        assert_ne!(std::env::var("AIDLEDGER_BROWSER_TESTS").as_deref(), Ok("required"), "{message}");
        // Straight to stderr, past the test harness's capture, so that the skip is seen.
        let notice =
            format!("\n!!!!!!!!!! SKIPPED: the console's browser tests did not run: {message} !!!!!!!!!!\n");
        let _ = std::io::stderr().write_all(notice.as_bytes());
        return;
    }
    let app = TestApp::spawn().await;
    let (beneficiary_id, disbursement_id) = append_a_little_of_everything(&app).await;
    // The trail's proofs need a checkpoint that covers every record.
    app.wait_for_checkpoint(app.all_records().await.len() as u64).await;
    let mut node = Command::new("node");
    node.arg("console.test.mjs")
        .current_dir(browser_folder())
        .env("AIDLEDGER_BASE_URL", &app.base)
        .env("AIDLEDGER_STAFF_TOKEN", app.token(Who::Staff))
        .env("AIDLEDGER_ANALYST_TOKEN", app.token(Who::Analyst))
        .env("AIDLEDGER_SUPERVISOR_TOKEN", app.token(Who::Supervisor))
        .env("AIDLEDGER_BENEFICIARY_ID", beneficiary_id)
        .env("AIDLEDGER_DISBURSEMENT_ID", disbursement_id)
        .env("AIDLEDGER_PERIOD", PERIOD)
        .env("AIDLEDGER_CURRENCIES_PERIOD", CURRENCIES_PERIOD)
        .env("AIDLEDGER_ARTIFACTS", artifacts());
    // The server answers on this runtime's other thread while node runs on a blocking one.
    let output = tokio::task::spawn_blocking(move || node.output()).await.expect("join").expect("run node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the browser tests failed ({}):\n{stdout}\n{stderr}", output.status);
}
