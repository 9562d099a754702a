//! How many SMS segments a body costs, as carriers (and Twilio's `num_segments`) count them.
//!
//! A body that fits the GSM-7 alphabet is sent in 7-bit units: 160 in a single message, 153 per
//! part once split (the rest is the concatenation header). Characters of the GSM-7 extension
//! table (`^{}\[~]|€` and form feed) take two units and are never split across parts. Any other
//! character switches the whole body to UCS-2: 70 UTF-16 code units single, 67 per part, and an
//! emoji (a surrogate pair, 2 units) is never split either.
//!
//! An empty body counts as 1 segment (a media-only message is still one message to bill), with
//! 0 units.

/// The longest body Twilio accepts, in characters.
pub const MAX_BODY_CHARS: usize = 1600;

/// How a body is encoded on the air.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

/// The cost of a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segments {
    pub encoding: Encoding,
    pub segments: u32,
    /// Septets for GSM-7, UTF-16 code units for UCS-2.
    pub units: u32,
}

const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM7_EXTENSION: &str = "^{}\\[~]|€\u{0c}";

/// GSM-7 units of a character, or `None` when it needs UCS-2.
fn gsm7_units(c: char) -> Option<u32> {
    if GSM7_BASIC.contains(c) {
        Some(1)
    } else if GSM7_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// Counts segments and units of a body.
pub fn count(body: &str) -> Segments {
    let gsm: Option<Vec<u32>> = body.chars().map(gsm7_units).collect();
    let (encoding, widths, single, part) = match gsm {
        Some(widths) => (Encoding::Gsm7, widths, 160, 153),
        None => (
            Encoding::Ucs2,
            body.chars().map(|c| c.len_utf16() as u32).collect(),
            70,
            67,
        ),
    };
    let units: u32 = widths.iter().sum();
    let segments = if units <= single {
        1
    } else {
        pack(&widths, part)
    };
    Segments {
        encoding,
        segments,
        units,
    }
}

/// Parts needed when characters (of the given widths) may not straddle a part boundary.
fn pack(widths: &[u32], capacity: u32) -> u32 {
    let mut parts = 1;
    let mut used = 0;
    for &width in widths {
        if used + width > capacity {
            parts += 1;
            used = 0;
        }
        used += width;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(body: &str, encoding: Encoding, segments: u32, units: u32) {
        assert_eq!(
            count(body),
            Segments {
                encoding,
                segments,
                units
            },
            "{body:?}"
        );
    }

    #[test]
    fn count_follows_gsm7_and_ucs2_limits() {
        use Encoding::*;
        let cases: Vec<(String, Encoding, u32, u32)> = vec![
            (String::new(), Gsm7, 1, 0),
            ("Hello".into(), Gsm7, 1, 5),
            ("a".repeat(160), Gsm7, 1, 160),
            ("a".repeat(161), Gsm7, 2, 161),
            ("a".repeat(306), Gsm7, 2, 306),
            ("a".repeat(307), Gsm7, 3, 307),
            ("€".repeat(80), Gsm7, 1, 160),
            ("€".repeat(81), Gsm7, 2, 162),
            ("é£¥Ä ñ ü@Δ".into(), Gsm7, 1, 10),
            ("\u{0c}".into(), Gsm7, 1, 2),
            ("ç".into(), Ucs2, 1, 1),
            ("a".repeat(69) + "ć", Ucs2, 1, 70),
            ("a".repeat(70) + "ć", Ucs2, 2, 71),
            ("😀".repeat(35), Ucs2, 1, 70),
            ("😀".repeat(36), Ucs2, 2, 72),
            ("日".repeat(134), Ucs2, 2, 134),
            ("日".repeat(135), Ucs2, 3, 135),
        ];
        for (body, encoding, segments, units) in cases {
            check(&body, encoding, segments, units);
        }
    }

    #[test]
    fn extension_character_is_not_split_across_parts() {
        // 152 plain septets then a 2-septet '{': the brace moves to part two.
        let body = "a".repeat(152) + "{" + &"b".repeat(152);
        assert_eq!(count(&body).units, 306);
        assert_eq!(count(&body).segments, 3);
        let fits = "a".repeat(151) + "{" + &"b".repeat(153);
        assert_eq!(count(&fits).segments, 2);
    }

    #[test]
    fn emoji_is_not_split_across_parts() {
        // 66 units then a surrogate pair: the emoji moves to part two.
        let body = "ć".repeat(66) + "😀" + &"ć".repeat(66);
        assert_eq!(count(&body).units, 134);
        assert_eq!(count(&body).segments, 3);
    }

    #[test]
    fn single_non_gsm_character_switches_whole_body_to_ucs2() {
        let body = "a".repeat(100) + "’";
        assert_eq!(count(&body).encoding, Encoding::Ucs2);
        assert_eq!(count(&body).segments, 2);
    }

    #[test]
    fn max_body_is_1600_characters() {
        assert_eq!(MAX_BODY_CHARS, 1600);
        assert_eq!(count(&"a".repeat(MAX_BODY_CHARS)).segments, 11);
    }
}
