//! The contact's rules, case by case.

use serde_json::json;

use super::*;

fn input(value: Value) -> ContactInput {
    serde_json::from_value(value).expect("a contact input")
}

fn refused(value: Value) -> Invalid {
    input(value).validate("api").unwrap_err()
}

#[test]
fn a_full_contact_is_cleaned_with_its_primary_phone_first_and_tags_sorted() {
    let valid = input(json!({
        "first_name": " Ada ", "last_name": "Lovelace", "email": "Ada@Example.org",
        "phones": ["(415) 555-0100", {"number": "+44 20 7183 8750", "primary": true}],
        "time_zone": "Europe/London",
        "fields": {"shirt": "L", "age": 36, "member": true},
        "tags": ["volunteer", "donor"],
    }))
    .validate("api")
    .unwrap();
    assert_eq!(valid.first_name, "Ada");
    assert_eq!(valid.email.as_deref(), Some("ada@example.org"));
    assert_eq!(valid.phones, ["+442071838750", "+14155550100"]);
    assert_eq!(valid.time_zone.unwrap().name(), "Europe/London");
    assert_eq!(valid.tags, ["donor", "volunteer"]);
    assert_eq!(valid.source, "api");
    let fields: Value = serde_json::from_str(&valid.fields_json).unwrap();
    assert_eq!(fields, json!({"shirt": "L", "age": 36, "member": true}));
}

#[test]
fn national_numbers_are_read_in_the_given_country() {
    let valid = input(json!({"phones": ["020 7183 8750"], "country": "gb"}))
        .validate("api")
        .unwrap();
    assert_eq!(valid.phones, ["+442071838750"]);
    assert_eq!(
        refused(json!({"phones": ["1"], "country": "GBR"})).field,
        "country"
    );
}

#[test]
fn each_bad_value_is_refused_naming_its_field() {
    let cases = [
        (json!({"phones": ["12345"]}), "phones"),
        (
            json!({"phones": ["+14155550100", "415 555 0100"]}),
            "phones",
        ),
        (
            json!({"phones": [{"number": "+14155550100", "primary": true},
                              {"number": "+442071838750", "primary": true}]}),
            "phones",
        ),
        (
            json!({"first_name": "A", "time_zone": "Mars/Olympus"}),
            "time_zone",
        ),
        (json!({"first_name": "A", "email": "not-an-email"}), "email"),
        (json!({"first_name": "A\u{0}"}), "first_name"),
        (
            json!({"first_name": "A", "fields": {"bad key": 1}}),
            "fields",
        ),
        (
            json!({"first_name": "A", "fields": {"nested": {"a": 1}}}),
            "fields.nested",
        ),
        (
            json!({"first_name": "A", "fields": {"none": null}}),
            "fields.none",
        ),
        (json!({"first_name": "A", "tags": ["a,b"]}), "tags"),
        (
            json!({"first_name": "A", "tags": ["Donor", "donor"]}),
            "tags",
        ),
        (json!({"first_name": "A", "source": " "}), "source"),
        (json!({}), "first_name"),
    ];
    for (value, field) in cases {
        let err = refused(value.clone());
        assert_eq!(err.field, field, "{value}: {err}");
    }
}

#[test]
fn every_limit_is_enforced() {
    let long = |n: usize| "x".repeat(n);
    assert_eq!(
        refused(json!({"first_name": long(NAME_CHARS + 1)})).field,
        "first_name"
    );
    assert_eq!(
        refused(json!({"last_name": long(NAME_CHARS + 1)})).field,
        "last_name"
    );
    assert!(
        input(json!({"first_name": long(NAME_CHARS)}))
            .validate("api")
            .is_ok()
    );
    let email = format!("{}@example.org", long(250));
    assert_eq!(refused(json!({"email": email})).field, "email");
    let phones: Vec<String> = (0..=PHONES)
        .map(|i| format!("+1415555{:04}", 100 + i))
        .collect();
    assert_eq!(refused(json!({"phones": phones})).field, "phones");
    assert_eq!(refused(json!({"phones": [long(33)]})).field, "phones");
    let tags: Vec<String> = (0..=TAGS).map(|i| format!("t{i}")).collect();
    assert_eq!(
        refused(json!({"first_name": "A", "tags": tags})).field,
        "tags"
    );
    assert_eq!(
        refused(json!({"first_name": "A", "tags": [long(TAG_CHARS + 1)]})).field,
        "tags"
    );
    let many: Map<String, Value> = (0..=FIELDS).map(|i| (format!("f{i}"), json!(i))).collect();
    assert_eq!(
        refused(json!({"first_name": "A", "fields": many})).field,
        "fields"
    );
    let key = long(FIELD_KEY_CHARS + 1);
    assert_eq!(
        refused(json!({"first_name": "A", "fields": {key: 1}})).field,
        "fields"
    );
    let text = long(FIELD_TEXT_CHARS + 1);
    assert_eq!(
        refused(json!({"first_name": "A", "fields": {"note": text}})).field,
        "fields.note"
    );
    let big: Map<String, Value> = (0..FIELDS)
        .map(|i| (format!("f{i}"), json!(long(FIELD_TEXT_CHARS))))
        .collect();
    assert_eq!(
        refused(json!({"first_name": "A", "fields": big})).field,
        "fields"
    );
    assert_eq!(
        refused(json!({"first_name": "A", "source": long(SOURCE_CHARS + 1)})).field,
        "source"
    );
    assert_eq!(
        refused(json!({"first_name": "A", "time_zone": long(ZONE_CHARS + 1)})).field,
        "time_zone"
    );
}

#[test]
fn the_zone_is_the_contacts_own_then_its_numbers_country_then_unknown() {
    let own = effective_zone(Some("Asia/Tokyo"), Some("+442071838750"));
    assert_eq!(
        (own.name.as_deref(), own.from),
        (Some("Asia/Tokyo"), ZoneSource::Contact)
    );
    let uk = effective_zone(None, Some("+442071838750"));
    assert_eq!(
        (uk.name.as_deref(), uk.from),
        (Some("Europe/London"), ZoneSource::Number)
    );
    let us = effective_zone(None, Some("+14155550100"));
    assert_eq!((us.name, us.from), (None, ZoneSource::Unknown));
    assert_eq!(effective_zone(None, None).from, ZoneSource::Unknown);
}

#[test]
fn a_patch_keeps_what_it_does_not_name_and_a_blank_email_removes_it() {
    let current = Contact {
        id: ContactId::new(1),
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        email: Some("ada@example.org".into()),
        phones: vec![ContactPhone {
            number: "+442071838750".into(),
            primary: true,
        }],
        time_zone: None,
        zone: effective_zone(None, Some("+442071838750")),
        fields: Map::new(),
        tags: vec!["donor".into()],
        source: "import".into(),
        created_at: 0,
        updated_at: 0,
    };
    let patch: ContactPatch =
        serde_json::from_value(json!({"last_name": "King", "email": ""})).unwrap();
    let valid = patch.apply(&current).validate("api").unwrap();
    assert_eq!(
        (valid.first_name.as_str(), valid.last_name.as_str()),
        ("Ada", "King")
    );
    assert_eq!(valid.email, None);
    assert_eq!(valid.phones, ["+442071838750"]);
    assert_eq!(valid.tags, ["donor"]);
    assert_eq!(valid.source, "import");
}

#[test]
fn a_contact_without_a_name_reads_as_its_email_or_number() {
    assert_eq!(display_name("Ada", "", None, None), "Ada");
    assert_eq!(display_name("", "", Some("a@b.org"), Some("+1")), "a@b.org");
    assert_eq!(
        display_name("", "", None, Some("+14155550100")),
        "+14155550100"
    );
}
