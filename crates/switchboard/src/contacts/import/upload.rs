//! An import sent over HTTP (the API's and the dashboard's): the body, raw CSV or a
//! multipart form with a `file` part, is spooled to disk as it arrives (checked for text and
//! size on the way), the options are read from the query or the form's other parts, and the
//! import then runs in a task of its own while the request is answered at once.

use std::collections::HashMap;
use std::io::BufReader;

use axum::body::Body;
use axum::extract::Multipart;
use futures::TryStreamExt as _;

use super::file::{ImportError, Spool, spool};
use super::store::ListTarget;
use super::{Options, model, run};
use crate::error::Invalid;
use crate::ids::{ImportId, OrgId};
use crate::services::Services;

/// The most a form's text part (an option) may hold.
const OPTION_BYTES: usize = 4096;

/// An uploaded file and the form's other parts.
pub struct Upload {
    pub spool: Spool,
    pub fields: HashMap<String, String>,
}

/// The options as sent (query parameters or form parts).
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct ImportParams {
    /// Two-letter country code for numbers written without + (e.g. US).
    pub default_country: Option<String>,
    /// A static list every imported contact joins.
    pub list_id: Option<i64>,
    /// A static list by name, created when missing.
    pub list_name: Option<String>,
    /// Column mappings, e.g. `Mobile:phone,Dept:field:dept`.
    pub mapping: Option<String>,
    /// The file's name as shown with the import (raw uploads).
    pub file_name: Option<String>,
}

impl ImportParams {
    /// Reads the form's parts over the query's (a form part wins).
    pub fn with_form(mut self, form: &HashMap<String, String>) -> Result<ImportParams, Invalid> {
        let text = |name: &str| {
            form.get(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        if let Some(v) = text("default_country") {
            self.default_country = Some(v);
        }
        if let Some(v) = text("list_id") {
            let id = v
                .parse()
                .map_err(|_| Invalid::new("list_id", format!("'{v}' is not a list id")))?;
            self.list_id = Some(id);
        }
        if let Some(v) = text("list_name") {
            self.list_name = Some(v);
        }
        if let Some(v) = text("mapping") {
            self.mapping = Some(v);
        }
        if let Some(v) = text("file_name") {
            self.file_name = Some(v);
        }
        Ok(self)
    }

    /// The options these parameters choose, for a file called `file_name`.
    pub fn options(&self, file_name: &str) -> Result<Options, Invalid> {
        let list = match (self.list_id, self.list_name.as_deref()) {
            (Some(_), Some(_)) => {
                return Err(Invalid::new(
                    "list_id",
                    "give list_id or list_name, not both",
                ));
            }
            (Some(id), None) => Some(ListTarget::Id(id)),
            (None, Some(name)) => Some(ListTarget::name(name)?),
            (None, None) => None,
        };
        let name = self.file_name.as_deref().unwrap_or(file_name);
        Ok(Options {
            file_name: crate::limits::text("file_name", name, 255)?,
            country: self
                .default_country
                .as_deref()
                .filter(|c| !c.trim().is_empty())
                .map(model::country)
                .transpose()?,
            list,
            mapping: model::parse_mapping(self.mapping.as_deref().unwrap_or(""))?,
        })
    }
}

/// Spools a raw CSV body.
pub async fn read_body(body: Body, services: &Services) -> Result<Spool, ImportError> {
    let limit = services.config.import_max_bytes;
    spool(body.into_data_stream(), &spool_dir(services), limit).await
}

/// Spools a multipart form's `file` part and keeps its other parts (short texts).
pub async fn read_form(mut form: Multipart, services: &Services) -> Result<Upload, ImportError> {
    let limit = services.config.import_max_bytes;
    let mut fields = HashMap::new();
    let mut file = None;
    let cut = |e: axum::extract::multipart::MultipartError| ImportError::Cut(e.body_text());
    while let Some(field) = form.next_field().await.map_err(cut)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("upload.csv").to_string();
            let spooled = spool(
                field.map_err(|e| e.body_text()),
                &spool_dir(services),
                limit,
            )
            .await?;
            fields.insert("file_name".to_string(), file_name);
            file = Some(spooled);
            continue;
        }
        let value = field.text().await.map_err(cut)?;
        if value.len() > OPTION_BYTES {
            return Err(Invalid::new(name, format!("is longer than {OPTION_BYTES} bytes")).into());
        }
        fields.insert(name, value);
    }
    let spool = file
        .ok_or_else(|| Invalid::new("file", "is missing: send the CSV as the form's file part"))?;
    Ok(Upload { spool, fields })
}

fn spool_dir(services: &Services) -> std::path::PathBuf {
    services.config.data_dir.join("imports")
}

/// Checks the spooled file's header and records the import, then runs it in a task of its
/// own (the spool is removed when it ends). Returns the import's id at once.
pub async fn start(
    services: &Services,
    org: OrgId,
    spool: Spool,
    options: &Options,
) -> Result<ImportId, ImportError> {
    let plan = super::begin(services, org, spool.path(), spool.bytes, options).await?;
    let id = plan.id;
    let file = std::fs::File::open(spool.path())?;
    let services = services.clone();
    tokio::spawn(async move {
        let reader = BufReader::with_capacity(256 * 1024, file);
        if let Err(e) = run::run(&services, plan, reader, |_| {}).await {
            tracing::warn!(import.id = %id, error = format!("{e:#}"), "a contacts import failed");
        }
        drop(spool);
    });
    Ok(id)
}
