//! The keys a verification checks the stored checkpoints with, each for the tree sizes it may have
//! signed: a key recorded in the log's key history ([`crate::signing::key_history`]) from the size
//! it started at up to the size the next key started at, a key the history does not know for any
//! size.

use crate::signing::key_history::SigningKey;
use crate::signing::NoteVerifier;

/// A key and the tree sizes whose checkpoints it may have signed.
#[derive(Clone, Debug)]
pub struct CheckpointKey {
    /// The key.
    pub verifier: NoteVerifier,
    /// The smallest tree size it signs.
    pub from: u64,
    /// The largest, when a later key took over (the size that key started at, which the old key may
    /// have signed too, just before the rotation).
    pub until: Option<u64>,
}

impl CheckpointKey {
    /// Whether the key may have signed the checkpoint of `tree_size` records.
    pub fn covers(&self, tree_size: u64) -> bool {
        self.from <= tree_size && self.until.is_none_or(|until| tree_size <= until)
    }
}

/// The keys to check with: each of `trusted`, for the sizes `history` gives it (any size when
/// `history` does not hold it); and, when `with_history` and one of `trusted` is in the history,
/// every key of the history too (the operator's check: the key file's key anchors the record of
/// the keys before it).
pub fn checkpoint_keys(
    trusted: &[NoteVerifier],
    history: &[SigningKey],
    with_history: bool,
) -> Vec<CheckpointKey> {
    let windows: Vec<CheckpointKey> = history
        .iter()
        .enumerate()
        .map(|(index, key)| CheckpointKey {
            verifier: key.verifier.clone(),
            from: key.tree_size,
            until: history.get(index + 1).map(|next| next.tree_size),
        })
        .collect();
    let anchored = trusted.iter().any(|key| windows.iter().any(|window| window.verifier == *key));
    let mut keys: Vec<CheckpointKey> = trusted
        .iter()
        .map(|key| {
            windows.iter().find(|window| window.verifier == *key).cloned().unwrap_or(CheckpointKey {
                verifier: key.clone(),
                from: 0,
                until: None,
            })
        })
        .collect();
    if with_history && anchored {
        keys.extend(windows.into_iter().filter(|window| !trusted.contains(&window.verifier)));
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::NoteSigner;

    fn key() -> NoteVerifier {
        NoteSigner::generate("aidledger.local/log").unwrap().verifier()
    }

    fn recorded(verifier: &NoteVerifier, tree_size: u64) -> SigningKey {
        SigningKey { verifier: verifier.clone(), tree_size, recorded_at: "2026-12-02T00:00:00Z".into() }
    }

    #[test]
    fn each_key_checks_the_sizes_between_its_start_and_the_next_keys_and_the_history_only_when_anchored() {
        let (old, new, stranger) = (key(), key(), key());
        let history = [recorded(&old, 0), recorded(&new, 5)];
        let windows = |keys: Vec<CheckpointKey>| -> Vec<(bool, u64, Option<u64>)> {
            keys.iter().map(|k| (k.verifier == old, k.from, k.until)).collect()
        };
        assert_eq!(
            windows(checkpoint_keys(std::slice::from_ref(&new), &history, true)),
            [(false, 5, None), (true, 0, Some(5))]
        );
        assert_eq!(windows(checkpoint_keys(std::slice::from_ref(&new), &history, false)), [(false, 5, None)]);
        assert_eq!(
            windows(checkpoint_keys(std::slice::from_ref(&stranger), &history, true)),
            [(false, 0, None)]
        );
        let old_window = &checkpoint_keys(std::slice::from_ref(&old), &history, false)[0];
        assert!(old_window.covers(0) && old_window.covers(5) && !old_window.covers(6));
    }
}
