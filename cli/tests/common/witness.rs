//! Running `aidledger witness` processes in tests: its keygen, and a `witness serve` killed on drop.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A running `aidledger witness serve`, killed on drop.
pub struct WitnessProcess {
    child: Child,
    /// `http://ADDR`.
    pub base: String,
}

impl Drop for WitnessProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `aidledger witness keygen`: answers the verifier key it prints.
pub fn witness_keygen(key_file: &Path, name: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_aidledger"))
        .args(["witness", "keygen", "--key-file"])
        .arg(key_file)
        .args(["--name", name])
        .output()
        .unwrap();
    super::last_line(&output)
}

/// Starts `aidledger witness serve` over `database_url`, witnessing the log `log_key`.
pub fn witness_serve(database_url: &str, key_file: &Path, log_key: &str) -> WitnessProcess {
    let origin = log_key.split('+').next().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_aidledger"))
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .args(["witness", "serve", "--listen", "127.0.0.1:0", "--key-file"])
        .arg(key_file)
        .args(["--log", &format!("{origin}={log_key}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().expect("witness serve exited early").unwrap();
        if let Some(address) = line.strip_prefix("listening on ") {
            break address.to_owned();
        }
    };
    WitnessProcess { child, base }
}
