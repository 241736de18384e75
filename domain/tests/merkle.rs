//! The Merkle tree against the project's vectors, the published RFC 6962 vectors, the recursive
//! definitions of RFC 9162 §2.1 written out naively below, and every way of tampering with a proof.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use aidledger_domain::merkle::{
    consistency_proof, consistency_proof_node_ids, inclusion_proof, inclusion_proof_node_ids, is_subtree,
    leaf_hash, node_hash, root_of_leaves, subtree_node_ids, tree_root, verify_consistency, verify_inclusion,
    FnSource, MemoryTree, MerkleError, MerkleFrontier, Node, NodeId, NodeSource, EMPTY_ROOT,
};
use aidledger_domain::RecordHash;
use serde_json::Value;

const RECORDS: &str = include_str!("../../testdata/vectors/records.jsonl");
const TREE: &str = include_str!("../../testdata/vectors/tree.json");

fn h(hex: &str) -> RecordHash {
    RecordHash::from_hex(hex).unwrap()
}

fn hashes(values: &Value) -> Vec<RecordHash> {
    values.as_array().unwrap().iter().map(|v| h(v.as_str().unwrap())).collect()
}

// ---------------------------------------------------------------------------------------------------
// RFC 9162 §2.1 written out as the recursive definitions, over leaf hashes, as a reference.

fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// MTH(D[n]).
fn mth(leaf_hashes: &[RecordHash]) -> RecordHash {
    match leaf_hashes.len() {
        0 => RecordHash::of(b""),
        1 => leaf_hashes[0],
        n => {
            let k = split(n);
            node_hash(&mth(&leaf_hashes[..k]), &mth(&leaf_hashes[k..]))
        }
    }
}

/// PATH(m, D[n]).
fn path(m: usize, leaf_hashes: &[RecordHash]) -> Vec<RecordHash> {
    let n = leaf_hashes.len();
    if n == 1 {
        return Vec::new();
    }
    let k = split(n);
    if m < k {
        let mut proof = path(m, &leaf_hashes[..k]);
        proof.push(mth(&leaf_hashes[k..]));
        proof
    } else {
        let mut proof = path(m - k, &leaf_hashes[k..]);
        proof.push(mth(&leaf_hashes[..k]));
        proof
    }
}

/// SUBPROOF(m, D[n], b).
fn subproof(m: usize, leaf_hashes: &[RecordHash], complete: bool) -> Vec<RecordHash> {
    let n = leaf_hashes.len();
    if m == n {
        return if complete { Vec::new() } else { vec![mth(leaf_hashes)] };
    }
    let k = split(n);
    if m <= k {
        let mut proof = subproof(m, &leaf_hashes[..k], complete);
        proof.push(mth(&leaf_hashes[k..]));
        proof
    } else {
        let mut proof = subproof(m - k, &leaf_hashes[k..], false);
        proof.push(mth(&leaf_hashes[..k]));
        proof
    }
}

/// Deterministic record hashes standing in for a log's records.
fn records(n: u64) -> Vec<RecordHash> {
    (0..n).map(|i| RecordHash::of(format!("record {i}").as_bytes())).collect()
}

fn leaf_hashes_of(records: &[RecordHash]) -> Vec<RecordHash> {
    records.iter().map(|r| leaf_hash(&r.0)).collect()
}

/// Every perfect subtree a frontier reports while taking `records`, kept the way a store would.
fn stored_nodes(records: &[RecordHash]) -> BTreeMap<NodeId, RecordHash> {
    let mut frontier = MerkleFrontier::new();
    let mut store = BTreeMap::new();
    for record in records {
        for node in frontier.push(record) {
            assert!(store.insert(node.id, node.hash).is_none(), "{} reported twice", node.id);
        }
    }
    store
}

/// A store that notes every perfect subtree it is asked for.
struct Counting<'a> {
    store: &'a BTreeMap<NodeId, RecordHash>,
    asked: RefCell<Vec<NodeId>>,
}

impl<'a> Counting<'a> {
    fn new(store: &'a BTreeMap<NodeId, RecordHash>) -> Self {
        Self { store, asked: RefCell::new(Vec::new()) }
    }

    fn take(&self) -> Vec<NodeId> {
        std::mem::take(&mut *self.asked.borrow_mut())
    }
}

impl NodeSource for Counting<'_> {
    type Error = MerkleError;

    fn node(&self, id: NodeId) -> Result<RecordHash, MerkleError> {
        self.asked.borrow_mut().push(id);
        self.store.node(id)
    }
}

// ---------------------------------------------------------------------------------------------------
// Tampering.

/// Some hash that is in no tree here.
fn stranger() -> RecordHash {
    RecordHash::of(b"a hash from somewhere else")
}

/// Every single-bit flip of every element; every element dropped; a stranger, each of `roots` and
/// each neighbour inserted at every place; every pair of distinct neighbours swapped.
fn tampered(proof: &[RecordHash], roots: &[RecordHash]) -> Vec<(String, Vec<RecordHash>)> {
    let mut out = Vec::new();
    for i in 0..proof.len() {
        for bit in 0..256 {
            let mut p = proof.to_vec();
            p[i].0[bit / 8] ^= 1 << (bit % 8);
            out.push((format!("bit {bit} of element {i} flipped"), p));
        }
        let mut p = proof.to_vec();
        p.remove(i);
        out.push((format!("element {i} dropped"), p));
        if i + 1 < proof.len() && proof[i] != proof[i + 1] {
            let mut p = proof.to_vec();
            p.swap(i, i + 1);
            out.push((format!("elements {i} and {} swapped", i + 1), p));
        }
    }
    for at in 0..=proof.len() {
        let mut extras = vec![("a stranger", stranger())];
        extras.extend(roots.iter().map(|root| ("a root", *root)));
        if at > 0 {
            extras.push(("a copy of the element before", proof[at - 1]));
        }
        if at < proof.len() {
            extras.push(("a copy of the element after", proof[at]));
        }
        for (what, extra) in extras {
            let mut p = proof.to_vec();
            p.insert(at, extra);
            out.push((format!("{what} inserted at {at}"), p));
        }
    }
    out
}

/// Tampering is checked for every pair in trees up to 16 leaves and a fixed sample above.
fn sampled(m: u64, n: u64) -> bool {
    n <= 16 || (m * 7 + n * 13) % 8 == 0
}

// ---------------------------------------------------------------------------------------------------
// 1. The project's vectors.

fn vector_records() -> Vec<RecordHash> {
    RECORDS
        .lines()
        .map(|line| {
            let record: Value = serde_json::from_str(line).unwrap();
            h(record["hash"].as_str().unwrap())
        })
        .collect()
}

fn vector_tree() -> Value {
    serde_json::from_str(TREE).unwrap()
}

#[test]
fn the_vector_roots_for_sizes_0_to_5_reproduce_byte_for_byte() {
    let records = vector_records();
    assert_eq!(records.len(), 5);
    let tree = vector_tree();
    let roots = tree["roots"].as_object().unwrap();
    assert_eq!(roots.len(), 6);
    let whole = MemoryTree::from_leaves(&records);
    for (size, expected) in roots {
        let size: u64 = size.parse().unwrap();
        let expected = h(expected.as_str().unwrap());
        assert_eq!(tree_root(&whole, size).unwrap(), expected, "size {size}");
        assert_eq!(root_of_leaves(&records[..size as usize]), expected, "size {size}");
        assert_eq!(MemoryTree::from_leaves(&records[..size as usize]).root(), expected, "size {size}");
    }
}

#[test]
fn every_vector_inclusion_proof_reproduces_byte_for_byte_and_verifies() {
    let records = vector_records();
    let tree = vector_tree();
    let whole = MemoryTree::from_leaves(&records);
    let cases = tree["inclusion"].as_array().unwrap();
    assert_eq!(cases.len(), 8);
    for case in cases {
        let leaf_index = case["leaf_index"].as_u64().unwrap();
        let tree_size = case["tree_size"].as_u64().unwrap();
        assert_eq!(case["position"].as_u64().unwrap(), leaf_index + 1);
        let expected = hashes(&case["hashes"]);
        let proof = inclusion_proof(&whole, leaf_index, tree_size).unwrap();
        assert_eq!(proof, expected, "leaf {leaf_index} in {tree_size}");
        let root = h(tree["roots"][tree_size.to_string()].as_str().unwrap());
        let leaf = leaf_hash(&records[leaf_index as usize].0);
        verify_inclusion(leaf_index, tree_size, &leaf, &expected, &root).unwrap();
    }
}

#[test]
fn every_vector_consistency_proof_reproduces_byte_for_byte_and_verifies() {
    let records = vector_records();
    let tree = vector_tree();
    let whole = MemoryTree::from_leaves(&records);
    let cases = tree["consistency"].as_array().unwrap();
    assert_eq!(cases.len(), 5);
    for case in cases {
        let first = case["first"].as_u64().unwrap();
        let second = case["second"].as_u64().unwrap();
        let expected = hashes(&case["hashes"]);
        assert_eq!(consistency_proof(&whole, first, second).unwrap(), expected, "{first} → {second}");
        let first_root = h(tree["roots"][first.to_string()].as_str().unwrap());
        let second_root = h(tree["roots"][second.to_string()].as_str().unwrap());
        verify_consistency(first, second, &first_root, &second_root, &expected).unwrap();
    }
}

// ---------------------------------------------------------------------------------------------------
// 2. The published RFC 6962 test vectors, as published in transparency-dev/merkle
// (testonly/constants.go and proof/verify_test.go, which carry them over from
// google/certificate-transparency). Their leaves are raw byte strings, hashed as leaves.

const RFC6962_LEAVES: [&str; 8] =
    ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];

/// Roots for sizes 1 to 8.
const RFC6962_ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// Every perfect subtree of the 8-leaf tree, by level, left to right.
const RFC6962_NODES: [&[&str]; 4] = [
    &[
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ],
    &[
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    ],
    &[
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    &["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
];

/// The compact range (frontier) of each size 0 to 8, as (level, index) into the nodes above.
const RFC6962_FRONTIERS: [&[(u8, u64)]; 9] = [
    &[],
    &[(0, 0)],
    &[(1, 0)],
    &[(1, 0), (0, 2)],
    &[(2, 0)],
    &[(2, 0), (0, 4)],
    &[(2, 0), (1, 2)],
    &[(2, 0), (1, 2), (0, 6)],
    &[(3, 0)],
];

/// (leaf index, tree size, proof).
const RFC6962_INCLUSION: [(u64, u64, &[&str]); 5] = [
    (0, 1, &[]),
    (
        0,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        &[
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
];

/// (first, second, proof).
const RFC6962_CONSISTENCY: [(u64, u64, &[&str]); 5] = [
    (1, 1, &[]),
    (
        1,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        &[
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
];

/// The "some hash" of the published corruption cases.
const RFC6962_SOME_HASH: &str = "abacaba000000000000000000000000000000000000000000060061e00123456";

fn rfc6962_leaf_hashes() -> Vec<RecordHash> {
    RFC6962_LEAVES.iter().map(|leaf| leaf_hash(&hex::decode(leaf).unwrap())).collect()
}

fn rfc6962_root(size: u64) -> RecordHash {
    if size == 0 {
        return EMPTY_ROOT;
    }
    h(RFC6962_ROOTS[size as usize - 1])
}

fn hex_list(list: &[&str]) -> Vec<RecordHash> {
    list.iter().map(|x| h(x)).collect()
}

#[test]
fn the_empty_root_is_the_sha256_of_nothing() {
    assert_eq!(EMPTY_ROOT, RecordHash::of(b""));
    assert_eq!(EMPTY_ROOT.to_hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_eq!(MerkleFrontier::new().root(), EMPTY_ROOT);
    assert_eq!(tree_root(&MemoryTree::new(), 0).unwrap(), EMPTY_ROOT);
    assert_eq!(root_of_leaves(&[]), EMPTY_ROOT);
}

#[test]
fn the_published_rfc6962_roots_for_sizes_1_to_8_reproduce() {
    let leaves = rfc6962_leaf_hashes();
    let whole = MemoryTree::from_leaf_hashes(&leaves);
    for size in 1..=8u64 {
        assert_eq!(tree_root(&whole, size).unwrap(), rfc6962_root(size), "size {size}");
        assert_eq!(MemoryTree::from_leaf_hashes(&leaves[..size as usize]).root(), rfc6962_root(size));
        assert_eq!(mth(&leaves[..size as usize]), rfc6962_root(size));
    }
}

#[test]
fn the_frontier_reports_exactly_the_published_rfc6962_node_hashes() {
    let mut frontier = MerkleFrontier::new();
    let mut reported = BTreeMap::new();
    for (size, leaf) in rfc6962_leaf_hashes().into_iter().enumerate() {
        let expected: Vec<NodeId> =
            RFC6962_FRONTIERS[size].iter().map(|&(level, index)| NodeId::new(level, index)).collect();
        assert_eq!(frontier.nodes().iter().map(|node| node.id).collect::<Vec<_>>(), expected);
        for node in frontier.push_leaf_hash(leaf) {
            reported.insert(node.id, node.hash);
        }
    }
    let published: BTreeMap<NodeId, RecordHash> = RFC6962_NODES
        .iter()
        .enumerate()
        .flat_map(|(level, row)| {
            row.iter().enumerate().map(move |(index, hash)| (NodeId::new(level as u8, index as u64), h(hash)))
        })
        .collect();
    assert_eq!(reported, published);
    assert_eq!(frontier.nodes().iter().map(|node| node.id).collect::<Vec<_>>(), vec![NodeId::new(3, 0)]);
    assert_eq!(frontier.root(), rfc6962_root(8));
}

#[test]
fn the_published_rfc6962_inclusion_proofs_reproduce_and_verify() {
    let leaves = rfc6962_leaf_hashes();
    let whole = MemoryTree::from_leaf_hashes(&leaves);
    for (leaf_index, tree_size, proof) in RFC6962_INCLUSION {
        let proof = hex_list(proof);
        assert_eq!(inclusion_proof(&whole, leaf_index, tree_size).unwrap(), proof);
        let leaf = leaves[leaf_index as usize];
        verify_inclusion(leaf_index, tree_size, &leaf, &proof, &rfc6962_root(tree_size)).unwrap();
    }
}

#[test]
fn the_published_rfc6962_consistency_proofs_reproduce_and_verify() {
    let whole = MemoryTree::from_leaf_hashes(&rfc6962_leaf_hashes());
    for (first, second, proof) in RFC6962_CONSISTENCY {
        let proof = hex_list(proof);
        assert_eq!(consistency_proof(&whole, first, second).unwrap(), proof);
        verify_consistency(first, second, &rfc6962_root(first), &rfc6962_root(second), &proof).unwrap();
    }
}

#[test]
fn every_published_corruption_of_an_rfc6962_inclusion_proof_fails() {
    let leaves = rfc6962_leaf_hashes();
    let some_hash = h(RFC6962_SOME_HASH);
    for (m, n, proof) in RFC6962_INCLUSION.into_iter().skip(1) {
        let proof = hex_list(proof);
        let root = rfc6962_root(n);
        let leaf = leaves[m as usize];
        let with = |extra: RecordHash, at_end: bool| {
            let mut p = proof.clone();
            if at_end {
                p.push(extra);
            } else {
                p.insert(0, extra);
            }
            p
        };
        let mut probes = vec![
            ("leaf index − 1", m.wrapping_sub(1), n, leaf, root, proof.clone()),
            ("leaf index + 1", m + 1, n, leaf, root, proof.clone()),
            ("leaf index ^ 2", m ^ 2, n, leaf, root, proof.clone()),
            ("tree size · 2", m, n * 2, leaf, root, proof.clone()),
            ("tree size / 2", m, n / 2, leaf, root, proof.clone()),
            ("wrong leaf", m, n, leaf_hash(b"WrongLeaf"), root, proof.clone()),
            ("empty root", m, n, leaf, EMPTY_ROOT, proof.clone()),
            ("random root", m, n, leaf, some_hash, proof.clone()),
            ("trailing zeros", m, n, leaf, root, with(RecordHash::ZERO, true)),
            ("trailing root", m, n, leaf, root, with(root, true)),
            ("preceding zeros", m, n, leaf, root, with(RecordHash::ZERO, false)),
            ("preceding root", m, n, leaf, root, with(root, false)),
        ];
        for i in 0..proof.len() {
            let mut p = proof.clone();
            p[i].0[0] ^= 8;
            probes.push(("modified proof bit 3", m, n, leaf, root, p));
        }
        probes.push(("removed component", m, n, leaf, root, proof[..proof.len() - 1].to_vec()));
        if proof.len() > 1 {
            let mut p = proof.clone();
            p.insert(1, some_hash);
            probes.push(("inserted component", m, n, leaf, root, p));
        }
        for (what, m, n, leaf, root, p) in probes {
            assert!(verify_inclusion(m, n, &leaf, &p, &root).is_err(), "{what} passed for leaf {m} in {n}");
        }
    }
}

#[test]
fn every_published_corruption_of_an_rfc6962_consistency_proof_fails() {
    let some_hash = h(RFC6962_SOME_HASH);
    let wrong_root = RecordHash::of(b"WrongRoot");
    for (first, second, proof) in RFC6962_CONSISTENCY.into_iter().skip(1) {
        let proof = hex_list(proof);
        let (r1, r2) = (rfc6962_root(first), rfc6962_root(second));
        let with = |extra: RecordHash, at_end: bool| {
            let mut p = proof.clone();
            if at_end {
                p.push(extra);
            } else {
                p.insert(0, extra);
            }
            p
        };
        let mut probes = vec![
            ("first − 1", first - 1, second, r1, r2, proof.clone()),
            ("first + 1", first + 1, second, r1, r2, proof.clone()),
            ("first ^ 2", first ^ 2, second, r1, r2, proof.clone()),
            ("second · 2", first, second * 2, r1, r2, proof.clone()),
            ("second / 2", first, second / 2, r1, r2, proof.clone()),
            ("wrong first root", first, second, wrong_root, r2, proof.clone()),
            ("wrong second root", first, second, r1, wrong_root, proof.clone()),
            ("swapped roots", first, second, r2, r1, proof.clone()),
            ("empty proof", first, second, r1, r2, Vec::new()),
            ("trailing zeros", first, second, r1, r2, with(RecordHash::ZERO, true)),
            ("trailing first root", first, second, r1, r2, with(r1, true)),
            ("trailing second root", first, second, r1, r2, with(r2, true)),
            ("preceding zeros", first, second, r1, r2, with(RecordHash::ZERO, false)),
            ("preceding first root", first, second, r1, r2, with(r1, false)),
            ("preceding second root", first, second, r1, r2, with(r2, false)),
            ("preceding proof[0]", first, second, r1, r2, with(proof[0], false)),
            ("truncated proof", first, second, r1, r2, proof[..proof.len() - 1].to_vec()),
            ("inserted component", first, second, r1, r2, with(some_hash, true)),
        ];
        for i in 0..proof.len() {
            let mut p = proof.clone();
            p[i].0[0] ^= 16;
            probes.push(("modified proof bit 4", first, second, r1, r2, p));
        }
        for (what, f, s, r1, r2, p) in probes {
            assert!(verify_consistency(f, s, &r1, &r2, &p).is_err(), "{what} passed for {first} → {second}");
        }
    }
}

#[test]
fn a_one_leaf_tree_proves_inclusion_with_an_empty_proof_and_nothing_else() {
    let leaf = leaf_hash(b"data");
    verify_inclusion(0, 1, &leaf, &[], &leaf).unwrap();
    assert_eq!(verify_inclusion(0, 1, &leaf, &[], &EMPTY_ROOT), Err(MerkleError::RootMismatch));
    assert_eq!(verify_inclusion(0, 1, &EMPTY_ROOT, &[], &leaf), Err(MerkleError::RootMismatch));
    assert_eq!(verify_inclusion(0, 1, &leaf, &[leaf], &leaf), Err(MerkleError::ProofTooLong));
    assert_eq!(inclusion_proof(&MemoryTree::from_leaf_hashes(&[leaf]), 0, 1).unwrap(), Vec::new());
}

#[test]
fn inclusion_outside_the_tree_is_refused() {
    let some_hash = h(RFC6962_SOME_HASH);
    for (leaf_index, tree_size) in [(0, 0), (1, 0), (1, 1), (2, 1), (5, 5), (u64::MAX, 3)] {
        let refused = MerkleError::LeafIndexOutOfRange { leaf_index, tree_size };
        assert_eq!(
            verify_inclusion(leaf_index, tree_size, &some_hash, &[], &some_hash),
            Err(refused.clone())
        );
        assert_eq!(
            verify_inclusion(leaf_index, tree_size, &some_hash, &[], &EMPTY_ROOT),
            Err(refused.clone())
        );
        let tree = MemoryTree::from_leaves(&records(tree_size.min(8)));
        assert_eq!(inclusion_proof(&tree, leaf_index, tree_size), Err(refused.clone()));
        assert_eq!(inclusion_proof_node_ids(leaf_index, tree_size), Err(refused));
    }
}

#[test]
fn consistency_from_the_empty_tree_or_back_in_time_is_refused() {
    let (r1, r2) = (RecordHash::of(b"root 1"), RecordHash::of(b"root 2"));
    let tree = MemoryTree::from_leaves(&records(4));
    for (first, second) in [(0, 0), (0, 1), (0, 4), (1, 0), (2, 1), (4, 3)] {
        let refused = MerkleError::BadSizes { first, second };
        assert_eq!(verify_consistency(first, second, &r1, &r1, &[]), Err(refused.clone()));
        assert_eq!(verify_consistency(first, second, &r1, &r2, &[r1]), Err(refused.clone()));
        assert_eq!(consistency_proof(&tree, first, second), Err(refused.clone()));
        assert_eq!(consistency_proof_node_ids(first, second), Err(refused));
    }
}

#[test]
fn consistency_between_equal_sizes_needs_an_empty_proof_and_equal_roots() {
    let (r1, r2) = (RecordHash::of(b"root 1"), RecordHash::of(b"root 2"));
    verify_consistency(1, 1, &r2, &r2, &[]).unwrap();
    verify_consistency(7, 7, &r1, &r1, &[]).unwrap();
    assert_eq!(verify_consistency(1, 1, &r1, &r2, &[]), Err(MerkleError::SecondRootMismatch));
    assert_eq!(verify_consistency(1, 1, &EMPTY_ROOT, &r2, &[]), Err(MerkleError::SecondRootMismatch));
    assert_eq!(
        verify_consistency(1, 1, &EMPTY_ROOT, &EMPTY_ROOT, &[EMPTY_ROOT]),
        Err(MerkleError::ProofTooLong)
    );
    assert_eq!(verify_consistency(5, 5, &r1, &r1, &[r1]), Err(MerkleError::ProofTooLong));
    let tree = MemoryTree::from_leaves(&records(5));
    for size in 1..=5 {
        assert_eq!(consistency_proof(&tree, size, size).unwrap(), Vec::new());
    }
    assert_eq!(verify_consistency(1, 2, &r1, &r2, &[]), Err(MerkleError::ProofTooShort));
}

// ---------------------------------------------------------------------------------------------------
// 3. Every proof in trees up to 64 leaves, and tampering.

const UP_TO: u64 = 64;

struct Fixture {
    records: Vec<RecordHash>,
    leaf_hashes: Vec<RecordHash>,
    tree: MemoryTree,
    roots: Vec<RecordHash>,
}

fn fixture() -> Fixture {
    let records = records(UP_TO);
    let leaf_hashes = leaf_hashes_of(&records);
    let tree = MemoryTree::from_leaves(&records);
    let roots = (0..=UP_TO).map(|n| tree_root(&tree, n).unwrap()).collect();
    Fixture { records, leaf_hashes, tree, roots }
}

#[test]
fn every_inclusion_proof_up_to_64_leaves_is_the_rfc_path_and_verifies() {
    let f = fixture();
    for n in 1..=UP_TO {
        assert_eq!(f.roots[n as usize], mth(&f.leaf_hashes[..n as usize]));
        for m in 0..n {
            let proof = inclusion_proof(&f.tree, m, n).unwrap();
            assert_eq!(proof, path(m as usize, &f.leaf_hashes[..n as usize]), "leaf {m} in {n}");
            let leaf = leaf_hash(&f.records[m as usize].0);
            verify_inclusion(m, n, &leaf, &proof, &f.roots[n as usize]).unwrap();
        }
    }
}

#[test]
fn every_consistency_proof_up_to_64_leaves_is_the_rfc_proof_and_verifies() {
    let f = fixture();
    for n in 1..=UP_TO {
        for m in 1..=n {
            let proof = consistency_proof(&f.tree, m, n).unwrap();
            assert_eq!(proof, subproof(m as usize, &f.leaf_hashes[..n as usize], true), "{m} → {n}");
            verify_consistency(m, n, &f.roots[m as usize], &f.roots[n as usize], &proof).unwrap();
        }
    }
}

#[test]
fn an_inclusion_proof_with_any_bit_flipped_or_any_element_dropped_added_or_moved_fails() {
    let f = fixture();
    for n in 1..=UP_TO {
        for m in (0..n).filter(|&m| sampled(m, n)) {
            let proof = inclusion_proof(&f.tree, m, n).unwrap();
            let root = f.roots[n as usize];
            let leaf = f.leaf_hashes[m as usize];
            for (what, bad) in tampered(&proof, &[root]) {
                assert!(verify_inclusion(m, n, &leaf, &bad, &root).is_err(), "{what}: leaf {m} in {n}");
            }
        }
    }
}

#[test]
fn an_inclusion_proof_fails_for_any_other_leaf_or_index_or_root_and_for_double_or_half_the_size() {
    let f = fixture();
    for n in 1..=UP_TO {
        for m in 0..n {
            let proof = inclusion_proof(&f.tree, m, n).unwrap();
            let root = f.roots[n as usize];
            let leaf = f.leaf_hashes[m as usize];
            for other in (0..2 * n).filter(|&other| other != m) {
                assert!(
                    verify_inclusion(other, n, &leaf, &proof, &root).is_err(),
                    "index {other}: {m} in {n}"
                );
                if other < n {
                    let other_leaf = f.leaf_hashes[other as usize];
                    assert!(verify_inclusion(m, n, &other_leaf, &proof, &root).is_err());
                }
            }
            for other_size in (1..=UP_TO).filter(|&s| s != n) {
                let other_root = f.roots[other_size as usize];
                assert!(verify_inclusion(m, n, &leaf, &proof, &other_root).is_err());
            }
            assert!(verify_inclusion(m, n * 2, &leaf, &proof, &root).is_err(), "size · 2: {m} in {n}");
            assert!(verify_inclusion(m, n / 2, &leaf, &proof, &root).is_err(), "size / 2: {m} in {n}");
        }
    }
}

#[test]
fn a_consistency_proof_with_any_bit_flipped_or_any_element_dropped_added_or_moved_fails() {
    let f = fixture();
    for n in 2..=UP_TO {
        for m in (1..n).filter(|&m| sampled(m, n)) {
            let proof = consistency_proof(&f.tree, m, n).unwrap();
            let (r1, r2) = (f.roots[m as usize], f.roots[n as usize]);
            for (what, bad) in tampered(&proof, &[r1, r2]) {
                assert!(verify_consistency(m, n, &r1, &r2, &bad).is_err(), "{what}: {m} → {n}");
            }
        }
    }
}

#[test]
fn a_consistency_proof_fails_for_any_other_first_size_or_roots_and_for_double_or_half_the_second() {
    let f = fixture();
    for n in 2..=UP_TO {
        for m in 1..n {
            let proof = consistency_proof(&f.tree, m, n).unwrap();
            let (r1, r2) = (f.roots[m as usize], f.roots[n as usize]);
            for other in (0..=2 * n).filter(|&other| other != m) {
                assert!(verify_consistency(other, n, &r1, &r2, &proof).is_err(), "first {other}: {m} → {n}");
            }
            for other in (1..=UP_TO).filter(|&other| other != m && other != n) {
                let other_root = f.roots[other as usize];
                assert!(verify_consistency(m, n, &other_root, &r2, &proof).is_err());
                assert!(verify_consistency(m, n, &r1, &other_root, &proof).is_err());
            }
            assert!(verify_consistency(m, n, &r2, &r1, &proof).is_err(), "swapped roots: {m} → {n}");
            assert!(verify_consistency(m, n * 2, &r1, &r2, &proof).is_err(), "second · 2: {m} → {n}");
            assert!(verify_consistency(m, n / 2, &r1, &r2, &proof).is_err(), "second / 2: {m} → {n}");
        }
    }
}

#[test]
fn a_proof_alone_does_not_pin_the_larger_size_so_it_must_come_with_its_signed_root() {
    // The paths for (leaf 0, size 3) and (leaf 0, size 4) have the same shape, and so have the
    // consistency proofs 1 → 3 and 1 → 4: the size is bound to a root only by a signed checkpoint.
    let f = fixture();
    let proof = inclusion_proof(&f.tree, 0, 3).unwrap();
    verify_inclusion(0, 4, &f.leaf_hashes[0], &proof, &f.roots[3]).unwrap();
    assert!(verify_inclusion(0, 4, &f.leaf_hashes[0], &proof, &f.roots[4]).is_err());
    let proof = consistency_proof(&f.tree, 1, 3).unwrap();
    verify_consistency(1, 4, &f.roots[1], &f.roots[3], &proof).unwrap();
    assert!(verify_consistency(1, 4, &f.roots[1], &f.roots[4], &proof).is_err());
}

// ---------------------------------------------------------------------------------------------------
// 4. The frontier and stored nodes.

#[test]
fn the_frontier_root_matches_the_recursive_definition_for_every_size_up_to_200() {
    let records = records(200);
    let leaf_hashes = leaf_hashes_of(&records);
    let mut frontier = MerkleFrontier::new();
    for n in 0..=200usize {
        assert_eq!(frontier.size(), n as u64);
        assert_eq!(frontier.root(), mth(&leaf_hashes[..n]), "size {n}");
        assert_eq!(root_of_leaves(&records[..n]), mth(&leaf_hashes[..n]), "size {n}");
        if n < 200 {
            frontier.push(&records[n]);
        }
    }
}

#[test]
fn the_frontier_reports_every_perfect_subtree_once_when_complete_with_its_hash() {
    let records = records(200);
    let leaf_hashes = leaf_hashes_of(&records);
    let mut frontier = MerkleFrontier::new();
    let mut reported = BTreeSet::new();
    for (n, record) in records.iter().enumerate() {
        let nodes = frontier.push(record);
        assert_eq!(nodes[0], Node { id: NodeId::new(0, n as u64), hash: leaf_hashes[n] });
        for (i, node) in nodes.iter().enumerate() {
            assert_eq!(node.id.level as usize, i, "levels go up one at a time");
            assert_eq!(node.id.end(), n as u64 + 1, "a node is reported when its last leaf arrives");
            let (start, end) = (node.id.start() as usize, node.id.end() as usize);
            assert_eq!(node.hash, mth(&leaf_hashes[start..end]), "{}", node.id);
            assert!(reported.insert(node.id), "{} reported twice", node.id);
        }
        // What has been reported is exactly every perfect subtree of the tree so far.
        let size = n as u64 + 1;
        let all: BTreeSet<NodeId> = (0..8u8)
            .flat_map(|level| (0..size >> level).map(move |index| NodeId::new(level, index)))
            .collect();
        assert_eq!(reported, all, "size {size}");
        // And the frontier holds the perfect subtrees that make up its root.
        for node in frontier.nodes() {
            assert_eq!(node.hash, mth(&leaf_hashes[node.id.start() as usize..node.id.end() as usize]));
        }
        assert_eq!(frontier.nodes().len() as u32, size.count_ones());
    }
}

#[test]
fn a_frontier_restored_from_stored_nodes_goes_on_like_the_original() {
    let records = records(200);
    let store = stored_nodes(&records);
    let mut original = MerkleFrontier::new();
    for (n, record) in records.iter().enumerate() {
        let mut restored = MerkleFrontier::restore(&store, n as u64).unwrap();
        assert_eq!(restored, original, "size {n}");
        assert_eq!(restored.push(record), original.push(record), "size {n}");
    }
    assert_eq!(MerkleFrontier::restore(&BTreeMap::new(), 0).unwrap(), MerkleFrontier::new());
    assert_eq!(
        MerkleFrontier::restore(&BTreeMap::new(), 3),
        Err(MerkleError::MissingNode(NodeId::new(1, 0)))
    );
}

#[test]
fn roots_of_every_earlier_size_and_every_subtree_come_from_stored_nodes() {
    let records = records(200);
    let leaf_hashes = leaf_hashes_of(&records);
    let store = stored_nodes(&records);
    for n in 0..=200usize {
        assert_eq!(tree_root(&store, n as u64).unwrap(), mth(&leaf_hashes[..n]), "size {n}");
    }
    for end in 1..=64u64 {
        for start in 0..end {
            let expected_subtree = (end - start).next_power_of_two();
            assert_eq!(is_subtree(start, end), start % expected_subtree == 0);
            if is_subtree(start, end) {
                let root = store.range_root(start, end).unwrap();
                assert_eq!(root, mth(&leaf_hashes[start as usize..end as usize]), "[{start}, {end})");
                let ids = subtree_node_ids(start, end).unwrap();
                assert_eq!(ids.len() as u32, (end - start).count_ones());
                assert_eq!(ids.first().unwrap().start(), start);
                assert_eq!(ids.last().unwrap().end(), end);
                assert!(ids.windows(2).all(|pair| pair[0].end() == pair[1].start()));
            } else {
                let refused = MerkleError::NotASubtree { start, end };
                assert_eq!(store.range_root(start, end), Err(refused.clone()));
                assert_eq!(subtree_node_ids(start, end), Err(refused));
            }
        }
    }
    assert!(!is_subtree(3, 3));
    assert!(!is_subtree(4, 2));
    assert!(is_subtree(0, u64::MAX));
    assert!(!is_subtree(1, u64::MAX));
}

#[test]
fn proofs_from_stored_nodes_ask_only_for_the_announced_logarithmically_many_nodes() {
    let records = records(300);
    let store = stored_nodes(&records);
    let counting = Counting::new(&store);
    let whole = MemoryTree::from_leaves(&records);
    for n in 1..=300u64 {
        let log = 64 - (n - 1).leading_zeros() as usize; // ⌈log₂ n⌉
        for m in (0..n).filter(|&m| sampled(m, n) || n % 16 == 0) {
            let proof = inclusion_proof(&counting, m, n).unwrap();
            let asked = counting.take();
            assert_eq!(proof, inclusion_proof(&whole, m, n).unwrap());
            assert_eq!(asked, inclusion_proof_node_ids(m, n).unwrap(), "leaf {m} in {n}");
            assert!(asked.len() <= 2 * log, "{} nodes for leaf {m} in {n}", asked.len());
            assert!(asked.iter().all(|id| id.end() <= n));
        }
        for m in (1..=n).filter(|&m| sampled(m, n) || n % 16 == 0) {
            let proof = consistency_proof(&counting, m, n).unwrap();
            let asked = counting.take();
            assert_eq!(proof, consistency_proof(&whole, m, n).unwrap());
            assert_eq!(asked, consistency_proof_node_ids(m, n).unwrap(), "{m} → {n}");
            assert!(asked.len() <= 3 * log, "{} nodes for {m} → {n}", asked.len());
            assert!(asked.iter().all(|id| id.end() <= n));
        }
    }
}

#[test]
fn proofs_in_a_tree_of_a_trillion_leaves_need_only_a_few_nodes_inside_the_tree() {
    let n: u64 = 1_000_000_000_037;
    let asked = RefCell::new(0usize);
    let source = FnSource(|id: NodeId| -> Result<RecordHash, MerkleError> {
        assert!(id.end() <= n, "{id} is outside the tree");
        *asked.borrow_mut() += 1;
        Ok(RecordHash::of(&[&[id.level][..], &id.index.to_le_bytes()].concat()))
    });
    for m in [0, 1, 12_345, n / 2, n - 2, n - 1] {
        let proof = inclusion_proof(&source, m, n).unwrap();
        assert_eq!(proof.len(), path_length(m, n));
        assert!(asked.replace(0) <= 2 * 40, "leaf {m}");
    }
    for m in [1, 2, 1 << 39, 999_999_999_999, n - 1, n] {
        consistency_proof(&source, m, n).unwrap();
        assert!(asked.replace(0) <= 3 * 40, "{m} → {n}");
    }
    assert!(tree_root(&source, n).is_ok());
    assert_eq!(asked.replace(0), n.count_ones() as usize);
}

/// The length of PATH(m, D[n]), counted from the definition without hashing.
fn path_length(m: u64, n: u64) -> usize {
    if n == 1 {
        return 0;
    }
    let k = split(n as usize) as u64;
    1 + if m < k { path_length(m, k) } else { path_length(m - k, n - k) }
}

#[test]
fn a_store_missing_a_node_says_which() {
    let records = records(10);
    let mut store = stored_nodes(&records);
    store.remove(&NodeId::new(1, 4));
    assert_eq!(inclusion_proof(&store, 0, 10), Err(MerkleError::MissingNode(NodeId::new(1, 4))));
    assert_eq!(tree_root(&store, 10), Err(MerkleError::MissingNode(NodeId::new(1, 4))));
    assert_eq!(tree_root(&store, 4).map(|_| ()), Ok(()));
    assert_eq!(
        inclusion_proof(&MemoryTree::from_leaves(&records), 0, 11),
        Err(MerkleError::MissingNode(NodeId::new(0, 10)))
    );
}
