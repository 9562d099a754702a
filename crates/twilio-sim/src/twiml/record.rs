//! `<Record>`: the party's scripted words become a recording, then the action, the recording
//! status callback and the transcription callback.
//!
//! A party with nothing to say leaves silence: after `timeout` seconds nothing is recorded and
//! the call moves on to the next verb without requesting the action.

use twilio::Method;
use twilio::twiml::Record;

use super::{Flow, verbs};
use crate::calls::{Leg, Stop};
use crate::model::RecordingRecord;
use crate::sim::Inner;
use crate::store::EventKind;
use crate::webhook::{Params, params};

/// Seconds of speech per spoken word.
const SECS_PER_WORD: f64 = 0.4;

/// The recorded duration for `words` under `max_length`, in whole seconds (at least 1).
pub fn recorded_secs(words: &str, max_length: u32) -> u64 {
    let secs = (words.split_whitespace().count() as f64 * SECS_PER_WORD).ceil() as u64;
    secs.clamp(1, u64::from(max_length.max(1)))
}

pub async fn run(leg: &mut Leg, record: Record, doc_url: Option<&str>) -> Result<Flow, Stop> {
    let timeout = f64::from(record.timeout.unwrap_or(5));
    let words = leg.party.say.clone().unwrap_or_default();
    if words.trim().is_empty() {
        leg.note(EventKind::Verb {
            verb: "Record".into(),
            detail: "silence: nothing recorded".into(),
        });
        leg.wait(timeout).await?;
        return Ok(Flow::Next);
    }
    let secs = recorded_secs(&words, record.max_length.unwrap_or(3600));
    leg.note(EventKind::Verb {
        verb: "Record".into(),
        detail: format!("{secs} s: {words:?}"),
    });
    let digits = match leg.wait(secs as f64 + timeout).await {
        Ok(()) => None,
        Err(Stop::PartyHungUp) => Some("hangup".to_owned()),
        Err(stop) => return Err(stop),
    };
    let recording_params = store_recording(&leg.inner, &leg.sid, secs, &words);
    if let Some(callback) = &record.recording_status_callback
        && let Ok(target) = crate::webhook::resolve(doc_url, callback)
    {
        post_recording_status(
            &leg.inner,
            &leg.sid,
            &recording_params,
            "RecordVerb",
            &target,
            Method::Post,
        )
        .await;
    }
    if record.transcribe == Some(true) || record.transcribe_callback.is_some() {
        spawn_transcription(leg, &record, doc_url, &recording_params, words);
    }
    if digits.as_deref() == Some("hangup") && record.action.is_none() {
        return Err(Stop::PartyHungUp);
    }
    let mut extra = recording_params;
    if let Some(digits) = digits {
        extra.push(("Digits".to_owned(), digits));
    }
    let target = record
        .action
        .as_deref()
        .or(doc_url)
        .unwrap_or_default()
        .to_owned();
    Ok(Flow::Goto(verbs::fetch(
        doc_url,
        &target,
        record.method.unwrap_or(Method::Post),
        extra,
    )))
}

/// Stores a recording of `secs` seconds on `call_sid`; returns `RecordingSid`, `RecordingUrl`
/// (absolute, no extension, as Twilio) and `RecordingDuration`.
pub fn store_recording(inner: &Inner, call_sid: &str, secs: u64, words: &str) -> Params {
    let sid = twilio::resources::sid::new_sid("RE");
    let recording = RecordingRecord {
        sid: sid.clone(),
        call_sid: call_sid.to_owned(),
        duration: secs,
        date_created: inner.clock.now(),
        words: words.to_owned(),
    };
    inner.store.lock().recordings.insert(sid.clone(), recording);
    let url = format!(
        "{}{}/Recordings/{sid}",
        inner.base_url(),
        inner.account_prefix()
    );
    params([
        ("RecordingSid", sid),
        ("RecordingUrl", url),
        ("RecordingDuration", secs.to_string()),
    ])
}

/// Posts a `recordingStatusCallback` for a finished recording.
pub async fn post_recording_status(
    inner: &Inner,
    call_sid: &str,
    recording: &Params,
    source: &str,
    url: &str,
    method: Method,
) {
    let mut p = params([
        ("AccountSid", inner.cfg.account_sid.clone()),
        ("CallSid", call_sid.to_owned()),
    ]);
    p.extend(recording.iter().cloned());
    p.extend(params([
        ("RecordingStatus", "completed".to_owned()),
        ("RecordingChannels", "1".to_owned()),
        ("RecordingSource", source.to_owned()),
        ("RecordingStartTime", inner.now_rfc2822()),
    ]));
    inner.callback(Some(call_sid), url, method, p).await;
}

/// Transcriptions arrive a little after the recording, independently of the call flow.
fn spawn_transcription(
    leg: &Leg,
    record: &Record,
    doc_url: Option<&str>,
    recording: &Params,
    words: String,
) {
    let Some(callback) = &record.transcribe_callback else {
        leg.note(EventKind::Verb {
            verb: "Record".into(),
            detail: "transcribed (no callback)".into(),
        });
        return;
    };
    let Ok(url) = crate::webhook::resolve(doc_url, callback) else {
        return;
    };
    let inner = leg.inner.clone();
    let leg_sid = leg.sid.clone();
    let mut p = leg.call_params();
    p.extend(recording.iter().cloned());
    let transcription_sid = twilio::resources::sid::new_sid("TR");
    p.extend(params([
        ("TranscriptionSid", transcription_sid.clone()),
        ("TranscriptionText", words),
        ("TranscriptionStatus", "completed".to_owned()),
        ("TranscriptionType", "fast".to_owned()),
        (
            "TranscriptionUrl",
            format!(
                "{}{}/Transcriptions/{transcription_sid}",
                inner.base_url(),
                inner.account_prefix()
            ),
        ),
    ]));
    tokio::spawn(async move {
        inner.clock.sleep_secs(2.0).await;
        inner.callback(Some(&leg_sid), &url, Method::Post, p).await;
    });
}

#[cfg(test)]
mod tests {
    use super::recorded_secs;

    #[test]
    fn recordings_last_by_the_word_within_max_length() {
        assert_eq!(recorded_secs("one two three four five", 3600), 2);
        assert_eq!(recorded_secs("a", 3600), 1);
        assert_eq!(recorded_secs(&"word ".repeat(100), 10), 10);
    }
}
