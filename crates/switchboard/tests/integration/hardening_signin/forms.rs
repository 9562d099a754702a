//! Item 5, forms and headers: `/login` carries a CSRF token, a form posted from another
//! origin is refused even with a valid token, and dashboard responses carry the headers that
//! keep them out of frames and caches.

use reqwest::StatusCode;
use switchboard::accounts;

use crate::support::TestApp;
use crate::support::web_session::{
    OWNER_EMAIL, OWNER_PASSWORD, WebSession, cookies_of, csrf_field, sign_in_attempt,
};

/// The login form's CSRF token and the cookie that goes with it, as a browser gets them.
async fn login_form(app: &TestApp) -> (String, String) {
    let r = app.http.get(app.url("/login")).send().await.unwrap();
    let cookie = cookies_of(&r);
    let csrf = csrf_field(&r.text().await.unwrap()).expect("the login form has a _csrf field");
    (csrf, cookie)
}

fn signed_in(r: &reqwest::Response) -> bool {
    cookies_of(r).contains("sb_session=") && !cookies_of(r).contains("sb_session=;")
}

#[tokio::test]
async fn sign_in_needs_the_login_forms_csrf_token() {
    let app = TestApp::spawn().await;
    let (csrf, cookie) = login_form(&app).await;
    let post = |fields: Vec<(&'static str, String)>, cookie: Option<String>| {
        let mut r = app
            .http
            .post(app.url("/login"))
            .header("origin", &app.base_url);
        if let Some(c) = cookie {
            r = r.header("cookie", c);
        }
        r.form(&fields).send()
    };
    let who = || {
        vec![
            ("email", OWNER_EMAIL.to_string()),
            ("password", OWNER_PASSWORD.to_string()),
        ]
    };
    let without = post(who(), Some(cookie.clone())).await.unwrap();
    assert_eq!(without.status(), StatusCode::FORBIDDEN, "no _csrf");
    assert!(!signed_in(&without));
    let mut guessed = who();
    guessed.push(("_csrf", "guess".into()));
    let guessed = post(guessed, Some(cookie.clone())).await.unwrap();
    assert_eq!(guessed.status(), StatusCode::FORBIDDEN, "a wrong _csrf");
    let mut no_cookie = who();
    no_cookie.push(("_csrf", csrf.clone()));
    let no_cookie = post(no_cookie, None).await.unwrap();
    assert_eq!(
        no_cookie.status(),
        StatusCode::FORBIDDEN,
        "a _csrf without its cookie"
    );
    let mut good = who();
    good.push(("_csrf", csrf));
    let good = post(good, Some(cookie)).await.unwrap();
    assert_eq!(good.status(), StatusCode::SEE_OTHER);
    assert!(signed_in(&good));
    app.stop().await;
}

#[tokio::test]
async fn sign_in_from_another_origin_is_refused_even_with_the_right_password_and_token() {
    let app = TestApp::spawn().await;
    for (header, value) in [
        ("origin", "http://evil.example"),
        ("origin", "null"),
        ("referer", "http://evil.example/phish.html"),
    ] {
        let (csrf, cookie) = login_form(&app).await;
        let r = app
            .http
            .post(app.url("/login"))
            .header(header, value)
            .header("cookie", cookie)
            .form(&[
                ("_csrf", csrf.as_str()),
                ("email", OWNER_EMAIL),
                ("password", OWNER_PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{header}: {value}");
        assert!(!signed_in(&r), "{header}: {value}");
    }
    let same_site = sign_in_attempt(&app, &app.http, OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(same_site.status(), StatusCode::SEE_OTHER);
    app.stop().await;
}

#[tokio::test]
async fn a_dashboard_post_from_another_origin_is_refused_even_with_a_valid_csrf_token() {
    let app = TestApp::spawn().await;
    let owner = WebSession::owner(&app).await;
    let csrf = owner.get("/people").await.csrf();
    let add = [("_csrf", csrf.as_str()), ("name", "Eve"), ("role", "agent")];
    let page = owner
        .post_with("/people", &add, &[("origin", "http://evil.example")])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.html);
    let by_referer = app
        .http
        .post(app.url("/people"))
        .header("cookie", owner.cookie())
        .header("referer", "https://evil.example/")
        .form(&add)
        .send()
        .await
        .unwrap();
    assert_eq!(by_referer.status(), StatusCode::FORBIDDEN);
    let logout = owner
        .post_with(
            "/logout",
            &[("_csrf", csrf.as_str())],
            &[("origin", "http://evil.example")],
        )
        .await;
    assert_eq!(logout.status, StatusCode::FORBIDDEN);
    assert_eq!(
        owner.get("/").await.status,
        StatusCode::OK,
        "still signed in"
    );
    let people = accounts::store::list_people(&app.state.db, app.org)
        .await
        .unwrap();
    assert_eq!(people.len(), 1, "nobody was added");
    let page = owner.post_with("/people", &add, &[]).await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "the same form from the site is taken"
    );
    app.stop().await;
}

#[tokio::test]
async fn dashboard_responses_carry_frame_sniffing_referrer_and_cache_headers() {
    let app = TestApp::spawn().await;
    let owner = WebSession::owner(&app).await;
    let anonymous = app.http.get(app.url("/login")).send().await.unwrap();
    let mut responses = vec![("/login".to_string(), anonymous)];
    for path in ["/", "/people", "/tokens", "/hotline", "/people/999999"] {
        let r = app
            .http
            .get(app.url(path))
            .header("cookie", owner.cookie())
            .send()
            .await
            .unwrap();
        responses.push((path.to_string(), r));
    }
    for (path, r) in &responses {
        let h = |name: &str| {
            r.headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_else(|| panic!("{path} lacks {name}"))
        };
        assert_eq!(h("x-frame-options"), "DENY", "{path}");
        assert!(
            h("content-security-policy").contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert_eq!(h("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(h("referrer-policy"), "same-origin", "{path}");
        assert!(h("cache-control").contains("no-store"), "{path}");
    }
    app.stop().await;
}
