//! Running an import: one thread reads the CSV and checks its rows (the `csv` crate over a
//! reader, one reused record: memory holds a batch or two, never the file), and hands full
//! batches over a channel of two to the writer, which writes each in one transaction with the
//! import's counters. Reading the next batch overlaps writing the last.

use std::io::Read;
use std::time::Instant;

use tokio::sync::mpsc;

use super::batch::Batch;
use super::model::Columns;
use super::row::{RowError, read_row};
use super::store::{self, BatchCounts};
use super::upsert;
use crate::ids::{ImportId, OrgId};
use crate::services::Services;

/// Rows per batch (and per transaction).
pub const BATCH_ROWS: usize = 2000;

/// What an import reads and where its rows go.
#[derive(Clone, Debug)]
pub struct Plan {
    pub org: OrgId,
    pub id: ImportId,
    pub columns: Columns,
    pub country: Option<String>,
    pub list: Option<i64>,
    pub bytes_total: Option<u64>,
}

/// How far an import has come.
#[derive(Clone, Debug, Default)]
pub struct Progress {
    pub bytes_read: u64,
    pub bytes_total: Option<u64>,
    pub rows_read: u64,
    pub created: u64,
    pub merged: u64,
    pub invalid: u64,
    /// The first refused rows (up to [`FIRST_ERRORS`]), for a summary.
    pub first_errors: Vec<RowError>,
    pub seconds: f64,
}

/// Refused rows a [`Progress`] carries for a summary.
pub const FIRST_ERRORS: usize = 20;

/// Runs `plan` over the CSV `file` (read from its start, header included) and ends the
/// import's record: done, or failed with the error (also returned). `on_batch` sees the
/// progress after each batch.
pub async fn run<R: Read + Send + 'static>(
    services: &Services,
    plan: Plan,
    file: R,
    mut on_batch: impl FnMut(&Progress) + Send,
) -> anyhow::Result<Progress> {
    let started = Instant::now();
    let (batches, mut incoming) = mpsc::channel::<Batch>(2);
    let reader = {
        let plan = plan.clone();
        tokio::task::spawn_blocking(move || read_batches(&plan, file, &batches))
    };
    let mut progress = Progress {
        bytes_total: plan.bytes_total,
        ..Progress::default()
    };
    let written = async {
        let mut kept = 0;
        while let Some(batch) = incoming.recv().await {
            kept += write(services, &plan, batch, kept, &mut progress).await?;
            progress.seconds = started.elapsed().as_secs_f64();
            on_batch(&progress);
        }
        anyhow::Ok(())
    }
    .await;
    drop(incoming);
    let read = reader
        .await
        .map_err(|e| anyhow::anyhow!("the reader stopped: {e}"))
        .and_then(|r| r);
    let outcome = written.and(read);
    let now = services.clock.now_ms();
    let error = outcome.as_ref().err().map(|e| format!("{e:#}"));
    store::finish(&services.db, plan.org, plan.id, error.as_deref(), now).await?;
    outcome?;
    progress.seconds = started.elapsed().as_secs_f64();
    Ok(progress)
}

/// Writes one batch and its counts in one transaction; returns how many refused rows it kept.
async fn write(
    services: &Services,
    plan: &Plan,
    batch: Batch,
    kept: u64,
    progress: &mut Progress,
) -> anyhow::Result<u64> {
    let now = services.clock.now_ms();
    let mut tx = services.db.write().await?;
    let written = upsert::write_batch(&mut tx, plan.org, &batch.rows, plan.list, now).await?;
    let mut errors = batch.errors;
    errors.extend(written.refused);
    errors.sort_by_key(|e| e.line);
    let counts = BatchCounts {
        bytes_read: batch.bytes_read,
        rows_read: batch.rows_read,
        created: written.created,
        merged: batch.merged + written.merged,
        invalid: errors.len() as u64,
    };
    let newly_kept = store::keep_errors(&mut tx, plan.id, &errors, kept).await?;
    store::record_batch(&mut tx, plan.org, plan.id, &counts, now).await?;
    tx.commit().await?;
    progress.bytes_read = counts.bytes_read;
    progress.rows_read += counts.rows_read;
    progress.created += counts.created;
    progress.merged += counts.merged;
    progress.invalid += counts.invalid;
    let room = FIRST_ERRORS.saturating_sub(progress.first_errors.len());
    progress.first_errors.extend(errors.into_iter().take(room));
    Ok(newly_kept)
}

/// The reading thread: rows into batches, each sent when full (and the last when the file
/// ends). Stops early when the writer has gone.
fn read_batches(plan: &Plan, file: impl Read, out: &mpsc::Sender<Batch>) -> anyhow::Result<()> {
    let mut csv = super::file::csv_reader(file);
    let mut record = csv::StringRecord::new();
    let mut batch = Batch::with_capacity(BATCH_ROWS);
    let country = plan.country.as_deref();
    loop {
        let more = csv
            .read_record(&mut record)
            .map_err(|e| anyhow::anyhow!("reading the CSV: {e}"))?;
        if !more {
            break;
        }
        let line = record.position().map_or(0, |p| p.line());
        let cells: Vec<&str> = record.iter().collect();
        batch.push(read_row(&plan.columns, &cells, line, country));
        if batch.is_full() {
            batch.bytes_read = csv.position().byte();
            let full = std::mem::replace(&mut batch, Batch::with_capacity(BATCH_ROWS));
            if out.blocking_send(full).is_err() {
                return Ok(());
            }
        }
    }
    batch.bytes_read = csv.position().byte();
    if batch.rows_read > 0 || batch.bytes_read > 0 {
        let _ = out.blocking_send(batch);
    }
    Ok(())
}
