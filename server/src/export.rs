//! `aidledger export`: the records exactly as served, one per line, up to a signed checkpoint, and
//! that checkpoint beside them, so that the export can be verified offline with the verifier key.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::checkpointer::sign_checkpoint;
use crate::signing::NoteSigner;
use crate::store::{Store, StoredCheckpoint};

/// Records read from the store at a time.
const RECORDS_PER_PAGE: i64 = 1000;

/// Where the checkpoint of the export `out` goes: `out` with `.checkpoint` appended.
pub fn checkpoint_path(out: &Path) -> PathBuf {
    let mut path = out.as_os_str().to_owned();
    path.push(".checkpoint");
    PathBuf::from(path)
}

/// What an export wrote.
#[derive(Debug)]
pub struct Exported {
    /// The checkpoint it was cut at (it holds exactly that checkpoint's records).
    pub checkpoint: StoredCheckpoint,
    /// Records the log holds after that checkpoint, left out for want of a key to sign a newer one.
    pub left_out: u64,
}

/// Writes the log's records to `out` and their checkpoint to [`checkpoint_path`]. With `signer`, a
/// checkpoint of the whole log is signed first if there is none yet; without, the export stops at the
/// latest stored checkpoint.
pub async fn export(store: &Store, signer: Option<&NoteSigner>, out: &Path) -> anyhow::Result<Exported> {
    let head = store.tree_size();
    let mut checkpoint = store.latest_checkpoint().await?;
    if let Some(signer) = signer {
        if checkpoint.as_ref().is_none_or(|latest| latest.tree_size < head) {
            checkpoint = Some(sign_checkpoint(store, signer, head).await?);
        }
    }
    let checkpoint = checkpoint.context(
        "no checkpoint has been signed yet, and there is no key file to sign one with (see --key-file)",
    )?;
    // With whatever cosignatures its witnesses have answered for it.
    let checkpoint = crate::cosigning::with_cosignatures(store, checkpoint).await?;

    let file = std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?;
    let mut writer = std::io::BufWriter::new(file);
    let mut written = 0_u64;
    let mut from = 1_i64;
    while written < checkpoint.tree_size {
        let page = store.read_log(from, RECORDS_PER_PAGE).await?;
        for record in &page.records {
            if written == checkpoint.tree_size {
                break;
            }
            writeln!(writer, "{record}").with_context(|| format!("writing {}", out.display()))?;
            written += 1;
        }
        match page.next {
            Some(next) => from = next,
            None => break,
        }
    }
    writer.flush().with_context(|| format!("writing {}", out.display()))?;
    anyhow::ensure!(
        written == checkpoint.tree_size,
        "the log holds {written} records, fewer than its checkpoint's {}",
        checkpoint.tree_size
    );
    let note_path = checkpoint_path(out);
    std::fs::write(&note_path, &checkpoint.note)
        .with_context(|| format!("writing {}", note_path.display()))?;
    Ok(Exported { left_out: head.saturating_sub(checkpoint.tree_size), checkpoint })
}
