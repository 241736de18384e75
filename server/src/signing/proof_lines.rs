//! The text forms C2SP's `tlog-witness` requests and `tlog-proof` receipts share: decimals with no
//! leading zeroes, and a proof as base64 hashes one a line, then an empty line, then a signed
//! note verbatim.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use domain::RecordHash;

/// A decimal with no leading zeroes (but `0` itself).
pub fn canonical_decimal(text: &str) -> Option<u64> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    canonical.then(|| text.parse().ok()).flatten()
}

/// Appends `proof` (one base64 hash a line), an empty line and `note` to `text`.
pub fn write_proof_and_note(text: &mut String, proof: &[RecordHash], note: &str) {
    for hash in proof {
        text.push_str(&BASE64.encode(hash.0));
        text.push('\n');
    }
    text.push('\n');
    text.push_str(note);
}

/// Reads what [`write_proof_and_note`] writes, at most `max_hashes` hashes: the proof and the note;
/// the error says what is malformed.
pub fn read_proof_and_note(mut rest: &str, max_hashes: usize) -> Result<(Vec<RecordHash>, &str), String> {
    let mut proof = Vec::new();
    loop {
        let (line, after) = rest.split_once('\n').ok_or("no empty line before the signed note")?;
        rest = after;
        if line.is_empty() {
            return Ok((proof, rest));
        }
        if proof.len() == max_hashes {
            return Err(format!("more than {max_hashes} proof lines"));
        }
        let hash: [u8; 32] = BASE64
            .decode(line)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or("a proof line is not 32 bytes of canonical base64")?;
        proof.push(RecordHash(hash));
    }
}
