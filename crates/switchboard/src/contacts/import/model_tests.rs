//! The header's mapping, as tables of cases.

use super::*;

fn headers(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn fields_of(names: &[&str], mapping: &str) -> Result<Vec<Field>, Invalid> {
    let mapping = parse_mapping(mapping)?;
    resolve(&headers(names), &mapping).map(|c| c.fields)
}

#[test]
fn common_header_names_are_recognised_whatever_their_case_and_punctuation() {
    let cases: &[(&str, Field)] = &[
        ("First Name", Field::FirstName),
        ("first_name", Field::FirstName),
        ("Surname", Field::LastName),
        ("Full Name", Field::Name),
        ("Mobile", Field::Phone),
        ("Phone Number", Field::Phone),
        ("CELL PHONE", Field::Phone),
        ("Home Phone", Field::OtherPhone),
        ("Other Phones", Field::Phones),
        ("E-mail", Field::Email),
        ("Email Address", Field::Email),
        ("Time Zone", Field::TimeZone),
        ("timezone", Field::TimeZone),
        ("Tags", Field::Tags),
        (
            "Opted Out",
            Field::OptOut {
                sms: true,
                voice: true,
            },
        ),
        (
            "SMS opt-out",
            Field::OptOut {
                sms: true,
                voice: false,
            },
        ),
        ("id", Field::Ignore),
        ("Member Since", Field::Custom("member_since".into())),
        ("field:Dept", Field::Custom("dept".into())),
    ];
    for (header, field) in cases {
        assert_eq!(recognise(header).as_ref(), Some(field), "{header}");
    }
    assert_eq!(recognise("  "), None);
    assert_eq!(recognise("--"), None);
}

#[test]
fn an_explicit_mapping_overrides_the_recognised_names() {
    let fields = fields_of(
        &["Mobile", "Dept", "Notes"],
        "Dept:field:department,Notes:ignore",
    )
    .unwrap();
    assert_eq!(
        fields,
        vec![
            Field::Phone,
            Field::Custom("department".into()),
            Field::Ignore
        ]
    );
    let fields = fields_of(&["Cell", "Work"], "work:phone").unwrap();
    assert_eq!(
        fields,
        vec![Field::OtherPhone, Field::Phone],
        "the mapped one is primary"
    );
}

#[test]
fn the_first_of_several_phone_columns_is_the_primary() {
    let cases: &[(&[&str], &[Field])] = &[
        (&["Phone", "Mobile"], &[Field::Phone, Field::OtherPhone]),
        (
            &["Home Phone", "Work Phone"],
            &[Field::Phone, Field::OtherPhone],
        ),
        (
            &["Home Phone", "Mobile"],
            &[Field::OtherPhone, Field::Phone],
        ),
        (&["Other Phones"], &[Field::Phones]),
    ];
    for (names, want) in cases {
        assert_eq!(fields_of(names, "").unwrap(), want.to_vec(), "{names:?}");
    }
}

#[test]
fn a_header_without_phones_or_with_a_field_twice_is_refused_naming_the_header() {
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &["Name", "Email"],
            "",
            "no column holds phone numbers (columns: Name, Email)",
        ),
        (
            &["Phone", "Email", "E-mail"],
            "",
            "columns 'Email' and 'E-mail' both hold email",
        ),
        (&["Phone", "Dept", "dept."], "", "both hold field:dept"),
        (
            &["Phone"],
            "Mobile:phone",
            "no column 'Mobile' in the header",
        ),
        (
            &["Phone", "X"],
            "X:height",
            "'height' is not a contact field",
        ),
        (&["Phone", "X"], "X", "must be COLUMN:FIELD"),
        (
            &["Mobile"],
            "Mobile:ignore",
            "no column holds phone numbers",
        ),
    ];
    for (names, mapping, message) in cases {
        let err = fields_of(names, mapping).unwrap_err();
        assert!(err.message.contains(message), "{names:?} {mapping}: {err}");
        assert!(err.field == "header" || err.field == "mapping", "{err:?}");
    }
}

#[test]
fn mapping_fields_parse_and_print_alike() {
    for spec in [
        "first_name",
        "last_name",
        "name",
        "phone",
        "phones",
        "email",
        "time_zone",
        "tags",
        "opt_out",
        "opt_out_sms",
        "opt_out_voice",
        "field:dept",
        "ignore",
    ] {
        assert_eq!(Field::parse(spec).unwrap().name(), spec);
    }
    assert_eq!(Field::parse("phone_3").unwrap(), Field::OtherPhone);
    assert!(Field::parse("phone_10").is_err());
    assert!(Field::parse("field:").is_err());
    assert_eq!(
        parse_pair("Mobile=phone", '=').unwrap(),
        ("Mobile".into(), Field::Phone)
    );
}

#[test]
fn a_default_country_is_a_known_two_letter_code() {
    assert_eq!(country(" gb ").unwrap(), "GB");
    assert_eq!(country("US").unwrap(), "US");
    for bad in ["", "USA", "XX", "1"] {
        let err = country(bad).unwrap_err();
        assert_eq!(err.field, "default_country", "{bad}");
    }
}

#[test]
fn progress_reads_as_a_percent_and_a_silent_import_as_stalled() {
    let cases = [
        (0, Some(1000), false, Some(0)),
        (500, Some(1000), false, Some(50)),
        (1000, Some(1000), false, Some(99)),
        (1000, Some(1000), true, Some(100)),
        (10, None, false, None),
        (10, Some(0), false, None),
    ];
    for (read, total, finished, want) in cases {
        assert_eq!(percent(read, total, finished), want, "{read} of {total:?}");
    }
    assert!(!stalled(0, STALLED_AFTER_MS));
    assert!(stalled(0, STALLED_AFTER_MS + 1));
}
