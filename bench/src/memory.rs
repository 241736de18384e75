//! A process's memory as Linux reports it in `/proc/<pid>/status`: its resident set now (`VmRSS`)
//! and at its peak (`VmHWM`), in megabytes (10^6 bytes).

use anyhow::Context;

/// What a process holds in memory.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Memory {
    /// The largest resident set it has had (`VmHWM`), in MB.
    pub peak_megabytes: f64,
    /// Its resident set now (`VmRSS`), in MB.
    pub resident_megabytes: f64,
}

/// The memory of the process `pid`.
pub(crate) fn of_process(pid: u32) -> anyhow::Result<Memory> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    let field = |name| megabytes(&status, name).with_context(|| format!("no {name} in {path}"));
    Ok(Memory { peak_megabytes: field("VmHWM")?, resident_megabytes: field("VmRSS")? })
}

/// This process's resident set now, in MB (`None` where `/proc` does not tell).
pub(crate) fn own_resident_megabytes() -> Option<f64> {
    megabytes(&std::fs::read_to_string("/proc/self/status").ok()?, "VmRSS")
}

/// The field `name` (a size in kB, as the kernel writes it) of a `status` text, in MB.
fn megabytes(status: &str, name: &str) -> Option<f64> {
    let line = status.lines().find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))?;
    let kilobytes: f64 = line.split_whitespace().next()?.parse().ok()?;
    Some(kilobytes * 1024.0 / 1_000_000.0)
}
