//! Reading and merging rows, as tables of cases.

use super::super::model::{parse_mapping, resolve};
use super::*;

fn columns(names: &[&str]) -> Columns {
    let headers: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    resolve(&headers, &parse_mapping("").unwrap()).unwrap()
}

fn read(names: &[&str], cells: &[&str], country: Option<&str>) -> Result<Candidate, RowError> {
    read_row(&columns(names), cells, 7, country)
}

#[test]
fn a_good_row_becomes_a_contact_with_e164_phones() {
    let c = read(
        &[
            "Name",
            "Mobile",
            "Home Phone",
            "Email",
            "Time Zone",
            "Tags",
            "Dept",
            "Opt Out",
        ],
        &[
            "Ada Lovelace",
            "(415) 555-2671",
            "+44 20 7946 0958",
            "Ada@Example.org",
            "Europe/London",
            "vip; donor ;vip",
            "Maths",
            "no",
        ],
        Some("US"),
    )
    .unwrap();
    assert_eq!(
        (c.first_name.as_str(), c.last_name.as_str()),
        ("Ada", "Lovelace")
    );
    assert_eq!(c.phones, vec!["+14155552671", "+442079460958"]);
    assert_eq!(c.email.as_deref(), Some("ada@example.org"));
    assert_eq!(c.time_zone.as_deref(), Some("Europe/London"));
    assert_eq!(c.tags, vec!["vip", "donor"]);
    assert_eq!(c.fields.get("dept").map(String::as_str), Some("Maths"));
    assert!(!c.opt_out_sms && !c.opt_out_voice);
    assert_eq!(c.line, 7);
}

#[test]
fn a_bad_row_is_refused_with_its_line_column_and_reason() {
    let names = &["First Name", "Phone", "Time Zone", "Email", "Opt Out"];
    let long = "x".repeat(101);
    let cases: &[(&[&str], Option<&str>, &str)] = &[
        (&["Ada", "", "", "", ""], Some("Phone"), "no phone number"),
        (&["Ada", "+1 555", "", "", ""], Some("Phone"), "too short"),
        (
            &["Ada", "not a number", "", "", ""],
            Some("Phone"),
            "not a phone number",
        ),
        (
            &["Ada", "4155552671", "", "", ""],
            Some("Phone"),
            "no country code",
        ),
        (
            &["Ada", "+14155552671", "Mars/Base", "", ""],
            Some("Time Zone"),
            "not an IANA time zone",
        ),
        (
            &["Ada", "+14155552671", "", "ada@", ""],
            Some("Email"),
            "not an email address",
        ),
        (
            &["Ada", "+14155552671", "", "", "maybe"],
            Some("Opt Out"),
            "must be yes or no",
        ),
        (
            &[&long, "+14155552671", "", "", ""],
            Some("First Name"),
            "at most 100 characters",
        ),
        (
            &["A\u{0}", "+14155552671", "", "", ""],
            Some("First Name"),
            "control characters",
        ),
        (
            &["Ada", "+14155552671"],
            None,
            "has 2 columns; the header has 5",
        ),
    ];
    for (cells, field, reason) in cases {
        let err = read(names, cells, None).unwrap_err();
        assert_eq!(err.line, 7);
        assert_eq!(err.field.as_deref(), *field, "{cells:?}");
        assert!(err.reason.contains(reason), "{cells:?}: {}", err.reason);
    }
}

#[test]
fn the_default_country_reads_national_numbers() {
    let cases: &[(&str, Option<&str>, Option<&str>)] = &[
        ("415 555 2671", Some("US"), Some("+14155552671")),
        ("020 7946 0958", Some("GB"), Some("+442079460958")),
        ("+33 6 12 34 56 78", Some("US"), Some("+33612345678")),
        ("020 7946 0958", None, None),
    ];
    for (phone, country, want) in cases {
        let got = read(&["Phone"], &[phone], *country)
            .ok()
            .map(|c| c.phones[0].clone());
        assert_eq!(got.as_deref(), *want, "{phone} in {country:?}");
    }
}

#[test]
fn whole_names_split_at_the_last_space_or_the_comma() {
    let cases = [
        ("Ada Lovelace", ("Ada", "Lovelace")),
        ("Lovelace, Ada", ("Ada", "Lovelace")),
        ("Mary Ann Evans", ("Mary Ann", "Evans")),
        ("Cher", ("Cher", "")),
    ];
    for (whole, (first, last)) in cases {
        assert_eq!(split_name(whole), (first.to_string(), last.to_string()));
    }
}

#[test]
fn a_later_row_with_the_same_phone_adds_its_non_empty_values() {
    let names = &["First Name", "Last Name", "Phone", "Email", "Tags", "Dept"];
    let mut first = read(
        names,
        &["Ada", "Byron", "+14155552671", "a@x.org", "vip", "Maths"],
        None,
    )
    .unwrap();
    let later = read(
        names,
        &["", "Lovelace", "+14155552671", "", "donor", ""],
        None,
    )
    .unwrap();
    first.absorb(later).unwrap();
    assert_eq!(
        (first.first_name.as_str(), first.last_name.as_str()),
        ("Ada", "Lovelace")
    );
    assert_eq!(first.email.as_deref(), Some("a@x.org"));
    assert_eq!(first.tags, vec!["vip", "donor"]);
    assert_eq!(first.fields.get("dept").map(String::as_str), Some("Maths"));
}

#[test]
fn a_row_merged_into_a_stored_contact_keeps_what_it_does_not_name() {
    let stored = Stored {
        first_name: "Ada".into(),
        last_name: "Byron".into(),
        email: Some("old@x.org".into()),
        time_zone: None,
        fields: r#"{"dept":"Maths","since":"1833"}"#.into(),
    };
    let row = read(
        &["Last Name", "Phone", "Dept", "Time Zone"],
        &["Lovelace", "+14155552671", "Poetry", "Europe/London"],
        None,
    )
    .unwrap();
    let merged = merge_stored(&stored, &row).unwrap();
    assert_eq!(merged.first_name, "Ada");
    assert_eq!(merged.last_name, "Lovelace");
    assert_eq!(merged.email.as_deref(), Some("old@x.org"));
    assert_eq!(merged.time_zone.as_deref(), Some("Europe/London"));
    assert_eq!(merged.fields, r#"{"dept":"Poetry","since":"1833"}"#);
    let huge = Stored {
        fields: format!(r#"{{"notes":"{}"}}"#, "x".repeat(8190)),
        ..stored
    };
    assert!(
        merge_stored(&huge, &row)
            .unwrap_err()
            .reason
            .contains("8192 bytes")
    );
}
