//! A record's receipt: a C2SP `tlog-proof` that it is in the log, checkable offline with the log's
//! key and a policy of witness keys.
//!
//! ```text
//! c2sp.org/tlog-proof@v1
//! index <zero-based index: the record's position − 1>
//! <base64 hash>        (the inclusion proof, from the leaf's sibling up, one per line)
//!
//! <the checkpoint, verbatim, with its signature and cosignatures>
//! ```
//!
//! The entry is the record's hash (32 bytes): its leaf is `SHA-256(0x00 ‖ record hash)`.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use domain::merkle::{leaf_hash, verify_inclusion};
use domain::RecordHash;

use super::checkpoint::{Checkpoint, NoteError};
use super::cosignature::{self, Cosigned};
use super::key::NoteVerifier;
use super::proof_lines::{canonical_decimal, read_proof_and_note, write_proof_and_note};

/// The first line of every receipt.
pub const HEADER: &str = "c2sp.org/tlog-proof@v1";

/// The most hashes an inclusion proof of a tree of up to 2^64 leaves holds.
const MAX_PROOF_HASHES: usize = 64;

/// A receipt's parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// The entry's zero-based index in the log.
    pub index: u64,
    /// Its inclusion proof in the checkpoint's tree.
    pub proof: Vec<RecordHash>,
    /// The checkpoint note, verbatim.
    pub checkpoint: String,
}

/// What a receipt that verified says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedReceipt {
    /// The checkpoint it is proved in.
    pub checkpoint: Checkpoint,
    /// The trusted witnesses that cosigned it.
    pub cosigned: Vec<Cosigned>,
}

impl Receipt {
    /// The receipt's text.
    pub fn to_text(&self) -> String {
        let mut text = format!("{HEADER}\nindex {}\n", self.index);
        write_proof_and_note(&mut text, &self.proof, &self.checkpoint);
        text
    }

    /// Parses a receipt's text (an `extra` line is allowed and ignored: it is not authenticated).
    pub fn parse(text: &str) -> Result<Receipt, NoteError> {
        let malformed = |detail: &str| NoteError::Malformed(detail.to_owned());
        let rest = text
            .strip_prefix(HEADER)
            .and_then(|rest| rest.strip_prefix('\n'))
            .ok_or_else(|| malformed("a receipt starts with the line c2sp.org/tlog-proof@v1"))?;
        let (mut line, mut rest) = rest.split_once('\n').ok_or_else(|| malformed("no index line"))?;
        if let Some(extra) = line.strip_prefix("extra ") {
            BASE64.decode(extra).map_err(|_| malformed("the extra line is not base64"))?;
            (line, rest) = rest.split_once('\n').ok_or_else(|| malformed("no index line"))?;
        }
        let index = line
            .strip_prefix("index ")
            .and_then(canonical_decimal)
            .ok_or_else(|| malformed("the index line is not \"index <decimal>\""))?;
        let (proof, checkpoint) =
            read_proof_and_note(rest, MAX_PROOF_HASHES).map_err(NoteError::Malformed)?;
        Ok(Receipt { index, proof, checkpoint: checkpoint.to_owned() })
    }

    /// Checks that the record whose hash is `record_hash` is the receipt's entry: the checkpoint is
    /// signed by one of `log_keys`, cosigned by at least `required` of `witnesses`, and the
    /// inclusion proof leads from the record's leaf to its root.
    pub fn verify(
        &self,
        record_hash: &RecordHash,
        log_keys: &[NoteVerifier],
        witnesses: &[NoteVerifier],
        required: usize,
    ) -> Result<VerifiedReceipt, NoteError> {
        let mut refused = NoteError::NotSignedBy("any of the log keys given".into());
        let mut opened = None;
        for key in log_keys {
            match Checkpoint::open(&self.checkpoint, key) {
                Ok(checkpoint) if checkpoint.origin == key.name() => {
                    opened = Some(checkpoint);
                    break;
                }
                Ok(checkpoint) => {
                    refused = NoteError::Malformed(format!("the checkpoint is for {:?}", checkpoint.origin))
                }
                Err(error) => refused = error,
            }
        }
        let checkpoint = opened.ok_or(refused)?;
        let cosigned = cosignature::check_policy(&self.checkpoint, witnesses, required)?;
        let leaf = leaf_hash(&record_hash.0);
        verify_inclusion(self.index, checkpoint.tree_size, &leaf, &self.proof, &checkpoint.root)
            .map_err(|error| NoteError::Malformed(format!("the inclusion proof does not verify: {error}")))?;
        Ok(VerifiedReceipt { checkpoint, cosigned })
    }
}
