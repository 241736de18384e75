//! Submitting the log's checkpoints to its witnesses: one task per witness, woken by each new signed
//! checkpoint, which posts it to the witness's `add-checkpoint` with the consistency proof from the
//! size the witness last cosigned, and keeps the cosignature it answers.
//!
//! A witness that is down delays nothing but its own cosignature: its task tries again at the next
//! checkpoint, or after [`RETRY_AFTER`] when the log is quiet. A 409 tells the task the witness's
//! size, and it resubmits at once with the proof from that size.

use std::time::Duration;

use anyhow::Context;
use axum::http::StatusCode;
use tokio::sync::watch;

use super::{stored, WitnessEndpoint};
use crate::signing::proof_lines::canonical_decimal;
use crate::signing::{cosignature, note, Checkpoint};
use crate::store::Store;
use crate::witness::http::TLOG_SIZE;
use crate::witness::request::AddCheckpoint;

/// How long a failed submission waits before trying again when no new checkpoint comes first.
pub(crate) const RETRY_AFTER: Duration = Duration::from_secs(2);

/// How long one request to a witness may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// How many times one checkpoint is resubmitted after a 409 names another size.
const CONFLICT_RETRIES: usize = 3;

/// Starts one submitting task per witness of `witnesses`, following `signed` (the checkpointer's
/// latest signed size).
pub fn start(
    store: Store,
    signed: watch::Receiver<u64>,
    witnesses: Vec<WitnessEndpoint>,
) -> anyhow::Result<()> {
    let client = reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .context("building the HTTP client for the witnesses")?;
    for witness in witnesses {
        tokio::spawn(run(store.clone(), signed.clone(), witness, client.clone()));
    }
    Ok(())
}

async fn run(
    store: Store,
    mut signed: watch::Receiver<u64>,
    witness: WitnessEndpoint,
    client: reqwest::Client,
) {
    let name = witness.verifier.name().to_owned();
    // The size the witness last cosigned, as far as the log knows (a 409 corrects it).
    let mut known =
        stored::largest_cosigned_by(store.pool(), &witness.verifier).await.unwrap_or(None).unwrap_or(0);
    let mut cosigned: Option<u64> = None;
    loop {
        let size = *signed.borrow_and_update();
        let mut failed = false;
        if cosigned != Some(size) {
            match submit(&store, &client, &witness, &mut known).await {
                Ok(size) => cosigned = Some(size),
                Err(error) => {
                    failed = true;
                    tracing::warn!(
                        witness = name,
                        error = format!("{error:#}"),
                        "a witness did not cosign; retrying"
                    );
                }
            }
        }
        let woken = if failed {
            tokio::select! {
                changed = signed.changed() => changed.is_ok(),
                () = tokio::time::sleep(RETRY_AFTER) => true,
            }
        } else {
            signed.changed().await.is_ok()
        };
        if !woken {
            return; // the checkpointer has stopped
        }
    }
}

/// Submits the latest checkpoint to `witness`, whose size is thought to be `known`; keeps its
/// cosignature and answers the size cosigned.
async fn submit(
    store: &Store,
    client: &reqwest::Client,
    witness: &WitnessEndpoint,
    known: &mut u64,
) -> anyhow::Result<u64> {
    let checkpoint = store.latest_checkpoint().await?.context("no checkpoint is signed yet")?;
    let size = checkpoint.tree_size;
    let url = format!("{}/add-checkpoint", witness.url.trim_end_matches('/'));
    for _ in 0..=CONFLICT_RETRIES {
        let old = *known;
        anyhow::ensure!(old <= size, "the witness has cosigned {old} records, more than the log's {size}");
        let proof = match old {
            0 => Vec::new(),
            old if old == size => Vec::new(),
            old => store.consistency_proof(old, size).await?,
        };
        let body = AddCheckpoint { old_size: old, proof, checkpoint: checkpoint.note.clone() }.to_text();
        let response =
            client.post(&url).body(body).send().await.with_context(|| format!("posting to {url}"))?;
        let status = response.status();
        let is_size =
            response.headers().get(reqwest::header::CONTENT_TYPE).is_some_and(|value| value == TLOG_SIZE);
        let text = response.text().await.with_context(|| format!("reading the answer of {url}"))?;
        if status.as_u16() == StatusCode::CONFLICT.as_u16() && is_size {
            *known = text
                .strip_suffix('\n')
                .and_then(canonical_decimal)
                .with_context(|| format!("{url} answered 409 without a size: {text:?}"))?;
            continue;
        }
        anyhow::ensure!(status.is_success(), "{url} answered {status}: {}", text.trim());
        keep_cosignatures(store, witness, &checkpoint.note, size, &text).await?;
        *known = size;
        return Ok(size);
    }
    anyhow::bail!("{url} kept answering 409 with another size")
}

/// Checks the signature lines `answer` by `witness` over `note`'s checkpoint and keeps them.
async fn keep_cosignatures(
    store: &Store,
    witness: &WitnessEndpoint,
    note: &str,
    size: u64,
    answer: &str,
) -> anyhow::Result<()> {
    let body = note::split(note)?.text;
    Checkpoint::parse_body(body)?;
    let mut kept = false;
    for signature in note::parse_signature_lines(answer).context("the witness's answer")? {
        if !cosignature::is_by(&signature, &witness.verifier) {
            continue; // another key of the witness's, which the log does not know
        }
        cosignature::verify(&witness.verifier, body, &signature).context("the witness's cosignature")?;
        stored::insert(store.pool(), size, &witness.verifier, &signature.line()).await?;
        kept = true;
    }
    anyhow::ensure!(kept, "the witness answered no cosignature by {}", witness.verifier);
    Ok(())
}
