//! Subject keys: one random 32-byte key per subject, stored wrapped by the master key in
//! `subject_keys`, created by the writer the first time a subject's personal field is sealed, and
//! destroyed (in the same transaction as `BeneficiaryForgotten`) when the subject is forgotten.
//! Nothing here is cached: once a key is destroyed, no process can open that subject's fields again.
//! (The writer remembers recent sealing keys between groups, and forgets them all whenever another
//! process has appended, so it never seals with a key destroyed elsewhere.)

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, KeyInit, Nonce};
use domain::record::format_recorded_at;
use sqlx::{AnyConnection, Executor};
use time::OffsetDateTime;

/// Why a subject has no key to seal with.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The subject was forgotten: nothing personal may be recorded about them again.
    #[error("{0} was forgotten; nothing personal is recorded about them any more")]
    Forgotten(String),
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A stored key does not unwrap with this master key.
    #[error("the key of {0} does not unwrap with this master key (is it the right master key file?)")]
    Unwrap(String),
}

/// Wraps and unwraps subject keys with the master key.
#[derive(Clone)]
pub struct Keyring {
    master: Key,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keyring { .. }")
    }
}

fn associated_data(subject: &str) -> Vec<u8> {
    format!("subject-key\u{0}{subject}").into_bytes()
}

impl Keyring {
    /// A keyring under `master`.
    pub fn new(master: Key) -> Keyring {
        Keyring { master }
    }

    fn wrap(&self, subject: &str, key: &Key) -> Result<String, KeyError> {
        let mut nonce = [0_u8; 12];
        getrandom::fill(&mut nonce).map_err(|_| KeyError::Unwrap(subject.to_owned()))?;
        let aad = associated_data(subject);
        let ciphertext = ChaCha20Poly1305::new(&self.master)
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: key.as_slice(), aad: &aad })
            .map_err(|_| KeyError::Unwrap(subject.to_owned()))?;
        let mut wrapped = nonce.to_vec();
        wrapped.extend(ciphertext);
        Ok(STANDARD.encode(wrapped))
    }

    fn unwrap(&self, subject: &str, wrapped: &str) -> Result<Key, KeyError> {
        let failed = || KeyError::Unwrap(subject.to_owned());
        let bytes = STANDARD.decode(wrapped).map_err(|_| failed())?;
        if bytes.len() < 12 {
            return Err(failed());
        }
        let (nonce, ciphertext) = bytes.split_at(12);
        let aad = associated_data(subject);
        let key = ChaCha20Poly1305::new(&self.master)
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ciphertext, aad: &aad })
            .map_err(|_| failed())?;
        if key.len() != 32 {
            return Err(failed());
        }
        Ok(*Key::from_slice(&key))
    }

    /// The key `subject`'s fields are opened with: `None` when it was destroyed or never made.
    pub async fn key_for_opening<'e, E>(&self, executor: E, subject: &str) -> Result<Option<Key>, KeyError>
    where
        E: Executor<'e, Database = sqlx::Any>,
    {
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT wrapped_key FROM subject_keys WHERE subject = $1")
                .bind(subject)
                .fetch_optional(executor)
                .await?;
        match row {
            Some((Some(wrapped),)) => self.unwrap(subject, &wrapped).map(Some),
            _ => Ok(None),
        }
    }

    /// The key to seal `subject`'s fields with, made on first use (inside the caller's transaction).
    pub(crate) async fn key_for_sealing(
        &self,
        connection: &mut AnyConnection,
        subject: &str,
    ) -> Result<Key, KeyError> {
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT wrapped_key FROM subject_keys WHERE subject = $1")
                .bind(subject)
                .fetch_optional(&mut *connection)
                .await?;
        match row {
            Some((Some(wrapped),)) => self.unwrap(subject, &wrapped),
            Some((None,)) => Err(KeyError::Forgotten(subject.to_owned())),
            None => {
                let mut bytes = [0_u8; 32];
                getrandom::fill(&mut bytes).map_err(|_| KeyError::Unwrap(subject.to_owned()))?;
                let key = *Key::from_slice(&bytes);
                sqlx::query(
                    "INSERT INTO subject_keys (subject, wrapped_key, created_at) VALUES ($1, $2, $3)",
                )
                .bind(subject)
                .bind(self.wrap(subject, &key)?)
                .bind(format_recorded_at(OffsetDateTime::now_utc()))
                .execute(&mut *connection)
                .await?;
                Ok(key)
            }
        }
    }

    /// Destroys `subject`'s key for good (inside the caller's transaction), noting who and why.
    pub(crate) async fn destroy(
        &self,
        connection: &mut AnyConnection,
        subject: &str,
        by: &str,
        reason: &str,
    ) -> Result<(), KeyError> {
        let now = format_recorded_at(OffsetDateTime::now_utc());
        sqlx::query(
            "INSERT INTO subject_keys (subject, wrapped_key, created_at, forgotten_at, forgotten_by, forget_reason) \
             VALUES ($1, NULL, $2, $2, $3, $4) ON CONFLICT (subject) DO UPDATE SET wrapped_key = NULL, \
             forgotten_at = excluded.forgotten_at, forgotten_by = excluded.forgotten_by, \
             forget_reason = excluded.forget_reason",
        )
        .bind(subject)
        .bind(now)
        .bind(by)
        .bind(reason)
        .execute(&mut *connection)
        .await?;
        Ok(())
    }
}
