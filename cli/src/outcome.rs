//! How `verify` and `backup` print a verification's outcome: `ok: …` and exit 0, or `FAILED at …`
//! (with how many records verified before the bad one) and exit 1.

use std::process::ExitCode;

use aidledger_server::verify::{Failure, Outcome};

/// Prints `outcome` on stdout and answers the exit code it calls for.
pub fn report_outcome(outcome: Outcome) -> ExitCode {
    match outcome {
        Ok(verified) => {
            println!("ok: {verified}");
            ExitCode::SUCCESS
        }
        Err(failure) => {
            let checked = match &failure {
                Failure::Record { position, .. } => format!(" ({} records verified before it)", position - 1),
                Failure::Checkpoint { .. } | Failure::Witnesses { .. } => String::new(),
            };
            println!("FAILED at {failure}{checked}");
            ExitCode::from(1)
        }
    }
}
