//! Ed25519 note keys as C2SP `signed-note` names them.
//!
//! A key has a name (for aidledger, the log's origin) and a 4-byte key id: the first four bytes of
//! `SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)`, where `0x01` says "Ed25519". Its public half is
//! published as the verifier key `<name>+<hex key id>+<base64(0x01 ‖ public key)>`; its private half
//! is kept as `PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 ‖ 32-byte seed)>`.

use std::fmt;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// The signature type byte of Ed25519 in note keys.
const ALGORITHM_ED25519: u8 = 0x01;

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

/// The key id of the Ed25519 public key `public` named `name`.
pub(crate) fn key_id(name: &str, public: &[u8; 32]) -> [u8; 4] {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    hasher.update([b'\n', ALGORITHM_ED25519]);
    hasher.update(public);
    let digest = hasher.finalize();
    [digest[0], digest[1], digest[2], digest[3]]
}

/// Splits `<name>+<8 hex digits>+<base64(0x01 ‖ 32 bytes)>` into its name, id and 32 key bytes.
fn split_key_text(text: &str, expected: &'static str) -> Result<(String, [u8; 4], [u8; 32]), KeyError> {
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
    let Some((&ALGORITHM_ED25519, key)) = decoded.split_first() else {
        return Err(malformed("the key is not an Ed25519 key (type byte 0x01)"));
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
    id: [u8; 4],
    key: SigningKey,
}

impl NoteSigner {
    /// The signer named `name` whose Ed25519 key has the 32-byte seed `seed`.
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, KeyError> {
        check_key_name(name)?;
        let key = SigningKey::from_bytes(seed);
        let id = key_id(name, key.verifying_key().as_bytes());
        Ok(Self { name: name.to_owned(), id, key })
    }

    /// A new signer named `name` with a fresh random key.
    pub fn generate(name: &str) -> anyhow::Result<Self> {
        let mut seed = [0_u8; 32];
        getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no randomness for a signing key: {e}"))?;
        let signer = Self::from_seed(name, &seed);
        seed.fill(0);
        Ok(signer?)
    }

    /// Parses the private key text `PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 ‖ seed)>`.
    pub fn from_private_text(text: &str) -> Result<Self, KeyError> {
        const EXPECTED: &str = "private note key (PRIVATE+KEY+<name>+<key id>+<key>)";
        let rest = text.strip_prefix(PRIVATE_KEY_PREFIX).ok_or_else(|| KeyError::Malformed {
            expected: EXPECTED,
            detail: "it does not start with PRIVATE+KEY+".into(),
        })?;
        let (name, id, seed) = split_key_text(rest, EXPECTED)?;
        let signer = Self::from_seed(&name, &seed)?;
        check_id(id, signer.id)?;
        Ok(signer)
    }

    /// The private key text (a secret: write it only to the key file).
    pub fn to_private_text(&self) -> String {
        let mut encoded = Vec::with_capacity(33);
        encoded.push(ALGORITHM_ED25519);
        encoded.extend_from_slice(self.key.as_bytes());
        format!("{PRIVATE_KEY_PREFIX}{}+{}+{}", self.name, hex::encode(self.id), BASE64.encode(encoded))
    }

    /// The key's name (the log's origin).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id.
    pub fn id(&self) -> [u8; 4] {
        self.id
    }

    /// The public half, to publish.
    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier { name: self.name.clone(), id: self.id, key: self.key.verifying_key() }
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
    id: [u8; 4],
    key: VerifyingKey,
}

impl NoteVerifier {
    /// Parses the verifier key text `<name>+<hex key id>+<base64(0x01 ‖ public key)>`.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        const EXPECTED: &str = "note verifier key (<name>+<key id>+<key>)";
        let (name, id, public) = split_key_text(text.trim(), EXPECTED)?;
        let key = VerifyingKey::from_bytes(&public).map_err(|_| KeyError::Malformed {
            expected: EXPECTED,
            detail: "the key is not a point on Ed25519".into(),
        })?;
        check_id(id, key_id(&name, &public))?;
        Ok(Self { name, id, key })
    }

    /// The key's name (the log's origin).
    pub fn name(&self) -> &str {
        &self.name
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
        encoded.push(ALGORITHM_ED25519);
        encoded.extend_from_slice(self.key.as_bytes());
        write!(f, "{}+{}+{}", self.name, hex::encode(self.id), BASE64.encode(encoded))
    }
}

impl fmt::Debug for NoteVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NoteVerifier({self})")
    }
}
