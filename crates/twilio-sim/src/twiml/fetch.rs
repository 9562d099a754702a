//! Loading a TwiML document: the signed request, the fallback URL, and application errors.

use std::collections::BTreeMap;

use twilio::Method;
use twilio::twiml::VoiceResponse;

use super::Doc;
use crate::calls::Leg;
use crate::store::EventKind;
use crate::webhook::resolve;

/// Twilio's error for a document that could not be retrieved (connection or non-2xx).
const HTTP_RETRIEVAL_FAILURE: u32 = 11200;
/// Twilio's error for a document that is not valid TwiML.
const DOCUMENT_PARSE_FAILURE: u32 = 12100;

/// Loads and parses the document; on failure tries the leg's fallback URL, and when that fails
/// too logs the application error. Returns the document and the URL it came from.
pub async fn load(
    leg: &mut Leg,
    doc: Doc,
    current: Option<&str>,
) -> Result<(VoiceResponse, Option<String>), ()> {
    let (url, method, extra) = match doc {
        Doc::Inline(twiml) => {
            return match VoiceResponse::parse(&twiml) {
                Ok(response) => Ok((response, None)),
                Err(e) => {
                    let message = format!("invalid inline TwiML: {e}");
                    leg.note(EventKind::Error {
                        code: DOCUMENT_PARSE_FAILURE,
                        message,
                    });
                    Err(())
                }
            };
        }
        Doc::Fetch { url, method, extra } => (url, method, extra),
    };
    let url = match resolve(current, &url) {
        Ok(url) => url,
        Err(message) => {
            leg.note(EventKind::Error {
                code: HTTP_RETRIEVAL_FAILURE,
                message,
            });
            return Err(());
        }
    };
    let mut params = leg.call_params();
    params.extend(extra);
    let (code, message) = match fetch_once(leg, &url, method, &params).await {
        Ok(response) => return Ok((response, Some(url))),
        Err(failure) => failure,
    };
    leg.note(EventKind::Error {
        code,
        message: message.clone(),
    });
    let Some((fallback, fallback_method)) = leg.fallback.clone() else {
        return Err(());
    };
    params.push(("ErrorCode".to_owned(), code.to_string()));
    params.push(("ErrorUrl".to_owned(), url));
    match fetch_once(leg, &fallback, fallback_method, &params).await {
        Ok(response) => Ok((response, Some(fallback))),
        Err((code, message)) => {
            leg.note(EventKind::Error { code, message });
            Err(())
        }
    }
}

async fn fetch_once(
    leg: &Leg,
    url: &str,
    method: Method,
    params: &[(String, String)],
) -> Result<VoiceResponse, (u32, String)> {
    let params = params.to_vec();
    let answer = leg.inner.send_signed(url, method, &params).await;
    let (status, body) = match &answer {
        Ok(a) => (Some(a.status), a.body.clone()),
        Err(_) => (None, String::new()),
    };
    let logged: BTreeMap<String, String> = params.into_iter().collect();
    let event = EventKind::Fetch {
        url: url.to_owned(),
        method: method.as_str().to_owned(),
        params: logged,
        status,
        body,
    };
    leg.note(event);
    let answer = answer.map_err(|e| {
        (
            HTTP_RETRIEVAL_FAILURE,
            format!("{method} {url} failed: {e}"),
        )
    })?;
    if !(200..300).contains(&answer.status) {
        return Err((
            HTTP_RETRIEVAL_FAILURE,
            format!("{method} {url} answered {}", answer.status),
        ));
    }
    VoiceResponse::parse(&answer.body).map_err(|e| {
        (
            DOCUMENT_PARSE_FAILURE,
            format!("{url} is not valid TwiML: {e}"),
        )
    })
}
