//! `/api/v1/contacts/import`, `/imports` and `/export`: start a CSV import (202 with the
//! import's id and where to read its progress), read imports with their refused rows, and
//! export contacts as CSV, streamed.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures::StreamExt as _;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::Role;
use crate::contacts::import::export::Export;
use crate::contacts::import::file::ImportError;
use crate::contacts::import::model::{percent, stalled};
use crate::contacts::import::store::{self, ImportRecord, ImportStatus, ListTarget};
use crate::contacts::import::upload::{self, ImportParams};
use crate::http::{ApiCaller, AppError, AppResult, Json};
use crate::ids::ImportId;
use crate::services::Services;

pub fn router() -> Router<Services> {
    Router::new()
        .route("/api/v1/contacts/imports", get(list_imports))
        .route("/api/v1/contacts/imports/{id}", get(get_import))
        .route("/api/v1/contacts/export", get(export_contacts))
}

/// The upload, which takes files larger than the server's 2 MiB body limit: it counts the
/// bytes itself against `import_max_bytes` (see `app::router`).
pub fn uploads() -> Router<Services> {
    Router::new()
        .route("/api/v1/contacts/import", post(import_contacts))
        .layer(DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn(crate::http::metrics::track))
}

/// An import just started.
#[derive(Serialize, ToSchema)]
pub struct ImportStarted {
    pub id: ImportId,
    pub status: ImportStatus,
    /// Where to read its progress.
    pub url: String,
}

/// An import: its progress, counters and (when asked for one) refused rows.
#[derive(Serialize, ToSchema)]
pub struct ImportView {
    pub id: ImportId,
    pub file_name: String,
    /// running, done or failed.
    pub status: ImportStatus,
    pub default_country: Option<String>,
    pub list_id: Option<i64>,
    pub list_name: Option<String>,
    pub bytes_total: Option<i64>,
    pub bytes_read: i64,
    /// Through the file, 0 to 100.
    pub percent: Option<i64>,
    pub rows_read: i64,
    pub created: i64,
    pub merged: i64,
    /// Rows refused; the first 1,000 are kept in `errors`.
    pub invalid: i64,
    pub error: Option<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub finished_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<RowErrorView>>,
}

/// A refused row.
#[derive(Serialize, ToSchema)]
pub struct RowErrorView {
    /// The row's line in the file (the header is line 1).
    pub line: i64,
    /// The column at fault, when one is.
    pub field: Option<String>,
    pub reason: String,
}

/// The organisation's imports, newest first.
#[derive(Serialize, ToSchema)]
pub struct ImportList {
    pub imports: Vec<ImportView>,
}

impl ImportView {
    pub fn new(r: ImportRecord, now: i64) -> ImportView {
        let gone = r.status == ImportStatus::Running && stalled(r.updated_at, now);
        let (status, error) = if gone {
            let why = "the import stopped halfway (its server stopped); import the file again: \
                       rows already imported merge by phone";
            (ImportStatus::Failed, Some(why.to_string()))
        } else {
            (r.status, r.error)
        };
        ImportView {
            id: r.id,
            file_name: r.file_name,
            status,
            default_country: r.default_country,
            list_id: r.list_id,
            list_name: r.list_name,
            bytes_total: r.bytes_total,
            bytes_read: r.bytes_read,
            percent: percent(r.bytes_read, r.bytes_total, status == ImportStatus::Done),
            rows_read: r.rows_read,
            created: r.created,
            merged: r.merged,
            invalid: r.invalid,
            error,
            created_at: crate::clock::from_ms(r.created_at).to_string(),
            finished_at: r.finished_at.map(|t| crate::clock::from_ms(t).to_string()),
            errors: None,
        }
    }
}

#[utoipa::path(post, path = "/api/v1/contacts/import", tag = "contacts", security(("bearer" = [])),
    params(ImportParams),
    request_body(content = String, description = "the CSV (text/csv), or a multipart form with a `file` part and the parameters as parts",
        content_type = "text/csv"),
    responses((status = 202, body = ImportStarted, description = "the import runs; read its progress at `url`"),
        (status = 400, description = "not a CSV text file, no phone column in the header, or a bad parameter"),
        (status = 413, description = "larger than the configured limit (SWITCHBOARD_IMPORT_MAX_BYTES, 512 MiB by default)")))]
pub async fn import_contacts(
    State(services): State<Services>,
    caller: ApiCaller,
    Query(params): Query<ImportParams>,
    request: Request,
) -> Result<Response, Response> {
    caller
        .require(Role::Manager)
        .map_err(IntoResponse::into_response)?;
    let limit = services.config.import_max_bytes;
    let refuse = |e: ImportError| refusal(e, limit);
    if content_length(request.headers()).is_some_and(|n| n > limit) {
        return Err(refuse(ImportError::TooLarge { limit }));
    }
    let (spool, params) = match content_type(request.headers()).as_str() {
        "multipart/form-data" => {
            let form = Multipart::from_request(request, &services)
                .await
                .map_err(IntoResponse::into_response)?;
            let upload = upload::read_form(form, &services).await.map_err(refuse)?;
            let params = params
                .with_form(&upload.fields)
                .map_err(|e| refuse(e.into()))?;
            (upload.spool, params)
        }
        "text/csv" | "text/plain" | "application/csv" | "application/vnd.ms-excel" | "" => {
            let spool = upload::read_body(request.into_body(), &services)
                .await
                .map_err(refuse)?;
            (spool, params)
        }
        other => {
            let message =
                format!("'{other}' is not CSV: send text/csv or a multipart form with a file part");
            return Err(AppError::field("Content-Type", message).into_response());
        }
    };
    let options = params.options("upload.csv").map_err(|e| refuse(e.into()))?;
    let id = upload::start(&services, caller.org, spool, &options)
        .await
        .map_err(refuse)?;
    let url = format!("/api/v1/contacts/imports/{id}");
    let started = ImportStarted {
        id,
        status: ImportStatus::Running,
        url: url.clone(),
    };
    Ok((
        StatusCode::ACCEPTED,
        [(header::LOCATION, url)],
        Json(started),
    )
        .into_response())
}

fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// The media type without its parameters, lower-case ("" when absent).
fn content_type(headers: &HeaderMap) -> String {
    let value = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// A whole-file refusal as the API answers it (413 for size, in the usual error shape).
pub fn refusal(e: ImportError, limit: u64) -> Response {
    match e {
        ImportError::TooLarge { .. } => {
            let message = format!(
                "the file is larger than the upload limit of {limit} bytes ({} MiB); split it, or import it with `switchboard contacts import`",
                limit / (1024 * 1024)
            );
            let body = serde_json::json!({ "error": {
                "code": "payload_too_large", "message": message, "field": "file" } });
            (StatusCode::PAYLOAD_TOO_LARGE, axum::Json(body)).into_response()
        }
        ImportError::Invalid(invalid) => AppError::from(invalid).into_response(),
        ImportError::Cut(why) => {
            AppError::field("file", format!("the upload was cut short: {why}")).into_response()
        }
        ImportError::Store(e) => AppError::from(e).into_response(),
        ImportError::Io(e) => {
            AppError::Internal(anyhow::Error::from(e).context("spooling an upload")).into_response()
        }
    }
}

/// How many imports to list.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    /// 1 to 200; default 50.
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/contacts/imports", tag = "contacts", security(("bearer" = [])),
    params(ListParams), responses((status = 200, body = ImportList)))]
pub async fn list_imports(
    State(services): State<Services>,
    caller: ApiCaller,
    Query(params): Query<ListParams>,
) -> AppResult<Json<ImportList>> {
    caller.require(Role::Viewer)?;
    let limit = params.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(AppError::field("limit", "must be from 1 to 200"));
    }
    let now = services.clock.now_ms();
    let records = store::list(&services.db, caller.org, limit).await?;
    let imports = records
        .into_iter()
        .map(|r| ImportView::new(r, now))
        .collect();
    Ok(Json(ImportList { imports }))
}

#[utoipa::path(get, path = "/api/v1/contacts/imports/{id}", tag = "contacts", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = ImportView, description = "with the refused rows (the first 1,000) by line"),
        (status = 404, description = "no such import in your organisation")))]
pub async fn get_import(
    State(services): State<Services>,
    caller: ApiCaller,
    Path(id): Path<ImportId>,
) -> AppResult<Json<ImportView>> {
    caller.require(Role::Viewer)?;
    Ok(Json(import_with_errors(&services, caller.org, id).await?))
}

/// An import with its kept refused rows (the dashboard's page reads it too).
pub async fn import_with_errors(
    services: &Services,
    org: crate::ids::OrgId,
    id: ImportId,
) -> AppResult<ImportView> {
    let record = store::get(&services.db, org, id).await?;
    let errors = store::errors(&services.db, org, id).await?;
    let mut view = ImportView::new(record, services.clock.now_ms());
    view.errors = Some(
        errors
            .into_iter()
            .map(|e| RowErrorView {
                line: e.line,
                field: e.field,
                reason: e.reason,
            })
            .collect(),
    );
    Ok(view)
}

/// Which contacts to export.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct ExportParams {
    /// Only this static list's members.
    pub list_id: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/contacts/export", tag = "contacts", security(("bearer" = [])),
    params(ExportParams),
    responses((status = 200, content_type = "text/csv", body = String,
        description = "id, first_name, last_name, phone, other_phones, email, time_zone, tags, then one column per custom field")))]
pub async fn export_contacts(
    State(services): State<Services>,
    caller: ApiCaller,
    Query(params): Query<ExportParams>,
) -> AppResult<Response> {
    caller.require(Role::Manager)?;
    let list = match params.list_id {
        Some(id) => Some(store::static_list(&services.db, caller.org, &ListTarget::Id(id)).await?),
        None => None,
    };
    let export = Export::new(&services.db, caller.org, list).await?;
    Ok(csv_response(services, export, "contacts.csv"))
}

/// `export` as a streamed CSV download: a page of contacts at a time.
pub fn csv_response(services: Services, export: Export, file_name: &str) -> Response {
    let first = Bytes::from(export.header());
    let pages = futures::stream::unfold(Some(0), move |after| {
        let (services, export) = (services.clone(), export.clone());
        async move {
            let after = after?;
            match export.page(&services.db, after).await {
                Ok((_, None)) => None,
                Ok((rows, Some(last))) => Some((Ok(Bytes::from(rows)), Some(last))),
                Err(e) => {
                    tracing::error!(error = %e, "a contacts export stopped");
                    Some((Err(std::io::Error::other("the export stopped")), None))
                }
            }
        }
    });
    let body = futures::stream::once(async { Ok::<_, std::io::Error>(first) }).chain(pages);
    let disposition = format!("attachment; filename=\"{file_name}\"");
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        Body::from_stream(body),
    )
        .into_response()
}
