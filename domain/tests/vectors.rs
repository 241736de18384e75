//! The record hash and canonical JSON against the byte-exact vectors in `testdata/vectors`.

use aidledger_domain::chain::ChainVerifier;
use aidledger_domain::record::{served, Record};
use aidledger_domain::{canonical, strict_json};

const RECORDS: &str = include_str!("../../testdata/vectors/records.jsonl");
const CANONICAL: &str = include_str!("../../testdata/vectors/records.canonical.txt");

#[test]
fn every_vector_record_canonicalizes_and_hashes_byte_for_byte() {
    let mut verifier = ChainVerifier::new();
    for (line, expected_canonical) in RECORDS.lines().zip(CANONICAL.lines()) {
        let mut value = strict_json::parse(line.as_bytes()).unwrap();
        let hash = value.as_object_mut().unwrap().remove("hash").unwrap();
        let hash = hash.as_str().unwrap();

        assert_eq!(canonical::to_string(&value).unwrap(), expected_canonical);

        let record = Record::from_value(&value).unwrap();
        let (body, sealed_hash) = record.seal().unwrap();
        assert_eq!(body, expected_canonical);
        assert_eq!(sealed_hash.to_hex(), hash);

        verifier.check(record.position, &body, hash).unwrap();
        let served_value = strict_json::parse(served(&body, &sealed_hash).as_bytes()).unwrap();
        assert_eq!(served_value, strict_json::parse(line.as_bytes()).unwrap());
    }
    assert_eq!(verifier.checked(), 5);
}

#[test]
fn a_changed_byte_breaks_the_chain_at_that_record() {
    let mut verifier = ChainVerifier::new();
    for (index, (line, body)) in RECORDS.lines().zip(CANONICAL.lines()).enumerate() {
        let value = strict_json::parse(line.as_bytes()).unwrap();
        let hash = value["hash"].as_str().unwrap();
        if index == 2 {
            let tampered = body.replace("80000", "90000");
            assert!(verifier.check(3, &tampered, hash).is_err());
            return;
        }
        verifier.check(index as i64 + 1, body, hash).unwrap();
    }
}
