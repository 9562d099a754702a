//! Parsing filters, refusing the unknown, and the SQL each backend gets.

use serde_json::json;

use super::*;
use crate::db::DbKind;

fn parse(value: Value) -> Filter {
    Filter::parse(&value).unwrap_or_else(|e| panic!("{value}: {e}"))
}

fn refused(value: Value) -> String {
    let err = Filter::parse(&value).unwrap_err();
    assert_eq!(err.field, "filter");
    err.message
}

#[test]
fn a_filter_parses_into_typed_conditions_and_round_trips_as_canonical_json() {
    let text = json!({"all": [
        {"field": "tag", "op": "equals", "value": "volunteer"},
        {"field": "fields.shirt", "op": "equals", "value": "L"},
        {"field": "fields.age", "op": "equals", "value": 36},
        {"field": "phone", "op": "prefix", "value": "+44"},
        {"field": "time_zone", "op": "equals", "value": "Europe/London"},
        {"field": "email", "op": "exists"},
        {"field": "created_at", "op": "after", "value": "2026-01-01"},
    ]});
    let filter = parse(text);
    assert_eq!(filter.all.len(), 7);
    assert_eq!(filter.all[1].field, Field::Custom("shirt".into()));
    assert_eq!(filter.all[2].value, Operand::Json(json!(36)));
    assert_eq!(filter.all[6].value, Operand::Instant(1_767_225_600_000));
    let again = Filter::from_stored(&filter.to_json().to_string()).unwrap();
    assert_eq!(again, filter);
    assert_eq!(filter.to_json()["all"][6]["value"], "2026-01-01T00:00:00Z");
}

#[test]
fn an_unknown_field_or_operator_is_refused_naming_it() {
    let m = refused(json!({"all": [{"field": "shoe_size", "op": "equals", "value": "9"}]}));
    assert!(
        m.contains("condition 1") && m.contains("unknown field 'shoe_size'"),
        "{m}"
    );
    let m = refused(json!({"all": [{"field": "email", "op": "resembles", "value": "x"}]}));
    assert!(m.contains("unknown operator 'resembles'"), "{m}");
    let m = refused(json!({"all": [{"field": "created_at", "op": "contains", "value": "2026"}]}));
    assert!(m.contains("'contains' does not apply to created_at"), "{m}");
    let m = refused(json!({"any": []}));
    assert!(m.contains("unknown key 'any'"), "{m}");
    let m = refused(json!({"all": [{"field": "fields.a b", "op": "exists"}]}));
    assert!(m.contains("unknown field 'fields.a b'"), "{m}");
}

#[test]
fn values_are_checked_for_their_field() {
    let bad = [
        json!({"field": "time_zone", "op": "equals", "value": "Mars/Olympus"}),
        json!({"field": "phone", "op": "equals", "value": "12345"}),
        json!({"field": "phone", "op": "prefix", "value": "44"}),
        json!({"field": "created_at", "op": "before", "value": "yesterday"}),
        json!({"field": "created_at", "op": "before", "value": "1999-01-01"}),
        json!({"field": "email", "op": "equals"}),
        json!({"field": "email", "op": "exists", "value": "x"}),
        json!({"field": "email", "op": "contains", "value": 3}),
        json!({"field": "fields.a", "op": "equals", "value": [1]}),
        json!({"field": "first_name", "op": "equals", "value": "x".repeat(VALUE_CHARS + 1)}),
    ];
    for condition in bad {
        let m = refused(json!({ "all": [condition.clone()] }));
        assert!(m.starts_with("condition 1: "), "{condition}: {m}");
    }
    let many: Vec<Value> = (0..=CONDITIONS)
        .map(|_| json!({"field": "email", "op": "exists"}))
        .collect();
    assert!(refused(json!({ "all": many })).contains("at most"));
}

#[test]
fn a_filter_reads_in_words() {
    let filter = parse(json!({"all": [
        {"field": "tag", "op": "equals", "value": "volunteer"},
        {"field": "first_name", "op": "prefix", "value": "Ad"},
        {"field": "created_at", "op": "after", "value": "2026-01-01"},
    ]}));
    assert_eq!(
        filter.describe(),
        "has tag 'volunteer' and first name starts with 'Ad' and added on or after 2026-01-01 00:00 UTC"
    );
    assert_eq!(Filter::default().describe(), "every contact");
}

#[test]
fn text_conditions_compile_to_bound_case_insensitive_matches_per_backend() {
    let filter = parse(json!({"all": [
        {"field": "first_name", "op": "contains", "value": "50%_off"},
        {"field": "tag", "op": "not_equals", "value": "staff"},
    ]}));
    let sqlite = filter.to_sql(DbKind::Sqlite, 2);
    assert_eq!(
        sqlite.condition,
        "c.first_name LIKE $2 ESCAPE '\\' AND NOT EXISTS (SELECT 1 FROM contact_tags t \
         WHERE t.contact_id = c.id AND lower(t.tag) = lower($3))"
    );
    assert_eq!(
        sqlite.values,
        [
            SqlValue::Text("%50\\%\\_off%".into()),
            SqlValue::Text("staff".into())
        ]
    );
    let pg = filter.to_sql(DbKind::Postgres, 2);
    assert!(
        pg.condition.starts_with("c.first_name ILIKE $2"),
        "{}",
        pg.condition
    );
}

#[test]
fn custom_fields_compile_to_json_extract_on_sqlite_and_jsonb_on_postgres() {
    let filter = parse(json!({"all": [
        {"field": "fields.age", "op": "equals", "value": 36},
        {"field": "fields.city", "op": "exists"},
    ]}));
    let sqlite = filter.to_sql(DbKind::Sqlite, 1);
    assert_eq!(
        sqlite.condition,
        "json_extract(c.fields, $1) = json_extract($2, '$') AND json_extract(c.fields, $3) IS NOT NULL"
    );
    assert_eq!(sqlite.values[0], SqlValue::Text("$.age".into()));
    let pg = filter.to_sql(DbKind::Postgres, 1);
    assert_eq!(
        pg.condition,
        "(CAST(c.fields AS JSONB) -> $1) = CAST($2 AS JSONB) AND (CAST(c.fields AS JSONB) ->> $3) IS NOT NULL"
    );
    assert_eq!(
        pg.values,
        [
            SqlValue::Text("age".into()),
            SqlValue::Text("36".into()),
            SqlValue::Text("city".into())
        ]
    );
}

#[test]
fn dates_and_zones_compile_to_bound_values() {
    let filter = parse(json!({"all": [
        {"field": "created_at", "op": "before", "value": "2026-03-02T19:00:00Z"},
        {"field": "time_zone", "op": "missing"},
    ]}));
    let sql = filter.to_sql(DbKind::Sqlite, 1);
    assert!(
        sql.condition
            .starts_with("c.created_at < $1 AND COALESCE(c.time_zone, "),
        "{}",
        sql.condition
    );
    assert!(
        sql.condition
            .contains("WHEN p.phone LIKE '+44%' THEN 'Europe/London'")
    );
    assert_eq!(sql.values, [SqlValue::Int(1_772_478_000_000)]);
    assert_eq!(
        Filter::default().to_sql(DbKind::Postgres, 1).condition,
        "1 = 1"
    );
}
