//! The REST client against a tiny axum server standing in for Twilio: exact form fields, auth
//! header, paging, retries and error decoding.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method as HttpMethod, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use twilio::Method;
use twilio::client::{
    CallUpdateStatus, Client, ClientConfig, CreateCall, CreateMessage, Error,
    IncomingPhoneNumberParams, ListCalls, ListMessages, UpdateCall,
};
use twilio::resources::{CallStatus, MessageStatus};

const SID: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const TOKEN: &str = "secret-token-123";

#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    auth: String,
    content_type: String,
    form: Vec<(String, String)>,
}

#[derive(Clone, Default)]
struct Fake {
    seen: Arc<Mutex<Vec<Seen>>>,
    answers: Arc<Mutex<VecDeque<(u16, String)>>>,
}

impl Fake {
    fn answer(&self, status: u16, body: Value) {
        self.answer_raw(status, body.to_string());
    }

    fn answer_raw(&self, status: u16, body: String) {
        self.answers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push_back((status, body));
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

fn pairs(raw: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw).into_owned().collect()
}

fn owned(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

async fn record(
    State(fake): State<Fake>,
    method: HttpMethod,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header_text = |name| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    fake.seen
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(Seen {
            method: method.to_string(),
            path: uri.path().to_owned(),
            query: pairs(uri.query().unwrap_or_default().as_bytes()),
            auth: header_text(header::AUTHORIZATION),
            content_type: header_text(header::CONTENT_TYPE),
            form: pairs(&body),
        });
    let answer = fake
        .answers
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .pop_front();
    let (status, body) = answer.unwrap_or((500, "no answer scripted".into()));
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn start() -> (Fake, Client) {
    let fake = Fake::default();
    let app = Router::new().fallback(record).with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    let addr = listener.local_addr().unwrap_or_else(|err| panic!("{err}"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let mut config = ClientConfig::new(SID, TOKEN);
    config.base_url = format!("http://{addr}");
    config.retry_base_delay = Duration::from_millis(1);
    config.max_retries = 2;
    (
        fake,
        Client::new(config).unwrap_or_else(|err| panic!("{err}")),
    )
}

fn base_path(rest: &str) -> String {
    format!("/2010-04-01/Accounts/{SID}/{rest}")
}

fn call_json(sid: &str, status: &str) -> Value {
    json!({
        "sid": sid, "account_sid": SID, "parent_call_sid": null,
        "to": "+14155551234", "from": "+15005550006",
        "to_formatted": "(415) 555-1234", "from_formatted": "(500) 555-0006",
        "phone_number_sid": null, "status": status, "start_time": null, "end_time": null,
        "duration": null, "price": null, "price_unit": "USD", "direction": "outbound-api",
        "answered_by": null, "api_version": "2010-04-01", "forwarded_from": null,
        "caller_name": null, "group_sid": null, "queue_time": "0",
        "date_created": "Tue, 31 Aug 2010 20:36:28 +0000",
        "date_updated": "Tue, 31 Aug 2010 20:36:28 +0000",
        "uri": base_path(&format!("Calls/{sid}.json")),
        "subresource_uris": {}, "annotation": null, "trunk_sid": null
    })
}

fn message_json(sid: &str) -> Value {
    json!({
        "sid": sid, "account_sid": SID, "messaging_service_sid": null,
        "from": "+15005550006", "to": "+14155551234", "body": "Hi", "status": "queued",
        "num_segments": "1", "num_media": "0", "direction": "outbound-api",
        "price": null, "price_unit": null, "error_code": null, "error_message": null,
        "date_created": "Tue, 31 Aug 2010 20:36:28 +0000",
        "date_updated": "Tue, 31 Aug 2010 20:36:28 +0000", "date_sent": null,
        "api_version": "2010-04-01", "uri": base_path(&format!("Messages/{sid}.json")),
        "subresource_uris": {}
    })
}

fn page_json(key: &str, items: Vec<Value>, page: u32, next: Option<String>) -> Value {
    let uri = base_path(&format!("X.json?Page={page}"));
    json!({
        key: items, "page": page, "page_size": 1, "start": page, "end": page,
        "first_page_uri": base_path("X.json?Page=0"), "next_page_uri": next,
        "previous_page_uri": null, "uri": uri
    })
}

fn number_json() -> Value {
    json!({
        "sid": "PN1", "account_sid": SID, "phone_number": "+15005550006",
        "friendly_name": "Main line", "voice_url": "https://sb.example/voice",
        "voice_method": "POST", "voice_fallback_url": null, "status_callback": "",
        "sms_url": "https://sb.example/sms", "sms_method": "POST", "sms_fallback_url": null,
        "capabilities": {"voice": true, "SMS": true, "MMS": true, "fax": false},
        "api_version": "2010-04-01", "date_created": null, "date_updated": null,
        "uri": base_path("IncomingPhoneNumbers/PN1.json")
    })
}

fn expected_auth() -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{SID}:{TOKEN}"))
    )
}

mod calls;
mod errors;
mod messages_and_numbers;
