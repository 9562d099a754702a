//! Signed requests to the app: TwiML fetches and status callbacks, as Twilio sends them.

use std::collections::BTreeMap;

use twilio::Method;

use crate::clock::rfc2822;
use crate::sim::Inner;
use crate::store::EventKind;

/// Form parameters in the order they were added.
pub type Params = Vec<(String, String)>;

/// What the app answered.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

impl Inner {
    /// Sends a signed webhook: POST with a form body, or GET with the parameters in the query.
    /// The signature covers the exact URL requested (and, for POST, the sorted parameters).
    pub async fn send_signed(
        &self,
        url: &str,
        method: Method,
        params: &Params,
    ) -> Result<Answer, String> {
        let _slot = self
            .webhook_slots
            .acquire()
            .await
            .map_err(|e| e.to_string())?;
        let token = self.token_for(params);
        let request = match method {
            Method::Post => {
                let signature = twilio::signature::sign(&token, url, params);
                self.http
                    .post(url)
                    .header("X-Twilio-Signature", signature)
                    .header(
                        "Content-Type",
                        "application/x-www-form-urlencoded; charset=utf-8",
                    )
                    .body(serde_urlencoded::to_string(params).unwrap_or_default())
            }
            Method::Get => {
                let url = with_query(url, params);
                let signature = twilio::signature::sign(&token, &url, &[]);
                self.http.get(url).header("X-Twilio-Signature", signature)
            }
        };
        let response = request
            .header(
                "I-Twilio-Idempotency-Token",
                twilio::resources::sid::new_sid("ID"),
            )
            .send()
            .await
            .map_err(|e| format!("{e}"))?;
        let status = response.status().as_u16();
        let body = response.text().await.map_err(|e| format!("{e}"))?;
        Ok(Answer { status, body })
    }

    /// The token that signs a webhook: that of the account its `AccountSid` names (an extra
    /// account's own, for what was created on it), else the configured account's.
    fn token_for(&self, params: &Params) -> String {
        let account = params
            .iter()
            .find(|(k, _)| k == "AccountSid")
            .map(|(_, v)| v);
        account
            .filter(|a| **a != self.cfg.account_sid)
            .and_then(|a| self.store.lock().extra_accounts.get(a).cloned())
            .unwrap_or_else(|| self.cfg.auth_token.clone())
    }

    /// Posts a callback that the app only acknowledges, and notes it in the leg's transcript.
    pub async fn callback(
        &self,
        leg: Option<&str>,
        url: &str,
        method: Method,
        params: Params,
    ) -> Option<u16> {
        let status = self
            .send_signed(url, method, &params)
            .await
            .ok()
            .map(|a| a.status);
        if let Some(leg) = leg {
            let at = self.clock.now().to_string();
            let params: BTreeMap<String, String> = params.into_iter().collect();
            let event = EventKind::Callback {
                url: url.to_owned(),
                params,
                status,
            };
            self.store.lock().record(leg, at, event);
        }
        status
    }

    /// Appends an event to a leg's transcript, stamped with the virtual time.
    pub fn note(&self, leg: &str, kind: EventKind) {
        let at = self.clock.now().to_string();
        self.store.lock().record(leg, at, kind);
    }

    /// The virtual time in Twilio's RFC 2822 shape.
    pub fn now_rfc2822(&self) -> String {
        rfc2822(self.clock.now())
    }
}

/// `url` with `params` appended to its query string.
pub fn with_query(url: &str, params: &Params) -> String {
    if params.is_empty() {
        return url.to_owned();
    }
    let query = serde_urlencoded::to_string(params).unwrap_or_default();
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{query}")
}

/// Resolves a possibly relative URL against the document it appeared in.
pub fn resolve(base: Option<&str>, target: &str) -> Result<String, String> {
    if let Ok(absolute) = url::Url::parse(target) {
        return Ok(absolute.to_string());
    }
    let base = base
        .ok_or_else(|| format!("relative URL {target:?} with no document to resolve it against"))?;
    let base = url::Url::parse(base).map_err(|e| format!("bad base URL {base:?}: {e}"))?;
    base.join(target)
        .map(|u| u.to_string())
        .map_err(|e| format!("bad URL {target:?}: {e}"))
}

/// Converts a pair list of string literals into owned parameters.
pub fn params<const N: usize>(pairs: [(&str, String); N]) -> Params {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_urls_resolve_against_the_current_document() {
        let base = Some("http://app.test/voice/start?x=1");
        assert_eq!(resolve(base, "menu").unwrap(), "http://app.test/voice/menu");
        assert_eq!(resolve(base, "/other").unwrap(), "http://app.test/other");
        assert_eq!(resolve(base, "http://b.test/z").unwrap(), "http://b.test/z");
        assert!(resolve(None, "menu").is_err());
    }

    #[test]
    fn get_parameters_go_in_the_query_string() {
        let p = params([("A", "1 2".to_owned())]);
        assert_eq!(with_query("http://a/x", &p), "http://a/x?A=1+2");
        assert_eq!(with_query("http://a/x?y=1", &p), "http://a/x?y=1&A=1+2");
    }
}
