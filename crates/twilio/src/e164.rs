//! Phone numbers in E.164 (`+14155551234`), the only form Twilio accepts and sends.
//!
//! Parsing uses libphonenumber's metadata (the `phonenumber` crate) and always checks validity:
//! `phonenumber::parse` alone accepts strings such as "12345". Twilio's magic test numbers
//! (`+1500555xxxx`, e.g. From `+15005550006`) are accepted explicitly: libphonenumber rejects
//! area code 500 for them, but test credentials and the simulator use exactly these numbers.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::{LazyLock, Mutex};

use phonenumber::{Mode, country};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A valid phone number in E.164 form. Construct with [`E164::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct E164(String);

/// Why a text is not a usable phone number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum E164Error {
    #[error("{0:?} is not a phone number")]
    NotANumber(String),
    #[error("{0:?} is too short to be a phone number")]
    TooShort(String),
    #[error("{0:?} is too long to be a phone number")]
    TooLong(String),
    #[error("unknown region {0:?} (expected a two-letter country code such as \"US\")")]
    UnknownRegion(String),
    #[error("{0:?} has no country code: write it with a leading + or give a default region")]
    NoCountryCode(String),
    #[error("{0:?} is not a valid phone number for its country")]
    Invalid(String),
}

const MAGIC_PREFIX: &str = "+1500555";

/// How many parsed numbers [`E164::parse`] remembers before it starts over.
const REMEMBERED: usize = 8192;

/// Answers already given by [`E164::parse`], by region and input. libphonenumber checks a
/// number against its metadata's regexes through one process-wide mutex that hashes each
/// (long) pattern to find its compiled form: about 9 µs a number, most of it in that lookup,
/// and every thread queues on the one lock. The answer depends on the text alone, and the
/// same numbers come back all the time (a line's staff, a caller's next request), so each is
/// worked out once. A std mutex, not tokio's: it is held for one map operation, never across
/// an await. When full, the map starts over rather than tracking recency.
static PARSED: LazyLock<Mutex<HashMap<String, Result<E164, E164Error>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

impl E164 {
    /// Parses what a person typed. Without a leading `+`, the number is read as a national
    /// number of `default_region` (e.g. `Some("US")`).
    pub fn parse(input: &str, default_region: Option<&str>) -> Result<E164, E164Error> {
        let key = format!("{}|{}", default_region.unwrap_or(""), input.trim());
        if let Some(known) = PARSED.lock().ok().and_then(|p| p.get(&key).cloned()) {
            return known;
        }
        let answer = E164::parse_uncached(input, default_region);
        if let Ok(mut parsed) = PARSED.lock() {
            if parsed.len() >= REMEMBERED {
                parsed.clear();
            }
            parsed.insert(key, answer.clone());
        }
        answer
    }

    fn parse_uncached(input: &str, default_region: Option<&str>) -> Result<E164, E164Error> {
        let trimmed = input.trim();
        let region = default_region
            .map(|code| {
                code.trim()
                    .to_ascii_uppercase()
                    .parse::<country::Id>()
                    .map_err(|_| E164Error::UnknownRegion(code.to_owned()))
            })
            .transpose()?;
        if let Some(magic) = magic_test_number(trimmed, region) {
            return Ok(E164(magic));
        }
        let number = phonenumber::parse(region, trimmed).map_err(|err| match err {
            phonenumber::ParseError::NoNumber => E164Error::NotANumber(trimmed.to_owned()),
            phonenumber::ParseError::TooShortAfterIdd | phonenumber::ParseError::TooShortNsn => {
                E164Error::TooShort(trimmed.to_owned())
            }
            phonenumber::ParseError::TooLong => E164Error::TooLong(trimmed.to_owned()),
            phonenumber::ParseError::InvalidCountryCode if region.is_none() => {
                E164Error::NoCountryCode(trimmed.to_owned())
            }
            _ => E164Error::NotANumber(trimmed.to_owned()),
        })?;
        if !phonenumber::is_valid(&number) {
            let digits = trimmed.chars().filter(char::is_ascii_digit).count();
            return Err(if digits < 7 {
                E164Error::TooShort(trimmed.to_owned())
            } else {
                E164Error::Invalid(trimmed.to_owned())
            });
        }
        Ok(E164(number.format().mode(Mode::E164).to_string()))
    }

    /// `+14155551234`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is one of Twilio's magic test numbers (`+1500555xxxx`).
    pub fn is_twilio_test_number(&self) -> bool {
        self.0.starts_with(MAGIC_PREFIX)
    }

    /// Grouped for reading aloud or showing: `+1 415 555 1234`.
    pub fn pretty(&self) -> String {
        if self.is_twilio_test_number() {
            return format!("+1 500 555 {}", &self.0[8..]);
        }
        match phonenumber::parse(None, &self.0) {
            Ok(number) => number
                .format()
                .mode(Mode::International)
                .to_string()
                .replace(['-', '.'], " "),
            Err(_) => self.0.clone(),
        }
    }
}

/// `+1500555` and four digits, possibly typed as `(500) 555-0006` with region US.
fn magic_test_number(input: &str, region: Option<country::Id>) -> Option<String> {
    let digits: String = input.chars().filter(char::is_ascii_digit).collect();
    let decorated = input
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if !decorated {
        return None;
    }
    let candidate = if input.starts_with('+') {
        format!("+{digits}")
    } else if region == Some(country::Id::US) && digits.len() == 10 {
        format!("+1{digits}")
    } else {
        return None;
    };
    (candidate.len() == 12 && candidate.starts_with(MAGIC_PREFIX)).then_some(candidate)
}

impl fmt::Display for E164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for E164 {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for E164 {
    type Err = E164Error;

    /// Strict: the text must carry its country code (`+...`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        E164::parse(s, None)
    }
}

impl Serialize for E164 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for E164 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        E164::parse(&text, None).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str, region: Option<&str>) -> String {
        match E164::parse(input, region) {
            Ok(number) => number.to_string(),
            Err(err) => panic!("{input:?}: {err}"),
        }
    }

    #[test]
    fn parse_normalises_common_spellings() {
        for (input, region, expected) in [
            ("+14155552671", None, "+14155552671"),
            ("(415) 555-2671", Some("US"), "+14155552671"),
            ("415.555.2671", Some("us"), "+14155552671"),
            (" +44 20 7946 0958 ", None, "+442079460958"),
            ("020 7946 0958", Some("GB"), "+442079460958"),
            ("+49 30 901820", Some("US"), "+4930901820"),
        ] {
            assert_eq!(ok(input, region), expected, "{input}");
        }
    }

    #[test]
    fn parse_accepts_twilio_magic_test_numbers() {
        assert_eq!(ok("+15005550006", None), "+15005550006");
        assert_eq!(ok("(500) 555-0001", Some("US")), "+15005550001");
        assert!(E164::parse("+15005550009", None).is_ok_and(|n| n.is_twilio_test_number()));
        assert!(!E164::parse("+14155552671", None).is_ok_and(|n| n.is_twilio_test_number()));
    }

    #[test]
    fn a_remembered_answer_is_the_answer_parsing_gives() {
        for (input, region) in [
            ("(415) 555-2671", Some("US")),
            ("(415) 555-2671", None),
            ("12345", Some("US")),
            ("+1 415 055 2671", None),
            ("4155552671", Some("XX")),
        ] {
            let fresh = E164::parse_uncached(input, region);
            assert_eq!(
                E164::parse(input, region),
                fresh,
                "{input} {region:?}, first"
            );
            assert_eq!(
                E164::parse(input, region),
                fresh,
                "{input} {region:?}, again"
            );
        }
    }

    #[test]
    fn the_remembered_answers_stay_bounded() {
        for n in 0..REMEMBERED + 10 {
            let _ = E164::parse(&format!("+1415555{n:04}"), None);
        }
        let remembered = PARSED.lock().map(|p| p.len()).unwrap_or(usize::MAX);
        assert!(remembered <= REMEMBERED, "{remembered} answers remembered");
        assert_eq!(ok("+14155552671", None), "+14155552671");
    }

    #[test]
    fn parse_rejects_short_numbers_that_phonenumber_alone_accepts() {
        assert_eq!(
            E164::parse("12345", Some("US")),
            Err(E164Error::TooShort("12345".into()))
        );
    }

    #[test]
    fn parse_rejects_text_that_is_not_a_number() {
        assert_eq!(
            E164::parse("call me", Some("US")),
            Err(E164Error::NotANumber("call me".into()))
        );
    }

    #[test]
    fn parse_rejects_too_long_numbers() {
        assert!(matches!(
            E164::parse("+1415555267112345678", None),
            Err(E164Error::TooLong(_) | E164Error::Invalid(_))
        ));
    }

    #[test]
    fn parse_rejects_unknown_region() {
        assert_eq!(
            E164::parse("4155552671", Some("XX")),
            Err(E164Error::UnknownRegion("XX".into()))
        );
    }

    #[test]
    fn parse_without_region_requires_country_code() {
        assert!(matches!(
            E164::parse("4155552671", None),
            Err(E164Error::NoCountryCode(_) | E164Error::NotANumber(_))
        ));
    }

    #[test]
    fn parse_rejects_invalid_number_of_right_length() {
        assert_eq!(
            E164::parse("+1 415 055 2671", None),
            Err(E164Error::Invalid("+1 415 055 2671".into()))
        );
    }

    #[test]
    fn pretty_groups_digits_with_spaces() {
        assert_eq!(
            ok("+14155552671", None).parse::<E164>().map(|n| n.pretty()),
            Ok("+1 415 555 2671".into())
        );
        assert_eq!(
            E164::parse("+15005550006", None).map(|n| n.pretty()),
            Ok("+1 500 555 0006".into())
        );
        assert_eq!(
            E164::parse("+442079460958", None).map(|n| n.pretty()),
            Ok("+44 20 7946 0958".into())
        );
    }

    #[test]
    fn serde_writes_string_and_validates_on_read() {
        let number = E164::parse("+14155552671", None).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(
            serde_json::to_string(&number).ok(),
            Some("\"+14155552671\"".into())
        );
        assert_eq!(
            serde_json::from_str::<E164>("\"+14155552671\"").ok(),
            Some(number)
        );
        assert!(serde_json::from_str::<E164>("\"12345\"").is_err());
    }
}
