//! `IncomingPhoneNumbers.json`: the account's numbers and where their calls and texts go.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use twilio::resources::{IncomingPhoneNumber, IncomingPhoneNumberPage};

use super::error::{RestError, is_e164};
use super::form::Form;
use super::paging::PageRequest;
use super::{json, split_file};
use crate::model::NumberRecord;
use crate::sim::Simulator;

pub async fn create(
    State(sim): State<Simulator>,
    Path(_account): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<IncomingPhoneNumber>), RestError> {
    let form = Form::from_body(&body);
    let phone = form
        .get("PhoneNumber")
        .ok_or_else(|| RestError::bad(21452, "PhoneNumber is required."))?;
    if !is_e164(phone) {
        return Err(RestError::bad(
            21421,
            format!("PhoneNumber {phone} is invalid."),
        ));
    }
    let now = sim.inner.clock.now();
    let mut record = NumberRecord {
        sid: twilio::resources::sid::new_sid("PN"),
        phone_number: phone.to_owned(),
        friendly_name: phone.to_owned(),
        voice_method: "POST".into(),
        voice_fallback_method: "POST".into(),
        status_callback_method: "POST".into(),
        sms_method: "POST".into(),
        sms_fallback_method: "POST".into(),
        date_created: Some(now),
        date_updated: Some(now),
        ..NumberRecord::default()
    };
    apply(&mut record, &form)?;
    let mut state = sim.inner.store.lock();
    if state.number_by_phone(phone).is_some() {
        return Err(RestError::bad(
            21422,
            format!("PhoneNumber {phone} is already in this account."),
        ));
    }
    state.numbers.push(record.clone());
    Ok((StatusCode::CREATED, Json(json::number(&sim.inner, &record))))
}

/// Applies the settable fields present in `form` (validating URLs and methods).
fn apply(record: &mut NumberRecord, form: &Form) -> Result<(), RestError> {
    let urls: [(&str, &mut Option<String>); 5] = [
        ("VoiceUrl", &mut record.voice_url),
        ("VoiceFallbackUrl", &mut record.voice_fallback_url),
        ("StatusCallback", &mut record.status_callback),
        ("SmsUrl", &mut record.sms_url),
        ("SmsFallbackUrl", &mut record.sms_fallback_url),
    ];
    for (name, field) in urls {
        if form.0.iter().any(|(k, v)| k == name && v.is_empty()) {
            *field = None;
        } else if let Some(url) = form.url(name, 21402)? {
            *field = Some(url);
        }
    }
    let methods: [(&str, &mut String); 5] = [
        ("VoiceMethod", &mut record.voice_method),
        ("VoiceFallbackMethod", &mut record.voice_fallback_method),
        ("StatusCallbackMethod", &mut record.status_callback_method),
        ("SmsMethod", &mut record.sms_method),
        ("SmsFallbackMethod", &mut record.sms_fallback_method),
    ];
    for (name, field) in methods {
        if form.get(name).is_some() {
            *field = form.method(name)?.as_str().to_owned();
        }
    }
    if let Some(name) = form.get("FriendlyName") {
        record.friendly_name = name.chars().take(64).collect();
    }
    Ok(())
}

fn find(sim: &Simulator, file: &str) -> Result<NumberRecord, RestError> {
    let (sid, _) = split_file(file);
    let found = sim
        .inner
        .store
        .lock()
        .numbers
        .iter()
        .find(|n| n.sid == sid)
        .cloned();
    found.ok_or_else(|| {
        RestError::not_found(&format!(
            "{}/IncomingPhoneNumbers/{file}",
            sim.inner.account_prefix()
        ))
    })
}

pub async fn fetch(
    State(sim): State<Simulator>,
    Path((_a, file)): Path<(String, String)>,
) -> Result<Json<IncomingPhoneNumber>, RestError> {
    let record = find(&sim, &file)?;
    Ok(Json(json::number(&sim.inner, &record)))
}

pub async fn update(
    State(sim): State<Simulator>,
    Path((_a, file)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<IncomingPhoneNumber>, RestError> {
    let mut record = find(&sim, &file)?;
    apply(&mut record, &Form::from_body(&body))?;
    record.date_updated = Some(sim.inner.clock.now());
    let mut state = sim.inner.store.lock();
    if let Some(slot) = state.numbers.iter_mut().find(|n| n.sid == record.sid) {
        *slot = record.clone();
    }
    Ok(Json(json::number(&sim.inner, &record)))
}

pub async fn delete(
    State(sim): State<Simulator>,
    Path((_a, file)): Path<(String, String)>,
) -> Result<StatusCode, RestError> {
    let record = find(&sim, &file)?;
    sim.inner
        .store
        .lock()
        .numbers
        .retain(|n| n.sid != record.sid);
    Ok(StatusCode::NO_CONTENT)
}

pub async fn list(
    State(sim): State<Simulator>,
    RawQuery(query): RawQuery,
) -> Result<Json<IncomingPhoneNumberPage>, RestError> {
    let query = Form::parse(query.unwrap_or_default().as_bytes());
    let page = PageRequest::from_query(&query)?;
    let filters: Vec<(String, String)> = ["PhoneNumber", "FriendlyName"]
        .iter()
        .filter_map(|n| query.get(n).map(|v| ((*n).to_owned(), v.to_owned())))
        .collect();
    let matching: Vec<NumberRecord> = sim
        .inner
        .store
        .lock()
        .numbers
        .iter()
        .filter(|n| {
            filters.iter().all(|(k, v)| {
                if k == "PhoneNumber" {
                    &n.phone_number == v
                } else {
                    &n.friendly_name == v
                }
            })
        })
        .cloned()
        .collect();
    let path = format!("{}/IncomingPhoneNumbers.json", sim.inner.account_prefix());
    let meta = page.meta(&path, &filters, matching.len());
    let numbers = matching[page.range(matching.len())]
        .iter()
        .map(|n| json::number(&sim.inner, n))
        .collect();
    Ok(Json(IncomingPhoneNumberPage {
        incoming_phone_numbers: numbers,
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
