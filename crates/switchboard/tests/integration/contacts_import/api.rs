//! Imports over the API: what is imported, merged, refused and reported; export back.

use reqwest::StatusCode;
use serde_json::json;

use super::{contacts, finished, import, post_csv};
use crate::support::TestApp;

#[tokio::test]
async fn a_file_with_valid_and_invalid_rows_imports_the_valid_ones_and_reports_the_others_by_line_and_reason()
 {
    let app = TestApp::spawn().await;
    let csv = "First Name,Last Name,Mobile,E-mail,Time Zone,Tags,Member Since\n\
               Ada,Lovelace,+14155550101,ada@example.org,America/Los_Angeles,vip;donor,1833\n\
               Bad,Phone,555,,,,\n\
               Grace,Hopper,+14155550102,,Mars/Olympus,,\n\
               Alan,Turing,+442079460958,,,,1936\n\
               Short,Row,+14155550103\n\
               No,Phone,,x@example.org,,,\n";
    let done = import(&app, "", csv).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(
        (done["rows_read"].as_i64(), done["created"].as_i64()),
        (Some(6), Some(2))
    );
    assert_eq!(
        (done["merged"].as_i64(), done["invalid"].as_i64()),
        (Some(0), Some(4))
    );
    assert_eq!(done["percent"], 100);
    let errors: Vec<(i64, String, String)> = done["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_i64().unwrap(),
                e["field"].as_str().unwrap_or("-").to_string(),
                e["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        (3, "Mobile", "no country code"),
        (4, "Time Zone", "not an IANA time zone"),
        (6, "-", "has 3 columns; the header has 7"),
        (7, "Mobile", "no phone number"),
    ];
    assert_eq!(errors.len(), expected.len(), "{errors:?}");
    for ((line, field, reason), (want_line, want_field, want_reason)) in errors.iter().zip(expected)
    {
        assert_eq!((*line, field.as_str()), (want_line, want_field));
        assert!(reason.contains(want_reason), "line {line}: {reason}");
    }
    assert_eq!(
        contacts(&app, app.org).await,
        vec![
            "Ada Lovelace | +14155550101 | 1 phones | ada@example.org | America/Los_Angeles",
            "Alan Turing | +442079460958 | 1 phones |  | ",
        ]
    );
    app.stop().await;
}

#[tokio::test]
async fn rows_with_a_known_phone_merge_within_the_file_and_into_existing_contacts() {
    let app = TestApp::spawn().await;
    let first = import(
        &app,
        "",
        "Name,Phone,Email,Dept\nAda Byron,+14155550101,ada@old.org,Maths\n",
    )
    .await;
    assert_eq!(first["created"], 1);
    let csv = "Name,Phone,Home Phone,Email,Tags\n\
               Ada Lovelace,+14155550101,,,vip\n\
               Grace Hopper,+14155550102,,grace@navy.mil,\n\
               ,+14155550102,+14155550103,,navy\n";
    let second = import(&app, "", csv).await;
    assert_eq!(
        (
            second["created"].as_i64(),
            second["merged"].as_i64(),
            second["invalid"].as_i64()
        ),
        (Some(1), Some(2), Some(0)),
        "{second}"
    );
    assert_eq!(
        contacts(&app, app.org).await,
        vec![
            "Ada Lovelace | +14155550101 | 1 phones | ada@old.org | ",
            "Grace Hopper | +14155550102 | 2 phones | grace@navy.mil | ",
        ],
        "new non-empty values win; empty ones keep what was there"
    );
    let (_, export) = export(&app, "").await;
    assert!(
        export.contains("Ada,Lovelace,+14155550101,,ada@old.org,,vip,Maths"),
        "{export}"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_default_country_reads_national_numbers() {
    let app = TestApp::spawn().await;
    let done = import(
        &app,
        "default_country=gb",
        "Name,Phone\nAlan Turing,020 7946 0958\nAda,+1 415 555 0101\n",
    )
    .await;
    assert_eq!(done["default_country"], "GB");
    assert_eq!(done["created"], 2, "{done}");
    let phones: Vec<String> = contacts(&app, app.org).await;
    assert!(
        phones[0].contains("+442079460958") && phones[1].contains("+14155550101"),
        "{phones:?}"
    );
    let (status, err) = post_csv(
        &app,
        &app.token,
        "default_country=ZZ",
        "Phone\n+14155550101\n",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["error"]["field"], "default_country");
    app.stop().await;
}

async fn export(app: &TestApp, query: &str) -> (StatusCode, String) {
    let r = app
        .http
        .get(app.url(&format!("/api/v1/contacts/export{query}")))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn an_export_imports_back_as_the_same_contacts() {
    let app = TestApp::spawn().await;
    let csv = "Name,Mobile,Work Phone,Email,Time Zone,Tags,Dept,Opt Out\n\
               \"Lovelace, Ada\",+14155550101,+14155550109,ada@example.org,Europe/London,vip;donor,\"Maths, Poetry\",no\n\
               Grace Hopper,+14155550102,,,,,Navy,no\n";
    import(&app, "list_name=Pioneers", csv).await;
    let (status, exported) = export(&app, "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        exported.lines().next().unwrap(),
        "id,first_name,last_name,phone,other_phones,email,time_zone,tags,dept"
    );
    let (_, other) = app.other_org("elsewhere").await;
    let (status, started) = post_csv(&app, &other, "", exported.clone()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{started}");
    let again = finished(&app, &other, started["url"].as_str().unwrap()).await;
    assert_eq!(
        (again["created"].as_i64(), again["invalid"].as_i64()),
        (Some(2), Some(0)),
        "{again}"
    );
    let r = app
        .http
        .get(app.url("/api/v1/contacts/export"))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    let round_trip = r.text().await.unwrap();
    let without_ids = |csv: &str| -> Vec<String> {
        csv.lines()
            .map(|l| l.split_once(',').map_or(l, |(_, rest)| rest).to_string())
            .collect()
    };
    assert_eq!(without_ids(&round_trip), without_ids(&exported));
    assert!(exported.contains("Ada,Lovelace,+14155550101,+14155550109,ada@example.org,Europe/London,donor;vip,\"Maths, Poetry\""), "{exported}");
    let (_, lists) = app.get("/api/v1/contacts/imports", &app.token).await;
    let list_id = lists["imports"][0]["list_id"].as_i64().unwrap();
    let (status, members) = export(&app, &format!("?list_id={list_id}")).await;
    assert_eq!((status, members.lines().count()), (StatusCode::OK, 3));
    let (status, err) = export(&app, "?list_id=999999").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    app.stop().await;
}

#[tokio::test]
async fn another_organisation_cannot_read_an_import() {
    let app = TestApp::spawn().await;
    let done = import(&app, "", "Phone\n+14155550101\n").await;
    let url = format!("/api/v1/contacts/imports/{}", done["id"]);
    let (_, other) = app.other_org("elsewhere").await;
    let (status, _) = app.get(&url, &other).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, listed) = app.get("/api/v1/contacts/imports", &other).await;
    assert_eq!(listed, json!({ "imports": [] }));
    let r = app
        .http
        .get(app.url("/api/v1/contacts/export"))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.text().await.unwrap().lines().count(),
        1,
        "the header alone"
    );
    let (status, _) = app.get(&url, "sbt_not-a-token").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test]
async fn a_multipart_upload_with_a_list_name_adds_every_contact_to_that_list() {
    let app = TestApp::spawn().await;
    let (content_type, body) = super::multipart(
        &[
            ("list_name", "Volunteers"),
            ("mapping", "Cell:phone,Team:field:squad"),
        ],
        "people.csv",
        "Name,Cell,Team\nAda Lovelace,+14155550101,Blue\nGrace Hopper,+14155550102,Red\n",
    );
    let r = app
        .http
        .post(app.url("/api/v1/contacts/import"))
        .bearer_auth(&app.token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let started: serde_json::Value = r.json().await.unwrap();
    let done = finished(&app, &app.token, started["url"].as_str().unwrap()).await;
    assert_eq!(
        (done["file_name"].as_str(), done["list_name"].as_str()),
        (Some("people.csv"), Some("Volunteers"))
    );
    assert_eq!(super::count(&app, "contact_list_members").await, 2);
    let (_, exported) = export(&app, "").await;
    assert!(
        exported.lines().next().unwrap().ends_with(",squad"),
        "{exported}"
    );
    app.stop().await;
}

#[tokio::test]
async fn an_opt_out_column_records_opt_outs_in_the_consent_ledger_and_never_an_opt_in() {
    let app = TestApp::spawn().await;
    let csv = "Phone,Opted Out\n+14155550101,yes\n+14155550102,no\n+14155550103,\n";
    import(&app, "", csv).await;
    import(&app, "", csv).await;
    let sql = "SELECT phone, channel, opted_in, source FROM consent_events WHERE org_id = $1 ORDER BY phone, channel";
    let events: Vec<(String, String, bool, String)> =
        switchboard::with_db!(&app.state.db, p => sqlx::query_as(sql).bind(app.org).fetch_all(p).await).unwrap();
    assert_eq!(
        events,
        vec![
            ("+14155550101".into(), "sms".into(), false, "import".into()),
            (
                "+14155550101".into(),
                "voice".into(),
                false,
                "import".into()
            ),
        ],
        "one opt-out per channel, not repeated by the second import"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_openapi_document_lists_the_import_api() {
    let app = TestApp::spawn().await;
    let r = app
        .http
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap();
    let doc: serde_json::Value = r.json().await.unwrap();
    for path in [
        "/api/v1/contacts/import",
        "/api/v1/contacts/imports",
        "/api/v1/contacts/imports/{id}",
        "/api/v1/contacts/export",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} missing from OpenAPI"
        );
    }
    app.stop().await;
}
