//! The dashboard in a real headless Chromium: sign in, find the overview and the navigation,
//! add a person through the form, flip their availability with htmx, sign out.

use switchboard::accounts;

use crate::support::TestApp;
use crate::support::browser::{Browser, screenshot_path};
use crate::support::web_session::{OWNER_EMAIL, OWNER_PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_signs_in_adds_a_person_through_the_form_and_signs_out_in_a_real_browser() {
    let app = TestApp::spawn().await;
    let browser = Browser::start().await;

    browser.goto(&app.url("/")).await;
    browser.wait_for_path("/login").await;
    browser.find("#email").await.send_keys(OWNER_EMAIL).await;
    browser
        .find("#password")
        .await
        .send_keys(OWNER_PASSWORD)
        .await;
    browser.find("button[type=submit]").await.click().await;

    browser.wait_for_path("/").await;
    browser.wait_for_text("main h1", "Overview").await;
    let nav = browser.find("header nav").await.text().await;
    for label in [
        "Overview",
        "Hotline",
        "Call tool",
        "Dialer",
        "Texting",
        "People",
        "Jobs",
    ] {
        assert!(nav.contains(label), "the navigation lacks {label}: {nav}");
    }
    assert_eq!(browser.find("nav a.current").await.text().await, "Overview");
    browser.screenshot(&screenshot_path("overview.png")).await;

    browser.find(r#"nav a[href="/people"]"#).await.click().await;
    browser.wait_for_path("/people").await;
    browser.wait_for_text("main h1", "People").await;
    browser
        .find("#name")
        .await
        .send_keys("Katherine Johnson")
        .await;
    browser
        .find("#email")
        .await
        .send_keys("katherine@example.org")
        .await;
    browser
        .find("#phone")
        .await
        .send_keys("+1 500 555 0177")
        .await;
    browser
        .find(r#"#role option[value="manager"]"#)
        .await
        .click()
        .await;
    browser
        .find(r#"form[action="/people"] button[type=submit]"#)
        .await
        .click()
        .await;
    browser
        .wait_for_text("p.notice", "Added Katherine Johnson.")
        .await;
    let table = browser.find("table#people").await.text().await;
    assert!(
        table.contains("Katherine Johnson") && table.contains("+15005550177"),
        "{table}"
    );

    let people = accounts::store::list_people(&app.state.db, app.org)
        .await
        .unwrap();
    let katherine = people
        .iter()
        .find(|p| p.name == "Katherine Johnson")
        .unwrap();
    assert_eq!(katherine.role, accounts::Role::Manager);
    let row = format!("#person-{}", katherine.id);
    browser.find(&format!("{row} button")).await.click().await;
    browser
        .wait_for_text(&format!("{row} button"), "Make available")
        .await;
    assert_eq!(
        browser
            .find(&format!("{row} td.available"))
            .await
            .text()
            .await,
        "no"
    );
    let url = browser.current_url().await;
    assert!(
        url.contains("/people?added="),
        "htmx swapped the row in place: {url}"
    );

    browser.find("form.logout button").await.click().await;
    browser.wait_for_path("/login").await;
    browser.find("#password").await;
    assert!(browser.source().await.contains("Sign in"));
    browser.quit().await;
    app.stop().await;
}
