//! The dashboard's upload form and import page.

use reqwest::StatusCode;

use crate::support::TestApp;
use crate::support::web_session::WebSession;

/// Posts a multipart form as a browser does: the session cookie, the site's origin.
async fn post_form(
    app: &TestApp,
    web: &WebSession<'_>,
    parts: &[(&str, &str)],
    csv: &str,
) -> reqwest::Response {
    let (content_type, body) = super::multipart(parts, "members.csv", csv);
    app.http
        .post(app.url("/contacts/imports"))
        .header("cookie", web.cookie())
        .header("origin", &app.base_url)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_upload_from_the_dashboard_leads_to_its_page_with_progress_and_refused_rows() {
    let app = TestApp::spawn().await;
    let web = WebSession::owner(&app).await;
    let form = web.get("/contacts/import").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.html.contains("enctype=\"multipart/form-data\""),
        "{}",
        form.html
    );
    let csrf = form.csrf();
    let csv = "Name,Phone\nAda Lovelace,415 555 0101\nNobody,12\n";
    let r = post_form(
        &app,
        &web,
        &[
            ("_csrf", &csrf),
            ("default_country", "US"),
            ("list_name", "Members"),
        ],
        csv,
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/contacts/imports/"), "{to}");
    let api = to.replace("/contacts/", "/api/v1/contacts/");
    super::finished(&app, &app.token, &api).await;
    let page = web.get(&to).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.html.contains("<progress max=\"100\" value=\"100\""),
        "{}",
        page.html
    );
    assert!(
        page.html.contains("1 created") && page.html.contains("1 refused"),
        "{}",
        page.html
    );
    assert!(
        page.html.contains("<td>3</td><td>Phone</td>"),
        "the refused row by line: {}",
        page.html
    );
    assert!(page.html.contains("Members"));
    let list = web.get("/contacts/import").await;
    assert!(
        list.html.contains("members.csv"),
        "past imports: {}",
        list.html
    );
    app.stop().await;
}

#[tokio::test]
async fn a_dashboard_upload_without_its_csrf_token_or_with_a_bad_header_is_refused() {
    let app = TestApp::spawn().await;
    let web = WebSession::owner(&app).await;
    let r = post_form(&app, &web, &[("_csrf", "forged")], "Phone\n+14155550101\n").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let csrf = web.get("/contacts/import").await.csrf();
    let r = post_form(&app, &web, &[("_csrf", &csrf)], "Name\nAda\n").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(html.contains("no column holds phone numbers"), "{html}");
    assert_eq!(super::count(&app, "contact_imports").await, 0);
    app.stop().await;
}
