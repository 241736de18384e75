//! Running the `aidledger` binary in tests: a command with its database and key file set, and a
//! `serve` process that is killed when dropped. (A PostgreSQL database of the test's own comes from
//! `aidledger-test-support`.)

#![allow(dead_code)]

pub mod witness;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// The binary on `database_url`, with its signing key and master key beside a SQLite file (never
/// in the working directory, which every test shares).
pub fn aidledger(database_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_aidledger"));
    command.env("DATABASE_URL", database_url).env("RUST_LOG", "warn");
    let key_dir = database_url.strip_prefix("sqlite://").and_then(|file| Path::new(file).parent());
    let key_file = key_dir.map_or_else(|| std::env::temp_dir().join("no-such-dir/aidledger.key"), key_path);
    command.env("AIDLEDGER_MASTER_KEY_FILE", master_key_beside(&key_file));
    command.env("AIDLEDGER_KEY_FILE", key_file).env_remove("AIDLEDGER_LOG_ORIGIN");
    command
}

/// The master key file kept beside the signing key `key_file`.
fn master_key_beside(key_file: &Path) -> PathBuf {
    key_file.with_file_name("aidledger.master.key")
}

/// Where the CLI of a database in `dir` keeps its signing key.
pub fn key_path(dir: &Path) -> PathBuf {
    dir.join("aidledger.key")
}

/// A running `aidledger serve`, killed on drop.
pub struct Served {
    /// The process.
    pub child: Child,
    /// `http://ADDR`.
    pub base: String,
    /// The one-time admin token, when it printed one.
    pub admin_token: Option<String>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `aidledger serve` on `database_url` (key beside the SQLite file) and waits for it to listen.
pub fn serve(database_url: &str) -> Served {
    serve_with(aidledger(database_url))
}

/// A SQLite database URL in `dir`.
pub fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("ledger.db").display())
}

/// The binary on `database_url` with the signing key in `key_file`, and the master key beside it.
pub fn aidledger_with_key(database_url: &str, key_file: &Path) -> Command {
    let mut command = aidledger(database_url);
    command.env("AIDLEDGER_KEY_FILE", key_file).env("AIDLEDGER_MASTER_KEY_FILE", master_key_beside(key_file));
    command
}

/// Starts `aidledger serve` with `command`'s environment and waits for it to listen.
pub fn serve_with(command: Command) -> Served {
    serve_with_options(command, &[])
}

/// Starts `aidledger serve OPTIONS` with `command`'s environment and waits for it to listen.
pub fn serve_with_options(command: Command, options: &[&str]) -> Served {
    serve_logging_to(command, options, Stdio::null())
}

/// Starts `aidledger serve OPTIONS` with `command`'s environment, its log (stderr) going to `log`,
/// and waits for it to listen.
pub fn serve_logging_to(command: Command, options: &[&str], log: impl Into<Stdio>) -> Served {
    serve_listening_on(command, "127.0.0.1:0", options, log)
}

/// Starts `aidledger serve --listen LISTEN OPTIONS` with `command`'s environment, its log (stderr)
/// going to `log`, and waits for it to listen.
pub fn serve_listening_on(
    mut command: Command,
    listen: &str,
    options: &[&str],
    log: impl Into<Stdio>,
) -> Served {
    let mut child = command
        .args(["serve", "--listen", listen])
        .args(options)
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("start aidledger serve");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    let base = loop {
        let line = lines.next().expect("serve exited early").unwrap();
        if let Some(address) = line.strip_prefix("listening on ") {
            break address.to_owned();
        }
        printed.push(line);
    };
    let admin_token = printed.iter().find(|l| l.starts_with("aidl_")).cloned();
    Served { child, base, admin_token }
}

/// How many reads [`read_caught_up`] makes at most: each already waits, server side, up to the
/// projector's catch-up wait.
const CAUGHT_UP_READS_MAX: usize = 6;

/// `GET path` as `token`, for a read that waits for the projections (the summary, a tally): each
/// such read waits, on the projector's signal, until the projections reach the head before it
/// answers, and says in the lag header when it answered from behind; reads again only then.
pub async fn read_caught_up(base: &str, token: &str, path: &str) -> serde_json::Value {
    let client = reqwest::Client::new();
    let mut lag = String::new();
    for _ in 0..CAUGHT_UP_READS_MAX {
        let response = client.get(format!("{base}{path}")).bearer_auth(token).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
        match response.headers().get("aidledger-projection-lag") {
            Some(behind) => lag = behind.to_str().unwrap_or_default().to_owned(),
            None => return response.json().await.unwrap(),
        }
    }
    panic!(
        "the projections were still {lag} events behind after {CAUGHT_UP_READS_MAX} waits for them: {path}"
    );
}

/// Appends `body` (an append request) to `stream` on the server at `base` as `token`, through
/// `client`, insisting it was taken; answers the append's answer.
pub async fn append(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    stream: &str,
    body: &serde_json::Value,
) -> serde_json::Value {
    let response = client
        .post(format!("{base}/v1/streams/{stream}/events"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert_eq!(status, 201, "{text}");
    serde_json::from_str(&text).unwrap()
}

/// What a finished command printed: its stdout, then its stderr.
pub fn said(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// The last line on stdout of a command that must have succeeded.
pub fn last_line(output: &Output) -> String {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).lines().last().expect("a line").to_owned()
}

/// Runs the binary on `url` with the signing key `key` and `args`, insisting it exits 0; answers
/// its stdout.
pub fn run_ok(url: &str, key: &Path, args: &[&str]) -> String {
    let output = aidledger_with_key(url, key).args(args).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "aidledger {args:?}: {}", said(&output));
    String::from_utf8(output.stdout).unwrap()
}

/// Sends SIGTERM to `served` and waits, for a generous deadline, for it to exit; answers how.
pub async fn terminate(served: &mut Served) -> std::process::ExitStatus {
    let pid = served.child.id().to_string();
    let sent = Command::new("kill").args(["-TERM", &pid]).status().expect("run kill");
    assert!(sent.success(), "kill -TERM failed");
    wait_exit(served).await
}

/// Waits, for a generous deadline, for `served` to exit; answers how.
pub async fn wait_exit(served: &mut Served) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        if let Some(exit) = served.child.try_wait().unwrap() {
            return exit;
        }
        assert!(std::time::Instant::now() < deadline, "serve did not exit");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
