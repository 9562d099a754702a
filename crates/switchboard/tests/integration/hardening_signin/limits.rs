//! Item 5, failed sign-ins: failures are limited per client address (and per address and
//! email), never per account alone, so nobody can lock the owner out from elsewhere.

use crate::support::TestApp;
use crate::support::web_session::{OWNER_EMAIL, OWNER_PASSWORD, client_from, sign_in_attempt};
use reqwest::StatusCode;

/// The Retry-After of a 429, in seconds.
fn retry_after(r: &reqwest::Response) -> u64 {
    r.headers()
        .get("retry-after")
        .expect("a 429 says when to retry")
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn five_wrong_passwords_block_that_address_and_email_but_the_owner_signs_in_from_another() {
    let app = TestApp::spawn().await;
    for attempt in 1..=5 {
        let r = sign_in_attempt(&app, &app.http, OWNER_EMAIL, "wrong-guess").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let blocked = sign_in_attempt(&app, &app.http, OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait = retry_after(&blocked);
    assert!((1..=15 * 60).contains(&wait), "Retry-After: {wait}");
    let elsewhere = client_from([127, 0, 0, 2]);
    let owner = sign_in_attempt(&app, &elsewhere, OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(
        owner.status(),
        StatusCode::SEE_OTHER,
        "the owner signs in from another address"
    );
    // Another email from the blocked address is still heard.
    let other = sign_in_attempt(&app, &app.http, "someone@example.org", "x").await;
    assert_eq!(other.status(), StatusCode::UNAUTHORIZED);
    app.advance(wait as i64);
    let later = sign_in_attempt(&app, &app.http, OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(
        later.status(),
        StatusCode::SEE_OTHER,
        "after Retry-After the address may try again"
    );
    app.stop().await;
}

#[tokio::test]
async fn twenty_failed_sign_ins_from_one_address_block_it_for_every_email() {
    let app = TestApp::spawn().await;
    for i in 1..=20 {
        let email = format!("sprayed-{i}@example.org");
        let r = sign_in_attempt(&app, &app.http, &email, "Summer2026!").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{email}");
    }
    let sprayed = sign_in_attempt(&app, &app.http, "sprayed-21@example.org", "Summer2026!").await;
    assert_eq!(sprayed.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&sprayed) >= 1);
    let owner_here = sign_in_attempt(&app, &app.http, OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(
        owner_here.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the address is blocked"
    );
    let elsewhere = client_from([127, 0, 0, 2]);
    let r = sign_in_attempt(&app, &elsewhere, "sprayed-22@example.org", "Summer2026!").await;
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "other addresses are not limited"
    );
    // The window is 15 minutes: the first failures age out.
    app.advance(15 * 60);
    let r = sign_in_attempt(&app, &app.http, "sprayed-23@example.org", "Summer2026!").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    app.stop().await;
}

/// A client that says, through a proxy's header, that it is `forwarded_for`.
fn via_proxy(forwarded_for: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", forwarded_for.parse().unwrap());
    reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn behind_a_trusted_proxy_failures_count_per_forwarded_client_not_per_proxy() {
    let app = crate::support::TestApp::spawn_with(crate::support::TestOptions {
        env: vec![("SWITCHBOARD_TRUSTED_PROXIES", "127.0.0.1".into())],
        ..crate::support::TestOptions::default()
    })
    .await;
    let attacker = via_proxy("203.0.113.5");
    for i in 1..=20 {
        let email = format!("sprayed-{i}@example.org");
        let r = sign_in_attempt(&app, &attacker, &email, "Summer2026!").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{email}");
    }
    let blocked = sign_in_attempt(&app, &attacker, OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    // The owner comes through the same proxy from another address: not blocked.
    let owner = via_proxy("198.51.100.7");
    let r = sign_in_attempt(&app, &owner, OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    app.stop().await;
}

#[tokio::test]
async fn without_a_trusted_proxy_a_forwarded_for_header_cannot_dodge_the_limit() {
    let app = TestApp::spawn().await;
    for i in 1..=20 {
        let client = via_proxy(&format!("203.0.113.{i}"));
        let email = format!("sprayed-{i}@example.org");
        let r = sign_in_attempt(&app, &client, &email, "Summer2026!").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{email}");
    }
    let next = via_proxy("203.0.113.99");
    let r = sign_in_attempt(&app, &next, "sprayed-21@example.org", "Summer2026!").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    app.stop().await;
}
