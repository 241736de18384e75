//! The log's side of witnessing: the witnesses `serve --witness` names, submitting each new
//! checkpoint to them, keeping their cosignatures, and the checkpoint notes served with them.
//!
//! # Layout
//! - [`stored`]: the cosignatures table.
//! - [`submitter`]: one task per witness, submitting checkpoints as they are signed.

pub mod stored;
pub mod submitter;

use std::str::FromStr;

use anyhow::Context;

use crate::signing::{cosignature, NoteVerifier, SignatureType};
use crate::store::{Store, StoredCheckpoint};

/// A witness of the log: its key and where it takes submissions.
#[derive(Clone, Debug)]
pub struct WitnessEndpoint {
    /// Its verifier key (type 0x04).
    pub verifier: NoteVerifier,
    /// Its submission prefix (`add-checkpoint` is posted under it).
    pub url: String,
}

impl FromStr for WitnessEndpoint {
    type Err = anyhow::Error;

    /// Parses `<name>=<verifier key>@<url>`.
    fn from_str(text: &str) -> anyhow::Result<Self> {
        let (name, rest) = text.split_once('=').context("a witness is <name>=<verifier key>@<url>")?;
        let (key, url) = rest.split_once('@').context("a witness is <name>=<verifier key>@<url>")?;
        let verifier = NoteVerifier::parse_as(key, SignatureType::CosignatureV1)
            .with_context(|| format!("the witness key {key:?}"))?;
        anyhow::ensure!(
            verifier.name() == name,
            "the witness key is named {:?}, not {name:?}",
            verifier.name()
        );
        anyhow::ensure!(
            url.starts_with("http://") || url.starts_with("https://"),
            "the witness URL {url:?} is not http:// or https://"
        );
        Ok(WitnessEndpoint { verifier, url: url.to_owned() })
    }
}

/// `checkpoint` with the cosignatures kept for its size appended to its note.
pub async fn with_cosignatures(
    store: &Store,
    checkpoint: StoredCheckpoint,
) -> anyhow::Result<StoredCheckpoint> {
    let lines = stored::lines(store.pool(), checkpoint.tree_size).await?;
    let note = cosignature::with_cosignatures(&checkpoint.note, &lines);
    Ok(StoredCheckpoint { note, ..checkpoint })
}

/// The checkpoint to prove a record of at least `tree_size` records in, with its cosignatures: the
/// covering one most witnesses cosigned (the largest among those), else the first signed covering it.
pub async fn covering(store: &Store, tree_size: u64) -> anyhow::Result<Option<StoredCheckpoint>> {
    let chosen = match stored::best_cosigned(store.pool(), tree_size).await? {
        Some(size) => store.checkpoint_at(size).await?,
        None => None,
    };
    let chosen = match chosen {
        Some(checkpoint) => Some(checkpoint),
        None => store.checkpoint_covering(tree_size).await?,
    };
    match chosen {
        Some(checkpoint) => Ok(Some(with_cosignatures(store, checkpoint).await?)),
        None => Ok(None),
    }
}
