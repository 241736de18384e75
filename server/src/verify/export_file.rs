//! Verifying an export offline, with no database: the records file (one record per line, exactly as
//! served) and its checkpoint file (the signed note the export was cut at).
//!
//! Each line must be the record's canonical JSON with `hash` appended, exactly as the log serves it;
//! the lines must form the hash chain from position 1; the Merkle root of their hashes must be the
//! checkpoint's root at the checkpoint's size, which must be the number of lines; and the checkpoint
//! must be signed by the verifier key.

use std::io::BufRead;
use std::path::Path;

use anyhow::Context;
use domain::chain::ChainVerifier;
use domain::merkle::MerkleFrontier;
use domain::record::served;
use domain::{canonical, strict_json, RecordHash};

use super::{Failure, Outcome, Verified};
use crate::signing::{Checkpoint, NoteVerifier};

/// The canonical body (without `hash`) of the served record `line`, and its `hash`.
pub(crate) fn split_line(line: &[u8]) -> Result<(String, String), String> {
    let mut value = strict_json::parse(line).map_err(|e| format!("the line is not a JSON record: {e}"))?;
    let hash = value
        .as_object_mut()
        .and_then(|record| record.remove("hash"))
        .and_then(|hash| hash.as_str().map(str::to_owned))
        .ok_or("the line is not a record with a \"hash\"")?;
    let body = canonical::to_string(&value).map_err(|e| format!("the record has no canonical form: {e}"))?;
    let hash_value = RecordHash::from_hex(&hash).map_err(|e| format!("its hash is malformed: {e}"))?;
    if served(&body, &hash_value).as_bytes() != line {
        return Err("the line is not the record as served (canonical JSON, then \"hash\")".into());
    }
    Ok((body, hash))
}

/// Verifies the export `records` against the signed note `checkpoint_note` with `verifier`.
pub fn verify(records: &Path, checkpoint_note: &str, verifier: &NoteVerifier) -> anyhow::Result<Outcome> {
    let file = std::fs::File::open(records).with_context(|| format!("opening {}", records.display()))?;
    let mut reader = std::io::BufReader::new(file);
    let mut chain = ChainVerifier::new();
    let mut frontier = MerkleFrontier::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).with_context(|| format!("reading {}", records.display()))? == 0
        {
            break;
        }
        let position = frontier.size() + 1;
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let checked = split_line(text)
            .and_then(|(body, hash)| chain.check(i64::try_from(position).unwrap_or(i64::MAX), &body, &hash));
        if let Err(detail) = checked {
            return Ok(Err(Failure::Record { position, detail }));
        }
        frontier.push(&chain.head_hash());
    }
    let checkpoint = match Checkpoint::open(checkpoint_note, verifier) {
        Ok(checkpoint) => checkpoint,
        Err(error) => {
            let tree_size = Checkpoint::parse_body(checkpoint_note.split("\n\n").next().unwrap_or_default())
                .map(|c| c.tree_size)
                .unwrap_or(0);
            return Ok(Err(Failure::Checkpoint { tree_size, detail: error.to_string() }));
        }
    };
    let fail = |detail: String| Ok(Err(Failure::Checkpoint { tree_size: checkpoint.tree_size, detail }));
    if checkpoint.origin != verifier.name() {
        return fail(format!("it is for the log {:?}, not {:?}", checkpoint.origin, verifier.name()));
    }
    if checkpoint.tree_size != frontier.size() {
        return fail(format!(
            "it covers {} records but the export has {}",
            checkpoint.tree_size,
            frontier.size()
        ));
    }
    if checkpoint.root != frontier.root() {
        return fail(format!(
            "its root {} is not the root of the exported records, {}: the records are not the log it signed",
            checkpoint.root,
            frontier.root()
        ));
    }
    Ok(Ok(Verified {
        records: frontier.size(),
        head_hash: chain.head_hash(),
        root: frontier.root(),
        checkpoints: 1,
    }))
}
