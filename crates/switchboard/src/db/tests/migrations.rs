//! Migrations that rewrite existing rows: what they keep and the constraints they leave.

use super::{opcodes, pool, sqlite_at};

/// Runs each statement on `p`, failing the test on the first error.
async fn run_all<S: AsRef<str>>(p: &sqlx::SqlitePool, statements: impl IntoIterator<Item = S>) {
    for sql in statements {
        sqlx::query(sqlx::AssertSqlSafe(sql.as_ref().to_string()))
            .execute(p)
            .await
            .unwrap();
    }
}

const BEFORE_MIGRATION_7: i64 = 20261121000006;

const INSERT_INCIDENT: &str = "INSERT INTO incidents (id, org_id, line_id, caller_phone, call_sid, status, hours, \
    created_at, updated_at) VALUES (1, 1, 1, '+14155551234', 'CA1', 'open', 'business', 0, 0)";
const INSERT_ATTEMPT: &str = "INSERT INTO call_attempts (id, org_id, incident_id, step, person_id, person_name, \
    phone, result, started_at) VALUES (1, 1, 1, 'primary_oncall', 1, 'Ada', '+15005550111', 'dialing', 0)";

#[tokio::test]
async fn writing_an_incident_or_an_attempt_builds_no_temporary_table() {
    let dir = tempfile::tempdir().unwrap();
    let before = sqlite_at(&dir, Some(BEFORE_MIGRATION_7)).await;
    // Before migration 7, the CHECKs' IN lists each built one: what this migration is for.
    assert!(
        opcodes(pool(&before), INSERT_ATTEMPT)
            .await
            .contains(&"OpenEphemeral".to_string())
    );
    before.close().await;
    let db = sqlite_at(&dir, None).await;
    for sql in [
        INSERT_INCIDENT,
        INSERT_ATTEMPT,
        "UPDATE incidents SET status = 'answered', answered_at = 1 WHERE id = 1",
        "UPDATE call_attempts SET result = 'no-answer', ended_at = 1 WHERE id = 1",
    ] {
        let ops = opcodes(pool(&db), sql).await;
        assert!(!ops.is_empty(), "no plan for {sql}");
        assert!(
            !ops.contains(&"OpenEphemeral".to_string()),
            "{sql} builds a temporary table: {ops:?}"
        );
    }
    db.close().await;
}

#[tokio::test]
async fn migration_7_keeps_incidents_attempts_events_and_their_constraints() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_at(&dir, Some(BEFORE_MIGRATION_7)).await;
    let p = pool(&db);
    let statements = [
        "INSERT INTO organisations (id, slug, name, created_at) VALUES (1, 'acme', 'Acme', 0)",
        "INSERT INTO hotline_lines (id, org_id, kind, name, phone_number, time_zone, created_at, updated_at) \
         VALUES (1, 1, 'ladder', 'Emergency', '+15005550100', 'America/New_York', 0, 0)",
        "INSERT INTO people (id, org_id, name, role, created_at, updated_at) VALUES (1, 1, 'Ada', 'agent', 0, 0)",
        INSERT_INCIDENT,
        INSERT_ATTEMPT,
        "INSERT INTO incident_events (org_id, incident_id, kind, detail, created_at) VALUES (1, 1, 'opened', '{}', 0)",
    ];
    run_all(p, statements).await;
    db.close().await;

    let db = sqlite_at(&dir, None).await;
    let p = pool(&db);
    let kept: (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM incidents WHERE call_sid = 'CA1' AND status = 'open'), \
         (SELECT COUNT(*) FROM call_attempts WHERE incident_id = 1 AND result = 'dialing'), \
         (SELECT COUNT(*) FROM incident_events WHERE incident_id = 1)",
    )
    .fetch_one(p)
    .await
    .unwrap();
    assert_eq!(kept, (1, 1, 1));
    let violations: Vec<(String, i64, String, i64)> = sqlx::query_as("PRAGMA foreign_key_check")
        .fetch_all(p)
        .await
        .unwrap();
    assert!(violations.is_empty(), "{violations:?}");
    // The constraints hold as before: a status or result outside the lists is refused...
    let bad_status = sqlx::query("UPDATE incidents SET status = 'lost' WHERE id = 1")
        .execute(p)
        .await;
    assert!(bad_status.is_err(), "an unknown status was stored");
    let bad_result = sqlx::query("UPDATE call_attempts SET result = 'maybe' WHERE id = 1")
        .execute(p)
        .await;
    assert!(bad_result.is_err(), "an unknown result was stored");
    // ...and the foreign keys still cascade: deleting the line removes its incident, whose
    // attempt and event go with it.
    sqlx::query("DELETE FROM hotline_lines WHERE id = 1")
        .execute(p)
        .await
        .unwrap();
    let left: (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM incidents), (SELECT COUNT(*) FROM call_attempts), \
         (SELECT COUNT(*) FROM incident_events)",
    )
    .fetch_one(p)
    .await
    .unwrap();
    assert_eq!(left, (0, 0, 0));
    db.close().await;
}

/// The last migration before sign-in emails became unique across organisations.
const BEFORE_SIGN_IN_EMAILS: i64 = 20261202000008;

#[tokio::test]
async fn duplicate_sign_in_emails_keep_the_login_that_signed_in_and_then_stay_unique() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_at(&dir, Some(BEFORE_SIGN_IN_EMAILS)).await;
    let p = pool(&db);
    let person = |id: i64, org: i64, email: &str, active: bool, hash: Option<&str>| {
        let hash = hash.map_or("NULL".to_string(), |h| format!("'{h}'"));
        format!(
            "INSERT INTO people (id, org_id, name, email, role, active, password_hash, created_at, updated_at) \
             VALUES ({id}, {org}, 'P{id}', '{email}', 'admin', {active}, {hash}, 0, 0)"
        )
    };
    let mut sql: Vec<String> = (1..=3)
        .map(|o| format!("INSERT INTO organisations (id, slug, name, created_at) VALUES ({o}, 'o{o}', 'O', 0)"))
        .collect();
    sql.extend([
        person(1, 3, "dup@x.org", true, Some("h1")), // a later organisation: shadowed
        person(2, 2, "dup@x.org", true, Some("h2")), // signed in until now
        person(3, 1, "dup@x.org", false, Some("h3")), // lowest organisation, but inactive
        person(4, 1, "DUP@x.org", true, Some("h4")), // never matched the lowercased email
        person(5, 1, "solo@x.org", true, Some("h5")),
        person(6, 2, "nopw@x.org", true, None), // emails without a login may repeat
        person(7, 3, "nopw@x.org", true, None),
    ]);
    for (id, person) in [(1, 1), (2, 2)] {
        sql.push(format!(
            "INSERT INTO sessions (org_id, person_id, token_hash, csrf_token, created_at, expires_at) \
             SELECT org_id, id, 's{id}', 'c', 0, 9 FROM people WHERE id = {person}"
        ));
    }
    run_all(p, sql).await;
    db.close().await;

    let db = sqlite_at(&dir, None).await;
    let p = pool(&db);
    let logins: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM people WHERE password_hash IS NOT NULL ORDER BY id")
            .fetch_all(p)
            .await
            .unwrap();
    assert_eq!(logins, [2, 5]);
    let sessions: Vec<i64> = sqlx::query_scalar("SELECT person_id FROM sessions")
        .fetch_all(p)
        .await
        .unwrap();
    assert_eq!(sessions, [2], "the shadowed person's session ended");
    let people: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people")
        .fetch_one(p)
        .await
        .unwrap();
    assert_eq!(people, 7, "nobody was removed");
    let again = sqlx::query(sqlx::AssertSqlSafe(person(
        8,
        3,
        "Solo@X.org",
        true,
        Some("h8"),
    )))
    .execute(p)
    .await;
    assert!(again.is_err(), "a second login for solo@x.org was stored");
    db.close().await;
}

/// The last migration before numbers had typed owners.
const BEFORE_NUMBER_OWNERS: i64 = 20261203190000;

#[tokio::test]
async fn a_line_s_registered_number_becomes_the_line_s_and_purposes_become_names() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_at(&dir, Some(BEFORE_NUMBER_OWNERS)).await;
    let number = |id: i64, org: i64, e164: &str, name: &str, purpose: &str| {
        format!(
            "INSERT INTO phone_numbers (id, org_id, e164, friendly_name, purpose, created_at) \
             VALUES ({id}, {org}, '{e164}', '{name}', '{purpose}', 0)"
        )
    };
    let statements = [
        "INSERT INTO organisations (id, slug, name, created_at) VALUES (1, 'a', 'A', 0)".to_string(),
        "INSERT INTO organisations (id, slug, name, created_at) VALUES (2, 'b', 'B', 0)".to_string(),
        "INSERT INTO hotline_lines (id, org_id, kind, name, phone_number, time_zone, created_at, updated_at) \
         VALUES (7, 1, 'ladder', 'Emergency', '+15005550100', 'America/New_York', 0, 0)"
            .to_string(),
        "INSERT INTO hotline_lines (id, org_id, kind, name, phone_number, time_zone, created_at, updated_at) \
         VALUES (8, 2, 'shift', 'B line', '+15005550102', 'America/New_York', 0, 0)"
            .to_string(),
        number(1, 1, "+15005550100", "Main", "hotline line"),
        number(2, 1, "+15005550101", "", "campaign"),
        number(3, 1, "+15005550102", "", "unassigned"), // B's line's number, registered by A
        number(4, 1, "+15005550103", "Spare", "texting"),
    ];
    run_all(pool(&db), statements).await;
    db.close().await;

    let db = sqlite_at(&dir, None).await;
    let p = pool(&db);
    let rows: Vec<(i64, String, Option<String>, Option<i64>)> = sqlx::query_as(
        "SELECT id, friendly_name, owner_kind, owner_id FROM phone_numbers ORDER BY id",
    )
    .fetch_all(p)
    .await
    .unwrap();
    assert_eq!(
        rows,
        [
            (1, "Main".into(), Some("hotline-line".into()), Some(7)),
            (2, "campaign".into(), None, None),
            (3, String::new(), None, None),
            (4, "Spare".into(), None, None),
        ]
    );
    for refused in [
        "UPDATE phone_numbers SET owner_kind = 'campaign', owner_id = 1 WHERE id = 2",
        "UPDATE phone_numbers SET owner_kind = 'hotline-line' WHERE id = 2",
        "UPDATE phone_numbers SET owner_id = 7 WHERE id = 2",
        "INSERT INTO phone_numbers (org_id, e164, created_at) VALUES (2, '+15005550100', 0)",
    ] {
        let result = sqlx::query(refused).execute(p).await;
        assert!(result.is_err(), "stored: {refused}");
    }
    db.close().await;
}
