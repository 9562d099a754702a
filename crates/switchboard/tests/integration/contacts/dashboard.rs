//! The contacts pages over HTTP: the table searches and pages, a contact's page shows where
//! its zone came from, the edit form shows an error next to its field and redirects after a
//! save, and a smart list made from the lists page shows its live count and its filter in
//! words.

use reqwest::StatusCode;
use serde_json::json;

use super::{contact, static_list};
use crate::support::TestApp;
use crate::support::web_session::WebSession;

#[tokio::test]
async fn the_contacts_table_searches_and_pages_and_links_to_the_import() {
    let app = TestApp::spawn().await;
    for i in 0..55 {
        contact(
            &app,
            json!({"first_name": format!("Member{i:02}"), "last_name": "Smith"}),
        )
        .await;
    }
    contact(
        &app,
        json!({"first_name": "Grace", "last_name": "Hopper", "phones": ["+442071838750"]}),
    )
    .await;
    let owner = WebSession::owner(&app).await;
    let page = owner.get("/contacts").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("Showing 1–50 of 56."), "{}", page.html);
    assert!(page.html.contains(r#"href="/contacts/import""#));
    assert!(page.html.contains(r#"href="/contacts?offset=50""#));
    let next = owner.get("/contacts?offset=50").await;
    assert!(next.html.contains("Grace") && !next.html.contains("Member00"));
    let found = owner.get("/contacts?q=hopper").await;
    assert!(
        found.html.contains("Showing 1–1 of 1.") && found.html.contains("+442071838750"),
        "{}",
        found.html
    );
    app.stop().await;
}

#[tokio::test]
async fn a_contact_is_added_and_edited_with_each_error_next_to_its_field() {
    let app = TestApp::spawn().await;
    let owner = WebSession::owner(&app).await;
    let bad = [
        ("first_name", "Ada"),
        ("phones", "12345"),
        ("time_zone", ""),
    ];
    let page = owner.submit("/contacts/new", "/contacts/new", &bad).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.html.contains(r#"id="phones-error""#), "{}", page.html);
    assert!(page.html.contains(r#"value="Ada""#), "what was typed stays");
    let good = [
        ("first_name", "Ada"),
        ("phones", "+44 20 7183 8750\n+1 415 555 0100"),
        ("tags", "donor, volunteer"),
        ("fields", r#"{"shirt": "L"}"#),
    ];
    let page = owner.submit("/contacts/new", "/contacts/new", &good).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let at = page.location.unwrap();
    let shown = owner.get(&at).await.html;
    assert!(
        shown.contains("Europe/London, from the country of +442071838750"),
        "{shown}"
    );
    assert!(
        shown.contains("+442071838750 (primary)")
            && shown.contains("donor, volunteer")
            && shown.contains("shirt")
    );
    assert!(shown.contains("<dd>dashboard</dd>"), "the source");

    let zone = [
        ("first_name", "Ada"),
        ("phones", "+442071838750"),
        ("time_zone", "Mars/Olympus"),
    ];
    let page = owner.submit(&at, &at, &zone).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(
        page.html.contains(r#"id="time_zone-error""#),
        "{}",
        page.html
    );
    let fixed = [
        ("first_name", "Ada"),
        ("last_name", "King"),
        ("phones", "+442071838750"),
        ("time_zone", "Asia/Tokyo"),
    ];
    let page = owner.submit(&at, &at, &fixed).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let shown = owner.get(page.location.as_deref().unwrap()).await.html;
    assert!(
        shown.contains("Saved.")
            && shown.contains("Ada King")
            && shown.contains("Asia/Tokyo, set on the contact"),
        "{shown}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_smart_list_made_on_the_lists_page_shows_its_live_count_and_filter_in_words() {
    let app = TestApp::spawn().await;
    contact(&app, json!({"first_name": "Ada", "tags": ["volunteer"]})).await;
    let owner = WebSession::owner(&app).await;
    let filter = r#"{"all": [{"field": "tag", "op": "equals", "value": "volunteer"}]}"#;
    let preview = [
        ("name", "Volunteers"),
        ("kind", "smart"),
        ("filter", filter),
        ("preview", "1"),
    ];
    let page = owner
        .submit("/contacts/lists", "/contacts/lists", &preview)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.html.contains("1 contacts match now, such as Ada."),
        "{}",
        page.html
    );
    let unknown = [
        ("name", "Shoes"),
        ("kind", "smart"),
        ("filter", r#"{"all": [{"field": "shoe", "op": "exists"}]}"#),
    ];
    let page = owner
        .submit("/contacts/lists", "/contacts/lists", &unknown)
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(
        page.html.contains(r#"id="filter-error""#)
            && page.html.contains("unknown field &#39;shoe&#39;")
            || page.html.contains("unknown field 'shoe'"),
        "{}",
        page.html
    );
    let page = owner
        .submit("/contacts/lists", "/contacts/lists", &preview[..3])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let at = page.location.unwrap();
    contact(&app, json!({"first_name": "Bob", "tags": ["volunteer"]})).await;
    let shown = owner.get(&at).await.html;
    assert!(
        shown.contains("Contacts where has tag &#39;volunteer&#39;")
            || shown.contains("Contacts where has tag 'volunteer'"),
        "{shown}"
    );
    assert!(shown.contains(r#"<dd id="count">2</dd>"#), "{shown}");
    let lists = owner.get("/contacts/lists").await.html;
    assert!(lists.contains(r#"<td class="count">2</td>"#), "{lists}");
    app.stop().await;
}

#[tokio::test]
async fn a_contact_is_put_on_a_static_list_from_its_page_and_removed_from_the_lists_page() {
    let app = TestApp::spawn().await;
    let ada = contact(&app, json!({"first_name": "Ada"})).await;
    let list = static_list(&app, "Board").await;
    let owner = WebSession::owner(&app).await;
    let at = format!("/contacts/{}", ada["id"]);
    let list_id = list["id"].to_string();
    let page = owner
        .submit(&at, &format!("{at}/lists"), &[("list", &list_id)])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(
        owner
            .get(&at)
            .await
            .html
            .contains(&format!(r#"href="/contacts/lists/{list_id}">Board</a>"#))
    );
    let list_page = format!("/contacts/lists/{list_id}");
    let contact_id = ada["id"].to_string();
    let page = owner
        .submit(
            &list_page,
            &format!("{list_page}/remove"),
            &[("contact", &contact_id)],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(
        owner
            .get(&list_page)
            .await
            .html
            .contains(r#"<dd id="count">0</dd>"#)
    );
    app.stop().await;
}
