//! Test harness for the black-box suite: [`TestApp::spawn`] starts the real app (the server's
//! [`App`], as `aidledger serve` does) on a free port over a database of its own and its own
//! checkpoint signing key, with a real token for each of a cast of principals, and offers one helper
//! per kind of request.
//!
//! # Layout
//! - [`TestApp`]: the running server and its HTTP helpers.
//! - [`Who`]: the cast (each a principal with a role).
//! - [`TestDatabase`] (from `aidledger-test-support`): the test's own database, SQLite or PostgreSQL.
//! - [`data`]: valid event data for every event type, with Chinese names and text.
//! - [`witness`]: a witness of the test's own, on a listener of its choosing.

pub mod data;
pub mod witness;

use std::collections::HashMap;
use std::sync::Arc;

use aidledger_server::app::{open_database, App, AppSettings, Migrations};
use aidledger_server::checkpointer::Checkpointer;
use aidledger_server::cosigning::WitnessEndpoint;
use aidledger_server::http::Limits;
use aidledger_server::privacy::{master_key, Keyring};
use aidledger_server::signing::{key_file, DEFAULT_LOG_ORIGIN};
use aidledger_server::store::Store;
use aidledger_server::tokens;
use domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio::net::TcpListener;

pub use aidledger_test_support::TestDatabase;

/// The principals every test app has a token for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Who {
    /// Staff member zhao.min.
    Staff,
    /// Another staff member, sun.hua.
    OtherStaff,
    /// Supervisor qian.li.
    Supervisor,
    /// Another supervisor, zhou.jie.
    OtherSupervisor,
    /// Auditor wu.shen.
    Auditor,
    /// Analyst zheng.fen.
    Analyst,
    /// Admin.
    Admin,
}

impl Who {
    /// Everyone.
    pub const ALL: [Who; 7] = [
        Who::Staff,
        Who::OtherStaff,
        Who::Supervisor,
        Who::OtherSupervisor,
        Who::Auditor,
        Who::Analyst,
        Who::Admin,
    ];

    /// The principal name (what lands in `meta.actor`).
    pub fn principal(self) -> &'static str {
        match self {
            Who::Staff => "zhao.min",
            Who::OtherStaff => "sun.hua",
            Who::Supervisor => "qian.li",
            Who::OtherSupervisor => "zhou.jie",
            Who::Auditor => "wu.shen",
            Who::Analyst => "zheng.fen",
            Who::Admin => "admin",
        }
    }

    /// The role of the principal's token.
    pub fn role(self) -> Role {
        match self {
            Who::Staff | Who::OtherStaff => Role::Staff,
            Who::Supervisor | Who::OtherSupervisor => Role::Supervisor,
            Who::Auditor => Role::Auditor,
            Who::Analyst => Role::Analyst,
            Who::Admin => Role::Admin,
        }
    }
}

/// A running server with its own database.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The database URL.
    pub database_url: String,
    /// The store the server appends through (for tests that append in bulk, like `demo`).
    pub store: Store,
    /// The server's checkpointer (its signed sizes can be awaited).
    pub checkpointer: Checkpointer,
    /// The file holding the server's checkpoint signing key (a fresh one per app).
    pub key_file: std::path::PathBuf,
    /// An HTTP client.
    pub client: reqwest::Client,
    tokens: HashMap<Who, String>,
    /// The running app, held for its drop: it shuts down before the database is dropped.
    _app: App,
    /// The test's own database (dropped with the app).
    pub database: TestDatabase,
}

/// An HTTP answer: status, content type and body (JSON when it parses, else a string).
#[derive(Debug)]
pub struct Answer {
    /// The status.
    pub status: StatusCode,
    /// The `content-type` header.
    pub content_type: String,
    /// The body as JSON (a JSON string holding the text when it is not JSON).
    pub body: Value,
    /// The body's raw text.
    pub text: String,
}

/// An app's settings with `limits`, its master key (`aidledger.master.key`) and a new checkpoint
/// signing key (`aidledger.key`) in `dir`.
pub fn settings_in(dir: &std::path::Path, limits: Limits) -> AppSettings {
    let keyring =
        Keyring::new(master_key::load_or_create(&dir.join("aidledger.master.key")).expect("master key"));
    let key_file = dir.join("aidledger.key");
    let signer = Arc::new(key_file::create(&key_file, DEFAULT_LOG_ORIGIN).expect("signing key"));
    AppSettings { keyring, signer, limits, witnesses: Vec::new(), metrics_open: false }
}

impl TestApp {
    /// Starts a server with default limits.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(Limits::default()).await
    }

    /// Starts a server with `limits`.
    pub async fn spawn_with(limits: Limits) -> TestApp {
        Self::spawn_witnessed(limits, Vec::new()).await
    }

    /// Starts a server with `limits` that submits its checkpoints to `witnesses`.
    pub async fn spawn_witnessed(limits: Limits, witnesses: Vec<WitnessEndpoint>) -> TestApp {
        let test_database = TestDatabase::create().await;
        let database_url = test_database.url.clone();
        let database = open_database(&database_url, Migrations::Apply).await.expect("open database");
        let mut tokens_by_who = HashMap::new();
        for who in Who::ALL {
            let secret = tokens::create(&database.pool, who.role(), who.principal()).await.expect("token");
            tokens_by_who.insert(who, secret);
        }
        let settings = AppSettings { witnesses, ..settings_in(test_database.dir(), limits) };
        let key_file = test_database.dir().join("aidledger.key");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let app = App::start(&database, settings, listener).await.expect("start the app");
        TestApp {
            base: format!("http://{}", app.address()),
            database_url,
            store: app.store().clone(),
            checkpointer: app.checkpointer().clone(),
            key_file,
            client: reqwest::Client::new(),
            tokens: tokens_by_who,
            _app: app,
            database: test_database,
        }
    }

    /// A second writer on the app's database, as another server process of a deployment has: it
    /// appends behind the app's back, sealing with the same master key.
    pub async fn second_writer(&self) -> Store {
        let database = open_database(&self.database_url, Migrations::Skip).await.expect("open");
        let master_key = self.database.dir().join("aidledger.master.key");
        let keyring = Keyring::new(master_key::load_or_create(&master_key).expect("master key"));
        Store::open(&database, Some(keyring)).await.expect("a second writer")
    }

    /// Waits until a checkpoint covering at least `tree_size` records is signed (the checkpointer
    /// signs within about a second of an append); panics after a generous deadline.
    pub async fn wait_for_checkpoint(&self, tree_size: u64) {
        let signed = self.checkpointer.wait_signed(tree_size, std::time::Duration::from_secs(10)).await;
        assert!(signed, "no checkpoint of {tree_size} records was signed in time");
    }

    /// The token secret of `who`.
    pub fn token(&self, who: Who) -> &str {
        &self.tokens[&who]
    }

    /// Sends a request as `who` (or with no token) with an optional raw body.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        who: Option<Who>,
        body: Option<Vec<u8>>,
    ) -> Answer {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(who) = who {
            request = request.bearer_auth(self.token(who));
        }
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body);
        }
        Self::answer(request).await
    }

    /// `POST path` as `who` with `body` declared as `content_type` (a file to import, say).
    pub async fn post_as(&self, who: Who, path: &str, content_type: &str, body: Vec<u8>) -> Answer {
        let request = self.client.post(format!("{}{path}", self.base)).bearer_auth(self.token(who));
        Self::answer(request.header("content-type", content_type).body(body)).await
    }

    /// Sends `request` and reads its answer.
    async fn answer(request: reqwest::RequestBuilder) -> Answer {
        let response = request.send().await.expect("request");
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap_or_default().to_owned())
            .unwrap_or_default();
        let text = response.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text.clone()));
        Answer { status, content_type, body, text }
    }

    /// `GET path` as `who`.
    pub async fn get(&self, who: Who, path: &str) -> Answer {
        self.request(Method::GET, path, Some(who), None).await
    }

    /// Appends `body` to `stream` as `who`.
    pub async fn append(&self, who: Who, stream: &str, body: &Value) -> Answer {
        let path = format!("/v1/streams/{stream}/events");
        self.request(Method::POST, &path, Some(who), Some(body.to_string().into_bytes())).await
    }

    /// Appends one event of `event_type` with `data` to `stream` as `who`.
    pub async fn append_one(&self, who: Who, stream: &str, event_type: &str, data: Value) -> Answer {
        self.append(who, stream, &serde_json::json!({"events": [{"type": event_type, "data": data}]})).await
    }

    /// Appends and insists it succeeded; returns the answer body.
    pub async fn must_append(&self, who: Who, stream: &str, event_type: &str, data: Value) -> Value {
        let answer = self.append_one(who, stream, event_type, data).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{event_type}: {}", answer.text);
        answer.body
    }

    /// Appends one event dated `occurred_at` as `who` and insists it was taken.
    pub async fn must_append_on(
        &self,
        who: Who,
        stream: &str,
        event_type: &str,
        data: Value,
        occurred_at: &str,
    ) {
        let body =
            serde_json::json!({"events": [{"type": event_type, "data": data, "occurred_at": occurred_at}]});
        let answer = self.append(who, stream, &body).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{event_type}: {}", answer.text);
    }

    /// Pays `amount_minor` of `currency` in cash to `beneficiary_id` from a new fund: requested and
    /// paid (by staff) on `occurred_at`, approved (by a supervisor) in between.
    pub async fn pay_from_new_fund(
        &self,
        beneficiary_id: &str,
        currency: &str,
        amount_minor: i64,
        occurred_at: &str,
    ) -> String {
        let (fund, fund_id) = new_stream("fund");
        let opened =
            serde_json::json!({"name": "专项资金", "budget_minor": 10_000_000, "currency": currency});
        self.must_append(Who::Staff, &fund, "FundOpened", opened).await;
        let (disbursement, disbursement_id) = new_stream("disbursement");
        let mut request = data::cash_requested(beneficiary_id, &fund_id, amount_minor);
        request["currency"] = serde_json::json!(currency);
        self.must_append_on(Who::Staff, &disbursement, "DisbursementRequested", request, occurred_at).await;
        self.must_append(Who::Supervisor, &disbursement, "DisbursementApproved", serde_json::json!({})).await;
        self.must_append_on(Who::Staff, &disbursement, "DisbursementPaid", data::paid(), occurred_at).await;
        disbursement_id
    }

    /// Every record of the log, read page by page as an auditor.
    pub async fn all_records(&self) -> Vec<Value> {
        let mut records = Vec::new();
        let mut from = 1;
        loop {
            let answer = self.get(Who::Auditor, &format!("/v1/events?from_position={from}&limit=1000")).await;
            assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
            records.extend(answer.body["records"].as_array().expect("records").iter().cloned());
            match answer.body["next"].as_i64() {
                Some(next) => from = next,
                None => return records,
            }
        }
    }
}

/// A fresh stream name of `kind`.
pub fn new_stream(kind: &str) -> (String, String) {
    let id = uuid::Uuid::new_v4().to_string();
    (format!("{kind}-{id}"), id)
}
