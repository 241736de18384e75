//! The server's Merkle tree, proofs and checkpoints against the published vectors: the five records
//! of `testdata/vectors/records.jsonl` stored as the rows of a log that predates the tree (so the
//! store builds the tree's nodes from them when it opens), then roots and proofs read back from the
//! stored nodes, and checkpoints signed with the vectors' test key, byte for byte.

use aidledger_server::checkpointer::sign_checkpoint;
use aidledger_server::db::Database;
use aidledger_server::signing::{Checkpoint, NoteError, NoteSigner, NoteVerifier};
use aidledger_server::store::Store;
use aidledger_server::verify;
use aidledger_test_support::TestDatabase;
use domain::RecordHash;
use serde_json::Value;

const RECORDS: &str = include_str!("../../testdata/vectors/records.jsonl");
const CANONICAL: &str = include_str!("../../testdata/vectors/records.canonical.txt");
const TREE: &str = include_str!("../../testdata/vectors/tree.json");
const VECTOR_KEY_NAME: &str = "aidledger.test/vectors";

fn tree() -> Value {
    serde_json::from_str(TREE).unwrap()
}

fn hex_list(values: &Value) -> Vec<String> {
    values.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect()
}

fn vector_signer() -> NoteSigner {
    let mut seed = [0; 32];
    hex::decode_to_slice(tree()["ed25519_seed_hex"].as_str().unwrap(), &mut seed).unwrap();
    NoteSigner::from_seed(VECTOR_KEY_NAME, &seed).unwrap()
}

fn vector_checkpoint(size: &str) -> String {
    tree()["checkpoints"][size].as_str().unwrap().to_owned()
}

/// A migrated SQLite database of the test's own whose events table holds the five vector records,
/// and the store opened on it.
async fn store_over_the_vector_records() -> (TestDatabase, Database, Store) {
    let test_database = TestDatabase::sqlite();
    let database = Database::open(&test_database.url).await.unwrap();
    database.migrate().await.unwrap();
    for (line, body) in RECORDS.lines().zip(CANONICAL.lines()) {
        let record: Value = serde_json::from_str(line).unwrap();
        sqlx::query(
            "INSERT INTO events (position, stream, version, id, type, body, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(record["position"].as_i64().unwrap())
        .bind(record["stream"].as_str().unwrap())
        .bind(record["version"].as_i64().unwrap())
        .bind(record["id"].as_str().unwrap())
        .bind(record["type"].as_str().unwrap())
        .bind(body)
        .bind(record["hash"].as_str().unwrap())
        .execute(&database.pool)
        .await
        .unwrap();
    }
    let store = Store::open(&database, None).await.unwrap();
    (test_database, database, store)
}

#[tokio::test]
async fn the_tree_the_store_builds_from_the_vector_records_gives_the_vector_roots_and_proofs() {
    let (_dir, _database, store) = store_over_the_vector_records().await;
    let vectors = tree();
    assert_eq!(store.tree_size(), 5);
    for (size, root) in vectors["roots"].as_object().unwrap() {
        let size: u64 = size.parse().unwrap();
        assert_eq!(store.tree_root(size).await.unwrap().to_hex(), root.as_str().unwrap(), "root of {size}");
    }
    for case in vectors["inclusion"].as_array().unwrap() {
        let leaf_index = case["leaf_index"].as_u64().unwrap();
        let tree_size = case["tree_size"].as_u64().unwrap();
        let proof = store.inclusion_proofs(&[leaf_index], tree_size).await.unwrap().pop().unwrap();
        let proof: Vec<String> = proof.iter().map(RecordHash::to_hex).collect();
        assert_eq!(proof, hex_list(&case["hashes"]), "inclusion of leaf {leaf_index} in {tree_size}");
    }
    let every_leaf = store.inclusion_proofs(&[0, 1, 2, 3, 4], 5).await.unwrap();
    let at_five: Vec<_> =
        vectors["inclusion"].as_array().unwrap().iter().filter(|c| c["tree_size"] == 5).collect();
    for (proof, case) in every_leaf.iter().zip(at_five) {
        assert_eq!(proof.iter().map(RecordHash::to_hex).collect::<Vec<_>>(), hex_list(&case["hashes"]));
    }
    for case in vectors["consistency"].as_array().unwrap() {
        let first = case["first"].as_u64().unwrap();
        let second = case["second"].as_u64().unwrap();
        let proof = store.consistency_proof(first, second).await.unwrap();
        let proof: Vec<String> = proof.iter().map(RecordHash::to_hex).collect();
        assert_eq!(proof, hex_list(&case["hashes"]), "consistency {first} → {second}");
    }
}

#[tokio::test]
async fn checkpoints_signed_with_the_vector_key_are_byte_identical_to_the_vectors_and_verify() {
    let (_dir, database, store) = store_over_the_vector_records().await;
    let signer = vector_signer();
    assert_eq!(signer.verifier().to_string(), tree()["verifier_key"].as_str().unwrap());
    for size in [3, 5] {
        let signed = sign_checkpoint(&store, &signer, size).await.unwrap();
        assert_eq!(signed.note, vector_checkpoint(&size.to_string()), "checkpoint of size {size}");
        assert_eq!(store.checkpoint_at(size).await.unwrap().unwrap().note, signed.note);
    }
    assert_eq!(store.latest_checkpoint().await.unwrap().unwrap().tree_size, 5);

    let verifier = NoteVerifier::parse(tree()["verifier_key"].as_str().unwrap()).unwrap();
    let verified = verify::database::verify(&database, Some(&verifier)).await.unwrap().unwrap();
    assert_eq!((verified.records, verified.checkpoints), (5, 2));
    assert_eq!(verified.root.to_hex(), tree()["roots"]["5"].as_str().unwrap());
}

#[test]
fn a_vector_checkpoint_opens_with_the_published_key_and_with_no_other() {
    let published = NoteVerifier::parse(tree()["verifier_key"].as_str().unwrap()).unwrap();
    let note = vector_checkpoint("5");
    let opened = Checkpoint::open(&note, &published).unwrap();
    assert_eq!(opened.origin, VECTOR_KEY_NAME);
    assert_eq!(opened.tree_size, 5);
    assert_eq!(opened.root.to_hex(), tree()["roots"]["5"].as_str().unwrap());

    let another = NoteSigner::generate(VECTOR_KEY_NAME).unwrap().verifier();
    assert!(matches!(Checkpoint::open(&note, &another), Err(NoteError::NotSignedBy(_))));

    let other_size = note.replacen("\n5\n", "\n4\n", 1);
    assert!(matches!(Checkpoint::open(&other_size, &published), Err(NoteError::BadSignature(_))));
    let unsigned = note.split("\n\n").next().unwrap().to_owned() + "\n";
    assert!(Checkpoint::open(&unsigned, &published).is_err());
}

#[test]
fn keys_round_trip_through_their_text_and_malformed_keys_are_refused() {
    let signer = vector_signer();
    let private = signer.to_private_text();
    assert!(private.starts_with("PRIVATE+KEY+aidledger.test/vectors+07d5f6a7+"), "{private}");
    let again = NoteSigner::from_private_text(&private).unwrap();
    assert_eq!(again.verifier(), signer.verifier());
    assert_eq!(NoteVerifier::parse(&signer.verifier().to_string()).unwrap(), signer.verifier());

    let verifier = signer.verifier().to_string();
    let wrong_id = verifier.replacen("+07d5f6a7+", "+07d5f6a8+", 1);
    for bad in [
        "",
        "name-only",
        "with space+07d5f6a7+AenHL07K/DnTs45x9icGATw92Bg6kmkeyWngSoKDGaPz",
        "aidledger.test/vectors+07D5F6A7+AenHL07K/DnTs45x9icGATw92Bg6kmkeyWngSoKDGaPz",
        "aidledger.test/vectors+07d5f6a7+not-base64",
        "aidledger.test/vectors+07d5f6a7+AunHL07K/DnTs45x9icGATw92Bg6kmkeyWngSoKDGaPz",
        wrong_id.as_str(),
    ] {
        assert!(NoteVerifier::parse(bad).is_err(), "{bad:?} was accepted");
    }
    assert!(NoteSigner::from_private_text(&verifier).is_err());
    assert!(NoteSigner::from_private_text(&private.replacen("+07d5f6a7+", "+00000000+", 1)).is_err());
    assert!(NoteSigner::from_seed("two words", &[7; 32]).is_err());
}
