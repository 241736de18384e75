//! Witness cosignatures and receipts against `testdata/vectors/witness.json`: the C2SP spec's own
//! example (its key id, timestamp and signed message), a test witness key whose cosignature and
//! receipt were made with Python's `cryptography` (byte for byte), and a flipped bit anywhere in a
//! cosignature line, a cosigned checkpoint or a receipt failing verification.

use aidledger_server::signing::cosignature;
use aidledger_server::signing::note;
use aidledger_server::signing::receipt::Receipt;
use aidledger_server::signing::{NoteError, NoteSigner, NoteVerifier, SignatureType};
use domain::RecordHash;
use serde_json::Value;

const WITNESS: &str = include_str!("../../testdata/vectors/witness.json");
const TREE: &str = include_str!("../../testdata/vectors/tree.json");
const RECORDS: &str = include_str!("../../testdata/vectors/records.jsonl");

fn vectors() -> Value {
    serde_json::from_str(WITNESS).unwrap()
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap()
}

fn witness_signer() -> NoteSigner {
    let vectors = vectors();
    let mut seed = [0; 32];
    hex::decode_to_slice(text(&vectors["witness"]["ed25519_seed_hex"]), &mut seed).unwrap();
    NoteSigner::from_seed_as(text(&vectors["witness"]["name"]), SignatureType::CosignatureV1, &seed).unwrap()
}

fn log_key() -> NoteVerifier {
    let tree: Value = serde_json::from_str(TREE).unwrap();
    NoteVerifier::parse(text(&tree["verifier_key"])).unwrap()
}

fn record_hash(position: usize) -> RecordHash {
    let record: Value = serde_json::from_str(RECORDS.lines().nth(position - 1).unwrap()).unwrap();
    RecordHash::from_hex(text(&record["hash"])).unwrap()
}

/// Every text made by flipping one bit of `original` that is still UTF-8 (the rest cannot even be
/// read as a note).
fn flipped(original: &str) -> impl Iterator<Item = (usize, String)> + '_ {
    (0..original.len() * 8).filter_map(move |bit| {
        let mut bytes = original.as_bytes().to_vec();
        bytes[bit / 8] ^= 1 << (bit % 8);
        String::from_utf8(bytes).ok().map(|text| (bit, text))
    })
}

#[test]
fn the_spec_example_gives_its_key_id_timestamp_and_signed_message() {
    let example = &vectors()["spec_example"];
    let signatures = note::parse_signature_lines(text(&example["cosignature_line"])).unwrap();
    let [signature] = signatures.as_slice() else { panic!("one signature line") };
    assert_eq!(signature.name, text(&example["witness_name"]));
    assert_eq!(hex::encode(signature.id), text(&example["key_id_hex"]));
    assert_eq!(signature.signature.len(), 72, "a u64 timestamp and an Ed25519 signature");
    let timestamp = u64::from_be_bytes(signature.signature[..8].try_into().unwrap());
    assert_eq!(timestamp, example["timestamp"].as_u64().unwrap());
    let body = text(&example["checkpoint_body"]);
    assert_eq!(cosignature::signed_message(body, timestamp), text(&example["signed_message"]));
    assert_eq!(signature.line(), text(&example["cosignature_line"]), "the line is re-encoded as it was");
}

#[test]
fn the_test_witness_key_cosigns_byte_for_byte() {
    let vectors = vectors();
    let witness = &vectors["witness"];
    let signer = witness_signer();
    assert_eq!(signer.verifier().to_string(), text(&witness["verifier_key"]));
    assert_eq!(hex::encode(signer.id()), text(&witness["key_id_hex"]));
    let parsed =
        NoteVerifier::parse_as(text(&witness["verifier_key"]), SignatureType::CosignatureV1).unwrap();
    assert_eq!(parsed, signer.verifier());
    assert!(NoteVerifier::parse(text(&witness["verifier_key"])).is_err(), "a witness key is not a log key");
    assert!(
        NoteVerifier::parse_as(&log_key().to_string(), SignatureType::CosignatureV1).is_err(),
        "a log key is not a witness key"
    );

    let cosigned = text(&witness["cosigned_checkpoint_5"]);
    let body = note::split(cosigned).unwrap().text;
    let timestamp = witness["timestamp"].as_u64().unwrap();
    assert_eq!(cosignature::signed_message(body, timestamp), text(&witness["signed_message"]));
    let line = cosignature::cosign(&signer, body, timestamp).unwrap().line();
    assert_eq!(line, text(&witness["cosignature_line"]));
    let private = signer.to_private_text();
    let again = NoteSigner::from_private_text_as(&private, SignatureType::CosignatureV1).unwrap();
    assert_eq!(again.verifier(), signer.verifier());
    assert!(NoteSigner::from_private_text(&private).is_err(), "a witness's private key is not a log's");

    let cosigners = cosignature::check_policy(cosigned, &[signer.verifier()], 1).unwrap();
    assert_eq!(cosigners[0].witness, "aidledger.test/witness");
    assert_eq!(cosigners[0].timestamp, timestamp);
    assert!(matches!(
        cosignature::check_policy(cosigned, &[signer.verifier()], 2),
        Err(NoteError::TooFewCosignatures { found: 1, required: 2 })
    ));
    let other =
        NoteSigner::from_seed_as("aidledger.test/other", SignatureType::CosignatureV1, &[7; 32]).unwrap();
    assert!(cosignature::check_policy(cosigned, &[other.verifier()], 1).is_err(), "another witness's key");
}

#[test]
fn the_receipt_is_the_tlog_proof_of_the_record_and_verifies() {
    let vectors = vectors();
    let witness = &vectors["witness"];
    let expected = text(&witness["receipt_position_3_in_5"]);
    let receipt = Receipt::parse(expected).unwrap();
    assert_eq!(receipt.index, 2);
    assert_eq!(receipt.checkpoint, text(&witness["cosigned_checkpoint_5"]));
    assert_eq!(receipt.to_text(), expected);
    let verified = receipt.verify(&record_hash(3), &[log_key()], &[witness_signer().verifier()], 1).unwrap();
    assert_eq!(verified.checkpoint.tree_size, 5);
    assert!(receipt.verify(&record_hash(4), &[log_key()], &[witness_signer().verifier()], 1).is_err());
    assert!(receipt.verify(&record_hash(3), &[log_key()], &[witness_signer().verifier()], 2).is_err());
}

#[test]
fn a_flipped_bit_anywhere_in_a_cosignature_line_fails() {
    let vectors = vectors();
    let witness = &vectors["witness"];
    let note5 = text(&witness["cosigned_checkpoint_5"]);
    let line = text(&witness["cosignature_line"]);
    let log_note = note5.strip_suffix(line).unwrap();
    let witnesses = [witness_signer().verifier()];
    for (bit, line) in flipped(line) {
        let note = format!("{log_note}{line}");
        assert!(cosignature::check_policy(&note, &witnesses, 1).is_err(), "bit {bit} of the line: {line:?}");
    }
}

#[test]
fn a_flipped_bit_anywhere_in_a_cosigned_checkpoint_fails() {
    let vectors = vectors();
    let note5 = text(&vectors["witness"]["cosigned_checkpoint_5"]);
    let witnesses = [witness_signer().verifier()];
    let log = log_key();
    for (bit, note) in flipped(note5) {
        let opened = aidledger_server::signing::Checkpoint::open(&note, &log)
            .and_then(|_| cosignature::check_policy(&note, &witnesses, 1));
        assert!(opened.is_err(), "bit {bit} of the cosigned checkpoint: {note:?}");
    }
}

#[test]
fn a_flipped_bit_anywhere_in_a_receipt_fails() {
    let vectors = vectors();
    let receipt = text(&vectors["witness"]["receipt_position_3_in_5"]);
    let (log, witnesses, record) = ([log_key()], [witness_signer().verifier()], record_hash(3));
    for (bit, text) in flipped(receipt) {
        let verified = Receipt::parse(&text).and_then(|receipt| receipt.verify(&record, &log, &witnesses, 1));
        assert!(verified.is_err(), "bit {bit} of the receipt: {text:?}");
    }
}
