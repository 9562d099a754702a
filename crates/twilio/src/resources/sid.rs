//! Twilio SIDs: a two-letter prefix naming the resource kind, then 32 lowercase hex digits.

/// Account.
pub const AC: &str = "AC";
/// Call.
pub const CA: &str = "CA";
/// SMS message.
pub const SM: &str = "SM";
/// MMS message (a message with media).
pub const MM: &str = "MM";
/// Incoming phone number.
pub const PN: &str = "PN";
/// Recording.
pub const RE: &str = "RE";
/// Transcription.
pub const TR: &str = "TR";

/// A fresh random SID with this prefix, e.g. `new_sid(CA)` → `CA` + 32 hex digits.
pub fn new_sid(prefix: &str) -> String {
    format!("{prefix}{:032x}", rand::random::<u128>())
}

/// Whether `sid` is this prefix followed by exactly 32 hex digits.
pub fn is_sid(prefix: &str, sid: &str) -> bool {
    sid.strip_prefix(prefix)
        .is_some_and(|hex| hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_sid_is_prefix_and_32_lowercase_hex_digits() {
        let sid = new_sid(CA);
        assert_eq!(sid.len(), 34);
        assert!(sid.starts_with("CA"));
        assert!(
            sid[2..]
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        assert!(is_sid(CA, &sid));
    }

    #[test]
    fn new_sid_is_random() {
        assert_ne!(new_sid(SM), new_sid(SM));
    }

    #[test]
    fn is_sid_rejects_wrong_prefix_or_length() {
        let sid = new_sid(PN);
        assert!(!is_sid(CA, &sid));
        assert!(!is_sid(PN, &sid[..33]));
        assert!(!is_sid(PN, "PNzz0000000000000000000000000000"));
    }
}
