//! The simple verbs: Say, Play, Pause, Gather, Redirect, Hangup.

use twilio::Method;
use twilio::twiml::{Gather, GatherChild, Play, Say, Verb};

use super::{Doc, Flow, speech_secs};
use crate::calls::{Leg, Stop};
use crate::store::EventKind;

/// Seconds one `<Play>` of an audio file takes (the simulator never downloads it).
const PLAY_SECS: f64 = 3.0;
/// Loops a `loop="0"` (forever) verb is cut to when nobody hangs up.
const FOREVER_LOOPS: u32 = 100;

/// Runs one verb; `doc_url` is the URL of the document it came from.
pub async fn run(leg: &mut Leg, verb: Verb, doc_url: Option<&str>) -> Result<Flow, Stop> {
    match verb {
        Verb::Say(say) => say_(leg, &say).await.map(|()| Flow::Next),
        Verb::Play(play) => play_(leg, &play).await.map(|()| Flow::Next),
        Verb::Pause(pause) => {
            let secs = pause.length.unwrap_or(1);
            leg.note(EventKind::Verb {
                verb: "Pause".into(),
                detail: format!("{secs} s"),
            });
            leg.wait(f64::from(secs)).await.map(|()| Flow::Next)
        }
        Verb::Gather(gather) => gather_(leg, gather, doc_url).await,
        Verb::Dial(dial) => super::dial::run(leg, dial, doc_url).await,
        Verb::Record(record) => super::record::run(leg, record, doc_url).await,
        Verb::Redirect(redirect) => {
            leg.note(EventKind::Verb {
                verb: "Redirect".into(),
                detail: redirect.url.clone(),
            });
            let method = redirect.method.unwrap_or(Method::Post);
            Ok(Flow::Goto(fetch(
                doc_url,
                &redirect.url,
                method,
                Vec::new(),
            )))
        }
        Verb::Hangup => {
            leg.note(EventKind::Verb {
                verb: "Hangup".into(),
                detail: String::new(),
            });
            Ok(Flow::Hangup)
        }
        Verb::Reject(reject) => Ok(Flow::Reject(
            reject.reason.unwrap_or_else(|| "rejected".to_owned()),
        )),
    }
}

/// A fetch of `target` resolved against the current document (resolution happens on load).
pub fn fetch(
    doc_url: Option<&str>,
    target: &str,
    method: Method,
    extra: Vec<(String, String)>,
) -> Doc {
    let url = crate::webhook::resolve(doc_url, target).unwrap_or_else(|_| target.to_owned());
    Doc::Fetch { url, method, extra }
}

fn loops(count: Option<u32>) -> u32 {
    match count {
        Some(0) => FOREVER_LOOPS,
        Some(n) => n.min(FOREVER_LOOPS),
        None => 1,
    }
}

async fn say_(leg: &mut Leg, say: &Say) -> Result<(), Stop> {
    let times = loops(say.loop_count);
    leg.note(EventKind::Verb {
        verb: "Say".into(),
        detail: say.text.clone(),
    });
    leg.wait(speech_secs(&say.text) * f64::from(times)).await
}

async fn play_(leg: &mut Leg, play: &Play) -> Result<(), Stop> {
    let times = loops(play.loop_count);
    if let Some(digits) = &play.digits {
        leg.note(EventKind::Verb {
            verb: "Play".into(),
            detail: format!("digits {digits}"),
        });
        return leg.wait(0.5 * digits.chars().count() as f64).await;
    }
    leg.note(EventKind::Verb {
        verb: "Play".into(),
        detail: play.url.clone(),
    });
    leg.wait(PLAY_SECS * f64::from(times)).await
}

/// What the party keys in for one gather: digits up to the finish key, at most `num_digits`.
pub fn keyed_digits(pressed: &str, finish_on_key: &str, num_digits: Option<u32>) -> String {
    let mut digits = String::new();
    for c in pressed.chars().filter(|c| *c != 'w') {
        if finish_on_key.contains(c) {
            break;
        }
        digits.push(c);
        if num_digits.is_some_and(|n| digits.chars().count() as u32 >= n) {
            break;
        }
    }
    digits
}

async fn gather_(leg: &mut Leg, gather: Gather, doc_url: Option<&str>) -> Result<Flow, Stop> {
    let detail = format!(
        "numDigits={:?} timeout={} action={:?}",
        gather.num_digits,
        gather.timeout.unwrap_or(5),
        gather.action
    );
    leg.note(EventKind::Verb {
        verb: "Gather".into(),
        detail,
    });
    for child in &gather.children {
        match child {
            GatherChild::Say(say) => say_(leg, say).await?,
            GatherChild::Play(play) => play_(leg, play).await?,
            GatherChild::Pause(pause) => leg.wait(f64::from(pause.length.unwrap_or(1))).await?,
        }
    }
    let finish = gather
        .finish_on_key
        .clone()
        .unwrap_or_else(|| "#".to_owned());
    let pressed = leg.presses.pop_front().unwrap_or_default();
    let digits = keyed_digits(&pressed, &finish, gather.num_digits);
    let wants_speech = gather
        .input
        .as_deref()
        .is_some_and(|i| i.contains("speech"));
    let speech = if wants_speech && digits.is_empty() {
        leg.party.say.clone()
    } else {
        None
    };
    if digits.is_empty() && speech.is_none() {
        leg.wait(f64::from(gather.timeout.unwrap_or(5))).await?;
        if gather.action_on_empty_result != Some(true) {
            leg.note(EventKind::Verb {
                verb: "Gather".into(),
                detail: "no input, falling through".into(),
            });
            return Ok(Flow::Next);
        }
    } else {
        leg.wait(0.3 * pressed.chars().count().max(1) as f64)
            .await?;
    }
    let mut extra = vec![("Digits".to_owned(), digits.clone())];
    if let Some(speech) = speech {
        leg.note(EventKind::Verb {
            verb: "Gather".into(),
            detail: format!("heard {speech:?}"),
        });
        extra = vec![
            ("SpeechResult".to_owned(), speech),
            ("Confidence".to_owned(), "0.9".to_owned()),
        ];
    } else if !digits.is_empty() {
        leg.note(EventKind::Digits {
            digits: digits.clone(),
        });
    }
    let method = gather.method.unwrap_or(Method::Post);
    let target = gather
        .action
        .as_deref()
        .or(doc_url)
        .unwrap_or_default()
        .to_owned();
    extra.push(("FinishedOnKey".to_owned(), finished_on(&pressed, &finish)));
    Ok(Flow::Goto(fetch(doc_url, &target, method, extra)))
}

fn finished_on(pressed: &str, finish: &str) -> String {
    pressed
        .chars()
        .find(|c| finish.contains(*c))
        .map(String::from)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::keyed_digits;

    #[test]
    fn keyed_digits_stop_at_the_finish_key_and_num_digits() {
        assert_eq!(keyed_digits("123#9", "#", None), "123");
        assert_eq!(keyed_digits("12345", "#", Some(2)), "12");
        assert_eq!(keyed_digits("1w2", "", None), "12");
        assert_eq!(keyed_digits("#", "#", None), "");
    }
}
