//! `/api/v1/contacts`: create, read, change, delete; phones unique per organisation; another
//! organisation's contacts out of reach; search and paging; every field's limit.

use reqwest::StatusCode;
use serde_json::{Value, json};
use switchboard::accounts::Role;

use super::contact;
use crate::support::TestApp;

#[tokio::test]
async fn a_contact_is_created_read_changed_and_deleted() {
    let app = TestApp::spawn().await;
    let created = contact(
        &app,
        json!({
            "first_name": "Ada", "last_name": "Lovelace", "email": "Ada@Example.org",
            "phones": ["+14155550100", {"number": "+44 20 7183 8750", "primary": true}],
            "fields": {"shirt": "L", "age": 36}, "tags": ["volunteer"],
        }),
    )
    .await;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["email"], "ada@example.org");
    assert_eq!(
        created["phones"][0],
        json!({"number": "+442071838750", "primary": true})
    );
    assert_eq!(
        created["zone"],
        json!({"name": "Europe/London", "from": "number"})
    );
    assert_eq!(created["source"], "api");
    let path = format!("/api/v1/contacts/{id}");
    let (status, read) = app.get(&path, &app.token).await;
    assert_eq!((status, &read), (StatusCode::OK, &created));

    let (status, changed) = app
        .patch_json(
            &path,
            &app.token,
            &json!({"last_name": "King", "time_zone": "Asia/Tokyo", "tags": []}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(
        (&changed["first_name"], &changed["last_name"]),
        (&json!("Ada"), &json!("King"))
    );
    assert_eq!(
        changed["zone"],
        json!({"name": "Asia/Tokyo", "from": "contact"})
    );
    assert_eq!(changed["tags"], json!([]));
    assert_eq!(
        changed["phones"], created["phones"],
        "phones not named stay"
    );

    let (status, replaced) = app
        .http
        .put(app.url(&path))
        .bearer_auth(&app.token)
        .json(&json!({"first_name": "Augusta", "phones": ["+12125550100"]}))
        .send()
        .await
        .map(|r| (r.status(), r))
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    let replaced: Value = replaced.json().await.unwrap();
    assert_eq!(replaced["email"], Value::Null);
    assert_eq!(replaced["zone"], json!({"name": null, "from": "unknown"}));

    let (status, _) = app.delete(&path, &app.token).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.get(&path, &app.token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn a_phone_another_contact_has_is_refused_with_409_naming_phones_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let ada = contact(
        &app,
        json!({"first_name": "Ada", "phones": ["+14155550100"]}),
    )
    .await;
    let (status, err) = app
        .post_json(
            "/api/v1/contacts",
            &app.token,
            &json!({"first_name": "Bob", "phones": ["+14155550199", "(415) 555-0100"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert_eq!(err["error"]["field"], "phones");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("+14155550100"),
        "{err}"
    );
    let (_, page) = app.get("/api/v1/contacts", &app.token).await;
    assert_eq!(
        page["total"], 1,
        "the refused contact was not half-written: {page}"
    );
    // A contact may keep its own number when it is changed.
    let path = format!("/api/v1/contacts/{}", ada["id"]);
    let (status, _) = app
        .patch_json(&path, &app.token, &json!({"phones": ["+14155550100"]}))
        .await;
    assert_eq!(status, StatusCode::OK);
    // Another organisation may hold the same number.
    let (_, other) = app.other_org("other").await;
    let (status, _) = app
        .post_json(
            "/api/v1/contacts",
            &other,
            &json!({"first_name": "Eve", "phones": ["+14155550100"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    app.stop().await;
}

#[tokio::test]
async fn another_organisations_contact_is_not_found_and_its_token_sees_none_of_ours() {
    let app = TestApp::spawn().await;
    let ours = contact(&app, json!({"first_name": "Ada"})).await;
    let (_, other) = app.other_org("other").await;
    let path = format!("/api/v1/contacts/{}", ours["id"]);
    for (status, _) in [
        app.get(&path, &other).await,
        app.patch_json(&path, &other, &json!({"first_name": "Eve"}))
            .await,
        app.delete(&path, &other).await,
    ] {
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let (_, page) = app.get("/api/v1/contacts", &other).await;
    assert_eq!(page["total"], 0);
    let (status, _) = app.get("/api/v1/contacts", "sbt_not-a-token").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, still) = app.get(&path, &app.token).await;
    assert_eq!(still["first_name"], "Ada");
    app.stop().await;
}

#[tokio::test]
async fn a_viewer_reads_but_cannot_add_and_an_agent_cannot_delete() {
    let app = TestApp::spawn().await;
    let ada = contact(&app, json!({"first_name": "Ada"})).await;
    let viewer = app.token_with_role(Role::Viewer).await;
    let (status, _) = app.get("/api/v1/contacts", &viewer).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .post_json("/api/v1/contacts", &viewer, &json!({"first_name": "Bo"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let agent = app.token_with_role(Role::Agent).await;
    let (status, _) = app
        .delete(&format!("/api/v1/contacts/{}", ada["id"]), &agent)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.stop().await;
}

#[tokio::test]
async fn search_finds_text_in_names_emails_and_numbers_and_pages_with_a_total() {
    let app = TestApp::spawn().await;
    for i in 0..7 {
        contact(
            &app,
            json!({"first_name": format!("Person{i}"), "last_name": "Smith",
                             "phones": [format!("+1415555{:04}", 200 + i)]}),
        )
        .await;
    }
    contact(
        &app,
        json!({"first_name": "Grace", "last_name": "Hopper", "email": "grace@navy.mil",
                         "phones": ["+442071838750"], "tags": ["admiral"]}),
    )
    .await;
    let total = |v: &Value| v["total"].as_i64().unwrap();
    let (_, all) = app
        .get("/api/v1/contacts?limit=3&offset=6", &app.token)
        .await;
    assert_eq!(
        (total(&all), all["items"].as_array().unwrap().len()),
        (8, 2)
    );
    assert_eq!(all["items"][1]["first_name"], "Grace");
    for q in ["grace hop", "NAVY.MIL", "7183", "20%207183"] {
        let (_, found) = app
            .get(&format!("/api/v1/contacts?q={q}"), &app.token)
            .await;
        assert_eq!(total(&found), 1, "{q}: {found}");
    }
    let (_, smiths) = app
        .get("/api/v1/contacts?q=smith&limit=5", &app.token)
        .await;
    assert_eq!(
        (total(&smiths), smiths["items"].as_array().unwrap().len()),
        (7, 5)
    );
    let filter = r#"{"all":[{"field":"tag","op":"equals","value":"Admiral"}]}"#;
    let (status, tagged) = app
        .get(
            &format!("/api/v1/contacts?filter={}", urlencode(filter)),
            &app.token,
        )
        .await;
    assert_eq!((status, total(&tagged)), (StatusCode::OK, 1), "{tagged}");
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("offset=-1", "offset"),
        ("filter=nope", "filter"),
    ] {
        let (status, err) = app
            .get(&format!("/api/v1/contacts?{query}"), &app.token)
            .await;
        assert_eq!(
            (status, &err["error"]["field"]),
            (StatusCode::BAD_REQUEST, &json!(field)),
            "{query}"
        );
    }
    app.stop().await;
}

pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn bad_values_are_refused_naming_the_field_and_every_limit_holds() {
    let app = TestApp::spawn().await;
    let long = |n: usize| "x".repeat(n);
    let many_phones: Vec<String> = (0..11).map(|i| format!("+1415555{:04}", 300 + i)).collect();
    let many_tags: Vec<String> = (0..51).map(|i| format!("t{i}")).collect();
    let many_fields: serde_json::Map<String, Value> =
        (0..51).map(|i| (format!("f{i}"), json!(i))).collect();
    let cases = [
        (
            json!({"first_name": "A", "time_zone": "Mars/Olympus"}),
            "time_zone",
        ),
        (json!({"first_name": "A", "phones": ["12345"]}), "phones"),
        (
            json!({"first_name": "A", "phones": ["not a number"]}),
            "phones",
        ),
        (json!({"first_name": "A", "email": "nope"}), "email"),
        (json!({"first_name": long(101)}), "first_name"),
        (json!({"last_name": long(101)}), "last_name"),
        (
            json!({"first_name": "A", "email": format!("{}@example.org", long(250))}),
            "email",
        ),
        (json!({"first_name": "A", "phones": many_phones}), "phones"),
        (json!({"first_name": "A", "phones": [long(40)]}), "phones"),
        (json!({"first_name": "A", "tags": many_tags}), "tags"),
        (json!({"first_name": "A", "tags": [long(61)]}), "tags"),
        (json!({"first_name": "A", "fields": many_fields}), "fields"),
        (
            json!({"first_name": "A", "fields": {long(41): 1}}),
            "fields",
        ),
        (
            json!({"first_name": "A", "fields": {"note": long(501)}}),
            "fields.note",
        ),
        (json!({"first_name": "A", "source": long(61)}), "source"),
        (
            json!({"first_name": "A", "time_zone": long(65)}),
            "time_zone",
        ),
        (
            json!({"first_name": "A", "country": "USA", "phones": ["4155550100"]}),
            "country",
        ),
        (json!({"first_name": "A", "nickname": "Al"}), "nickname"),
        (json!({}), "first_name"),
    ];
    for (body, field) in cases {
        let (status, err) = app.post_json("/api/v1/contacts", &app.token, &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {err}");
        assert_eq!(err["error"]["field"], field, "{body}: {err}");
    }
    let (_, page) = app.get("/api/v1/contacts", &app.token).await;
    assert_eq!(page["total"], 0);
    app.stop().await;
}
