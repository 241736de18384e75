//! C2SP `signed-note`: a text, a blank line, then signature lines `— <key name> <base64(key id ‖
//! signature)>\n` (the dash is U+2014 EM DASH). The text is separated from the signatures by the
//! note's last blank line, lines end in `\n` only, and base64 is the canonical standard alphabet
//! with padding (a decoder that accepts stray bits would let two texts carry one signature).

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;

use super::checkpoint::NoteError;

/// What opens every signature line.
pub(crate) const SIGNATURE_PREFIX: &str = "\u{2014} ";

/// The most signatures a note may carry (C2SP asks verifiers to take at least 16).
pub const MAX_SIGNATURES: usize = 64;

/// One signature line of a note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteSignature {
    /// The key's name.
    pub name: String,
    /// The key id: the first four bytes of the decoded signature.
    pub id: [u8; 4],
    /// What follows the key id.
    pub signature: Vec<u8>,
}

impl NoteSignature {
    /// The signature line, `— <name> <base64(id ‖ signature)>\n`.
    pub fn line(&self) -> String {
        let mut bytes = Vec::with_capacity(4 + self.signature.len());
        bytes.extend_from_slice(&self.id);
        bytes.extend_from_slice(&self.signature);
        format!("{SIGNATURE_PREFIX}{} {}\n", self.name, BASE64.encode(bytes))
    }
}

/// A signed note split into its text and its signatures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedNote<'a> {
    /// The text, with its final newline (the signed bytes).
    pub text: &'a str,
    /// Its signatures, in order.
    pub signatures: Vec<NoteSignature>,
}

/// Parses the signature lines `lines` (each ending in `\n`; at least one).
pub fn parse_signature_lines(lines: &str) -> Result<Vec<NoteSignature>, NoteError> {
    let malformed = |detail: &str| NoteError::Malformed(detail.to_owned());
    let lines =
        lines.strip_suffix('\n').ok_or_else(|| malformed("the signatures do not end with a newline"))?;
    let mut signatures = Vec::new();
    for line in lines.split('\n') {
        if signatures.len() == MAX_SIGNATURES {
            return Err(malformed("more than 64 signatures"));
        }
        let (name, encoded) = line
            .strip_prefix(SIGNATURE_PREFIX)
            .and_then(|rest| rest.split_once(' '))
            .ok_or_else(|| malformed("a signature line is not \"— <name> <signature>\""))?;
        if name.is_empty() || name.contains('+') || name.chars().any(char::is_whitespace) {
            return Err(malformed("a signature's key name is empty or holds a space or \"+\""));
        }
        let decoded = BASE64.decode(encoded).map_err(|_| malformed("a signature is not base64"))?;
        if decoded.len() < 5 {
            return Err(malformed("a signature is too short"));
        }
        let (id, signature) = decoded.split_at(4);
        signatures.push(NoteSignature {
            name: name.to_owned(),
            id: [id[0], id[1], id[2], id[3]],
            signature: signature.to_vec(),
        });
    }
    Ok(signatures)
}

/// Splits `note` into its text and signatures, checking the form `signed-note` requires.
pub fn split(note: &str) -> Result<SignedNote<'_>, NoteError> {
    let malformed = |detail: &str| NoteError::Malformed(detail.to_owned());
    if note.chars().any(|c| c.is_ascii_control() && c != '\n') {
        return Err(malformed("the note holds control characters"));
    }
    let split = note.rfind("\n\n").ok_or_else(|| malformed("no blank line before the signatures"))?;
    let (text, signatures) = (&note[..split + 1], &note[split + 2..]);
    Ok(SignedNote { text, signatures: parse_signature_lines(signatures)? })
}
