//! Ed25519 note keys as C2SP `signed-note` names them.
//!
//! A key has a name (for aidledger, the log's origin, or a witness's name), a signature type byte
//! ([`SignatureType`]: `0x01` for the log's plain Ed25519 note signatures, `0x04` for a witness's
//! timestamped `cosignature/v1`) and a 4-byte key id: the first four bytes of
//! `SHA-256(name ‖ 0x0A ‖ type ‖ public key)`. Its public half is published as the verifier key
//! `<name>+<hex key id>+<base64(type ‖ public key)>`; its private half is kept as
//! `PRIVATE+KEY+<name>+<hex key id>+<base64(type ‖ 32-byte seed)>`.

use std::fmt;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// What a key's signatures are, as the type byte of its key id and encodings says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignatureType {
    /// `0x01`: Ed25519 over the note text (the log's checkpoints).
    Ed25519,
    /// `0x04`: a timestamped Ed25519 witness cosignature, C2SP `tlog-cosignature` (`cosignature/v1`).
    CosignatureV1,
}

impl SignatureType {
    /// Its type byte.
    pub const fn byte(self) -> u8 {
        match self {
            SignatureType::Ed25519 => 0x01,
            SignatureType::CosignatureV1 => 0x04,
        }
    }

    fn expected_text(self) -> &'static str {
        match self {
            SignatureType::Ed25519 => "the key is not an Ed25519 key (type byte 0x01)",
            SignatureType::CosignatureV1 => "the key is not an Ed25519 cosignature key (type byte 0x04)",
        }
    }
}

/// What prefixes the text of a private key.
const PRIVATE_KEY_PREFIX: &str = "PRIVATE+KEY+";

/// Why a key name or a key's text was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// A key name must be non-empty and hold no whitespace and no `+`.
    #[error("{0:?} is not a key name (non-empty, no spaces, no \"+\")")]
    BadName(String),
    /// The text is not a key in the expected encoding.
    #[error("not a {expected}: {detail}")]
    Malformed {
        /// Which encoding was expected.
        expected: &'static str,
        /// What is wrong with it.
        detail: String,
    },
    /// The key id written in the text is not the one the name and key give.
    #[error("the key id {written} does not match the key (its id is {computed})")]
    WrongKeyId {
        /// The id in the text.
        written: String,
        /// The id of the key.
        computed: String,
    },
}

/// Checks a key name: non-empty, no Unicode whitespace, no `+`.
pub(crate) fn check_key_name(name: &str) -> Result<(), KeyError> {
    if name.is_empty() || name.contains('+') || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(KeyError::BadName(name.to_owned()));
    }
    Ok(())
}

/// The key id of the Ed25519 public key `public` named `name`, for signatures of type `kind`.
pub(crate) fn key_id(name: &str, kind: SignatureType, public: &[u8; 32]) -> [u8; 4] {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    hasher.update([b'\n', kind.byte()]);
    hasher.update(public);
    let digest = hasher.finalize();
    [digest[0], digest[1], digest[2], digest[3]]
}

/// Splits `<name>+<8 hex digits>+<base64(type ‖ 32 bytes)>` into its name, id and 32 key bytes.
fn split_key_text(
    text: &str,
    expected: &'static str,
    kind: SignatureType,
) -> Result<(String, [u8; 4], [u8; 32]), KeyError> {
    let malformed = |detail: &str| KeyError::Malformed { expected, detail: detail.to_owned() };
    // A name holds no "+" and a key id is hex, but base64 may hold "+": split from the left.
    let mut parts = text.splitn(3, '+');
    let (Some(name), Some(id_hex), Some(encoded)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(malformed("expected <name>+<key id>+<key>"));
    };
    check_key_name(name)?;
    if id_hex.len() != 8 || id_hex.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(malformed("the key id must be 8 lowercase hex digits"));
    }
    let mut id = [0; 4];
    hex::decode_to_slice(id_hex, &mut id)
        .map_err(|_| malformed("the key id must be 8 lowercase hex digits"))?;
    let decoded = BASE64.decode(encoded).map_err(|_| malformed("the key is not base64"))?;
    let Some(key) = decoded.strip_prefix(&[kind.byte()]) else {
        return Err(malformed(kind.expected_text()));
    };
    let key: [u8; 32] = key.try_into().map_err(|_| malformed("an Ed25519 key has 32 bytes"))?;
    Ok((name.to_owned(), id, key))
}

fn check_id(written: [u8; 4], computed: [u8; 4]) -> Result<(), KeyError> {
    if written != computed {
        return Err(KeyError::WrongKeyId { written: hex::encode(written), computed: hex::encode(computed) });
    }
    Ok(())
}

/// A named Ed25519 key that signs notes.
pub struct NoteSigner {
    name: String,
    kind: SignatureType,
    id: [u8; 4],
    key: SigningKey,
}

impl NoteSigner {
    /// The log's signer named `name` whose Ed25519 key has the 32-byte seed `seed`.
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, KeyError> {
        Self::from_seed_as(name, SignatureType::Ed25519, seed)
    }

    /// The signer of signatures of type `kind`, named `name`, whose Ed25519 key has the seed `seed`.
    pub fn from_seed_as(name: &str, kind: SignatureType, seed: &[u8; 32]) -> Result<Self, KeyError> {
        check_key_name(name)?;
        let key = SigningKey::from_bytes(seed);
        let id = key_id(name, kind, key.verifying_key().as_bytes());
        Ok(Self { name: name.to_owned(), kind, id, key })
    }

    /// A new log signer named `name` with a fresh random key.
    pub fn generate(name: &str) -> anyhow::Result<Self> {
        Self::generate_as(name, SignatureType::Ed25519)
    }

    /// A new signer of signatures of type `kind`, named `name`, with a fresh random key.
    pub fn generate_as(name: &str, kind: SignatureType) -> anyhow::Result<Self> {
        let mut seed = [0_u8; 32];
        getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no randomness for a signing key: {e}"))?;
        let signer = Self::from_seed_as(name, kind, &seed);
        seed.fill(0);
        Ok(signer?)
    }

    /// Parses the log's private key text `PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 ‖ seed)>`.
    pub fn from_private_text(text: &str) -> Result<Self, KeyError> {
        Self::from_private_text_as(text, SignatureType::Ed25519)
    }

    /// Parses the private key text `PRIVATE+KEY+<name>+<hex key id>+<base64(type ‖ seed)>` of a key
    /// of type `kind`.
    pub fn from_private_text_as(text: &str, kind: SignatureType) -> Result<Self, KeyError> {
        const EXPECTED: &str = "private note key (PRIVATE+KEY+<name>+<key id>+<key>)";
        let rest = text.strip_prefix(PRIVATE_KEY_PREFIX).ok_or_else(|| KeyError::Malformed {
            expected: EXPECTED,
            detail: "it does not start with PRIVATE+KEY+".into(),
        })?;
        let (name, id, seed) = split_key_text(rest, EXPECTED, kind)?;
        let signer = Self::from_seed_as(&name, kind, &seed)?;
        check_id(id, signer.id)?;
        Ok(signer)
    }

    /// The private key text (a secret: write it only to the key file).
    pub fn to_private_text(&self) -> String {
        let mut encoded = Vec::with_capacity(33);
        encoded.push(self.kind.byte());
        encoded.extend_from_slice(self.key.as_bytes());
        format!("{PRIVATE_KEY_PREFIX}{}+{}+{}", self.name, hex::encode(self.id), BASE64.encode(encoded))
    }

    /// The key's name (the log's origin, or the witness's name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What its signatures are.
    pub fn kind(&self) -> SignatureType {
        self.kind
    }

    /// The key id.
    pub fn id(&self) -> [u8; 4] {
        self.id
    }

    /// The public half, to publish.
    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier { name: self.name.clone(), kind: self.kind, id: self.id, key: self.key.verifying_key() }
    }

    /// The Ed25519 signature of `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }
}

impl fmt::Debug for NoteSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the seed.
        f.debug_struct("NoteSigner").field("verifier", &self.verifier().to_string()).finish()
    }
}

/// The public half of a note key: checks signatures by it.
#[derive(Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    kind: SignatureType,
    id: [u8; 4],
    key: VerifyingKey,
}

impl NoteVerifier {
    /// Parses the log's verifier key text `<name>+<hex key id>+<base64(0x01 ‖ public key)>`.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        Self::parse_as(text, SignatureType::Ed25519)
    }

    /// Parses the verifier key text `<name>+<hex key id>+<base64(type ‖ public key)>` of a key of
    /// type `kind` (a witness's: [`SignatureType::CosignatureV1`]).
    pub fn parse_as(text: &str, kind: SignatureType) -> Result<Self, KeyError> {
        const EXPECTED: &str = "note verifier key (<name>+<key id>+<key>)";
        let (name, id, public) = split_key_text(text.trim(), EXPECTED, kind)?;
        let key = VerifyingKey::from_bytes(&public).map_err(|_| KeyError::Malformed {
            expected: EXPECTED,
            detail: "the key is not a point on Ed25519".into(),
        })?;
        check_id(id, key_id(&name, kind, &public))?;
        Ok(Self { name, kind, id, key })
    }

    /// The key's name (the log's origin, or the witness's name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What its signatures are.
    pub fn kind(&self) -> SignatureType {
        self.kind
    }

    /// The key id.
    pub fn id(&self) -> [u8; 4] {
        self.id
    }

    /// Whether `signature` is this key's Ed25519 signature of `message` (strict verification: no
    /// malleable or small-order encodings).
    pub fn verifies(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        self.key.verify_strict(message, &Signature::from_bytes(signature)).is_ok()
    }
}

impl fmt::Display for NoteVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut encoded = Vec::with_capacity(33);
        encoded.push(self.kind.byte());
        encoded.extend_from_slice(self.key.as_bytes());
        write!(f, "{}+{}+{}", self.name, hex::encode(self.id), BASE64.encode(encoded))
    }
}

impl fmt::Debug for NoteVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NoteVerifier({self})")
    }
}
