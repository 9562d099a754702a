//! What a scripted recipient does with a delivered text: replies, and opens its links.

use std::sync::Arc;

use crate::behaviour::Behaviour;
use crate::sim::Inner;

/// Schedules the recipient's reply (the next scripted one) and link clicks.
pub fn react(
    inner: Arc<Inner>,
    recipient: String,
    sender: String,
    body: String,
    behaviour: Behaviour,
) {
    let reply = {
        let mut state = inner.store.lock();
        let count = state.texts_received.entry(recipient.clone()).or_default();
        let reply = behaviour.replies.get(*count).cloned();
        *count += 1;
        reply
    };
    if behaviour.click_links {
        let links = links_in(&body);
        if !links.is_empty() {
            let inner = inner.clone();
            let recipient = recipient.clone();
            tokio::spawn(async move {
                inner.clock.sleep_secs(behaviour.click_after_secs).await;
                for link in links {
                    let status = inner
                        .http
                        .get(&link)
                        .send()
                        .await
                        .ok()
                        .map(|r| r.status().as_u16());
                    inner
                        .store
                        .lock()
                        .clicks
                        .push((recipient.clone(), link, status));
                }
            });
        }
    }
    if let Some(reply) = reply {
        tokio::spawn(async move {
            inner.clock.sleep_secs(behaviour.reply_after_secs).await;
            if let Err(e) = super::deliver_inbound(&inner, &recipient, &sender, &reply) {
                tracing::debug!(error = %e, "scripted reply went nowhere");
            }
        });
    }
}

/// Every http(s) URL in a text, trailing punctuation removed.
pub fn links_in(body: &str) -> Vec<String> {
    body.split_whitespace()
        .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
        .map(|w| {
            w.trim_end_matches(['.', ',', ')', '!', '?', ';', ':', '"', '\''])
                .to_owned()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn links_are_found_and_trailing_punctuation_dropped() {
        let links = super::links_in("Sign up: https://x.test/a?b=1. Or http://y.test/c), thanks");
        assert_eq!(links, vec!["https://x.test/a?b=1", "http://y.test/c"]);
    }
}
