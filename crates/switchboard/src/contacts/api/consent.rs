//! `GET /api/v1/consent/{phone}`: a number's consent on each channel and its whole history;
//! `POST` the same path to opt it out or back in by hand (source `api`). A number is not a
//! record of any one organisation: another organisation sees its own ledger for the number,
//! which is empty (every channel opted in, no history) unless it recorded something itself.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::Role;
use crate::clock::from_ms;
use crate::contacts::model::consent::{Channel, ConsentSource, clean_note};
use crate::contacts::store::consent::{self, ConsentEvent};
use crate::http::{ApiCaller, AppError, AppResult, Json};
use crate::ids::OrgId;
use crate::services::Services;

pub fn router() -> Router<Services> {
    Router::new().route(
        "/api/v1/consent/{phone}",
        get(get_consent).post(change_consent),
    )
}

/// One change of a number's consent.
#[derive(Serialize, ToSchema)]
pub struct ConsentChange {
    pub channel: Channel,
    pub opted_in: bool,
    /// keyword, reply, dashboard, api, ivr-key, import or carrier.
    pub source: ConsentSource,
    pub note: Option<String>,
    /// RFC 3339.
    pub at: String,
}

/// Where a number stands on one channel.
#[derive(Serialize, ToSchema)]
pub struct ChannelConsent {
    /// False only after an opt-out not followed by an opt-in.
    pub opted_in: bool,
    /// The latest change; none when the number never opted out or in.
    pub since: Option<String>,
    pub source: Option<ConsentSource>,
}

/// A number's consent in this organisation.
#[derive(Serialize, ToSchema)]
pub struct Consent {
    /// E.164.
    pub phone: String,
    pub sms: ChannelConsent,
    pub voice: ChannelConsent,
    /// Every change, oldest first.
    pub history: Vec<ConsentChange>,
}

impl Consent {
    /// From the ledger's events, newest first (as the store gives them).
    pub fn from_events(phone: String, newest_first: &[ConsentEvent]) -> Consent {
        let on = |channel: Channel| {
            let latest = newest_first.iter().find(|e| e.channel == channel);
            ChannelConsent {
                opted_in: latest.is_none_or(|e| e.opted_in),
                since: latest.map(|e| from_ms(e.created_at).to_string()),
                source: latest.map(|e| e.source),
            }
        };
        Consent {
            sms: on(Channel::Sms),
            voice: on(Channel::Voice),
            history: newest_first
                .iter()
                .rev()
                .map(|e| ConsentChange {
                    channel: e.channel,
                    opted_in: e.opted_in,
                    source: e.source,
                    note: e.note.clone(),
                    at: from_ms(e.created_at).to_string(),
                })
                .collect(),
            phone,
        }
    }
}

/// An opt-out or opt-in by hand.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentRequest {
    /// sms or voice.
    pub channel: Channel,
    /// false opts the number out, true back in.
    pub opted_in: bool,
    /// Why, for the history (at most 500 characters).
    pub note: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/consent/{phone}", tag = "contacts", security(("bearer" = [])),
    params(("phone" = String, Path, description = "E.164, e.g. +14155550100 (national numbers of the +1 plan too)")),
    responses((status = 200, body = Consent, description = "the number's consent per channel and its history"),
        (status = 422, description = "`phone` is not a phone number")))]
pub async fn get_consent(
    State(services): State<Services>,
    caller: ApiCaller,
    Path(phone): Path<String>,
) -> AppResult<Json<Consent>> {
    caller.require(Role::Viewer)?;
    let phone = parse_phone(&phone)?;
    Ok(Json(load(&services, caller.org, phone).await?))
}

#[utoipa::path(post, path = "/api/v1/consent/{phone}", tag = "contacts", security(("bearer" = [])),
    params(("phone" = String, Path, description = "E.164")),
    request_body = ConsentRequest,
    responses((status = 201, body = Consent, description = "recorded (source api); the number's consent now"),
        (status = 400, description = "a field of the body is invalid"),
        (status = 403, description = "opting a number back in takes a manager"),
        (status = 422, description = "`phone` is not a phone number")))]
pub async fn change_consent(
    State(services): State<Services>,
    caller: ApiCaller,
    Path(phone): Path<String>,
    Json(req): Json<ConsentRequest>,
) -> AppResult<(StatusCode, Json<Consent>)> {
    // Opting out protects the person, so any agent may; opting back in overrides their
    // word, so it takes a manager.
    caller.require(if req.opted_in {
        Role::Manager
    } else {
        Role::Agent
    })?;
    let phone = parse_phone(&phone)?;
    let event = ConsentEvent {
        phone: phone.clone(),
        channel: req.channel,
        opted_in: req.opted_in,
        source: ConsentSource::Api,
        note: clean_note(req.note.as_deref())?,
        created_at: services.clock.now_ms(),
    };
    consent::record(&services.db, caller.org, &event).await?;
    tracing::info!(org = %caller.org, channel = %req.channel, opted_in = req.opted_in, "consent changed by hand through the API");
    Ok((
        StatusCode::CREATED,
        Json(load(&services, caller.org, phone).await?),
    ))
}

/// `phone` as E.164, or a 422 naming `phone`.
pub fn parse_phone(phone: &str) -> AppResult<String> {
    crate::telephony::parse_e164(phone).map_err(|message| AppError::Unprocessable {
        field: "phone".into(),
        message,
    })
}

async fn load(services: &Services, org: OrgId, phone: String) -> AppResult<Consent> {
    let events = consent::history(&services.db, org, &phone).await?;
    Ok(Consent::from_events(phone, &events))
}
