//! The TwiML interpreter: fetches the app's documents and runs their verbs on a call leg.

mod dial;
mod fetch;
pub mod record;
mod verbs;

use twilio::Method;
use twilio::twiml::Verb;

use crate::calls::{Leg, Stop};
use crate::model::CallStatus;
use crate::store::{EventKind, Interrupt};
use crate::webhook::Params;

/// Where the next document comes from.
#[derive(Clone, Debug)]
pub enum Doc {
    /// Request `url` with the call's parameters plus `extra`.
    Fetch {
        url: String,
        method: Method,
        extra: Params,
    },
    /// TwiML given inline (`Twiml` on create or update).
    Inline(String),
}

/// What a verb leaves the interpreter to do next.
pub enum Flow {
    Next,
    Goto(Doc),
    Hangup,
    Reject(String),
}

/// How the app finished with the call.
#[derive(Debug, PartialEq)]
pub enum AppEnd {
    /// The last document ran out of verbs.
    EndOfDocument,
    /// `<Hangup>`, an application error, or the other side hung up.
    HungUp,
    Rejected(String),
}

impl AppEnd {
    /// The final call status this ending gives.
    pub fn status(&self) -> CallStatus {
        match self {
            AppEnd::EndOfDocument | AppEnd::HungUp => CallStatus::Completed,
            AppEnd::Rejected(reason) if reason == "busy" => CallStatus::Busy,
            AppEnd::Rejected(_) => CallStatus::NoAnswer,
        }
    }
}

/// Documents one call may fetch before the simulator assumes the app is looping.
const MAX_DOCUMENTS: usize = 500;

/// Seconds text-to-speech takes for `text` (about 70 ms per character).
pub fn speech_secs(text: &str) -> f64 {
    (text.chars().count() as f64 * 0.07).max(0.5)
}

/// Runs the app on the leg from `first` until it hangs up, rejects, or runs out of verbs.
pub async fn run_app(leg: &mut Leg, first: Doc) -> AppEnd {
    let mut next = Some(first);
    let mut current_url: Option<String> = None;
    let mut fetched = 0;
    while let Some(doc) = next.take() {
        fetched += 1;
        if fetched > MAX_DOCUMENTS {
            leg.note(EventKind::Error {
                code: 11200,
                message: format!("more than {MAX_DOCUMENTS} documents on one call"),
            });
            return AppEnd::HungUp;
        }
        let response = match fetch::load(leg, doc, current_url.as_deref()).await {
            Ok((response, url)) => {
                if url.is_some() {
                    current_url = url;
                }
                response
            }
            Err(()) => {
                leg.note(EventKind::Verb {
                    verb: "Say".into(),
                    detail: "An application error has occurred. Goodbye.".into(),
                });
                return AppEnd::HungUp;
            }
        };
        let answered_before = leg.answered_at.is_some();
        for (index, verb) in response.verbs.into_iter().enumerate() {
            if let Verb::Reject(reject) = &verb {
                let reason = reject
                    .reason
                    .clone()
                    .unwrap_or_else(|| "rejected".to_owned());
                leg.note(EventKind::Verb {
                    verb: "Reject".into(),
                    detail: reason.clone(),
                });
                if index == 0 && !answered_before && leg.direction == "inbound" {
                    return AppEnd::Rejected(reason);
                }
                return AppEnd::HungUp;
            }
            leg.answer().await;
            match verbs::run(leg, verb, current_url.as_deref()).await {
                Ok(Flow::Next) => {}
                Ok(Flow::Goto(doc)) => {
                    next = Some(doc);
                    break;
                }
                Ok(Flow::Hangup) => return AppEnd::HungUp,
                Ok(Flow::Reject(reason)) => return AppEnd::Rejected(reason),
                Err(Stop::PartyHungUp) | Err(Stop::Interrupt(Interrupt::Hangup)) => {
                    leg.note(EventKind::Verb {
                        verb: "Hangup".into(),
                        detail: "the other side hung up".into(),
                    });
                    return AppEnd::HungUp;
                }
                Err(Stop::Interrupt(Interrupt::Redirect { url, method })) => {
                    next = Some(Doc::Fetch {
                        url,
                        method,
                        extra: Vec::new(),
                    });
                    break;
                }
                Err(Stop::Interrupt(Interrupt::Twiml(twiml))) => {
                    next = Some(Doc::Inline(twiml));
                    break;
                }
            }
        }
        if next.is_none()
            && let Some(interrupt) = leg.take_interrupt()
        {
            next = match interrupt {
                Interrupt::Redirect { url, method } => Some(Doc::Fetch {
                    url,
                    method,
                    extra: Vec::new(),
                }),
                Interrupt::Twiml(twiml) => Some(Doc::Inline(twiml)),
                Interrupt::Hangup => return AppEnd::HungUp,
            };
        }
    }
    AppEnd::EndOfDocument
}
