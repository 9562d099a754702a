//! A contact's time zone when the contact has none of its own: the zone of the country its
//! number belongs to, for countries that have exactly one. Countries with several zones (the
//! United States, Canada and the rest of the +1 plan, Russia, Australia, Brazil, Mexico,
//! Indonesia, Spain with the Canaries, Portugal with the Azores, ...) give no zone: the
//! campaign's zone is used instead.

use crate::zone::Zone;

/// Calling code (without `+`) and the one IANA zone of that country. Longer codes are listed
/// before the shorter codes they begin with, so the first match is the right one.
const SINGLE_ZONE_COUNTRIES: &[(&str, &str)] = &[
    ("353", "Europe/Dublin"),
    ("354", "Atlantic/Reykjavik"),
    ("358", "Europe/Helsinki"),
    ("372", "Europe/Tallinn"),
    ("371", "Europe/Riga"),
    ("370", "Europe/Vilnius"),
    ("852", "Asia/Hong_Kong"),
    ("886", "Asia/Taipei"),
    ("972", "Asia/Jerusalem"),
    ("971", "Asia/Dubai"),
    ("254", "Africa/Nairobi"),
    ("234", "Africa/Lagos"),
    ("233", "Africa/Accra"),
    ("27", "Africa/Johannesburg"),
    ("30", "Europe/Athens"),
    ("31", "Europe/Amsterdam"),
    ("32", "Europe/Brussels"),
    ("33", "Europe/Paris"),
    ("36", "Europe/Budapest"),
    ("39", "Europe/Rome"),
    ("40", "Europe/Bucharest"),
    ("41", "Europe/Zurich"),
    ("43", "Europe/Vienna"),
    ("44", "Europe/London"),
    ("45", "Europe/Copenhagen"),
    ("46", "Europe/Stockholm"),
    ("47", "Europe/Oslo"),
    ("48", "Europe/Warsaw"),
    ("49", "Europe/Berlin"),
    ("63", "Asia/Manila"),
    ("65", "Asia/Singapore"),
    ("66", "Asia/Bangkok"),
    ("81", "Asia/Tokyo"),
    ("82", "Asia/Seoul"),
    ("86", "Asia/Shanghai"),
    ("91", "Asia/Kolkata"),
];

/// Every (calling code, zone) pair [`zone_of_number`] knows, longer codes first: the smart-list
/// filter turns the same table into SQL so that "time zone" means the same in both places.
pub fn single_zone_countries() -> &'static [(&'static str, &'static str)] {
    SINGLE_ZONE_COUNTRIES
}

/// The zone rules fall back to when neither the recipient nor their number gives one and
/// whoever asked names none (an API text without `time_zone`, an inbound text from +1).
pub const FALLBACK_ZONE: &str = "America/New_York";

pub fn fallback_zone() -> Zone {
    Zone::parse(FALLBACK_ZONE).expect("the fallback zone is an IANA zone")
}

/// The zone of the country `e164` (a `+`-prefixed number) belongs to, when that country has
/// only one.
pub fn zone_of_number(e164: &str) -> Option<Zone> {
    let digits = e164.strip_prefix('+')?;
    SINGLE_ZONE_COUNTRIES
        .iter()
        .find(|(code, _)| digits.starts_with(code))
        .and_then(|(_, zone)| Zone::parse(zone).ok())
}

/// The zone a rule about a recipient uses: the contact's own, else its number's country's,
/// else the campaign's (or organisation's) fallback.
pub fn recipient_zone(own: Option<&Zone>, e164: &str, fallback: &Zone) -> Zone {
    own.cloned()
        .or_else(|| zone_of_number(e164))
        .unwrap_or_else(|| fallback.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_zone_exists() {
        for (code, zone) in SINGLE_ZONE_COUNTRIES {
            assert!(Zone::parse(zone).is_ok(), "+{code}: {zone}");
        }
    }

    #[test]
    fn a_single_zone_country_gives_its_zone_and_the_plus_one_plan_gives_none() {
        let name = |n: &str| zone_of_number(n).map(|z| z.name().to_string());
        assert_eq!(name("+442071838750").as_deref(), Some("Europe/London"));
        assert_eq!(name("+33142685300").as_deref(), Some("Europe/Paris"));
        assert_eq!(name("+353212345678").as_deref(), Some("Europe/Dublin"));
        assert_eq!(name("+81312345678").as_deref(), Some("Asia/Tokyo"));
        assert_eq!(name("+12125550100"), None);
        assert_eq!(name("+61212345678"), None); // Australia: several zones
        assert_eq!(name("+34912345678"), None); // Spain: the Canaries
        assert_eq!(name("12125550100"), None);
    }

    #[test]
    fn the_contacts_own_zone_wins_then_the_numbers_then_the_fallback() {
        let ny = Zone::parse("America/New_York").unwrap();
        let tokyo = Zone::parse("Asia/Tokyo").unwrap();
        assert_eq!(recipient_zone(Some(&tokyo), "+442071838750", &ny), tokyo);
        assert_eq!(
            recipient_zone(None, "+442071838750", &ny).name(),
            "Europe/London"
        );
        assert_eq!(recipient_zone(None, "+12125550100", &ny), ny);
    }
}
