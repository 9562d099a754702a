//! Sign in and sign out.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::{Markup, html};
use serde::Deserialize;

use super::layout::bare_page;
use super::web::{UiError, User};
use crate::accounts::{signin, store};
use crate::app::AppState;
use crate::http::auth::ClientAddr;
use crate::http::{AppError, SESSION_COOKIE};

/// Sessions last a week.
const SESSION_TTL_MS: i64 = 7 * 24 * 60 * 60 * 1000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
}

fn login_form(error: Option<&str>, email: &str) -> Markup {
    bare_page(
        "Sign in",
        html! {
            h1 { "Switchboard" }
            @if let Some(e) = error { p.error role="alert" { (e) } }
            form method="post" action="/login" {
                label for="email" { "Email" }
                input id="email" name="email" type="email" autocomplete="username" required value=(email);
                label for="password" { "Password" }
                input id="password" name="password" type="password" autocomplete="current-password" required;
                p { button type="submit" { "Sign in" } }
            }
        },
    )
}

async fn login_page() -> Markup {
    login_form(None, "")
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
}

async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let email = form.email.trim().to_lowercase();
    let limits = &state.sign_in_limits;
    if let Err(retry_after) = limits.check(client, &email, state.clock.now_ms()) {
        tracing::warn!(%client, email, "sign-in refused: too many failures from this address");
        let msg = format!(
            "Too many failed sign-ins from your address; try again in {}.",
            minutes_or_seconds(retry_after)
        );
        let page = login_form(Some(&msg), &email);
        let retry_after = [(header::RETRY_AFTER, retry_after.to_string())];
        return Ok((StatusCode::TOO_MANY_REQUESTS, retry_after, page).into_response());
    }
    let login = store::find_login(&state.db, &email).await?;
    // Argon2 is deliberately slow: verify off the async workers, a hash even for an unknown
    // email (see `signin::password_matches`).
    let (password, checked) = (form.password, login.clone());
    let verified =
        tokio::task::spawn_blocking(move || signin::password_matches(checked.as_ref(), &password))
            .await
            .unwrap_or(false);
    let Some(login) = login.filter(|_| verified) else {
        limits.failed(client, &email, state.clock.now_ms());
        tracing::warn!(%client, email, "failed sign-in");
        let page = login_form(Some("Wrong email or password."), &email);
        return Ok((StatusCode::UNAUTHORIZED, page).into_response());
    };
    limits.succeeded(client, &email);
    let secret = store::create_session(
        &state.db,
        login.org,
        login.person_id,
        state.clock.now_ms(),
        SESSION_TTL_MS,
    )
    .await?;
    let secure = if state.config.public_url.scheme() == "https" {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        SESSION_TTL_MS / 1000
    );
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response())
}

/// "4 minutes" or, under a minute, "40 seconds".
fn minutes_or_seconds(secs: u64) -> String {
    match secs {
        0..=59 => format!("{secs} seconds"),
        60..=119 => "a minute".to_string(),
        _ => format!("{} minutes", secs.div_ceil(60)),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

async fn logout(
    State(state): State<AppState>,
    user: User,
    headers: axum::http::HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, UiError> {
    user.check_csrf(&form.csrf)?;
    if let Some(secret) = crate::http::auth::cookie(&headers, SESSION_COOKIE) {
        store::delete_session(&state.db, secret).await?;
    }
    let clear = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    Ok(([(header::SET_COOKIE, clear)], Redirect::to("/login")).into_response())
}
