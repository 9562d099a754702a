//! Twilio's standard opt-out, opt-in and help keywords. Twilio acts on them only when the whole
//! message (trimmed, any case) is the single keyword; "Please stop calling" is not an opt-out.

/// What a keyword message asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    /// Stop all messages; further sends fail with error 21610.
    OptOut,
    /// Undo an opt-out.
    OptIn,
    Help,
}

/// Opt-out keywords.
pub const OPT_OUT: &[&str] = &[
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "REVOKE",
    "OPTOUT",
];
/// Opt-in keywords.
pub const OPT_IN: &[&str] = &["START", "YES", "UNSTOP"];
/// Help keywords.
pub const HELP: &[&str] = &["HELP", "INFO"];

/// The keyword a message body is, if it is exactly one.
pub fn classify(body: &str) -> Option<Keyword> {
    let word = body.trim().to_uppercase();
    if OPT_OUT.contains(&word.as_str()) {
        Some(Keyword::OptOut)
    } else if OPT_IN.contains(&word.as_str()) {
        Some(Keyword::OptIn)
    } else if HELP.contains(&word.as_str()) {
        Some(Keyword::Help)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_recognises_every_keyword_in_any_case() {
        for (words, keyword) in [
            (OPT_OUT, Keyword::OptOut),
            (OPT_IN, Keyword::OptIn),
            (HELP, Keyword::Help),
        ] {
            for word in words {
                assert_eq!(classify(word), Some(keyword), "{word}");
                assert_eq!(classify(&word.to_lowercase()), Some(keyword), "{word}");
            }
        }
    }

    #[test]
    fn classify_trims_surrounding_whitespace() {
        assert_eq!(classify("  Stop \n"), Some(Keyword::OptOut));
        assert_eq!(classify("\tunstop"), Some(Keyword::OptIn));
    }

    #[test]
    fn classify_ignores_keywords_inside_longer_messages() {
        for body in [
            "Please stop",
            "stop.",
            "STOP STOP",
            "yes please",
            "",
            "stopp",
            "help me",
        ] {
            assert_eq!(classify(body), None, "{body:?}");
        }
    }
}
