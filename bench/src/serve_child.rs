//! The server the HTTP figures are measured against: this very binary started again as
//! `aidledger serve` in a child process, so that the clients' load is another process's (as with
//! wrk) and the memory measured is the server's alone. The child is killed when its handle is
//! dropped, so it never outlives the benchmark, not even one that fails.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Duration;

use anyhow::Context;

use crate::keys::RunKeys;
use crate::memory::{self, Memory};

/// Longest the child may take to say where it listens (it migrates and opens the store first).
const START_WAIT: Duration = Duration::from_secs(120);

/// A running `aidledger serve`; killed on drop.
pub(crate) struct ServeChild {
    child: Child,
    /// `http://ADDR`.
    pub base: String,
    /// Kept open once read up to the address: the child may still write to it.
    _stdout: Option<BufReader<ChildStdout>>,
}

impl ServeChild {
    /// Starts `aidledger serve` on `database_url` with the run's keys, on a free port, answering up
    /// to `concurrent_requests_max` requests at once, and waits until it listens.
    pub(crate) async fn start(
        database_url: &str,
        keys: &RunKeys,
        concurrent_requests_max: usize,
    ) -> anyhow::Result<ServeChild> {
        let program = std::env::current_exe().context("finding the aidledger binary")?;
        let mut command = Command::new(program);
        command
            .arg("--database-url")
            .arg(database_url)
            .args(["serve", "--listen", "127.0.0.1:0", "--master-key-file"])
            .arg(keys.master_key_file())
            .arg("--key-file")
            .arg(keys.signing_key_file())
            .arg("--concurrent-requests-max")
            .arg(concurrent_requests_max.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if std::env::var_os("RUST_LOG").is_none() {
            command.env("RUST_LOG", "warn");
        }
        let mut child = command.spawn().context("starting aidledger serve")?;
        let stdout = child.stdout.take().context("the child's stdout")?;
        // From here on a failure drops the child, which kills it; the reader then sees its output end.
        let mut serving = ServeChild { child, base: String::new(), _stdout: None };
        let starting = tokio::task::spawn_blocking(move || listening_address(BufReader::new(stdout)));
        let listened = tokio::time::timeout(START_WAIT, starting)
            .await
            .map_err(|_| anyhow::anyhow!("aidledger serve did not listen within {} s", START_WAIT.as_secs()))?
            .context("reading what aidledger serve printed")??;
        let Some((base, stdout)) = listened else {
            let status = serving.child.wait().context("waiting for aidledger serve")?;
            anyhow::bail!("aidledger serve exited ({status}) before it listened");
        };
        serving.base = base;
        serving._stdout = Some(stdout);
        Ok(serving)
    }

    /// The child's memory now.
    pub(crate) fn memory(&self) -> anyhow::Result<Memory> {
        memory::of_process(self.child.id())
    }

    /// Stops the child; an error when it had already stopped by itself (it failed under the load).
    pub(crate) fn stop(mut self) -> anyhow::Result<()> {
        if let Some(status) = self.child.try_wait().context("asking after aidledger serve")? {
            anyhow::bail!("aidledger serve exited during the benchmark ({status})");
        }
        Ok(())
    }
}

impl Drop for ServeChild {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads `stdout` until `listening on http://ADDR`: the base URL, and the rest of the output;
/// `None` when the output ends first.
fn listening_address(
    mut stdout: BufReader<ChildStdout>,
) -> std::io::Result<Option<(String, BufReader<ChildStdout>)>> {
    let mut line = String::new();
    loop {
        line.clear();
        if stdout.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        if let Some(base) = line.trim_end().strip_prefix("listening on ") {
            return Ok(Some((base.to_owned(), stdout)));
        }
    }
}
