//! API tokens (admins): the list, a create form whose result page shows the secret once, and
//! revoking.

use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;

use super::layout::{FieldError, csrf, form_error, page, when, when_opt};
use super::people::{parse_role, role_select};
use super::web::{UiError, User, field_error, see_other};
use crate::accounts::model::clean_name;
use crate::accounts::store::{self, ApiToken, Session};
use crate::accounts::{Role, rules};
use crate::app::AppState;
use crate::http::AppError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tokens", get(list).post(create))
        .route("/tokens/{id}/revoke", post(revoke))
}

async fn list(State(state): State<AppState>, user: User) -> Result<Markup, UiError> {
    user.require(Role::Admin)?;
    let tokens = store::list_tokens(&state.db, user.0.org).await?;
    Ok(tokens_page(&user.0, &tokens, None, None))
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct NewTokenForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    name: String,
    role: String,
}

impl NewTokenForm {
    fn clean(&self, actor: &Session) -> Result<(String, Role), AppError> {
        let name = clean_name(&self.name)?;
        let role = parse_role(&self.role)?;
        rules::may_grant(&actor.actor(), role)?;
        Ok((name, role))
    }
}

async fn create(
    State(state): State<AppState>,
    user: User,
    Form(form): Form<NewTokenForm>,
) -> Result<Response, UiError> {
    user.check_csrf(&form.csrf)?;
    user.require(Role::Admin)?;
    let session = &user.0;
    let created = match form.clean(session) {
        Ok((name, role)) => {
            let now = state.clock.now_ms();
            store::create_token(&state.db, session.org, &name, role, now)
                .await
                .map_err(AppError::from)
        }
        Err(e) => Err(e),
    };
    let tokens = store::list_tokens(&state.db, session.org).await?;
    match created {
        Ok((token, secret)) => {
            Ok(tokens_page(session, &tokens, None, Some((&token, &secret))).into_response())
        }
        Err(err) => {
            let (status, error) = field_error(err)?;
            Ok((status, tokens_page(session, &tokens, Some(&error), None)).into_response())
        }
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct CsrfForm {
    #[serde(rename = "_csrf")]
    csrf: String,
}

async fn revoke(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, UiError> {
    user.check_csrf(&form.csrf)?;
    user.require(Role::Admin)?;
    let token = store::find_token(&state.db, user.0.org, id).await?;
    rules::may_revoke(&user.0.actor(), token.role).map_err(|e| user.refuse(e))?;
    store::revoke_token(&state.db, user.0.org, id, state.clock.now_ms()).await?;
    Ok(see_other("/tokens"))
}

fn tokens_page(
    session: &Session,
    tokens: &[ApiToken],
    error: Option<&FieldError>,
    created: Option<(&ApiToken, &str)>,
) -> Markup {
    let body = html! {
        @if let Some((token, secret)) = created {
            div.notice role="status" {
                p { "Token " strong { (token.name) } " created. Copy it now: it is shown this once." }
                p { code #new-secret { (secret) } }
                p.muted { "Use it as " code { "Authorization: Bearer …" } " on " code { "/api/v1/…" } "." }
            }
        }
        table #tokens {
            thead { tr {
                th { "Name" } th { "Role" } th { "Created" } th { "Last used" } th { "Revoked" } th {}
            } }
            tbody {
                @for t in tokens {
                    tr {
                        td { (t.name) }
                        td { (t.role) }
                        td { (when(t.created_at)) }
                        td { (when_opt(t.last_used_at)) }
                        td { (when_opt(t.revoked_at)) }
                        td {
                            @if t.revoked_at.is_none() && rules::may_revoke(&session.actor(), t.role).is_ok() {
                                form.inline method="post" action=(format!("/tokens/{}/revoke", t.id)) {
                                    (csrf(session))
                                    button.secondary.small type="submit" { "Revoke" }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 { "Create a token" }
        (form_error(error))
        form.grid method="post" action="/tokens" {
            (csrf(session))
            div { label for="name" { "Name" } input id="name" name="name" required placeholder="e.g. CRM sync"; }
            div { label for="role" { "Role" } (role_select(session.role, Role::Viewer)) }
            div { button type="submit" { "Create token" } }
        }
    };
    page("API tokens", session, "/settings", body)
}
