//! Checking the witnesses' cosignatures the log keeps against a policy an auditor gives: "at least
//! K of these witness keys". Every kept cosignature by one of the keys must verify over the
//! checkpoint of its size; the answer is the largest checkpoint at least K of them cosigned.

use std::collections::BTreeMap;
use std::fmt;

use sqlx::AnyPool;

use super::Failure;
use crate::cosigning::stored;
use crate::signing::{cosignature, note, NoteVerifier};
use crate::store::checkpoints;

/// A checkpoint cosigned as the policy asks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Witnessed {
    /// Its tree size.
    pub tree_size: u64,
    /// The names of the given witnesses that cosigned it.
    pub witnesses: Vec<String>,
    /// How many cosignatures by the given witnesses verified, over every checkpoint.
    pub cosignatures: u64,
}

impl fmt::Display for Witnessed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the checkpoint of tree size {} is cosigned by {} of the given witnesses ({}); {} cosignature{} verified",
            self.tree_size,
            self.witnesses.len(),
            self.witnesses.join(", "),
            self.cosignatures,
            if self.cosignatures == 1 { "" } else { "s" }
        )
    }
}

/// Checks every kept cosignature by one of `witnesses` and finds the largest checkpoint at least
/// `required` of them cosigned.
pub async fn verify(
    pool: &AnyPool,
    witnesses: &[NoteVerifier],
    required: usize,
) -> anyhow::Result<Result<Witnessed, Failure>> {
    let mut cosigners: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    let mut verified = 0;
    for kept in stored::all(pool).await? {
        let fail = |detail: String| Ok(Err(Failure::Checkpoint { tree_size: kept.tree_size, detail }));
        let Some(checkpoint) = checkpoints::at_size(pool, kept.tree_size).await? else {
            return fail("a cosignature is kept for it but no checkpoint of that size is".into());
        };
        let signatures = match note::parse_signature_lines(&kept.line) {
            Ok(signatures) => signatures,
            Err(error) => return fail(format!("a kept cosignature line is malformed: {error}")),
        };
        let body = match note::split(&checkpoint.note) {
            Ok(split) => split.text.to_owned(),
            Err(error) => return fail(error.to_string()),
        };
        for signature in &signatures {
            let Some(witness) = witnesses.iter().find(|witness| cosignature::is_by(signature, witness))
            else {
                continue;
            };
            if let Err(error) = cosignature::verify(witness, &body, signature) {
                return fail(format!("its cosignature by {}: {error}", witness.name()));
            }
            verified += 1;
            let names = cosigners.entry(kept.tree_size).or_default();
            if !names.iter().any(|name| name == witness.name()) {
                names.push(witness.name().to_owned());
            }
        }
    }
    let best = cosigners.into_iter().rev().find(|(_, names)| names.len() >= required.max(1));
    Ok(match best {
        Some((tree_size, witnesses)) => Ok(Witnessed { tree_size, witnesses, cosignatures: verified }),
        None => Err(Failure::Witnesses {
            detail: format!(
                "no checkpoint is cosigned by {required} of the given witnesses ({verified} cosignature{} by them verified)",
                if verified == 1 { "" } else { "s" }
            ),
        }),
    })
}
