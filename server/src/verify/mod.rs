//! What `aidledger verify` checks: the hash chain, the Merkle tree and the signed checkpoints, either
//! in the database or in an export, where nothing but the export's two files and the verifier key
//! is needed.
//!
//! # Layout
//! - [`database`]: one pass over the log: the chain record by record, every stored tree node against
//!   the tree recomputed from the records, and every stored checkpoint's signature and root.
//! - [`chain`]: the log's records read in pages and their chain checked on every core;
//!   [`records_page`]: one such page.
//! - [`stored_tree`], [`stored_checkpoints`]: the stored nodes and checkpoints, compared as the walk
//!   reaches them.
//! - [`checkpoint_keys`]: the keys the checkpoints are checked with, each for the sizes it signed.
//! - [`cosignatures`]: the witnesses' kept cosignatures against a policy of "at least K of these".
//! - [`export_file`]: an export (records and checkpoint) offline: each line's canonical form, hash
//!   and link, the tree root against the checkpoint's, and the checkpoint's signature.

pub mod chain;
pub mod checkpoint_keys;
pub mod cosignatures;
pub mod database;
pub mod export_file;
pub mod records_page;
pub mod stored_checkpoints;
pub mod stored_tree;

use std::fmt;

use domain::RecordHash;
use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;

/// Connections a verification reads through.
const READING_CONNECTIONS: u32 = 4;

/// A small pool of its own for one verification, to the database `pool` opens: the pages it reads
/// fill these few connections' caches rather than every connection of the shared pool, and that
/// memory goes when the verification closes it.
pub(crate) async fn reading_pool(pool: &AnyPool) -> Result<AnyPool, sqlx::Error> {
    AnyPoolOptions::new()
        .max_connections(READING_CONNECTIONS)
        .connect_with((*pool.connect_options()).clone())
        .await
}

/// What verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// How many records verified.
    pub records: u64,
    /// The last record's hash (zeros when there is none).
    pub head_hash: RecordHash,
    /// The Merkle root of all the records.
    pub root: RecordHash,
    /// How many signed checkpoints verified.
    pub checkpoints: u64,
}

impl fmt::Display for Verified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} records verified; head hash {}; tree root {}; {} signed checkpoint{} verified",
            self.records,
            self.head_hash,
            self.root,
            self.checkpoints,
            if self.checkpoints == 1 { "" } else { "s" }
        )
    }
}

/// The first thing that did not verify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The record at `position`, or the tree over it.
    Record {
        /// Its position (in an export, also its line number).
        position: u64,
        /// What is wrong.
        detail: String,
    },
    /// A signed checkpoint.
    Checkpoint {
        /// Its tree size.
        tree_size: u64,
        /// What is wrong.
        detail: String,
    },
    /// The witnesses' cosignatures fall short of the policy given.
    Witnesses {
        /// What is missing.
        detail: String,
    },
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Record { position, detail } => write!(f, "position {position}: {detail}"),
            Failure::Checkpoint { tree_size, detail } => {
                write!(f, "the checkpoint of tree size {tree_size}: {detail}")
            }
            Failure::Witnesses { detail } => write!(f, "the witnesses' cosignatures: {detail}"),
        }
    }
}

/// The outcome of a verification that could run: what verified, or the first failure.
pub type Outcome = Result<Verified, Failure>;
