//! `Messages.json`: create, fetch and list.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use twilio::resources::{MessagePage, MessageResource};

use super::error::{RestError, is_e164};
use super::form::Form;
use super::paging::PageRequest;
use super::{json, split_file};
use crate::messages::{self, OutboundText};
use crate::sim::Simulator;

/// Twilio's longest body.
const MAX_BODY_CHARS: usize = 1600;

pub async fn create(
    State(sim): State<Simulator>,
    Path(account): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<MessageResource>), RestError> {
    let form = Form::from_body(&body);
    let mut text = parse_create(&sim, &form)?;
    let account = account.trim_end_matches(".json");
    if account != sim.inner.cfg.account_sid {
        text.account_sid = Some(account.to_owned());
    }
    let to = text.to.clone();
    let record = messages::create(&sim.inner, text).map_err(|code| {
        RestError::bad(
            code,
            format!("Attempt to send to unsubscribed recipient {to}"),
        )
    })?;
    Ok((
        StatusCode::CREATED,
        Json(json::message(&sim.inner, &record)),
    ))
}

fn parse_create(sim: &Simulator, form: &Form) -> Result<OutboundText, RestError> {
    let to = form
        .get("To")
        .ok_or_else(|| RestError::bad(21604, "A 'To' phone number is required."))?;
    let service = form.get("MessagingServiceSid").map(str::to_owned);
    let from = match (form.get("From"), &service) {
        (Some(from), _) => from.to_owned(),
        (None, Some(_)) => {
            let state = sim.inner.store.lock();
            let first = state.numbers.first().map(|n| n.phone_number.clone());
            first.ok_or_else(|| {
                RestError::bad(21603, "The Messaging Service has no phone numbers.")
            })?
        }
        (None, None) => return Err(RestError::bad(21603, "A 'From' phone number is required.")),
    };
    let media = form.all("MediaUrl");
    let body = form.get("Body").unwrap_or_default().to_owned();
    if body.is_empty() && media.is_empty() {
        return Err(RestError::bad(21602, "Message body is required."));
    }
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(RestError::bad(
            21617,
            "The concatenated message body exceeds the 1600 character limit.",
        ));
    }
    if let Some(e) = RestError::for_magic_to(to) {
        return Err(e);
    }
    if !is_e164(to) {
        return Err(RestError::bad(
            21211,
            format!("The 'To' number {to} is not a valid phone number."),
        ));
    }
    if let Some(e) = RestError::for_magic_from(&from) {
        return Err(e);
    }
    let status_callback = match form.url("StatusCallback", 21609)? {
        Some(url) => Some((url, form.method("StatusCallbackMethod")?)),
        None => None,
    };
    Ok(OutboundText {
        from,
        to: to.to_owned(),
        body,
        num_media: media.len() as u32,
        status_callback,
        validity_secs: form.number("ValidityPeriod", 1..=36_000)?,
        direction: "outbound-api",
        messaging_service_sid: service,
        account_sid: None,
    })
}

pub async fn fetch(
    State(sim): State<Simulator>,
    Path((_account, file)): Path<(String, String)>,
) -> Result<Json<MessageResource>, RestError> {
    let (sid, _) = split_file(&file);
    let record = sim.inner.store.lock().messages.get(sid).cloned();
    let record = record.ok_or_else(|| {
        RestError::not_found(&format!("{}/Messages/{file}", sim.inner.account_prefix()))
    })?;
    Ok(Json(json::message(&sim.inner, &record)))
}

pub async fn list(
    State(sim): State<Simulator>,
    RawQuery(query): RawQuery,
) -> Result<Json<MessagePage>, RestError> {
    let query = Form::parse(query.unwrap_or_default().as_bytes());
    let page = PageRequest::from_query(&query)?;
    if let Some(d) = query.get("DateSent")
        && d.parse::<jiff::civil::Date>().is_err()
    {
        return Err(RestError::bad(
            20001,
            format!("DateSent must be YYYY-MM-DD, got {d:?}"),
        ));
    }
    let filters: Vec<(String, String)> = ["To", "From", "DateSent"]
        .iter()
        .filter_map(|n| query.get(n).map(|v| ((*n).to_owned(), v.to_owned())))
        .collect();
    let matching: Vec<_> = {
        let state = sim.inner.store.lock();
        state
            .message_order
            .iter()
            .rev()
            .filter_map(|sid| state.messages.get(sid))
            .filter(|m| {
                filters.iter().all(|(n, v)| match n.as_str() {
                    "To" => &m.to == v,
                    "From" => &m.from == v,
                    _ => m
                        .date_sent
                        .is_some_and(|s| s.strftime("%Y-%m-%d").to_string() == *v),
                })
            })
            .cloned()
            .collect()
    };
    let path = format!("{}/Messages.json", sim.inner.account_prefix());
    let meta = page.meta(&path, &filters, matching.len());
    let messages = matching[page.range(matching.len())]
        .iter()
        .map(|m| json::message(&sim.inner, m))
        .collect();
    Ok(Json(MessagePage {
        messages,
        page: meta.page,
        page_size: meta.page_size,
        first_page_uri: meta.first_page_uri,
        next_page_uri: meta.next_page_uri,
        previous_page_uri: meta.previous_page_uri,
        uri: meta.uri,
        start: meta.start,
        end: meta.end,
    }))
}
