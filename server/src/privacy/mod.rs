//! Personal data at rest: every personal field is sealed with a key of its subject's own
//! (ChaCha20-Poly1305, a fresh random nonce each time), each subject's key is wrapped by a master key
//! kept outside the database, and forgetting a subject destroys their key.
//!
//! # Layout
//! - [`master_key`]: the master key file.
//! - [`sealing`]: sealing and opening one field, and the personal fields of a record's data.
//! - [`keyring`]: subject keys in the database: created, unwrapped, destroyed.

pub mod keyring;
pub mod master_key;
pub(crate) mod sealing;

pub use keyring::Keyring;
