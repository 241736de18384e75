//! The checkpointer: one task that signs a checkpoint of the committed log shortly after appends,
//! woken by each commit, and keeps every checkpoint it signs.
//!
//! Bursts are coalesced: after signing it waits [`CHECKPOINT_INTERVAL`] before signing again, so a
//! busy log gets a checkpoint at most that often and an append is covered by one at most about that
//! long after it commits. It signs only sizes the writer has published as committed, from the stored
//! tree nodes of that size, so a checkpoint never covers a record that could still be rolled back.

use std::sync::Arc;
use std::time::Duration;

use domain::record::format_recorded_at;
use time::OffsetDateTime;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::signing::{Checkpoint, NoteSigner, NoteVerifier};
use crate::store::{Store, StoredCheckpoint, TreeError};

/// The least time between two checkpoints; also about the longest an append waits for one.
pub(crate) const CHECKPOINT_INTERVAL: Duration = Duration::from_millis(500);

/// How long to wait before trying again after a failed signature.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// A handle on the running checkpointer; cheap to clone.
#[derive(Clone)]
pub struct Checkpointer {
    signer: Arc<NoteSigner>,
    signed: watch::Receiver<u64>,
}

/// Signs the checkpoint of the first `tree_size` records of `store` (which must be committed) with
/// `signer` and stores it; answers the stored checkpoint of that size.
pub async fn sign_checkpoint(
    store: &Store,
    signer: &NoteSigner,
    tree_size: u64,
) -> Result<StoredCheckpoint, TreeError> {
    let root = store.tree_root(tree_size).await?;
    let note = Checkpoint { origin: signer.name().to_owned(), tree_size, root }.sign(signer);
    let signed_at = format_recorded_at(OffsetDateTime::now_utc());
    store.insert_checkpoint(&StoredCheckpoint { tree_size, root, note, signed_at }).await
}

impl Checkpointer {
    /// Starts the checkpointer on `store`. When the latest stored checkpoint is behind the committed
    /// log (or there is none yet), it signs one for the current size before returning.
    pub async fn start(store: Store, signer: Arc<NoteSigner>) -> anyhow::Result<Checkpointer> {
        let head = store.tree_size();
        let latest = store.latest_checkpoint().await?.map(|checkpoint| checkpoint.tree_size);
        let signed = match latest {
            Some(size) if size >= head => size,
            _ => sign_checkpoint(&store, &signer, head).await?.tree_size,
        };
        let (sender, signed) = watch::channel(signed);
        tokio::spawn(run(store, signer.clone(), sender));
        Ok(Checkpointer { signer, signed })
    }

    /// The public key that verifies the checkpoints.
    pub fn verifier(&self) -> NoteVerifier {
        self.signer.verifier()
    }

    /// The tree size of the latest checkpoint signed, updated after each signature.
    pub fn signed(&self) -> watch::Receiver<u64> {
        self.signed.clone()
    }

    /// Waits, for at most `timeout`, until a checkpoint of at least `tree_size` records is signed;
    /// answers whether one is.
    pub async fn wait_signed(&self, tree_size: u64, timeout: Duration) -> bool {
        let mut signed = self.signed.clone();
        let reached = tokio::time::timeout(timeout, signed.wait_for(|size| *size >= tree_size)).await;
        matches!(reached, Ok(Ok(_)))
    }
}

async fn run(store: Store, signer: Arc<NoteSigner>, signed: watch::Sender<u64>) {
    let mut head = store.head();
    let mut last_signed_at = Instant::now();
    loop {
        let signed_size = *signed.borrow();
        let behind = head.wait_for(|position| position.records() > signed_size).await.is_ok();
        if !behind {
            return; // the writer has stopped
        }
        tokio::time::sleep_until(last_signed_at + CHECKPOINT_INTERVAL).await;
        let tree_size = store.tree_size();
        match sign_checkpoint(&store, &signer, tree_size).await {
            Ok(_) => {
                signed.send_replace(tree_size);
                last_signed_at = Instant::now();
            }
            Err(error) => {
                tracing::error!(%error, tree_size, "signing a checkpoint failed; retrying");
                tokio::time::sleep(RETRY_AFTER).await;
            }
        }
    }
}
