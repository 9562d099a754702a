//! `I-Twilio-Idempotency-Token`: Twilio puts it on its webhook requests, the same on every
//! retry of one. A request whose token was already answered for the same organisation gets
//! that answer again and is not processed; one that arrives while the first is still being
//! processed waits for the first's answer. Only successful answers are kept (a request that
//! failed is processed again when retried), in memory, for [`KEEP_FOR_MS`] and at most
//! [`MAX_ANSWERS`] of them: Twilio retries within seconds, and a retry that reaches another
//! process, or comes later, changes nothing either (every webhook is idempotent by
//! construction); it is only answered from where things are now.
//!
//! The Twilio-facing extractors claim a request's token once its signature holds (they know
//! the organisation then); [`keep_answers`], the middleware on every Twilio-facing route,
//! keeps the answer the handler gave.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::watch;

use crate::ids::OrgId;

pub const IDEMPOTENCY_HEADER: &str = "i-twilio-idempotency-token";
/// How long an answer is kept for a retry.
pub const KEEP_FOR_MS: i64 = 15 * 60 * 1000;
/// The most answers kept; the oldest go first.
pub const MAX_ANSWERS: usize = 10_000;
/// A longer header is not Twilio's and is not remembered.
const MAX_TOKEN_CHARS: usize = 200;

/// The answer given to the first request with a token.
#[derive(Debug)]
pub struct Answer {
    status: StatusCode,
    content_type: Option<HeaderValue>,
    body: Bytes,
}

impl IntoResponse for &Answer {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body.clone()).into_response();
        if let Some(ct) = &self.content_type {
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, ct.clone());
        }
        response
    }
}

/// The answers kept, by organisation and token. Cheap to clone.
#[derive(Clone, Default)]
pub struct Answers(Arc<Mutex<Book>>);

type Key = (Option<OrgId>, String);

#[derive(Default)]
struct Book {
    entries: HashMap<Key, Entry>,
    /// Answered keys, oldest first, with when they were answered.
    answered: VecDeque<(i64, Key)>,
}

enum Entry {
    /// The first request is being processed; its claim's number and its answer to come.
    Pending(u64, watch::Receiver<Option<Arc<Answer>>>),
    Answered(Arc<Answer>),
}

/// What a request with a token does.
pub enum Claim {
    /// It is the first: process it, and hand its answer to [`Pending::answer`].
    First(Pending),
    /// It was answered before: answer the same.
    Answered(Arc<Answer>),
}

/// A first request's claim. Dropped without an answer (the request failed), it lets the
/// next request with the token be processed.
pub struct Pending {
    answers: Answers,
    key: Key,
    id: u64,
    now_ms: i64,
    answer: watch::Sender<Option<Arc<Answer>>>,
}

static CLAIMS: AtomicU64 = AtomicU64::new(0);

impl Answers {
    /// Claims `token` for `org` at `now_ms`: the first request's claim, or the answer it
    /// gave (waiting for it when it is still being processed).
    pub async fn claim(&self, org: Option<OrgId>, token: &str, now_ms: i64) -> Claim {
        let key = (org, token.to_string());
        loop {
            let mut first_answer = {
                let Ok(mut book) = self.0.lock() else {
                    return Claim::First(self.pending(key, 0, now_ms));
                };
                book.forget_old(now_ms);
                match book.entries.get(&key) {
                    Some(Entry::Answered(answer)) => return Claim::Answered(answer.clone()),
                    Some(Entry::Pending(_, answer)) => answer.clone(),
                    None => {
                        let id = CLAIMS.fetch_add(1, Ordering::Relaxed) + 1;
                        let pending = self.pending(key.clone(), id, now_ms);
                        let entry = Entry::Pending(id, pending.answer.subscribe());
                        book.entries.insert(key, entry);
                        return Claim::First(pending);
                    }
                }
            };
            if let Ok(answer) = first_answer.wait_for(Option::is_some).await
                && let Some(answer) = answer.as_ref()
            {
                return Claim::Answered(answer.clone());
            }
            // The first request failed and let go of the token: this one is processed.
        }
    }

    fn pending(&self, key: Key, id: u64, now_ms: i64) -> Pending {
        Pending {
            answers: self.clone(),
            key,
            id,
            now_ms,
            answer: watch::channel(None).0,
        }
    }
}

impl Book {
    fn forget_old(&mut self, now_ms: i64) {
        while let Some((at, _)) = self.answered.front() {
            if *at + KEEP_FOR_MS > now_ms && self.answered.len() <= MAX_ANSWERS {
                break;
            }
            if let Some((_, key)) = self.answered.pop_front() {
                self.entries.remove(&key);
            }
        }
    }
}

impl Pending {
    /// Keeps `answer` for the token's retries and gives it to those waiting.
    fn answer(self, answer: Answer) {
        let answer = Arc::new(answer);
        if let Ok(mut book) = self.answers.0.lock()
            && matches!(book.entries.get(&self.key), Some(Entry::Pending(id, _)) if *id == self.id)
        {
            book.entries
                .insert(self.key.clone(), Entry::Answered(answer.clone()));
            book.answered.push_back((self.now_ms, self.key.clone()));
        }
        let _ = self.answer.send(Some(answer));
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Ok(mut book) = self.answers.0.lock()
            && matches!(book.entries.get(&self.key), Some(Entry::Pending(id, _)) if *id == self.id)
        {
            book.entries.remove(&self.key);
        }
    }
}

/// The token a request carries, when it has one Twilio could have sent.
pub fn token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(IDEMPOTENCY_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= MAX_TOKEN_CHARS)
}

/// Where a route's extractor leaves a first request's claim for [`keep_answers`].
#[derive(Clone, Default)]
pub struct AnswerSlot(Arc<Mutex<Option<Pending>>>);

impl AnswerSlot {
    pub fn keep(&self, pending: Pending) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(pending);
        }
    }

    fn take(&self) -> Option<Pending> {
        self.0.lock().ok().and_then(|mut slot| slot.take())
    }
}

/// Middleware on every Twilio-facing route: keeps the successful answer to a request that
/// carried a token, for its retries.
pub async fn keep_answers(mut req: Request, next: Next) -> Response {
    if token(req.headers()).is_none() {
        return next.run(req).await;
    }
    let slot = AnswerSlot::default();
    req.extensions_mut().insert(slot.clone());
    let response = next.run(req).await;
    let Some(pending) = slot.take() else {
        return response;
    };
    if !response.status().is_success() {
        return response;
    }
    let (parts, body) = response.into_parts();
    match axum::body::to_bytes(body, usize::MAX).await {
        Ok(body) => {
            pending.answer(Answer {
                status: parts.status,
                content_type: parts.headers.get(header::CONTENT_TYPE).cloned(),
                body: body.clone(),
            });
            Response::from_parts(parts, Body::from(body))
        }
        Err(e) => {
            tracing::error!(error = %e, "A webhook's answer could not be read to keep it.");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(body: &'static str) -> Answer {
        Answer {
            status: StatusCode::OK,
            content_type: None,
            body: Bytes::from_static(body.as_bytes()),
        }
    }

    async fn answered(claim: Claim) -> Bytes {
        match claim {
            Claim::Answered(a) => a.body.clone(),
            Claim::First(_) => panic!("processed again"),
        }
    }

    #[tokio::test]
    async fn a_token_is_answered_once_per_organisation_and_forgotten_after_a_while() {
        let answers = Answers::default();
        let org = Some(OrgId::new(1));
        let Claim::First(first) = answers.claim(org, "ID1", 0).await else {
            panic!("the first request is processed");
        };
        first.answer(answer("<Response/>"));
        assert_eq!(
            answered(answers.claim(org, "ID1", 1).await).await,
            "<Response/>"
        );
        let other = answers.claim(Some(OrgId::new(2)), "ID1", 1).await;
        assert!(matches!(other, Claim::First(_)), "another organisation's");
        let later = answers.claim(org, "ID1", KEEP_FOR_MS).await;
        assert!(matches!(later, Claim::First(_)), "kept for a while only");
    }

    #[tokio::test]
    async fn a_retry_during_the_first_waits_for_its_answer_and_a_failed_first_lets_go() {
        let answers = Answers::default();
        let Claim::First(first) = answers.claim(None, "ID2", 0).await else {
            panic!("first");
        };
        let waiting = tokio::spawn({
            let answers = answers.clone();
            async move { answered(answers.claim(None, "ID2", 0).await).await }
        });
        tokio::task::yield_now().await;
        first.answer(answer("once"));
        assert_eq!(waiting.await.unwrap(), "once");

        let Claim::First(failed) = answers.claim(None, "ID3", 0).await else {
            panic!("first");
        };
        let retry = tokio::spawn({
            let answers = answers.clone();
            async move { matches!(answers.claim(None, "ID3", 0).await, Claim::First(_)) }
        });
        tokio::task::yield_now().await;
        drop(failed);
        assert!(
            retry.await.unwrap(),
            "a retry of a failed request is processed"
        );
    }

    #[tokio::test]
    async fn the_oldest_answers_go_first_past_the_limit() {
        let answers = Answers::default();
        for i in 0..=MAX_ANSWERS {
            if let Claim::First(p) = answers.claim(None, &format!("T{i}"), 0).await {
                p.answer(answer("a"));
            }
        }
        assert!(matches!(
            answers.claim(None, "T0", 0).await,
            Claim::First(_)
        ));
        let kept = answers.claim(None, &format!("T{MAX_ANSWERS}"), 0).await;
        assert!(matches!(kept, Claim::Answered(_)));
    }
}
