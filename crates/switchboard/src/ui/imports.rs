//! Contacts import in the dashboard: the upload form with the past imports, and each import's
//! page, whose progress bar refreshes itself (htmx, every second) while the import runs,
//! above the table of refused rows.

use axum::Router;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::{Markup, html};

use super::layout::{FieldError, csrf, form_error, page, when};
use super::web::{UiError, User, see_other};
use crate::accounts::Role;
use crate::accounts::store::Session;
use crate::app::AppState;
use crate::contacts::api::imports::{ImportView, import_with_errors};
use crate::contacts::import::file::ImportError;
use crate::contacts::import::store::{self, ImportStatus};
use crate::contacts::import::upload::{self, ImportParams};
use crate::http::AppError;
use crate::ids::ImportId;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/contacts/import", get(form_page))
        .route("/contacts/imports/{id}", get(import_page))
}

/// The upload, outside the 2 MiB body limit (see `app::router`).
pub fn uploads() -> Router<AppState> {
    Router::new()
        .route("/contacts/imports", post(upload))
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn(crate::http::metrics::track))
}

async fn form_page(State(state): State<AppState>, user: User) -> Result<Markup, UiError> {
    user.require(Role::Viewer)?;
    Ok(upload_page(&state, &user.0, None).await?)
}

async fn upload(State(state): State<AppState>, user: User, request: Request) -> Response {
    match start(&state, &user, request).await {
        Ok(id) => see_other(&format!("/contacts/imports/{id}")),
        Err(Refused::Page(e)) => e.into_response(),
        Err(Refused::Form(status, error)) => match upload_page(&state, &user.0, Some(&error)).await
        {
            Ok(markup) => (status, markup).into_response(),
            Err(e) => UiError::from(e).into_response(),
        },
    }
}

enum Refused {
    Page(UiError),
    Form(StatusCode, FieldError),
}

async fn start(state: &AppState, user: &User, request: Request) -> Result<ImportId, Refused> {
    user.require(Role::Manager).map_err(Refused::Page)?;
    let limit = state.config.import_max_bytes;
    let form = Multipart::from_request(request, state)
        .await
        .map_err(|e| form_refusal(ImportError::Cut(e.body_text()), limit))?;
    let upload = upload::read_form(form, &state.services)
        .await
        .map_err(|e| form_refusal(e, limit))?;
    let sent = upload.fields.get("_csrf").map_or("", String::as_str);
    user.check_csrf(sent).map_err(Refused::Page)?;
    let options = ImportParams::default()
        .with_form(&upload.fields)
        .and_then(|p| p.options("upload.csv"))
        .map_err(|e| form_refusal(e.into(), limit))?;
    upload::start(&state.services, user.0.org, upload.spool, &options)
        .await
        .map_err(|e| form_refusal(e, limit))
}

fn form_refusal(e: ImportError, limit: u64) -> Refused {
    let (status, field, message) = match e {
        ImportError::TooLarge { .. } => (
            StatusCode::PAYLOAD_TOO_LARGE,
            Some("file".to_string()),
            format!(
                "is larger than the upload limit of {} MiB: split it, or import it with `switchboard contacts import`",
                limit / (1024 * 1024)
            ),
        ),
        ImportError::Invalid(i) => (StatusCode::BAD_REQUEST, Some(i.field), i.message),
        ImportError::Cut(why) => (
            StatusCode::BAD_REQUEST,
            Some("file".to_string()),
            format!("the upload was cut short: {why}"),
        ),
        ImportError::Store(e) => return refused_by(AppError::from(e)),
        ImportError::Io(e) => return refused_by(AppError::Internal(e.into())),
    };
    Refused::Form(status, FieldError { field, message })
}

fn refused_by(e: AppError) -> Refused {
    match e {
        AppError::BadRequest { field, message } | AppError::Conflict { field, message } => {
            Refused::Form(StatusCode::BAD_REQUEST, FieldError { field, message })
        }
        other => Refused::Page(other.into()),
    }
}

async fn upload_page(
    state: &AppState,
    session: &Session,
    error: Option<&FieldError>,
) -> Result<Markup, AppError> {
    let now = state.clock.now_ms();
    let past = store::list(&state.db, session.org, 50).await?;
    let past: Vec<(i64, ImportView)> = past
        .into_iter()
        .map(|r| (r.created_at, ImportView::new(r, now)))
        .collect();
    let limit_mib = state.config.import_max_bytes / (1024 * 1024);
    let body = html! {
        p.muted {
            "A CSV file (UTF-8) with a header row. Columns named like First Name, Last Name, Name, "
            "Phone, Mobile, Email, Time Zone and Tags are recognised; any other column becomes a custom "
            "field. A row whose phone is already known updates that contact. Up to " (limit_mib) " MiB."
        }
        (form_error(error))
        @if session.role.allows(Role::Manager) {
            form.grid method="post" action="/contacts/imports" enctype="multipart/form-data" {
                (csrf(session))
                div { label for="file" { "CSV file" } input id="file" name="file" type="file" accept=".csv,text/csv" required; }
                div {
                    label for="default_country" { "Country of numbers without +" }
                    input id="default_country" name="default_country" placeholder="e.g. US" maxlength="2" size="4";
                }
                div { label for="list_name" { "Add to list (optional)" } input id="list_name" name="list_name" placeholder="a static list; created when missing"; }
                div {
                    label for="mapping" { "Column mapping (optional)" }
                    input id="mapping" name="mapping" placeholder="e.g. Cell:phone,Dept:field:dept";
                }
                div { button type="submit" { "Import" } }
            }
        }
        h2 { "Past imports" }
        @if past.is_empty() {
            p.muted { "No imports yet." }
        } @else {
            table #imports {
                thead { tr {
                    th { "File" } th { "Started" } th { "Status" } th { "Rows" } th { "Created" }
                    th { "Merged" } th { "Refused" } th { "List" }
                } }
                tbody {
                    @for (started, i) in &past {
                        tr {
                            td { a href=(format!("/contacts/imports/{}", i.id)) { (i.file_name) } }
                            td { (when(*started)) }
                            td { (status_text(i)) }
                            td { (i.rows_read) } td { (i.created) } td { (i.merged) } td { (i.invalid) }
                            td { (i.list_name.as_deref().unwrap_or("—")) }
                        }
                    }
                }
            }
        }
    };
    Ok(page("Import contacts", session, "/contacts", body))
}

fn status_text(i: &ImportView) -> String {
    match (i.status, i.percent) {
        (ImportStatus::Running, Some(p)) => format!("running, {p}%"),
        (ImportStatus::Running, None) => "running".into(),
        (ImportStatus::Done, _) => "done".into(),
        (ImportStatus::Failed, _) => "failed".into(),
    }
}

async fn import_page(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<ImportId>,
) -> Result<Markup, UiError> {
    user.require(Role::Viewer)?;
    let import = import_with_errors(&state.services, user.0.org, id).await?;
    let record = store::get(&state.db, user.0.org, id).await?;
    let running = import.status == ImportStatus::Running;
    let poll = format!("/contacts/imports/{id}");
    let body = html! {
        p { a href="/contacts/import" { "← Import contacts" } }
        div #progress hx-get=[running.then_some(poll.as_str())] hx-trigger=[running.then_some("every 1s")]
            hx-select=[running.then_some("#progress")] hx-swap=[running.then_some("outerHTML")] {
            p {
                strong { (status_text(&import)) }
                " · started " (when(record.created_at))
                @if let Some(list) = &import.list_name { " · adding to list " strong { (list) } }
            }
            progress max="100" value=(import.percent.unwrap_or(0)) aria-label="Progress" { (import.percent.unwrap_or(0)) "%" }
            p {
                (import.rows_read) " rows read: " (import.created) " created, " (import.merged)
                " merged into existing contacts, " (import.invalid) " refused."
            }
            @if let Some(error) = &import.error { p.error role="alert" { (error) } }
            @let errors = import.errors.as_deref().unwrap_or_default();
            @if !errors.is_empty() {
                h2 { "Refused rows" }
                @if (errors.len() as i64) < import.invalid {
                    p.muted { "The first " (errors.len()) " of " (import.invalid) " are kept." }
                }
                table #refused {
                    thead { tr { th { "Line" } th { "Column" } th { "Reason" } } }
                    tbody {
                        @for e in errors {
                            tr { td { (e.line) } td { (e.field.as_deref().unwrap_or("—")) } td { (e.reason) } }
                        }
                    }
                }
            }
        }
    };
    Ok(page(
        &format!("Import of {}", import.file_name),
        &user.0,
        "/contacts",
        body,
    ))
}
