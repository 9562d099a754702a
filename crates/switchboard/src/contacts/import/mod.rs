//! CSV import and export of contacts (API, dashboard and CLI share this).
//!
//! An import is checked as a whole first (text, size, a header with a phone column: see
//! [`file`]); only then is its record created and its rows read in batches ([`run`]): each
//! row checked on its own ([`row`]: a refused row is reported by line and reason, the others
//! still import), rows of one batch merged by phone ([`batch`]), and each batch written in
//! one transaction ([`upsert`]) with the import's counters ([`store`]). [`export`] streams an
//! organisation's contacts back out as CSV in the columns an import recognises.

pub mod batch;
pub mod cli;
pub mod export;
pub mod file;
pub mod headers;
pub mod model;
pub mod row;
pub mod run;
pub mod store;
pub mod upload;
pub mod upsert;

use std::path::Path;

use crate::ids::OrgId;
use crate::services::Services;
use file::ImportError;
use model::Field;
use store::{ListTarget, NewImport};

/// What the person importing chose.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub file_name: String,
    /// Reads national numbers; `None`: every number needs its `+` and country code.
    pub country: Option<String>,
    pub list: Option<ListTarget>,
    pub mapping: Vec<(String, Field)>,
}

/// Reads the header of the checked text file at `path` (`bytes` long) and records a running
/// import of it: the plan [`run::run`] carries out. Nothing is written when the header is
/// refused.
pub async fn begin(
    services: &Services,
    org: OrgId,
    path: &Path,
    bytes: u64,
    options: &Options,
) -> Result<run::Plan, ImportError> {
    let file = std::fs::File::open(path)?;
    let columns = file::read_header(std::io::BufReader::new(file), &options.mapping)?;
    let new = NewImport {
        file_name: options.file_name.chars().take(255).collect(),
        default_country: options.country.clone(),
        list: options.list.clone(),
        bytes_total: i64::try_from(bytes).ok(),
    };
    let now = services.clock.now_ms();
    let id = store::create(&services.db, org, &new, now).await?;
    let list = store::get(&services.db, org, id).await?.list_id;
    Ok(run::Plan {
        org,
        id,
        columns,
        country: options.country.clone(),
        list,
        bytes_total: Some(bytes),
    })
}
