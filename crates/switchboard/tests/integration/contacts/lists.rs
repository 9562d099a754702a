//! `/api/v1/lists`: static lists and their members, smart lists evaluated each time they are
//! used, previews, bad filters refused naming what is wrong, and `resolve_list` walking a
//! large list by pages.

use reqwest::StatusCode;
use serde_json::{Value, json};
use switchboard::contacts::store::lists::resolve_list;
use switchboard::ids::{ContactId, ListId};

use super::{contact, static_list};
use crate::support::TestApp;

fn volunteers() -> Value {
    json!({"all": [{"field": "tag", "op": "equals", "value": "volunteer"},
                   {"field": "fields.shirt", "op": "equals", "value": "L"}]})
}

#[tokio::test]
async fn a_smart_list_is_evaluated_when_used_so_a_contact_added_later_is_on_it() {
    let app = TestApp::spawn().await;
    contact(
        &app,
        json!({"first_name": "Ada", "tags": ["volunteer"], "fields": {"shirt": "L"}}),
    )
    .await;
    contact(
        &app,
        json!({"first_name": "Bob", "tags": ["volunteer"], "fields": {"shirt": "M"}}),
    )
    .await;
    let (status, list) = app
        .post_json(
            "/api/v1/lists",
            &app.token,
            &json!({"name": "Large volunteers", "kind": "smart", "filter": volunteers()}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{list}");
    assert_eq!(list["count"], 1);
    assert_eq!(
        list["filter_words"],
        "has tag 'volunteer' and field shirt is \"L\""
    );
    let path = format!("/api/v1/lists/{}", list["id"]);
    contact(
        &app,
        json!({"first_name": "Cy", "tags": ["Volunteer"], "fields": {"shirt": "L"}}),
    )
    .await;
    let (_, again) = app.get(&path, &app.token).await;
    assert_eq!(again["count"], 2);
    let (_, members) = app.get(&format!("{path}/members"), &app.token).await;
    let names: Vec<&str> = members["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["first_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Ada", "Cy"]);
    let (status, err) = app
        .post_json(
            &format!("{path}/members"),
            &app.token,
            &json!({"contact_ids": [1]}),
        )
        .await;
    assert_eq!(
        (status, &err["error"]["field"]),
        (StatusCode::BAD_REQUEST, &json!("contact_ids"))
    );
    let (status, changed) = app
        .patch_json(
            &path,
            &app.token,
            &json!({"filter": {"all": [{"field": "fields.shirt", "op": "exists"}]}}),
        )
        .await;
    assert_eq!((status, &changed["count"]), (StatusCode::OK, &json!(3)));
    app.stop().await;
}

#[tokio::test]
async fn a_static_list_holds_the_contacts_added_to_it_once_each() {
    let app = TestApp::spawn().await;
    let ada = contact(&app, json!({"first_name": "Ada"})).await;
    let bob = contact(&app, json!({"first_name": "Bob"})).await;
    let list = static_list(&app, "Board").await;
    let members = format!("/api/v1/lists/{}/members", list["id"]);
    let (status, added) = app
        .post_json(
            &members,
            &app.token,
            &json!({"contact_ids": [ada["id"], bob["id"]]}),
        )
        .await;
    assert_eq!(
        (status, &added["changed"]),
        (StatusCode::OK, &json!(2)),
        "{added}"
    );
    let (_, again) = app
        .post_json(&members, &app.token, &json!({"contact_ids": [ada["id"]]}))
        .await;
    assert_eq!(again["changed"], 0);
    let removed = app
        .http
        .delete(app.url(&members))
        .bearer_auth(&app.token)
        .json(&json!({"contact_ids": [bob["id"]]}))
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), StatusCode::OK);
    let (_, page) = app.get(&members, &app.token).await;
    assert_eq!(
        (
            page["total"].clone(),
            page["items"][0]["first_name"].clone()
        ),
        (json!(1), json!("Ada"))
    );
    // Another organisation's contact cannot be added, nor its list seen.
    let (_, other) = app.other_org("other").await;
    let (_, theirs) = app
        .post_json("/api/v1/contacts", &other, &json!({"first_name": "Eve"}))
        .await;
    let (status, err) = app
        .post_json(
            &members,
            &app.token,
            &json!({"contact_ids": [theirs["id"]]}),
        )
        .await;
    assert_eq!(
        (status, &err["error"]["field"]),
        (StatusCode::BAD_REQUEST, &json!("contact_ids"))
    );
    let (status, _) = app
        .get(&format!("/api/v1/lists/{}", list["id"]), &other)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.get(&members, &other).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Deleting the contact takes it off the list.
    app.delete(&format!("/api/v1/contacts/{}", ada["id"]), &app.token)
        .await;
    let (_, listed) = app.get("/api/v1/lists", &app.token).await;
    assert_eq!(listed[0]["count"], 0);
    app.stop().await;
}

#[tokio::test]
async fn a_list_name_is_unique_and_a_bad_filter_is_refused_naming_what_is_wrong() {
    let app = TestApp::spawn().await;
    let new = json!({"name": "Board", "kind": "static"});
    app.post_json("/api/v1/lists", &app.token, &new).await;
    let (status, err) = app.post_json("/api/v1/lists", &app.token, &new).await;
    assert_eq!(
        (status, &err["error"]["field"]),
        (StatusCode::CONFLICT, &json!("name"))
    );
    let bad = json!({"name": "Shoes", "kind": "smart", "filter": {"all": [{"field": "shoe_size", "op": "equals", "value": "9"}]}});
    let (status, err) = app.post_json("/api/v1/lists", &app.token, &bad).await;
    assert_eq!(
        (status, &err["error"]["field"]),
        (StatusCode::BAD_REQUEST, &json!("filter")),
        "{err}"
    );
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown field 'shoe_size'"),
        "{err}"
    );
    let bad_op =
        json!({"filter": {"all": [{"field": "email", "op": "sounds_like", "value": "x"}]}});
    let (status, err) = app
        .post_json("/api/v1/lists/preview", &app.token, &bad_op)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown operator 'sounds_like'"),
        "{err}"
    );
    let zone = json!({"filter": {"all": [{"field": "time_zone", "op": "equals", "value": "Mars/Olympus"}]}});
    let (status, _) = app
        .post_json("/api/v1/lists/preview", &app.token, &zone)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, err) = app
        .post_json(
            "/api/v1/lists",
            &app.token,
            &json!({"name": "x".repeat(201), "kind": "static"}),
        )
        .await;
    assert_eq!(
        (status, &err["error"]["field"]),
        (StatusCode::BAD_REQUEST, &json!("name"))
    );
    let (_, listed) = app.get("/api/v1/lists", &app.token).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn a_preview_counts_a_filter_without_saving_it() {
    let app = TestApp::spawn().await;
    contact(
        &app,
        json!({"first_name": "Ada", "phones": ["+442071838750"]}),
    )
    .await;
    contact(
        &app,
        json!({"first_name": "Bo", "phones": ["+12125550100"], "time_zone": "Europe/London"}),
    )
    .await;
    contact(
        &app,
        json!({"first_name": "Cy", "phones": ["+12125550101"]}),
    )
    .await;
    let london = json!({"filter": {"all": [{"field": "time_zone", "op": "equals", "value": "Europe/London"}]}, "limit": 1});
    let (status, page) = app
        .post_json("/api/v1/lists/preview", &app.token, &london)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(
        (
            page["total"].clone(),
            page["items"].as_array().unwrap().len()
        ),
        (json!(2), 1)
    );
    let unknown = json!({"filter": {"all": [{"field": "time_zone", "op": "missing"}]}});
    let (_, page) = app
        .post_json("/api/v1/lists/preview", &app.token, &unknown)
        .await;
    assert_eq!(
        (
            page["total"].clone(),
            page["items"][0]["first_name"].clone()
        ),
        (json!(1), json!("Cy"))
    );
    let prefix = json!({"filter": {"all": [{"field": "phone", "op": "prefix", "value": "+1212"},
                                           {"field": "created_at", "op": "after", "value": "2026-03-02"}]}});
    let (_, page) = app
        .post_json("/api/v1/lists/preview", &app.token, &prefix)
        .await;
    assert_eq!(page["total"], 2);
    let (_, listed) = app.get("/api/v1/lists", &app.token).await;
    assert_eq!(listed, json!([]));
    app.stop().await;
}

#[tokio::test]
async fn resolve_list_walks_every_member_with_a_number_once_by_pages() {
    let app = TestApp::spawn().await;
    let db = &app.state.db;
    // 1,000 contacts written straight to the tables: 2 in 3 tagged, every 10th without a number.
    let now = app.clock.now_ms();
    let mut tx = db.write().await.unwrap();
    for i in 0..1000i64 {
        let sql = "INSERT INTO contacts (org_id, first_name, source, created_at, updated_at) VALUES ($1, $2, 'test', $3, $3) RETURNING id";
        let id: i64 = switchboard::with_tx!(&mut tx, c => sqlx::query_scalar(sql).bind(app.org).bind(format!("C{i}")).bind(now).fetch_one(c).await).unwrap();
        if i % 10 != 0 {
            let sql = "INSERT INTO contact_phones (org_id, contact_id, phone, is_primary) VALUES ($1, $2, $3, $4)";
            let phone = format!("+1415556{i:04}");
            switchboard::with_tx!(&mut tx, c => sqlx::query(sql).bind(app.org).bind(id).bind(phone).bind(true).execute(c).await.map(|_| ())).unwrap();
        }
        if i % 3 != 0 {
            let sql =
                "INSERT INTO contact_tags (org_id, contact_id, tag) VALUES ($1, $2, 'member')";
            switchboard::with_tx!(&mut tx, c => sqlx::query(sql).bind(app.org).bind(id).execute(c).await.map(|_| ())).unwrap();
        }
    }
    tx.commit().await.unwrap();
    let smart = json!({"name": "Members", "kind": "smart", "filter": {"all": [{"field": "tag", "op": "equals", "value": "member"}]}});
    let (_, list) = app.post_json("/api/v1/lists", &app.token, &smart).await;
    assert_eq!(list["count"], 666);
    let id = ListId::new(list["id"].as_i64().unwrap());
    let mut after: Option<ContactId> = None;
    let mut seen = Vec::new();
    loop {
        let page = resolve_list(db, app.org, id, after, 100).await.unwrap();
        seen.extend(page.members.iter().map(|m| (m.contact_id, m.phone.clone())));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    // Tagged (i % 3 != 0) and with a number (i % 10 != 0): 666 - 67 + 34.
    let expected = (0..1000).filter(|i| i % 3 != 0 && i % 10 != 0).count();
    assert_eq!(seen.len(), expected);
    let mut ids: Vec<ContactId> = seen.iter().map(|(id, _)| *id).collect();
    ids.dedup();
    assert_eq!(ids.len(), expected, "each member once");
    assert!(seen.iter().all(|(_, phone)| phone.starts_with("+1415556")));
    let (_, other) = app.other_org("other").await;
    let _ = other;
    let other_org = switchboard::accounts::store::find_org_by_slug(db, "other")
        .await
        .unwrap()
        .unwrap()
        .id;
    assert!(
        resolve_list(db, other_org, id, None, 100).await.is_err(),
        "another organisation's list"
    );
    app.stop().await;
}

/// Writes `n` contacts, each with a primary number and every other one tagged `member`, in
/// three statements (a recursive count), and answers the id of a static list holding them all.
async fn many_contacts(app: &TestApp, n: i64) -> ListId {
    let db = &app.state.db;
    let now = app.clock.now_ms();
    let statements = [
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $2) \
         INSERT INTO contacts (org_id, first_name, source, created_at, updated_at) \
         SELECT $1, 'C' || CAST(i AS TEXT), 'test', $3, $3 FROM n",
        "INSERT INTO contact_phones (org_id, contact_id, phone, is_primary) \
         SELECT org_id, id, '+1415' || CAST(1000000 + id AS TEXT), TRUE FROM contacts WHERE org_id = $1 AND $2 > 0 AND $3 > 0",
        "INSERT INTO contact_tags (org_id, contact_id, tag) \
         SELECT org_id, id, 'member' FROM contacts WHERE org_id = $1 AND id % 2 = 0 AND $2 > 0 AND $3 > 0",
    ];
    let mut tx = db.write().await.unwrap();
    for sql in statements {
        switchboard::with_tx!(&mut tx, c => sqlx::query(sql).bind(app.org).bind(n).bind(now).execute(c).await.map(|_| ())).unwrap();
    }
    tx.commit().await.unwrap();
    let (_, list) = app
        .post_json(
            "/api/v1/lists",
            &app.token,
            &json!({"name": "All", "kind": "static"}),
        )
        .await;
    let sql = "INSERT INTO contact_list_members (org_id, list_id, contact_id, added_at) SELECT org_id, $2, id, $3 FROM contacts WHERE org_id = $1";
    let id = list["id"].as_i64().unwrap();
    switchboard::with_write!(db, c => sqlx::query(sql).bind(app.org).bind(id).bind(now).execute(c).await.map(|_| ())).unwrap();
    ListId::new(id)
}

/// Walks a list to the end with `resolve_list`, answering how many members and how long.
async fn walk(app: &TestApp, id: ListId) -> (usize, std::time::Duration) {
    let started = std::time::Instant::now();
    let (mut after, mut seen) = (None, 0);
    loop {
        let page = resolve_list(&app.state.db, app.org, id, after, 1000)
            .await
            .unwrap();
        seen += page.members.len();
        match page.next {
            Some(next) => after = Some(next),
            None => return (seen, started.elapsed()),
        }
    }
}

#[tokio::test]
#[ignore = "a measurement: 100,000 contacts; run by hand with --ignored --nocapture"]
async fn resolve_list_walks_a_hundred_thousand_members_in_pages_of_a_thousand() {
    let app = TestApp::spawn().await;
    let all = many_contacts(&app, 100_000).await;
    let (seen, took) = walk(&app, all).await;
    assert_eq!(seen, 100_000);
    println!("static list of 100,000: walked in {took:?}");
    let smart = json!({"name": "Members", "kind": "smart", "filter": {"all": [{"field": "tag", "op": "equals", "value": "member"}]}});
    let started = std::time::Instant::now();
    let (_, list) = app.post_json("/api/v1/lists", &app.token, &smart).await;
    println!(
        "smart list of 50,000: created and counted in {:?}",
        started.elapsed()
    );
    assert_eq!(list["count"], 50_000);
    let (seen, took) = walk(&app, ListId::new(list["id"].as_i64().unwrap())).await;
    assert_eq!(seen, 50_000);
    println!("smart list of 50,000 out of 100,000: walked in {took:?}");
    app.stop().await;
}
