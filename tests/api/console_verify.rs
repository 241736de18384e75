//! The console's in-browser trail verification (`server/console/verify.js`) holds to the
//! conformance vectors, with Web Crypto and with its vendored fallback, run by Node.js
//! (`tests/browser/verify.test.mjs`). Without Node.js the test says so and passes, unless
//! `AIDLEDGER_BROWSER_TESTS=required` (as CI sets it).

use std::path::Path;
use std::process::Command;

#[test]
fn the_consoles_trail_verification_holds_to_the_vectors_with_and_without_web_crypto() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let required = std::env::var("AIDLEDGER_BROWSER_TESTS").is_ok_and(|v| v == "required");
    let run = Command::new("node")
        .arg("--experimental-detect-module")
        .arg(root.join("tests/browser/verify.test.mjs"))
        .current_dir(&root)
        .output();
    let output = match run {
        Ok(output) => output,
        Err(error) if !required => {
            eprintln!("SKIPPED: the console's trail verification needs Node.js ({error})");
            return;
        }
        Err(error) => panic!("Node.js is required to test the console's trail verification: {error}"),
    };
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
