//! The control API under `/sim/`: place inbound calls and texts, script numbers, read
//! transcripts and the log of what clients sent. JSON in and out, no authentication (bind the simulator to loopback).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::behaviour::Behaviour;
use crate::error::SimError;
use crate::sim::Simulator;

pub fn router(sim: Simulator) -> Router {
    Router::new()
        .route("/sim/calls", post(place_call))
        .route("/sim/calls/{sid}", get(call_status))
        .route("/sim/calls/{sid}/transcript", get(transcript))
        .route("/sim/messages", post(deliver_text))
        .route("/sim/outbound", get(outbound))
        .route("/sim/messages/{sid}", get(message_log))
        .route(
            "/sim/numbers/{number}",
            get(get_behaviour).put(put_behaviour),
        )
        .route("/sim/clicks", get(clicks))
        .with_state(sim)
}

/// A control API error: `{"error": {"code", "message", "field"?}}`.
#[derive(Debug)]
pub struct ControlError {
    status: StatusCode,
    code: &'static str,
    message: String,
    field: Option<String>,
}

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(field) = self.field {
            error["field"] = json!(field);
        }
        (self.status, Json(json!({ "error": error }))).into_response()
    }
}

impl From<SimError> for ControlError {
    fn from(e: SimError) -> Self {
        let (status, code, field) = match &e {
            SimError::UnknownNumber(_) => (
                StatusCode::NOT_FOUND,
                "unknown_number",
                Some("to".to_owned()),
            ),
            SimError::NoUrl { .. } => (StatusCode::CONFLICT, "no_url", Some("to".to_owned())),
            SimError::Invalid { field, .. } => (
                StatusCode::BAD_REQUEST,
                "invalid",
                Some((*field).to_owned()),
            ),
        };
        ControlError {
            status,
            code,
            message: e.to_string(),
            field,
        }
    }
}

fn not_found(what: &str) -> ControlError {
    ControlError {
        status: StatusCode::NOT_FOUND,
        code: "not_found",
        message: format!("no {what}"),
        field: None,
    }
}

/// Parses a JSON body; a failure is a 400 naming the field serde complained about.
fn parse_json<T: DeserializeOwned>(body: &Bytes) -> Result<T, ControlError> {
    serde_json::from_slice(body).map_err(|e| {
        let message = e.to_string();
        let field = message.split('`').nth(1).map(str::to_owned);
        ControlError {
            status: StatusCode::BAD_REQUEST,
            code: "bad_json",
            message,
            field,
        }
    })
}

fn required(field: &'static str, value: &str) -> Result<(), ControlError> {
    if value.trim().is_empty() {
        return Err(SimError::Invalid {
            field,
            message: "must not be empty".into(),
        }
        .into());
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlaceCall {
    from: String,
    to: String,
    behaviour: Option<Behaviour>,
}

async fn place_call(
    State(sim): State<Simulator>,
    body: Bytes,
) -> Result<impl IntoResponse, ControlError> {
    let req: PlaceCall = parse_json(&body)?;
    required("from", &req.from)?;
    let sid = sim
        .place_inbound_call(&req.from, &req.to, req.behaviour)
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "sid": sid }))))
}

async fn call_status(
    State(sim): State<Simulator>,
    Path(sid): Path<String>,
) -> Result<impl IntoResponse, ControlError> {
    let status = sim
        .call_status(&sid)
        .ok_or_else(|| not_found("such call"))?;
    Ok(Json(
        json!({ "sid": sid, "status": status, "final": status.is_final() }),
    ))
}

async fn transcript(
    State(sim): State<Simulator>,
    Path(sid): Path<String>,
) -> Result<impl IntoResponse, ControlError> {
    let transcript = sim.transcript(&sid).ok_or_else(|| not_found("such call"))?;
    Ok(Json(transcript))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeliverText {
    from: String,
    to: String,
    body: String,
}

async fn deliver_text(
    State(sim): State<Simulator>,
    body: Bytes,
) -> Result<impl IntoResponse, ControlError> {
    let req: DeliverText = parse_json(&body)?;
    required("from", &req.from)?;
    let sid = sim
        .deliver_inbound_message(&req.from, &req.to, &req.body)
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "sid": sid }))))
}

async fn message_log(
    State(sim): State<Simulator>,
    Path(sid): Path<String>,
) -> Result<impl IntoResponse, ControlError> {
    let events = sim
        .message_events(&sid)
        .ok_or_else(|| not_found("such message"))?;
    let status = sim.message_status(&sid);
    Ok(Json(
        json!({ "sid": sid, "status": status, "events": events }),
    ))
}

/// `GET /sim/outbound`: every text and call clients created, in order, with the instant the
/// simulator took it to the microsecond (`DateCreated` has whole seconds, too coarse to time a
/// rate by).
async fn outbound(State(sim): State<Simulator>) -> impl IntoResponse {
    let created = |at: jiff::Timestamp| at.round(jiff::Unit::Microsecond).unwrap_or(at).to_string();
    let (messages, calls) = sim.outbound();
    let messages: Vec<_> = messages
        .into_iter()
        .map(|m| json!({ "sid": m.sid, "from": m.from, "to": m.to, "body": m.body, "created": created(m.date_created) }))
        .collect();
    let calls: Vec<_> = calls
        .into_iter()
        .map(|c| json!({ "sid": c.sid, "from": c.from, "to": c.to, "created": created(c.date_created) }))
        .collect();
    Json(json!({ "messages": messages, "calls": calls }))
}

async fn put_behaviour(
    State(sim): State<Simulator>,
    Path(number): Path<String>,
    body: Bytes,
) -> Result<impl IntoResponse, ControlError> {
    let behaviour: Behaviour = parse_json(&body)?;
    behaviour.validate().map_err(|message| {
        let field = message.split_whitespace().next().map(str::to_owned);
        ControlError {
            status: StatusCode::BAD_REQUEST,
            code: "invalid",
            message,
            field,
        }
    })?;
    sim.set_behaviour(&number, behaviour.clone());
    Ok(Json(behaviour))
}

async fn get_behaviour(
    State(sim): State<Simulator>,
    Path(number): Path<String>,
) -> impl IntoResponse {
    Json(sim.behaviour(&number))
}

async fn clicks(State(sim): State<Simulator>) -> impl IntoResponse {
    let clicks: Vec<_> = sim
        .link_clicks()
        .into_iter()
        .map(|(number, url, status)| json!({ "number": number, "url": url, "status": status }))
        .collect();
    Json(clicks)
}
