//! The body of a C2SP `tlog-witness` `add-checkpoint` request: an `old <size>` line, up to 63
//! consistency proof lines of base64 hashes, an empty line, then the signed checkpoint.

use domain::RecordHash;

use crate::signing::proof_lines::{canonical_decimal, read_proof_and_note, write_proof_and_note};

/// The most consistency proof lines a request may carry.
pub const MAX_PROOF_LINES: usize = 63;

/// An `add-checkpoint` request, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddCheckpoint {
    /// The size of the checkpoint the proof starts from.
    pub old_size: u64,
    /// The consistency proof from `old_size` to the checkpoint's size.
    pub proof: Vec<RecordHash>,
    /// The signed checkpoint note.
    pub checkpoint: String,
}

impl AddCheckpoint {
    /// The request's body text.
    pub fn to_text(&self) -> String {
        let mut text = format!("old {}\n", self.old_size);
        write_proof_and_note(&mut text, &self.proof, &self.checkpoint);
        text
    }

    /// Parses a request body; the error says what is malformed.
    pub fn parse(body: &str) -> Result<AddCheckpoint, String> {
        let (line, rest) = body.split_once('\n').ok_or("the body has no old size line")?;
        let old_size = line
            .strip_prefix("old ")
            .and_then(canonical_decimal)
            .ok_or("the first line is not \"old <size>\" with a decimal size")?;
        let (proof, checkpoint) = read_proof_and_note(rest, MAX_PROOF_LINES)?;
        Ok(AddCheckpoint { old_size, proof, checkpoint: checkpoint.to_owned() })
    }
}
