//! Witness cosignatures, C2SP `tlog-cosignature` (Ed25519, `cosignature/v1`, signature type 0x04).
//!
//! A cosignature is a note signature line on the log's checkpoint, `— <witness name>
//! <base64(key id ‖ timestamp ‖ signature)>`, where the timestamp is the POSIX time of signing as a
//! big-endian u64 (at most 2^63 − 1) and the Ed25519 signature is over
//! `cosignature/v1\ntime <timestamp>\n` followed by the checkpoint's whole body. The key id is
//! `SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key)[:4]`.

use super::checkpoint::NoteError;
use super::key::{NoteSigner, NoteVerifier, SignatureType};
use super::note::{self, NoteSignature};

/// The header line of the signed message, for domain separation.
const HEADER: &str = "cosignature/v1\n";

/// The largest timestamp a cosignature may carry.
const MAX_TIMESTAMP: u64 = i64::MAX as u64;

/// The message a witness signs for the checkpoint body `body` at `timestamp`.
pub fn signed_message(body: &str, timestamp: u64) -> String {
    format!("{HEADER}time {timestamp}\n{body}")
}

/// `signer`'s cosignature (it must be a [`SignatureType::CosignatureV1`] key) of the checkpoint
/// body `body` at `timestamp`.
pub fn cosign(signer: &NoteSigner, body: &str, timestamp: u64) -> anyhow::Result<NoteSignature> {
    anyhow::ensure!(signer.kind() == SignatureType::CosignatureV1, "{} is not a witness key", signer.name());
    anyhow::ensure!(timestamp <= MAX_TIMESTAMP, "the timestamp {timestamp} is past 2^63 − 1");
    let mut signature = Vec::with_capacity(72);
    signature.extend_from_slice(&timestamp.to_be_bytes());
    signature.extend_from_slice(&signer.sign(signed_message(body, timestamp).as_bytes()));
    Ok(NoteSignature { name: signer.name().to_owned(), id: signer.id(), signature })
}

/// Whether `signature` is `witness`'s: its name and key id are the witness's.
pub fn is_by(signature: &NoteSignature, witness: &NoteVerifier) -> bool {
    signature.name == witness.name() && signature.id == witness.id()
}

/// Checks `signature`, which [`is_by`] `witness`, over the checkpoint body `body`; answers its
/// timestamp.
pub fn verify(witness: &NoteVerifier, body: &str, signature: &NoteSignature) -> Result<u64, NoteError> {
    let bad = || NoteError::BadSignature(witness.to_string());
    if witness.kind() != SignatureType::CosignatureV1 || signature.signature.len() != 72 {
        return Err(bad());
    }
    let (timestamp, ed25519) = signature.signature.split_at(8);
    let timestamp = u64::from_be_bytes(timestamp.try_into().map_err(|_| bad())?);
    let ed25519: [u8; 64] = ed25519.try_into().map_err(|_| bad())?;
    if timestamp > MAX_TIMESTAMP || !witness.verifies(signed_message(body, timestamp).as_bytes(), &ed25519) {
        return Err(bad());
    }
    Ok(timestamp)
}

/// A witness whose cosignature verified, and when it cosigned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cosigned {
    /// The witness's name.
    pub witness: String,
    /// The cosignature's timestamp (POSIX seconds).
    pub timestamp: u64,
}

/// The witnesses among `witnesses` that cosigned the signed note `note` (cosignatures of other
/// keys are ignored); a cosignature by one of them that does not verify refuses the whole note.
pub fn cosigners(note: &str, witnesses: &[NoteVerifier]) -> Result<Vec<Cosigned>, NoteError> {
    let split = note::split(note)?;
    let mut cosigned: Vec<Cosigned> = Vec::new();
    for signature in &split.signatures {
        let Some(witness) = witnesses.iter().find(|witness| is_by(signature, witness)) else {
            continue;
        };
        let timestamp = verify(witness, split.text, signature)?;
        if !cosigned.iter().any(|seen| seen.witness == witness.name()) {
            cosigned.push(Cosigned { witness: witness.name().to_owned(), timestamp });
        }
    }
    Ok(cosigned)
}

/// Checks the policy "at least `required` of `witnesses` cosigned `note`"; answers who did.
pub fn check_policy(
    note: &str,
    witnesses: &[NoteVerifier],
    required: usize,
) -> Result<Vec<Cosigned>, NoteError> {
    let cosigned = cosigners(note, witnesses)?;
    if cosigned.len() < required {
        return Err(NoteError::TooFewCosignatures { found: cosigned.len(), required });
    }
    Ok(cosigned)
}

/// `note` (a signed note) with `lines` (signature lines, each ending in `\n`) appended.
pub fn with_cosignatures(note: &str, lines: &[String]) -> String {
    let mut cosigned = String::with_capacity(note.len() + lines.iter().map(String::len).sum::<usize>());
    cosigned.push_str(note);
    for line in lines {
        cosigned.push_str(line);
    }
    cosigned
}
