//! Records → Twilio's JSON resources (the shared `twilio::resources` types).

use std::collections::BTreeMap;

use jiff::Timestamp;
use twilio::resources::{
    CallResource, Capabilities, IncomingPhoneNumber, MessageResource, RecordingResource,
};

use crate::model::{CallRecord, MessageRecord, NumberRecord, RecordingRecord};
use crate::sim::Inner;

fn date(ts: Timestamp) -> String {
    crate::clock::rfc2822(ts)
}

fn subresources(base: &str, names: &[&str]) -> BTreeMap<String, String> {
    names
        .iter()
        .map(|n| ((*n).to_owned(), format!("{base}/{}.json", to_camel(n))))
        .collect()
}

fn to_camel(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

pub fn call(inner: &Inner, c: &CallRecord) -> CallResource {
    let base = format!("{}/Calls/{}", inner.account_prefix(), c.sid);
    CallResource {
        sid: c.sid.clone(),
        account_sid: inner.cfg.account_sid.clone(),
        parent_call_sid: c.parent_call_sid.clone(),
        to: c.to.clone(),
        from: c.from.clone(),
        to_formatted: Some(c.to.clone()),
        from_formatted: Some(c.from.clone()),
        phone_number_sid: c.phone_number_sid.clone(),
        status: c.status,
        start_time: c.start_time.map(date),
        end_time: c.end_time.map(date),
        duration: c.duration.map(|d| d.to_string()),
        price: c.price.clone(),
        price_unit: Some("USD".to_owned()),
        direction: c
            .direction
            .parse()
            .unwrap_or(twilio::resources::CallDirection::OutboundApi),
        answered_by: c.answered_by.as_deref().and_then(|a| a.parse().ok()),
        api_version: "2010-04-01".to_owned(),
        forwarded_from: None,
        caller_name: None,
        group_sid: None,
        queue_time: Some(c.queue_time_ms.to_string()),
        date_created: Some(date(c.date_created)),
        date_updated: Some(date(c.date_updated)),
        uri: format!("{base}.json"),
        subresource_uris: subresources(
            &base,
            &[
                "notifications",
                "recordings",
                "payments",
                "events",
                "siprec",
                "streams",
                "user_defined_messages",
            ],
        ),
        annotation: None,
        trunk_sid: None,
    }
}

pub fn message(inner: &Inner, m: &MessageRecord) -> MessageResource {
    let base = format!("{}/Messages/{}", inner.account_prefix(), m.sid);
    MessageResource {
        sid: m.sid.clone(),
        account_sid: inner.cfg.account_sid.clone(),
        messaging_service_sid: m.messaging_service_sid.clone(),
        from: Some(m.from.clone()),
        to: m.to.clone(),
        body: m.body.clone(),
        status: m.status,
        num_segments: m.num_segments.to_string(),
        num_media: m.num_media.to_string(),
        direction: m
            .direction
            .parse()
            .unwrap_or(twilio::resources::MessageDirection::OutboundApi),
        price: m.price.clone(),
        price_unit: Some("USD".to_owned()),
        error_code: m.error_code,
        error_message: m.error_message.clone(),
        date_created: Some(date(m.date_created)),
        date_updated: Some(date(m.date_updated)),
        date_sent: m.date_sent.map(date),
        api_version: "2010-04-01".to_owned(),
        uri: format!("{base}.json"),
        subresource_uris: subresources(&base, &["media", "feedback"]),
    }
}

pub fn number(inner: &Inner, n: &NumberRecord) -> IncomingPhoneNumber {
    let base = format!("{}/IncomingPhoneNumbers/{}", inner.account_prefix(), n.sid);
    IncomingPhoneNumber {
        sid: n.sid.clone(),
        account_sid: inner.cfg.account_sid.clone(),
        phone_number: n.phone_number.clone(),
        friendly_name: n.friendly_name.clone(),
        voice_url: n.voice_url.clone(),
        voice_method: Some(n.voice_method.clone()),
        voice_fallback_url: n.voice_fallback_url.clone(),
        voice_fallback_method: Some(n.voice_fallback_method.clone()),
        voice_caller_id_lookup: false,
        voice_application_sid: None,
        status_callback: n.status_callback.clone(),
        status_callback_method: Some(n.status_callback_method.clone()),
        sms_url: n.sms_url.clone(),
        sms_method: Some(n.sms_method.clone()),
        sms_fallback_url: n.sms_fallback_url.clone(),
        sms_fallback_method: Some(n.sms_fallback_method.clone()),
        sms_application_sid: None,
        capabilities: Capabilities {
            voice: true,
            sms: true,
            mms: true,
            fax: false,
        },
        origin: Some("twilio".to_owned()),
        status: Some("in-use".to_owned()),
        trunk_sid: None,
        emergency_status: Some("Inactive".to_owned()),
        address_requirements: Some("none".to_owned()),
        beta: false,
        api_version: "2010-04-01".to_owned(),
        date_created: n.date_created.map(date),
        date_updated: n.date_updated.map(date),
        uri: format!("{base}.json"),
        subresource_uris: subresources(&base, &["assigned_add_ons"]),
    }
}

pub fn recording(inner: &Inner, r: &RecordingRecord) -> RecordingResource {
    let path = format!("{}/Recordings/{}", inner.account_prefix(), r.sid);
    RecordingResource {
        sid: r.sid.clone(),
        account_sid: inner.cfg.account_sid.clone(),
        call_sid: r.call_sid.clone(),
        conference_sid: None,
        duration: Some(r.duration.to_string()),
        channels: 1,
        status: "completed".to_owned(),
        source: "RecordVerb".to_owned(),
        price: Some(format!("-{:.4}", r.duration.div_ceil(60) as f64 * 0.0025)),
        price_unit: Some("USD".to_owned()),
        error_code: None,
        start_time: Some(date(r.date_created)),
        date_created: Some(date(r.date_created)),
        date_updated: Some(date(r.date_created)),
        api_version: "2010-04-01".to_owned(),
        uri: format!("{path}.json"),
        media_url: Some(format!("{}{path}", inner.base_url())),
        subresource_uris: subresources(&path, &["transcriptions", "add_on_results"]),
    }
}
