//! `Calls.json`: create, fetch, update and list.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use twilio::resources::CallPage;

use super::error::{RestError, is_e164};
use super::form::Form;
use super::paging::PageRequest;
use super::{json, split_file};
use crate::calls::{self, OutboundRequest, StatusCallback, Update};
use crate::sim::Simulator;
use crate::twiml::Doc;

pub async fn create(
    State(sim): State<Simulator>,
    Path(_account): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<twilio::resources::CallResource>), RestError> {
    let form = Form::from_body(&body);
    let request = parse_create(&form)?;
    let record = calls::place_outbound(&sim.inner, request);
    Ok((StatusCode::CREATED, Json(json::call(&sim.inner, &record))))
}

fn parse_create(form: &Form) -> Result<OutboundRequest, RestError> {
    let to = form
        .get("To")
        .ok_or_else(|| RestError::bad(21201, "No 'To' number is specified"))?;
    let from = form
        .get("From")
        .ok_or_else(|| RestError::bad(21213, "No 'From' number is specified"))?;
    if let Some(e) = RestError::for_magic_to(to) {
        return Err(e);
    }
    if !is_e164(to) {
        return Err(RestError::bad(
            21211,
            format!("The 'To' number {to} is not a valid phone number."),
        ));
    }
    if let Some(e) = RestError::for_magic_from(from) {
        return Err(e);
    }
    if !is_e164(from) {
        return Err(RestError::bad(
            21212,
            format!("The 'From' number {from} is not a valid phone number."),
        ));
    }
    let doc = match (form.url("Url", 21205)?, form.get("Twiml")) {
        (Some(url), _) => Doc::Fetch {
            url,
            method: form.method("Method")?,
            extra: Vec::new(),
        },
        (None, Some(twiml)) => {
            twilio::twiml::VoiceResponse::parse(twiml)
                .map_err(|e| RestError::bad(12100, format!("Twiml is not valid TwiML: {e}")))?;
            Doc::Inline(twiml.to_owned())
        }
        (None, None) => return Err(RestError::bad(21205, "Url parameter is required.")),
    };
    let fallback = form
        .url("FallbackUrl", 21205)?
        .map(|u| Ok::<_, RestError>((u, form.method("FallbackMethod")?)))
        .transpose()?;
    let status_callback = match form.url("StatusCallback", 21609)? {
        Some(url) => Some(StatusCallback::new(
            url,
            form.method("StatusCallbackMethod")?,
            &form.all("StatusCallbackEvent"),
        )),
        None => None,
    };
    let machine_detection = match form.get("MachineDetection") {
        None => None,
        Some(m)
            if m.eq_ignore_ascii_case("Enable") || m.eq_ignore_ascii_case("DetectMessageEnd") =>
        {
            Some(m.to_owned())
        }
        Some(m) => {
            return Err(RestError::bad(
                21217,
                format!("MachineDetection must be Enable or DetectMessageEnd, got {m:?}"),
            ));
        }
    };
    let async_amd_callback = if form.flag("AsyncAmd") {
        let url = form.url("AsyncAmdStatusCallback", 21609)?;
        url.map(|u| Ok::<_, RestError>((u, form.method("AsyncAmdStatusCallbackMethod")?)))
            .transpose()?
    } else {
        None
    };
    let record = if form.flag("Record") {
        let callback = form.url("RecordingStatusCallback", 21609)?;
        let method = form.method("RecordingStatusCallbackMethod")?;
        Some(callback.map(|u| (u, method)))
    } else {
        None
    };
    Ok(OutboundRequest {
        record,
        from: from.to_owned(),
        to: to.to_owned(),
        doc,
        fallback,
        status_callback,
        timeout_secs: form.number("Timeout", 1..=600)?.unwrap_or(60) as f64,
        machine_detection,
        async_amd_callback,
        time_limit_secs: form.number("TimeLimit", 1..=86_400)?.unwrap_or(14_400) as f64,
    })
}

pub async fn fetch(
    State(sim): State<Simulator>,
    Path((_account, file)): Path<(String, String)>,
) -> Result<Json<twilio::resources::CallResource>, RestError> {
    let (sid, _) = split_file(&file);
    let record = sim.inner.store.lock().calls.get(sid).cloned();
    let record = record.ok_or_else(|| {
        RestError::not_found(&format!("{}/Calls/{file}", sim.inner.account_prefix()))
    })?;
    Ok(Json(json::call(&sim.inner, &record)))
}

pub async fn update(
    State(sim): State<Simulator>,
    Path((account, file)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<twilio::resources::CallResource>, RestError> {
    let form = Form::from_body(&body);
    let (sid, _) = split_file(&file);
    if !sim.inner.store.lock().calls.contains_key(sid) {
        return Err(RestError::not_found(&format!(
            "{}/Calls/{file}",
            sim.inner.account_prefix()
        )));
    }
    let update = if let Some(status) = form.get("Status") {
        match status {
            "canceled" => Update::Cancel,
            "completed" => Update::Complete,
            other => {
                return Err(RestError::bad(
                    21218,
                    format!("Status must be canceled or completed, got {other:?}"),
                ));
            }
        }
    } else if let Some(url) = form.url("Url", 21205)? {
        Update::Redirect {
            url,
            method: form.method("Method")?,
        }
    } else if let Some(twiml) = form.get("Twiml") {
        twilio::twiml::VoiceResponse::parse(twiml)
            .map_err(|e| RestError::bad(12100, format!("Twiml is not valid TwiML: {e}")))?;
        Update::Twiml(twiml.to_owned())
    } else {
        return Err(RestError::bad(21205, "Url, Twiml or Status is required."));
    };
    calls::update(&sim.inner, sid, update);
    // Let the call's task act on the interrupt before answering, so a fetch right after an
    // update sees its effect more often than not (Twilio is asynchronous here too).
    tokio::task::yield_now().await;
    fetch(State(sim), Path((account, file))).await
}

pub async fn list(
    State(sim): State<Simulator>,
    RawQuery(query): RawQuery,
) -> Result<Json<CallPage>, RestError> {
    let query = Form::parse(query.unwrap_or_default().as_bytes());
    let page = PageRequest::from_query(&query)?;
    let filter_names = ["To", "From", "Status", "ParentCallSid"];
    let filters: Vec<(String, String)> = filter_names
        .iter()
        .filter_map(|n| query.get(n).map(|v| ((*n).to_owned(), v.to_owned())))
        .collect();
    let matching: Vec<_> = {
        let state = sim.inner.store.lock();
        state
            .call_order
            .iter()
            .rev()
            .filter_map(|sid| state.calls.get(sid))
            .filter(|c| {
                filters.iter().all(|(name, value)| match name.as_str() {
                    "To" => &c.to == value,
                    "From" => &c.from == value,
                    "Status" => c.status.as_str() == value,
                    _ => c.parent_call_sid.as_deref() == Some(value.as_str()),
                })
            })
            .cloned()
            .collect()
    };
    let path = format!("{}/Calls.json", sim.inner.account_prefix());
    let meta = page.meta(&path, &filters, matching.len());
    let calls = matching[page.range(matching.len())]
        .iter()
        .map(|c| json::call(&sim.inner, c))
        .collect();
    Ok(Json(CallPage {
        calls,
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
