//! Sign in and sign out. Sign-in is limited per client address (`accounts::signin`), and its
//! form carries a CSRF token like every other form.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::{Markup, html};
use serde::Deserialize;

use super::layout::bare_page;
use super::web::{UiError, User};
use subtle::ConstantTimeEq as _;

use crate::accounts::{secrets, signin, store};
use crate::app::AppState;
use crate::http::auth::{ClientAddr, cookie};
use crate::http::{AppError, SESSION_COOKIE};

/// Sessions last a week.
const SESSION_TTL_MS: i64 = 7 * 24 * 60 * 60 * 1000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
}

/// The cookie holding the login form's CSRF token. The form sends the same value back
/// (a double submit: there is no session to keep it in yet); another site can neither read
/// the cookie nor set it for this host, and its posts are refused by origin besides.
const LOGIN_CSRF_COOKIE: &str = "sb_login_csrf";

fn login_form(error: Option<&str>, email: &str, csrf: &str) -> Markup {
    bare_page(
        "Sign in",
        html! {
            h1 { "Switchboard" }
            @if let Some(e) = error { p.error role="alert" { (e) } }
            form method="post" action="/login" {
                input type="hidden" name="_csrf" value=(csrf);
                label for="email" { "Email" }
                input id="email" name="email" type="email" autocomplete="username" required value=(email);
                label for="password" { "Password" }
                input id="password" name="password" type="password" autocomplete="current-password" required;
                p { button type="submit" { "Sign in" } }
            }
        },
    )
}

/// `; Secure` when the dashboard is served over https.
fn secure(state: &AppState) -> &'static str {
    if state.config.public_url.scheme() == "https" {
        "; Secure"
    } else {
        ""
    }
}

/// The login form with `status`, and the cookie holding its CSRF token.
fn login_response(
    state: &AppState,
    status: StatusCode,
    error: Option<&str>,
    email: &str,
    csrf: &str,
) -> Response {
    let cookie = format!(
        "{LOGIN_CSRF_COOKIE}={csrf}; Path=/login; HttpOnly; SameSite=Strict{}",
        secure(state)
    );
    let page = login_form(error, email, csrf);
    (status, [(header::SET_COOKIE, cookie)], page).into_response()
}

/// The login CSRF token this browser already holds (a second tab keeps the first's form
/// working), or a new one.
fn login_token(headers: &HeaderMap) -> String {
    cookie(headers, LOGIN_CSRF_COOKIE)
        .filter(|t| t.len() == secrets::new_token("").len())
        .map_or_else(|| secrets::new_token(""), str::to_string)
}

async fn login_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    login_response(&state, StatusCode::OK, None, "", &login_token(&headers))
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    email: String,
    password: String,
}

async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let held = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or("");
    if held.is_empty() || !bool::from(held.as_bytes().ct_eq(form.csrf.as_bytes())) {
        let msg = "The sign-in form was stale or was not sent by this site; please sign in again.";
        let fresh = login_token(&headers);
        return Ok(login_response(
            &state,
            StatusCode::FORBIDDEN,
            Some(msg),
            "",
            &fresh,
        ));
    }
    let csrf = form.csrf;
    let email = form.email.trim().to_lowercase();
    let limits = &state.sign_in_limits;
    if let Err(retry_after) = limits.check(client, &email, state.clock.now_ms()) {
        tracing::warn!(%client, email, "sign-in refused: too many failures from this address");
        let msg = format!(
            "Too many failed sign-ins from your address; try again in {}.",
            minutes_or_seconds(retry_after)
        );
        let mut page = login_response(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            Some(&msg),
            &email,
            &csrf,
        );
        page.headers_mut()
            .insert(header::RETRY_AFTER, retry_after.into());
        return Ok(page);
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
        let wrong = Some("Wrong email or password.");
        return Ok(login_response(
            &state,
            StatusCode::UNAUTHORIZED,
            wrong,
            &email,
            &csrf,
        ));
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
    let cookie = format!(
        "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        SESSION_TTL_MS / 1000,
        secure(&state)
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
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, UiError> {
    user.check_csrf(&form.csrf)?;
    if let Some(secret) = cookie(&headers, SESSION_COOKIE) {
        store::delete_session(&state.db, secret).await?;
    }
    let clear = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    Ok(([(header::SET_COOKIE, clear)], Redirect::to("/login")).into_response())
}
