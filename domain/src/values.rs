//! Validated value types: each parses from its JSON form or says why not, so an event that
//! deserializes is an event whose every field is in range ("parse, don't validate").
//!
//! Money is an integer in minor units (fen), durations are integer minutes, dates are `YYYY-MM-DD`,
//! UUIDs are lowercase and hyphenated. [`Personal`] marks the fields that can identify a person.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A field that can identify a person (a name, a phone number, free text). Clients send it open; the
/// server stores it sealed per subject, as `{"sealed": "<base64>"}` in the field's place, so that a
/// record read back from the log parses with the field still sealed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Personal<T> {
    /// The value itself, as a client sends it.
    Open(T),
    /// The value sealed with its subject's key: base64 of nonce and ciphertext.
    Sealed(String),
}

impl<T> Personal<T> {
    /// Whether the value is sealed.
    pub fn is_sealed(&self) -> bool {
        matches!(self, Personal::Sealed(_))
    }
}

impl<T: Serialize> Serialize for Personal<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Personal::Open(value) => value.serialize(serializer),
            Personal::Sealed(sealed) => {
                use serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry(SEALED_KEY, sealed)?;
                map.end()
            }
        }
    }
}

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for Personal<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        if let Some(sealed) = sealed_text(&value) {
            return Ok(Personal::Sealed(sealed.to_owned()));
        }
        T::deserialize(value).map(Personal::Open).map_err(serde::de::Error::custom)
    }
}

/// The key of a sealed field's object.
pub const SEALED_KEY: &str = "sealed";

/// The sealed text when `value` is a sealed field (`{"sealed": "<base64>"}`).
pub fn sealed_text(value: &serde_json::Value) -> Option<&str> {
    let object = value.as_object()?;
    if object.len() != 1 {
        return None;
    }
    object.get(SEALED_KEY)?.as_str()
}

/// Short text (a name, a district, a title): 1 to [`Text::CHARS_MAX`] characters, not only spaces.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Text(String);

impl Text {
    /// The longest short text, in characters.
    pub const CHARS_MAX: usize = 200;

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Free text (a summary, a reason, a suggestion): 1 to [`LongText::CHARS_MAX`] characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LongText(String);

impl LongText {
    /// The longest free text, in characters.
    pub const CHARS_MAX: usize = 10_000;

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn check_text(value: &str, chars_max: usize) -> Result<(), String> {
    if value.trim().is_empty() {
        return Err("must not be empty".into());
    }
    let chars = value.chars().count();
    if chars > chars_max {
        return Err(format!("is {chars} characters long; at most {chars_max} are allowed"));
    }
    Ok(())
}

macro_rules! text_type {
    ($name:ident) => {
        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(value: String) -> Result<Self, String> {
                check_text(&value, $name::CHARS_MAX)?;
                Ok(Self(value))
            }
        }
        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}
text_type!(Text);
text_type!(LongText);

/// A phone number: digits, spaces, `+`, `-` and parentheses, with 3 to 20 digits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl TryFrom<String> for Phone {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        let allowed = value.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c));
        let digits = value.chars().filter(char::is_ascii_digit).count();
        if !allowed || !(3..=20).contains(&digits) {
            return Err(format!("\"{value}\" is not a phone number (digits, spaces, + - and parentheses)"));
        }
        Ok(Self(value))
    }
}

impl From<Phone> for String {
    fn from(value: Phone) -> String {
        value.0
    }
}

/// A UUID in its one accepted spelling: lowercase and hyphenated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Id(pub Uuid);

impl Id {
    /// Parses the lowercase hyphenated spelling; every other spelling is refused.
    pub fn parse(value: &str) -> Result<Self, String> {
        let mut spelling = [0_u8; uuid::fmt::Hyphenated::LENGTH];
        match Uuid::parse_str(value) {
            Ok(uuid) if uuid.hyphenated().encode_lower(&mut spelling).as_bytes() == value.as_bytes() => {
                Ok(Self(uuid))
            }
            Ok(_) => Err(format!("\"{value}\" must be spelled lowercase and hyphenated")),
            Err(_) => Err(format!("\"{value}\" is not a UUID")),
        }
    }
}

impl TryFrom<String> for Id {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value)
    }
}

impl From<Id> for String {
    fn from(value: Id) -> String {
        value.to_string()
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.hyphenated())
    }
}

/// A calendar date written `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Date(pub time::Date);

impl Date {
    /// Parses `YYYY-MM-DD` (a real date, four-digit year).
    pub fn parse(value: &str) -> Result<Self, String> {
        let format = time::macros::format_description!("[year repr:full]-[month]-[day]");
        if value.len() != 10 {
            return Err(format!("\"{value}\" is not a date written YYYY-MM-DD"));
        }
        time::Date::parse(value, format)
            .map(Self)
            .map_err(|_| format!("\"{value}\" is not a date written YYYY-MM-DD"))
    }
}

impl TryFrom<String> for Date {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value)
    }
}

impl From<Date> for String {
    fn from(value: Date) -> String {
        value.to_string()
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        write!(f, "{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
    }
}

/// An ISO 4217 currency code: three uppercase ASCII letters, such as `CNY`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(String);

impl Currency {
    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Currency {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        if value.len() == 3 && value.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Self(value))
        } else {
            Err(format!("\"{value}\" is not a currency code (three uppercase letters, e.g. CNY)"))
        }
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> String {
        value.0
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! bounded_integer {
    ($(#[$doc:meta])* $name:ident, $min:expr, $max:expr, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "i64", into = "i64")]
        pub struct $name(i64);

        impl $name {
            /// The smallest allowed value.
            pub const MIN: i64 = $min;
            /// The largest allowed value.
            pub const MAX: i64 = $max;

            /// The value.
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl TryFrom<i64> for $name {
            type Error = String;
            fn try_from(value: i64) -> Result<Self, String> {
                if (Self::MIN..=Self::MAX).contains(&value) {
                    Ok(Self(value))
                } else if Self::MAX == crate::strict_json::SAFE_INTEGER_MAX {
                    Err(format!("{value} is not allowed: {} must be at least {}", $what, Self::MIN))
                } else {
                    Err(format!("{value} is not allowed: {} must be {} to {}", $what, Self::MIN, Self::MAX))
                }
            }
        }

        impl From<$name> for i64 {
            fn from(value: $name) -> i64 {
                value.0
            }
        }
    };
}

const SAFE: i64 = crate::strict_json::SAFE_INTEGER_MAX;

bounded_integer!(
    /// A positive amount of money in minor units (fen).
    PositiveMinor, 1, SAFE, "an amount in minor units"
);
bounded_integer!(
    /// A non-negative amount of money in minor units (fen).
    NonNegativeMinor, 0, SAFE, "an amount in minor units"
);
bounded_integer!(
    /// A change of money in minor units; may be negative, never zero (checked by the event).
    DeltaMinor, -SAFE, SAFE, "a change in minor units"
);
bounded_integer!(
    /// A duration in whole minutes within one day.
    Minutes, 1, 1440, "a duration in minutes"
);
bounded_integer!(
    /// A count of people or things, zero or more.
    Count, 0, SAFE, "a count"
);
bounded_integer!(
    /// A count of at least one.
    PositiveCount, 1, SAFE, "a quantity"
);
bounded_integer!(
    /// A number of days between contacts, up to ten years.
    Days, 1, 3660, "a number of days"
);
bounded_integer!(
    /// Hardship severity: 1 (mild) to 3 (severe).
    Severity, 1, 3, "severity"
);
bounded_integer!(
    /// A calendar year.
    Year, 1900, 2999, "a year"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_accept_only_lowercase_hyphenated() {
        assert!(Id::parse("0190a1b2-0000-7000-8000-000000000001").is_ok());
        assert!(Id::parse("0190A1B2-0000-7000-8000-000000000001").is_err());
        assert!(Id::parse("0190a1b2000070008000000000000001").is_err());
        assert!(Id::parse("{0190a1b2-0000-7000-8000-000000000001}").is_err());
    }

    #[test]
    fn dates_are_real_and_written_in_full() {
        assert_eq!(Date::parse("2022-02-28").unwrap().to_string(), "2022-02-28");
        assert!(Date::parse("2022-02-30").is_err());
        assert!(Date::parse("2022-2-3").is_err());
        assert!(Date::parse("+02022-02-03").is_err());
    }

    #[test]
    fn texts_refuse_blank_and_overlong_values() {
        assert!(Text::try_from("王建国".to_string()).is_ok());
        assert!(Text::try_from("  ".to_string()).is_err());
        assert!(Text::try_from("字".repeat(201)).is_err());
    }
}
