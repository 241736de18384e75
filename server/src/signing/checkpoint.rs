//! Checkpoints: a C2SP `tlog-checkpoint` body signed as a C2SP `signed-note`.
//!
//! The body is `<origin>\n<tree size>\n<base64 root>\n`. The signed note is the body, a blank line,
//! then one line per signature, `— <key name> <base64(key id ‖ Ed25519 signature of the body)>\n`
//! (the dash is U+2014 EM DASH). Ed25519 signatures are deterministic, so a given key signs a given
//! body to the same bytes every time.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use domain::RecordHash;

use super::key::{NoteSigner, NoteVerifier};
use super::note::{self, SIGNATURE_PREFIX};
use super::proof_lines::canonical_decimal;

/// Why a signed note was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// It is not a signed note, or its text is not a checkpoint.
    #[error("malformed checkpoint: {0}")]
    Malformed(String),
    /// No signature by the expected key.
    #[error("the checkpoint carries no signature by key {0}")]
    NotSignedBy(String),
    /// A signature by the expected key that does not verify.
    #[error("the signature by key {0} does not verify")]
    BadSignature(String),
    /// Fewer of the trusted witnesses cosigned than the policy requires.
    #[error("{found} of the trusted witnesses cosigned, {required} are required")]
    TooFewCosignatures {
        /// How many did.
        found: usize,
        /// How many must.
        required: usize,
    },
}

/// What a checkpoint says: the log `origin` had `tree_size` records and this Merkle `root`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's origin (for aidledger, also the signing key's name).
    pub origin: String,
    /// How many records the tree has.
    pub tree_size: u64,
    /// The RFC 9162 root of the tree of their hashes.
    pub root: RecordHash,
}

impl Checkpoint {
    /// The note text: `<origin>\n<tree size>\n<base64 root>\n`.
    pub fn body(&self) -> String {
        format!("{}\n{}\n{}\n", self.origin, self.tree_size, BASE64.encode(self.root.0))
    }

    /// Parses a checkpoint body (extension lines after the root are allowed and ignored).
    pub fn parse_body(body: &str) -> Result<Checkpoint, NoteError> {
        let malformed = |detail: &str| NoteError::Malformed(detail.to_owned());
        let lines =
            body.strip_suffix('\n').ok_or_else(|| malformed("the text does not end with a newline"))?;
        let mut lines = lines.split('\n');
        let origin = lines.next().filter(|o| !o.is_empty()).ok_or_else(|| malformed("no origin line"))?;
        let size = lines.next().ok_or_else(|| malformed("no tree size line"))?;
        let tree_size =
            canonical_decimal(size).ok_or_else(|| malformed("the tree size is not a decimal number"))?;
        let root = lines.next().ok_or_else(|| malformed("no root hash line"))?;
        let root: [u8; 32] = BASE64
            .decode(root)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| malformed("the root hash is not 32 bytes of base64"))?;
        if lines.any(str::is_empty) {
            return Err(malformed("an empty extension line"));
        }
        Ok(Checkpoint { origin: origin.to_owned(), tree_size, root: RecordHash(root) })
    }

    /// The signed note: the body, a blank line and `signer`'s signature line.
    pub fn sign(&self, signer: &NoteSigner) -> String {
        let body = self.body();
        let mut signature = Vec::with_capacity(68);
        signature.extend_from_slice(&signer.id());
        signature.extend_from_slice(&signer.sign(body.as_bytes()));
        format!("{body}\n{SIGNATURE_PREFIX}{} {}\n", signer.name(), BASE64.encode(signature))
    }

    /// Opens the signed note `note`: checks that `verifier` signed it and parses its body. Signatures
    /// by other keys are allowed and ignored, as C2SP `signed-note` says.
    pub fn open(note: &str, verifier: &NoteVerifier) -> Result<Checkpoint, NoteError> {
        let split = note::split(note)?;
        if split.text.chars().any(|c| c.is_control() && c != '\n') {
            return Err(NoteError::Malformed("the text holds control characters".into()));
        }
        let mut verified = false;
        for signature in &split.signatures {
            if signature.name != verifier.name() || signature.id != verifier.id() {
                continue;
            }
            let signature: [u8; 64] = signature
                .signature
                .as_slice()
                .try_into()
                .map_err(|_| NoteError::BadSignature(verifier.to_string()))?;
            if !verifier.verifies(split.text.as_bytes(), &signature) {
                return Err(NoteError::BadSignature(verifier.to_string()));
            }
            verified = true;
        }
        if !verified {
            return Err(NoteError::NotSignedBy(verifier.to_string()));
        }
        Checkpoint::parse_body(split.text)
    }
}
