//! Content negotiation over `Accept` headers as clients send them.

use super::*;

#[test]
fn no_preference_or_a_preference_for_json_answers_json() {
    for accept in
        ["", "application/json", "*/*", "application/*", "text/html,application/xhtml+xml,*/*;q=0.8"]
    {
        assert_eq!(preferred(accept), Some(Format::Json), "{accept:?}");
    }
}

#[test]
fn csv_is_answered_when_it_is_preferred() {
    for accept in [
        "text/csv",
        "text/*",
        "text/csv, */*;q=0.1",
        "application/json;q=0.5, text/csv",
        "text/csv, application/json",
    ] {
        assert_eq!(preferred(accept), Some(Format::Csv), "{accept:?}");
    }
}

#[test]
fn a_format_with_q_zero_is_never_answered() {
    assert_eq!(preferred("text/csv;q=0"), None);
    assert_eq!(preferred("text/csv;q=0, */*"), Some(Format::Json));
    assert_eq!(preferred("text/csv;q=0.0, application/json;q=0.1"), Some(Format::Json));
    assert_eq!(preferred("application/json;q=0, text/csv;q=0.001"), Some(Format::Csv));
    assert_eq!(preferred("*/*;q=0, text/csv"), Some(Format::Csv));
}

#[test]
fn neither_format_acceptable_is_none() {
    for accept in ["text/html", "application/xml, text/plain", "*/*;q=0", "image/*", "text/csv;q=2"] {
        assert_eq!(preferred(accept), None, "{accept:?}");
    }
}

#[test]
fn q_values_follow_the_rfc_grammar() {
    let q = |accept: &str| quality(&accept.parse::<mime::Mime>().expect("a range"));
    assert_eq!(q("text/csv"), 1000);
    assert_eq!(q("text/csv;q=0.5"), 500);
    assert_eq!(q("text/csv;q=0.25"), 250);
    assert_eq!(q("text/csv;q=1.000"), 1000);
    assert_eq!(q("text/csv;q=0"), 0);
    assert_eq!(q("text/csv;q=1.5"), 0);
    assert_eq!(q("text/csv;q=0.1234"), 0);
    assert_eq!(q("text/csv;q=high"), 0);
}
