//! Request parameters, written as the form fields Twilio expects (PascalCase names; a list is
//! the same name repeated once per value).

use std::fmt::Display;

use crate::Method;
use crate::resources::CallStatus;

/// Form or query pairs in the order they are sent.
pub type FormPairs = Vec<(&'static str, String)>;

fn push<T: Display>(form: &mut FormPairs, name: &'static str, value: &Option<T>) {
    if let Some(value) = value {
        form.push((name, value.to_string()));
    }
}

fn push_all(form: &mut FormPairs, name: &'static str, values: &[String]) {
    form.extend(values.iter().map(|value| (name, value.clone())));
}

/// `POST .../Calls.json`: place an outbound call. Give `url` or `twiml`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreateCall {
    pub to: String,
    pub from: String,
    pub url: Option<String>,
    pub twiml: Option<String>,
    pub method: Option<Method>,
    pub status_callback: Option<String>,
    /// `initiated`, `ringing`, `answered`, `completed`.
    pub status_callback_event: Vec<String>,
    pub status_callback_method: Option<Method>,
    /// Seconds to let it ring.
    pub timeout: Option<u32>,
    /// `Enable` or `DetectMessageEnd`.
    pub machine_detection: Option<String>,
    pub async_amd: Option<bool>,
    pub async_amd_status_callback: Option<String>,
    pub record: Option<bool>,
    pub recording_status_callback: Option<String>,
    pub fallback_url: Option<String>,
    pub send_digits: Option<String>,
    /// Maximum call length in seconds.
    pub time_limit: Option<u32>,
}

impl CreateCall {
    pub fn to_form(&self) -> FormPairs {
        let mut form = vec![("To", self.to.clone()), ("From", self.from.clone())];
        push(&mut form, "Url", &self.url);
        push(&mut form, "Twiml", &self.twiml);
        push(&mut form, "Method", &self.method);
        push(&mut form, "StatusCallback", &self.status_callback);
        push_all(
            &mut form,
            "StatusCallbackEvent",
            &self.status_callback_event,
        );
        push(
            &mut form,
            "StatusCallbackMethod",
            &self.status_callback_method,
        );
        push(&mut form, "Timeout", &self.timeout);
        push(&mut form, "MachineDetection", &self.machine_detection);
        push(&mut form, "AsyncAmd", &self.async_amd);
        push(
            &mut form,
            "AsyncAmdStatusCallback",
            &self.async_amd_status_callback,
        );
        push(&mut form, "Record", &self.record);
        push(
            &mut form,
            "RecordingStatusCallback",
            &self.recording_status_callback,
        );
        push(&mut form, "FallbackUrl", &self.fallback_url);
        push(&mut form, "SendDigits", &self.send_digits);
        push(&mut form, "TimeLimit", &self.time_limit);
        form
    }
}

/// The statuses a live call can be moved to through the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallUpdateStatus {
    /// Ends a call that is queued or ringing.
    Canceled,
    /// Ends a call whatever its state.
    Completed,
}

impl Display for CallUpdateStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CallUpdateStatus::Canceled => "canceled",
            CallUpdateStatus::Completed => "completed",
        })
    }
}

/// `POST .../Calls/{Sid}.json`: redirect a live call to new TwiML, or end it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UpdateCall {
    pub url: Option<String>,
    pub method: Option<Method>,
    pub twiml: Option<String>,
    pub status: Option<CallUpdateStatus>,
}

impl UpdateCall {
    pub fn to_form(&self) -> FormPairs {
        let mut form = FormPairs::new();
        push(&mut form, "Url", &self.url);
        push(&mut form, "Method", &self.method);
        push(&mut form, "Twiml", &self.twiml);
        push(&mut form, "Status", &self.status);
        form
    }
}

/// `GET .../Calls.json` filters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListCalls {
    pub to: Option<String>,
    pub from: Option<String>,
    pub status: Option<CallStatus>,
    pub parent_call_sid: Option<String>,
    pub page_size: Option<u32>,
}

impl ListCalls {
    pub fn to_query(&self) -> FormPairs {
        let mut query = FormPairs::new();
        push(&mut query, "To", &self.to);
        push(&mut query, "From", &self.from);
        push(&mut query, "Status", &self.status);
        push(&mut query, "ParentCallSid", &self.parent_call_sid);
        push(&mut query, "PageSize", &self.page_size);
        query
    }
}

/// `POST .../Messages.json`: send a text. Give `from` or `messaging_service_sid`, and `body`
/// or `media_url`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreateMessage {
    pub to: String,
    pub from: Option<String>,
    pub body: Option<String>,
    pub media_url: Vec<String>,
    pub status_callback: Option<String>,
    /// Seconds (at most 36000) the message may wait in the queue before it is dropped.
    pub validity_period: Option<u32>,
    pub messaging_service_sid: Option<String>,
}

impl CreateMessage {
    pub fn to_form(&self) -> FormPairs {
        let mut form = vec![("To", self.to.clone())];
        push(&mut form, "From", &self.from);
        push(
            &mut form,
            "MessagingServiceSid",
            &self.messaging_service_sid,
        );
        push(&mut form, "Body", &self.body);
        push_all(&mut form, "MediaUrl", &self.media_url);
        push(&mut form, "StatusCallback", &self.status_callback);
        push(&mut form, "ValidityPeriod", &self.validity_period);
        form
    }
}

/// `GET .../Messages.json` filters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListMessages {
    pub to: Option<String>,
    pub from: Option<String>,
    /// `YYYY-MM-DD`.
    pub date_sent: Option<String>,
    pub page_size: Option<u32>,
}

impl ListMessages {
    pub fn to_query(&self) -> FormPairs {
        let mut query = FormPairs::new();
        push(&mut query, "To", &self.to);
        push(&mut query, "From", &self.from);
        push(&mut query, "DateSent", &self.date_sent);
        push(&mut query, "PageSize", &self.page_size);
        query
    }
}

/// Create (`phone_number` required) or update an IncomingPhoneNumber: where its webhooks go.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IncomingPhoneNumberParams {
    pub phone_number: Option<String>,
    pub friendly_name: Option<String>,
    pub voice_url: Option<String>,
    pub voice_method: Option<Method>,
    pub voice_fallback_url: Option<String>,
    pub status_callback: Option<String>,
    pub status_callback_method: Option<Method>,
    pub sms_url: Option<String>,
    pub sms_method: Option<Method>,
    pub sms_fallback_url: Option<String>,
}

impl IncomingPhoneNumberParams {
    pub fn to_form(&self) -> FormPairs {
        let mut form = FormPairs::new();
        push(&mut form, "PhoneNumber", &self.phone_number);
        push(&mut form, "FriendlyName", &self.friendly_name);
        push(&mut form, "VoiceUrl", &self.voice_url);
        push(&mut form, "VoiceMethod", &self.voice_method);
        push(&mut form, "VoiceFallbackUrl", &self.voice_fallback_url);
        push(&mut form, "StatusCallback", &self.status_callback);
        push(
            &mut form,
            "StatusCallbackMethod",
            &self.status_callback_method,
        );
        push(&mut form, "SmsUrl", &self.sms_url);
        push(&mut form, "SmsMethod", &self.sms_method);
        push(&mut form, "SmsFallbackUrl", &self.sms_fallback_url);
        form
    }
}
