//! The Merkle tree over the log, for auditors: roots, inclusion proofs and consistency proofs.
//!
//! The leaves are the records' hashes (32 raw bytes each) in position order, so leaf index `i` is the
//! record at position `i + 1`. Hashing is RFC 9162 §2.1 (the same as RFC 6962 §2.1):
//!
//! - the hash of a leaf `d` is `SHA-256(0x00 ‖ d)` ([`leaf_hash`]);
//! - an interior node is `SHA-256(0x01 ‖ left ‖ right)` ([`node_hash`]);
//! - a tree of `n > 1` leaves splits at `k`, the largest power of two strictly below `n`: its root is
//!   the node over the root of the first `k` leaves and the root of the other `n − k`;
//! - the root of the empty tree is `SHA-256("")` ([`EMPTY_ROOT`]).
//!
//! A *perfect subtree* is `2^level` leaves starting at a multiple of `2^level`; it is named by a
//! [`NodeId`] and never changes once all its leaves exist. The append-only [`MerkleFrontier`] keeps
//! the O(log n) perfect subtrees whose roots make up the current root, and reports every perfect
//! subtree it completes so that a store can keep them. Every root and proof is then computed from
//! O(log n) of those stored hashes, asked for through a [`NodeSource`]; the `*_node_ids` functions say
//! beforehand exactly which ones will be asked for, so they can be fetched at once.
//!
//! The verifiers ([`verify_inclusion`], [`verify_consistency`]) are the algorithms of RFC 9162
//! §2.1.3.2 and §2.1.4.2 step by step, and need nothing but the proof and SHA-256.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::BuildHasher;

use sha2::{Digest, Sha256};

use crate::record::RecordHash;

/// The root of the empty tree: SHA-256 of the empty string.
pub const EMPTY_ROOT: RecordHash = RecordHash([
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27,
    0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
]);

/// The hash of a leaf whose data is `data`: `SHA-256(0x00 ‖ data)`.
///
/// A record's leaf hash is `leaf_hash(&record_hash.0)`; any other byte string may be a leaf too.
pub fn leaf_hash(data: &[u8]) -> RecordHash {
    let mut hasher = Sha256::new();
    hasher.update([0x00]);
    hasher.update(data);
    RecordHash(hasher.finalize().into())
}

/// The hash of an interior node: `SHA-256(0x01 ‖ left ‖ right)`.
pub fn node_hash(left: &RecordHash, right: &RecordHash) -> RecordHash {
    let mut hasher = Sha256::new();
    hasher.update([0x01]);
    hasher.update(left.0);
    hasher.update(right.0);
    RecordHash(hasher.finalize().into())
}

/// The root of the tree whose leaves are `leaves` (records' hashes, each hashed as a leaf), in one
/// pass with O(log n) memory.
pub fn root_of_leaves(leaves: &[RecordHash]) -> RecordHash {
    let mut frontier = MerkleFrontier::new();
    for leaf in leaves {
        frontier.push(leaf);
    }
    frontier.root()
}

/// What can go wrong when computing or checking a root or a proof.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MerkleError {
    /// An inclusion proof needs `leaf_index < tree_size`.
    #[error("leaf index {leaf_index} is not below tree size {tree_size}")]
    LeafIndexOutOfRange {
        /// The 0-based leaf index asked for.
        leaf_index: u64,
        /// The tree size asked for.
        tree_size: u64,
    },
    /// A consistency proof needs `1 ≤ first ≤ second`.
    #[error("a consistency proof needs 1 ≤ first ≤ second, not first {first} and second {second}")]
    BadSizes {
        /// The earlier tree size.
        first: u64,
        /// The later tree size.
        second: u64,
    },
    /// Leaves `[start, end)` are empty or do not form a subtree of any tree (the start must be a
    /// multiple of the smallest power of two not below `end − start`).
    #[error("leaves [{start}, {end}) are not a subtree")]
    NotASubtree {
        /// The first leaf index.
        start: u64,
        /// One past the last leaf index.
        end: u64,
    },
    /// A node source has no hash for this perfect subtree.
    #[error("no hash for the perfect subtree {0}")]
    MissingNode(NodeId),
    /// The proof has more hashes than the sizes call for.
    #[error("the proof has too many hashes")]
    ProofTooLong,
    /// The proof has fewer hashes than the sizes call for.
    #[error("the proof has too few hashes")]
    ProofTooShort,
    /// The inclusion proof leads to another root.
    #[error("the inclusion proof does not lead to the root")]
    RootMismatch,
    /// The consistency proof does not lead to the first root.
    #[error("the consistency proof does not lead to the first root")]
    FirstRootMismatch,
    /// The consistency proof does not lead to the second root (or, for equal sizes, the roots differ).
    #[error("the consistency proof does not lead to the second root")]
    SecondRootMismatch,
}

/// A perfect subtree: the `2^level` leaves from `index · 2^level` on. Level 0 is a single leaf.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    /// The height above the leaves: the subtree has `2^level` leaves.
    pub level: u8,
    /// The subtree's place among those of its level, counting from 0 at the left.
    pub index: u64,
}

impl NodeId {
    /// The perfect subtree at `level` and `index`.
    pub const fn new(level: u8, index: u64) -> Self {
        Self { level, index }
    }

    /// How many leaves it covers: `2^level`.
    pub const fn width(&self) -> u64 {
        1 << self.level
    }

    /// The index of its first leaf.
    pub const fn start(&self) -> u64 {
        self.index << self.level
    }

    /// One past the index of its last leaf.
    pub const fn end(&self) -> u64 {
        (self.index + 1) << self.level
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "(level {}, index {})", self.level, self.index)
    }
}

/// A perfect subtree and its hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Node {
    /// Which subtree.
    pub id: NodeId,
    /// Its root: the leaf hash at level 0, else the node over its two halves.
    pub hash: RecordHash,
}

/// Where roots and proofs get the hashes of perfect subtrees, e.g. a store of the nodes a
/// [`MerkleFrontier`] reported.
pub trait NodeSource {
    /// The error of a failed lookup. Bad arguments to the functions of this module also become one.
    type Error: From<MerkleError>;

    /// The hash of the perfect subtree `id`. Only subtrees that lie wholly inside the tree the caller
    /// asked about are ever asked for.
    fn node(&self, id: NodeId) -> Result<RecordHash, Self::Error>;

    /// The root of the subtree over leaves `[start, end)`.
    ///
    /// By default it is built from the perfect subtrees that cover the range (one per set bit of
    /// `end − start`, see [`subtree_node_ids`]). A source that knows some roots already (say, those of
    /// signed checkpoints) may answer directly, but must give the same hash.
    fn range_root(&self, start: u64, end: u64) -> Result<RecordHash, Self::Error> {
        let ids = subtree_node_ids(start, end)?;
        let mut ids = ids.into_iter().rev();
        let last = ids.next().ok_or(MerkleError::NotASubtree { start, end })?;
        let mut hash = self.node(last)?;
        for id in ids {
            hash = node_hash(&self.node(id)?, &hash);
        }
        Ok(hash)
    }
}

impl<T: NodeSource + ?Sized> NodeSource for &T {
    type Error = T::Error;

    fn node(&self, id: NodeId) -> Result<RecordHash, Self::Error> {
        (**self).node(id)
    }

    fn range_root(&self, start: u64, end: u64) -> Result<RecordHash, Self::Error> {
        (**self).range_root(start, end)
    }
}

impl<S: BuildHasher> NodeSource for HashMap<NodeId, RecordHash, S> {
    type Error = MerkleError;

    fn node(&self, id: NodeId) -> Result<RecordHash, MerkleError> {
        self.get(&id).copied().ok_or(MerkleError::MissingNode(id))
    }
}

impl NodeSource for BTreeMap<NodeId, RecordHash> {
    type Error = MerkleError;

    fn node(&self, id: NodeId) -> Result<RecordHash, MerkleError> {
        self.get(&id).copied().ok_or(MerkleError::MissingNode(id))
    }
}

/// A [`NodeSource`] that asks a function for each perfect subtree.
#[derive(Clone, Copy, Debug)]
pub struct FnSource<F>(pub F);

impl<F, E> NodeSource for FnSource<F>
where
    F: Fn(NodeId) -> Result<RecordHash, E>,
    E: From<MerkleError>,
{
    type Error = E;

    fn node(&self, id: NodeId) -> Result<RecordHash, E> {
        (self.0)(id)
    }
}

/// Whether leaves `[start, end)` form a subtree of some tree: non-empty, and `start` a multiple of
/// the smallest power of two not below `end − start`. Every subtree the RFC 9162 definitions recurse
/// into is one, and so is every tree `[0, n)` with `n ≥ 1`.
pub fn is_subtree(start: u64, end: u64) -> bool {
    if end <= start {
        return false;
    }
    match (end - start).checked_next_power_of_two() {
        Some(block) => start % block == 0,
        None => start == 0,
    }
}

/// The perfect subtrees, left to right, whose roots make up the root of the subtree `[start, end)`:
/// one for each set bit of `end − start`, the largest first.
pub fn subtree_node_ids(start: u64, end: u64) -> Result<Vec<NodeId>, MerkleError> {
    if !is_subtree(start, end) {
        return Err(MerkleError::NotASubtree { start, end });
    }
    let mut ids = Vec::with_capacity((end - start).count_ones() as usize);
    let mut at = start;
    let mut remaining = end - start;
    while remaining > 0 {
        let level = (63 - remaining.leading_zeros()) as u8;
        ids.push(NodeId::new(level, at >> level));
        at += 1 << level;
        remaining -= 1 << level;
    }
    Ok(ids)
}

/// The root of the tree of the first `tree_size` leaves ([`EMPTY_ROOT`] for 0).
pub fn tree_root<S: NodeSource + ?Sized>(source: &S, tree_size: u64) -> Result<RecordHash, S::Error> {
    if tree_size == 0 {
        return Ok(EMPTY_ROOT);
    }
    source.range_root(0, tree_size)
}

/// The largest power of two strictly below `n` (which must be at least 2).
fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// The inclusion proof of leaf `leaf_index` in the tree of the first `tree_size` leaves: RFC 9162
/// §2.1.3.1 `PATH(m, D[n])`, the sibling hashes from the leaf up to the root.
///
/// Asks `source` for at most about 2·log₂(n) perfect subtrees: one per level, plus those that make up
/// the root of the single incomplete subtree on the right edge.
pub fn inclusion_proof<S: NodeSource + ?Sized>(
    source: &S,
    leaf_index: u64,
    tree_size: u64,
) -> Result<Vec<RecordHash>, S::Error> {
    if leaf_index >= tree_size {
        return Err(MerkleError::LeafIndexOutOfRange { leaf_index, tree_size }.into());
    }
    // Walk down from the root, noting the sibling at each level; the proof lists them bottom-up.
    let mut proof = Vec::new();
    let (mut start, mut end) = (0, tree_size);
    while end - start > 1 {
        let k = split(end - start);
        if leaf_index < start + k {
            proof.push(source.range_root(start + k, end)?);
            end = start + k;
        } else {
            proof.push(source.range_root(start, start + k)?);
            start += k;
        }
    }
    proof.reverse();
    Ok(proof)
}

/// The consistency proof between the trees of the first `first` and the first `second` leaves: RFC
/// 9162 §2.1.4.1 `PROOF(m, D[n])`. Needs `1 ≤ first ≤ second`; the proof for `first == second` is empty.
///
/// Asks `source` for at most about 3·log₂(n) perfect subtrees.
pub fn consistency_proof<S: NodeSource + ?Sized>(
    source: &S,
    first: u64,
    second: u64,
) -> Result<Vec<RecordHash>, S::Error> {
    if first == 0 || first > second {
        return Err(MerkleError::BadSizes { first, second }.into());
    }
    // SUBPROOF(m, D[start:end], complete), walked from the top; `m` counts from `start`.
    let mut proof = Vec::new();
    let (mut m, mut start, mut end, mut complete) = (first, 0, second, true);
    loop {
        let n = end - start;
        if m == n {
            if !complete {
                proof.push(source.range_root(start, end)?);
            }
            break;
        }
        let k = split(n);
        if m <= k {
            proof.push(source.range_root(start + k, end)?);
            end = start + k;
        } else {
            proof.push(source.range_root(start, start + k)?);
            m -= k;
            start += k;
            complete = false;
        }
    }
    proof.reverse();
    Ok(proof)
}

/// A node source that hands out zeros and notes which perfect subtrees it was asked for.
struct Recorder(RefCell<Vec<NodeId>>);

impl NodeSource for Recorder {
    type Error = MerkleError;

    fn node(&self, id: NodeId) -> Result<RecordHash, MerkleError> {
        self.0.borrow_mut().push(id);
        Ok(RecordHash::ZERO)
    }
}

/// Runs `compute` against a [`Recorder`] and returns what it asked for, each once, in order.
fn recorded(compute: impl FnOnce(&Recorder) -> Result<(), MerkleError>) -> Result<Vec<NodeId>, MerkleError> {
    let recorder = Recorder(RefCell::new(Vec::new()));
    compute(&recorder)?;
    let mut ids = recorder.0.into_inner();
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(*id));
    Ok(ids)
}

/// Exactly the perfect subtrees (each once) that [`inclusion_proof`] asks a source with the default
/// [`NodeSource::range_root`] for, so that they can be fetched in one go.
pub fn inclusion_proof_node_ids(leaf_index: u64, tree_size: u64) -> Result<Vec<NodeId>, MerkleError> {
    recorded(|source| inclusion_proof(source, leaf_index, tree_size).map(drop))
}

/// Exactly the perfect subtrees (each once) that [`consistency_proof`] asks a source with the default
/// [`NodeSource::range_root`] for, so that they can be fetched in one go.
pub fn consistency_proof_node_ids(first: u64, second: u64) -> Result<Vec<NodeId>, MerkleError> {
    recorded(|source| consistency_proof(source, first, second).map(drop))
}

/// Checks that `proof` shows the leaf with hash `leaf_hash` (see [`leaf_hash`]) at `leaf_index` in
/// the tree of `tree_size` leaves whose root is `root`: RFC 9162 §2.1.3.2, step by step.
///
/// The proof pins the leaf index but not always the size: the same hashes can also fit another size
/// with the same root (the path of leaf 0 in 3 leaves has the shape of one in 4). Take `tree_size`
/// and `root` together from one signed checkpoint.
pub fn verify_inclusion(
    leaf_index: u64,
    tree_size: u64,
    leaf_hash: &RecordHash,
    proof: &[RecordHash],
    root: &RecordHash,
) -> Result<(), MerkleError> {
    // 1. The leaf must be in the tree.
    if leaf_index >= tree_size {
        return Err(MerkleError::LeafIndexOutOfRange { leaf_index, tree_size });
    }
    // 2., 3.
    let mut fn_ = leaf_index;
    let mut sn = tree_size - 1;
    let mut r = *leaf_hash;
    // 4.
    for p in proof {
        // a.
        if sn == 0 {
            return Err(MerkleError::ProofTooLong);
        }
        // b.
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        // c.
        fn_ >>= 1;
        sn >>= 1;
    }
    // 5.
    if sn != 0 {
        return Err(MerkleError::ProofTooShort);
    }
    if r != *root {
        return Err(MerkleError::RootMismatch);
    }
    Ok(())
}

/// Checks that `proof` shows the tree of `second` leaves with root `second_root` to extend the tree
/// of `first` leaves with root `first_root`: RFC 9162 §2.1.4.2, step by step.
///
/// Needs `1 ≤ first ≤ second`. For `first == second` the proof must be empty and the roots equal. As
/// with [`verify_inclusion`], `second` is pinned only by taking it and `second_root` from one signed
/// checkpoint.
pub fn verify_consistency(
    first: u64,
    second: u64,
    first_root: &RecordHash,
    second_root: &RecordHash,
    proof: &[RecordHash],
) -> Result<(), MerkleError> {
    if first == 0 || first > second {
        return Err(MerkleError::BadSizes { first, second });
    }
    if first == second {
        if !proof.is_empty() {
            return Err(MerkleError::ProofTooLong);
        }
        if first_root != second_root {
            return Err(MerkleError::SecondRootMismatch);
        }
        return Ok(());
    }
    // 1.
    let Some((head, rest)) = proof.split_first() else {
        return Err(MerkleError::ProofTooShort);
    };
    // 2. With `first` a power of two, the path starts with `first_root` itself.
    let (seed, path) = if first.is_power_of_two() { (*first_root, proof) } else { (*head, rest) };
    // 3.
    let mut fn_ = first - 1;
    let mut sn = second - 1;
    // 4.
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    // 5.
    let mut fr = seed;
    let mut sr = seed;
    // 6.
    for c in path {
        // a.
        if sn == 0 {
            return Err(MerkleError::ProofTooLong);
        }
        // b.
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        // c.
        fn_ >>= 1;
        sn >>= 1;
    }
    // 7.
    if sn != 0 {
        return Err(MerkleError::ProofTooShort);
    }
    if fr != *first_root {
        return Err(MerkleError::FirstRootMismatch);
    }
    if sr != *second_root {
        return Err(MerkleError::SecondRootMismatch);
    }
    Ok(())
}

/// The append-only compact range `[0, size)`: the roots of the perfect subtrees that make up the
/// tree, one per set bit of its size, the largest (leftmost) first.
///
/// Take one leaf at a time with [`push`](Self::push); each push reports the perfect subtrees it
/// completes, which is everything a store needs to answer a [`NodeSource`] later.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MerkleFrontier {
    size: u64,
    hashes: Vec<RecordHash>,
}

impl MerkleFrontier {
    /// The frontier of the empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// The perfect subtrees, left to right, that make up the frontier of a tree of `size` leaves.
    pub fn node_ids_at(size: u64) -> Vec<NodeId> {
        if size == 0 {
            return Vec::new();
        }
        subtree_node_ids(0, size).unwrap_or_default()
    }

    /// The frontier of the tree of the first `size` leaves, from the hashes of its perfect subtrees
    /// ([`node_ids_at`](Self::node_ids_at)) in `source`.
    pub fn restore<S: NodeSource + ?Sized>(source: &S, size: u64) -> Result<Self, S::Error> {
        let hashes =
            Self::node_ids_at(size).into_iter().map(|id| source.node(id)).collect::<Result<Vec<_>, _>>()?;
        Ok(Self { size, hashes })
    }

    /// How many leaves it has taken.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The perfect subtrees it holds, left to right.
    pub fn nodes(&self) -> Vec<Node> {
        Self::node_ids_at(self.size)
            .into_iter()
            .zip(&self.hashes)
            .map(|(id, hash)| Node { id, hash: *hash })
            .collect()
    }

    /// The root of the tree so far ([`EMPTY_ROOT`] when empty).
    pub fn root(&self) -> RecordHash {
        let mut hashes = self.hashes.iter().rev();
        let Some(last) = hashes.next() else {
            return EMPTY_ROOT;
        };
        hashes.fold(*last, |right, left| node_hash(left, &right))
    }

    /// Appends the leaf `leaf` (a record's hash; it is hashed as a leaf here) and returns the perfect
    /// subtrees this completes, from the leaf itself (level 0) upwards.
    pub fn push(&mut self, leaf: &RecordHash) -> Vec<Node> {
        self.push_leaf_hash(leaf_hash(&leaf.0))
    }

    /// Appends a leaf given by its leaf hash and returns the perfect subtrees this completes, from
    /// the leaf itself (level 0) upwards.
    ///
    /// # Panics
    /// When the tree already has `u64::MAX` leaves.
    pub fn push_leaf_hash(&mut self, leaf_hash: RecordHash) -> Vec<Node> {
        let index = self.size;
        let mut id = NodeId::new(0, index);
        let mut hash = leaf_hash;
        let mut completed = vec![Node { id, hash }];
        // Each trailing one bit of the old size is a left sibling waiting for this subtree.
        while (index >> id.level) & 1 == 1 {
            let left = self.hashes.pop().expect("a frontier holds one hash per set bit of its size");
            hash = node_hash(&left, &hash);
            id = NodeId::new(id.level + 1, id.index >> 1);
            completed.push(Node { id, hash });
        }
        self.hashes.push(hash);
        self.size = index.checked_add(1).expect("a tree holds fewer than 2^64 leaves");
        completed
    }
}

/// A whole tree in memory: every perfect subtree's hash, kept as a [`MerkleFrontier`] reports them.
///
/// For tests, tools and small logs; a server keeps the same nodes in its store instead.
#[derive(Clone, Debug, Default)]
pub struct MemoryTree {
    frontier: MerkleFrontier,
    levels: Vec<Vec<RecordHash>>,
}

impl MemoryTree {
    /// The empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// The tree whose leaves are `leaves` (records' hashes, each hashed as a leaf).
    pub fn from_leaves(leaves: &[RecordHash]) -> Self {
        let mut tree = Self::new();
        for leaf in leaves {
            tree.push(leaf);
        }
        tree
    }

    /// The tree whose leaf hashes are `leaf_hashes` (for leaves that are not 32-byte record hashes,
    /// hash them with [`leaf_hash`] first).
    pub fn from_leaf_hashes(leaf_hashes: &[RecordHash]) -> Self {
        let mut tree = Self::new();
        for hash in leaf_hashes {
            tree.push_leaf_hash(*hash);
        }
        tree
    }

    /// Appends the leaf `leaf` (a record's hash).
    pub fn push(&mut self, leaf: &RecordHash) {
        self.push_leaf_hash(leaf_hash(&leaf.0));
    }

    /// Appends a leaf given by its leaf hash.
    pub fn push_leaf_hash(&mut self, leaf_hash: RecordHash) {
        for node in self.frontier.push_leaf_hash(leaf_hash) {
            let level = usize::from(node.id.level);
            if self.levels.len() <= level {
                self.levels.resize_with(level + 1, Vec::new);
            }
            self.levels[level].push(node.hash);
        }
    }

    /// How many leaves it has.
    pub fn size(&self) -> u64 {
        self.frontier.size()
    }

    /// The root of the whole tree.
    pub fn root(&self) -> RecordHash {
        self.frontier.root()
    }
}

impl NodeSource for MemoryTree {
    type Error = MerkleError;

    fn node(&self, id: NodeId) -> Result<RecordHash, MerkleError> {
        usize::try_from(id.index)
            .ok()
            .and_then(|index| self.levels.get(usize::from(id.level))?.get(index))
            .copied()
            .ok_or(MerkleError::MissingNode(id))
    }
}
