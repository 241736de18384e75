//! Where the log goes and how it reads: stderr, filtered by `RUST_LOG` (default `info,sqlx=warn`),
//! human-readable with colours on a terminal, and JSON lines (one object per event, no colour
//! codes) when stderr is a file, a pipe or a journal, or whenever `--log-format json` asks.
//!
//! Nothing the server logs carries a token or a personal field: refusals name the path and the
//! reason, never the header; requests are logged by route and status, never with their bodies.

use std::io::IsTerminal;

use clap::ValueEnum;
use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Text on a terminal, JSON lines otherwise.
    #[default]
    Auto,
    /// Human-readable text (coloured only on a terminal).
    Text,
    /// One JSON object per line.
    Json,
}

impl LogFormat {
    /// Whether lines are JSON, for stderr that is a terminal or not.
    fn is_json(self, terminal: bool) -> bool {
        match self {
            LogFormat::Auto => !terminal,
            LogFormat::Text => false,
            LogFormat::Json => true,
        }
    }
}

/// Starts logging to stderr in `format`; answers whether lines are JSON.
pub fn init(format: LogFormat) -> bool {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into());
    let terminal = std::io::stderr().is_terminal();
    let json = format.is_json(terminal);
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if json {
        builder.json().flatten_event(true).with_current_span(false).with_ansi(false).init();
    } else {
        builder.with_ansi(terminal).init();
    }
    json
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_writes_json_exactly_when_stderr_is_not_a_terminal() {
        assert!(LogFormat::Auto.is_json(false));
        assert!(!LogFormat::Auto.is_json(true));
        assert!(LogFormat::Json.is_json(true));
        assert!(!LogFormat::Text.is_json(false));
    }
}
