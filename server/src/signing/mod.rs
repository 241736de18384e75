//! Signing the log: Ed25519 note keys, the signed checkpoints auditors check, and the key file.
//!
//! Everything here follows public formats, so that an auditor can check a checkpoint with any
//! Ed25519 implementation and no code of ours: the body is a C2SP `tlog-checkpoint`, the signature a
//! C2SP `signed-note` signature, and the keys are written as Go's `golang.org/x/mod/sumdb/note`
//! encodes them.
//!
//! # Layout
//! - [`key`]: note signers and verifiers, their key ids and their text encodings.
//! - [`checkpoint`]: the checkpoint body, signing it, and opening a signed one.
//! - [`key_file`]: the private key's file: created owner-only, never overwritten but by a rotation.
//! - [`key_history`]: the public halves of every key that has signed, for checking old checkpoints.
//! - [`note`]: a signed note split into its text and signature lines.
//! - [`cosignature`]: witnesses' `cosignature/v1` signature lines (C2SP `tlog-cosignature`).
//! - [`receipt`]: a record's offline proof of inclusion, C2SP `tlog-proof`.
//! - [`proof_lines`]: the decimals and proof lines witness requests and receipts share.

pub mod checkpoint;
pub mod cosignature;
pub mod key;
pub mod key_file;
pub mod key_history;
pub mod note;
pub mod proof_lines;
pub mod receipt;

pub use checkpoint::{Checkpoint, NoteError};
pub use key::{KeyError, NoteSigner, NoteVerifier, SignatureType};

/// The log's origin (and the signing key's name) when none is given.
pub const DEFAULT_LOG_ORIGIN: &str = "aidledger.local/log";
