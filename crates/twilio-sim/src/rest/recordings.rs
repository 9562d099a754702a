//! `Recordings/{Sid}.json` and the audio at `.wav`, `.mp3` (and the bare SID, which is WAV).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::error::RestError;
use super::{json, media, split_file};
use crate::sim::Simulator;

pub async fn fetch(
    State(sim): State<Simulator>,
    Path((_account, file)): Path<(String, String)>,
) -> Result<Response, RestError> {
    let (sid, ext) = split_file(&file);
    let record = sim.inner.store.lock().recordings.get(sid).cloned();
    let record = record.ok_or_else(|| {
        RestError::not_found(&format!("{}/Recordings/{file}", sim.inner.account_prefix()))
    })?;
    Ok(match ext {
        "json" => Json(json::recording(&sim.inner, &record)).into_response(),
        "mp3" => (
            [(header::CONTENT_TYPE, "audio/mpeg")],
            media::mp3(record.duration),
        )
            .into_response(),
        "wav" | "" => (
            [(header::CONTENT_TYPE, "audio/x-wav")],
            media::wav(record.duration),
        )
            .into_response(),
        _ => return Err(RestError::not_found(&file)),
    })
}
