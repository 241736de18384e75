//! Principal names: who a token speaks for, the `meta.actor` of everything appended with it, and
//! what the maker-checker rules compare.
//!
//! Two names a person cannot tell apart must never be two principals, or a supervisor holding a
//! token `Wang.Sup` could approve what `wang.sup` requested. So a name is normalized — Unicode NFKC
//! (full-width `ｗａｎｇ` is `wang`), then case folding (as lowercase, with the final sigma folded
//! too) — and held to a plain pattern: 1 to [`PRINCIPAL_CHARS_MAX`] letters or digits of any script
//! (`王伟` is a name) or `.`, `_`, `-`, starting with a letter or a digit. Whitespace, control
//! characters and invisible ones (U+200B, U+FEFF, bidi controls) match nothing in it.
//!
//! [`normalize`] is for names being given (a new token): it refuses one that does not fit.
//! [`fold`] is for names already stored (tokens issued and records appended before names were
//! normalized): it maps them onto the same form, dropping what the pattern has no room for, so
//! that such a name and its normalized twin are one person to every rule.

use unicode_normalization::UnicodeNormalization;

/// The longest principal name, in characters.
pub(crate) const PRINCIPAL_CHARS_MAX: usize = 64;

/// Whether `c` may appear in a normalized name.
fn allowed(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// NFKC, then case folding, then NFKC again (folding can undo a composition).
fn canonical(name: &str) -> String {
    let folded: String = name.nfkc().collect::<String>().to_lowercase().replace('ς', "σ");
    folded.nfkc().collect()
}

/// The normalized form of `name`, or why it is not a principal name.
pub(crate) fn normalize(name: &str) -> Result<String, String> {
    let normalized = canonical(name);
    let count = normalized.chars().count();
    let problem = if count == 0 {
        Some("is empty".to_owned())
    } else if count > PRINCIPAL_CHARS_MAX {
        Some(format!("has {count} characters; at most {PRINCIPAL_CHARS_MAX} are allowed"))
    } else if let Some(c) = normalized.chars().find(|c| !allowed(*c)) {
        Some(format!("holds {}, which a principal name may not hold", describe(c)))
    } else if !normalized.starts_with(char::is_alphanumeric) {
        Some("must start with a letter or a digit".to_owned())
    } else {
        None
    };
    match problem {
        None => Ok(normalized),
        Some(problem) => Err(format!(
            "{name:?} {problem}: a principal name is 1 to {PRINCIPAL_CHARS_MAX} letters or digits (of any \
             script) or . _ -, starting with a letter or a digit"
        )),
    }
}

/// A stored name in the form [`normalize`] gives: the name itself for any name issued since names
/// were normalized; for an older one, its normalized form without the characters the pattern has no
/// room for (so `Wang\u{200B}.Sup` and `wang.sup` are one person).
pub fn fold(stored: &str) -> String {
    canonical(stored).chars().filter(|c| allowed(*c)).collect()
}

/// `c` as a person can read it in an error: invisible and space characters by their code point.
fn describe(c: char) -> String {
    if c.is_whitespace() || c.is_control() || (!c.is_alphanumeric() && !c.is_ascii_graphic()) {
        format!("U+{:04X}", u32::from(c))
    } else {
        format!("{c:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_differ_only_by_case_or_width_normalize_to_one() {
        for variant in ["Wang.Sup", "WANG.SUP", "ｗａｎｇ.ｓｕｐ", "Ｗａｎｇ．Ｓｕｐ"] {
            assert_eq!(normalize(variant).as_deref(), Ok("wang.sup"), "{variant}");
        }
    }

    #[test]
    fn chinese_and_other_scripts_are_names() {
        for name in ["王伟", "李娜", "zhao.min", "o_neil-2", "ΣΟΦΙΑ", "müller"] {
            assert!(normalize(name).is_ok(), "{name}");
        }
        assert_eq!(normalize("ΣΟΦΙΑΣ"), normalize("σοφιασ"), "the final sigma folds too");
    }

    #[test]
    fn whitespace_control_invisible_and_bidi_characters_are_refused_by_code_point() {
        for (name, shown) in [
            ("wang sup", "U+0020"),
            ("wang\u{200B}.sup", "U+200B"),
            ("\u{FEFF}wang.sup", "U+FEFF"),
            ("wang\u{202E}pus", "U+202E"),
            ("wang\tsup", "U+0009"),
            ("wang@sup", "'@'"),
        ] {
            let error = normalize(name).expect_err(name);
            assert!(error.contains(shown), "{name:?}: {error}");
        }
    }

    #[test]
    fn a_name_is_one_to_sixty_four_characters_starting_with_a_letter_or_digit() {
        assert!(normalize("").is_err());
        assert!(normalize(".wang").is_err());
        assert!(normalize("-wang").is_err());
        assert!(normalize(&"王".repeat(64)).is_ok());
        assert!(normalize(&"王".repeat(65)).is_err());
    }

    #[test]
    fn a_stored_name_folds_onto_its_normalized_twin() {
        assert_eq!(fold("Wang\u{200B}.Sup"), "wang.sup");
        assert_eq!(fold("ＷＡＮＧ.sup"), "wang.sup");
        assert_eq!(fold("王伟"), "王伟");
        for name in ["zhao.min", "王伟", "wang.sup"] {
            assert_eq!(fold(name), normalize(name).unwrap(), "fold is the identity on normalized names");
        }
    }
}
