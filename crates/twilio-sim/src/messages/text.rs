//! Text rules the simulator needs until the twilio crate provides them: segment counting and
//! opt-out keywords. (Local copies: `twilio::segments` / `twilio::opt_out` were not merged yet.)

/// GSM 03.38 basic characters (one septet each).
const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// GSM 03.38 extension characters (two septets each).
const GSM_EXTENDED: &str = "^{}\\[~]|€\x0c";

/// How many SMS segments `body` takes: GSM-7 160 (153 per part), else UCS-2 70 (67 per part).
pub fn segments(body: &str) -> u32 {
    if body.is_empty() {
        return 1;
    }
    let gsm_len: Option<usize> = body.chars().try_fold(0usize, |n, c| {
        if GSM_BASIC.contains(c) {
            Some(n + 1)
        } else if GSM_EXTENDED.contains(c) {
            Some(n + 2)
        } else {
            None
        }
    });
    let (len, single, part) = match gsm_len {
        Some(len) => (len, 160, 153),
        None => (body.encode_utf16().count(), 70, 67),
    };
    if len <= single {
        1
    } else {
        len.div_ceil(part) as u32
    }
}

/// What a one-word text means for consent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keyword {
    OptOut,
    OptIn,
    Help,
}

/// Classifies a text that is exactly one of Twilio's keywords (case and surrounding space ignored).
pub fn keyword(body: &str) -> Option<Keyword> {
    let word = body.trim().to_ascii_uppercase();
    match word.as_str() {
        "STOP" | "STOPALL" | "UNSUBSCRIBE" | "CANCEL" | "END" | "QUIT" | "REVOKE" | "OPTOUT" => {
            Some(Keyword::OptOut)
        }
        "START" | "YES" | "UNSTOP" => Some(Keyword::OptIn),
        "HELP" | "INFO" => Some(Keyword::Help),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_follow_gsm_and_ucs2_limits() {
        assert_eq!(segments(&"a".repeat(160)), 1);
        assert_eq!(segments(&"a".repeat(161)), 2);
        assert_eq!(segments(&"a".repeat(306)), 2);
        assert_eq!(segments(&"é".repeat(160)), 1);
        assert_eq!(segments(&"ć".repeat(70)), 1);
        assert_eq!(segments(&"ć".repeat(71)), 2);
    }

    #[test]
    fn only_a_single_keyword_counts() {
        assert_eq!(keyword(" stop "), Some(Keyword::OptOut));
        assert_eq!(keyword("please stop"), None);
        assert_eq!(keyword("Start"), Some(Keyword::OptIn));
    }
}
