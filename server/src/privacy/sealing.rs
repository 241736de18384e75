//! Sealing and opening personal fields. A sealed field is `{"sealed": base64(nonce ‖ ciphertext)}`;
//! the plaintext is the field's JSON value, and the associated data binds the ciphertext to its
//! subject and field, so a sealed value cannot be moved to another person or field unnoticed.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, KeyInit, Nonce};
use domain::values::{sealed_text, SEALED_KEY};
use domain::EventType;
use serde_json::{json, Map, Value};

const NONCE_BYTES: usize = 12;

fn associated_data(subject: &str, field: &str) -> Vec<u8> {
    format!("{subject}\u{0}{field}").into_bytes()
}

/// Seals `value` of `field` for `subject`.
pub(crate) fn seal(key: &Key, subject: &str, field: &str, value: &Value) -> anyhow::Result<Value> {
    let mut nonce = [0_u8; NONCE_BYTES];
    getrandom::fill(&mut nonce).map_err(|e| anyhow::anyhow!("no randomness for a nonce: {e}"))?;
    let plaintext = value.to_string();
    let aad = associated_data(subject, field);
    let ciphertext = ChaCha20Poly1305::new(key)
        .encrypt(Nonce::from_slice(&nonce), Payload { msg: plaintext.as_bytes(), aad: &aad })
        .map_err(|_| anyhow::anyhow!("sealing failed"))?;
    let mut sealed = nonce.to_vec();
    sealed.extend(ciphertext);
    Ok(json!({ SEALED_KEY: STANDARD.encode(sealed) }))
}

/// Opens a sealed `field` of `subject`; `None` when it does not open with `key`.
pub fn open(key: &Key, subject: &str, field: &str, sealed: &str) -> Option<Value> {
    let bytes = STANDARD.decode(sealed).ok()?;
    if bytes.len() < NONCE_BYTES {
        return None;
    }
    let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
    let aad = associated_data(subject, field);
    let plaintext = ChaCha20Poly1305::new(key)
        .decrypt(Nonce::from_slice(nonce), Payload { msg: ciphertext, aad: &aad })
        .ok()?;
    serde_json::from_slice(&plaintext).ok()
}

/// `data` with every personal field of `event_type` sealed for `subject`.
pub(crate) fn seal_data(
    key: &Key,
    subject: &str,
    event_type: EventType,
    data: &Value,
) -> anyhow::Result<Value> {
    let mut sealed = data.clone();
    if let Some(object) = sealed.as_object_mut() {
        for field in event_type.personal_fields() {
            if let Some(value) = object.get(*field) {
                let value = seal(key, subject, field, value)?;
                object.insert((*field).to_owned(), value);
            }
        }
    }
    Ok(sealed)
}

/// The personal fields of `data`, opened: `Some(field → value)`, or `None` for each field whose key
/// is gone (the subject was forgotten) or that does not open.
pub(crate) fn open_fields(
    key: Option<&Key>,
    subject: &str,
    event_type: EventType,
    data: &Value,
) -> Map<String, Value> {
    let mut opened = Map::new();
    for field in event_type.personal_fields() {
        let Some(value) = data.get(*field) else { continue };
        let open_value = match (sealed_text(value), key) {
            (Some(sealed), Some(key)) => open(key, subject, field, sealed),
            (Some(_), None) => None,
            // A field stored open (never, once sealing is on) is shown as it is.
            (None, _) => Some(value.clone()),
        };
        opened.insert((*field).to_owned(), open_value.unwrap_or(Value::Null));
    }
    opened
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_field_opens_only_with_its_key_subject_and_field() {
        let key = Key::from_slice(&[7; 32]);
        let other = Key::from_slice(&[8; 32]);
        let sealed = seal(key, "beneficiary-1", "name", &json!("王建国")).unwrap();
        let text = sealed_text(&sealed).unwrap();
        assert_eq!(open(key, "beneficiary-1", "name", text), Some(json!("王建国")));
        assert_eq!(open(other, "beneficiary-1", "name", text), None);
        assert_eq!(open(key, "beneficiary-2", "name", text), None);
        assert_eq!(open(key, "beneficiary-1", "phone", text), None);
        assert_ne!(
            seal(key, "beneficiary-1", "name", &json!("王建国")).unwrap(),
            sealed,
            "a fresh nonce each time"
        );
        assert!(!sealed.to_string().contains("王建国"));
    }
}
