//! Voicemail: declined whispers, the recording and its transcription in any order, and the
//! transcription deadline.

use super::*;

#[test]
fn a_declined_whisper_is_recorded_once_per_leg() {
    let mut bench = Bench::ladder(MONDAY_AFTERNOON);
    bench.apply(Command::Incoming);
    let declined = Command::WhisperDeclined {
        phone: "+15005550111".into(),
        leg_sid: Some("CA9".into()),
    };
    bench.apply(declined.clone());
    bench.replay(declined);
    assert_eq!(
        bench
            .events()
            .iter()
            .filter(|k| **k == "whisper_declined")
            .count(),
        1
    );
    assert_eq!(
        bench.ringing(),
        ["Ada Lovelace"],
        "the dial action reports the outcome"
    );
}

fn recording() -> Command {
    Command::Recording {
        url: "https://sim/Recordings/RE1".into(),
        sid: "RE1".into(),
        secs: Some(7),
    }
}

fn transcription(status: TranscriptionStatus, text: Option<&str>) -> Command {
    Command::Transcription {
        status,
        text: text.map(str::to_string),
    }
}

#[test]
fn a_voicemail_is_emailed_once_whichever_of_its_callbacks_comes_first_and_however_often() {
    let text = transcription(TranscriptionStatus::Completed, Some("Please call back."));
    for order in [[recording(), text.clone()], [text.clone(), recording()]] {
        let mut bench = Bench::new(line(LineKind::Shift), shift_roster(), MONDAY_NIGHT);
        bench.apply(Command::Incoming);
        for command in order.iter().chain(order.iter()) {
            bench.apply(command.clone());
        }
        assert_eq!(bench.emails(), 1);
        let incident = &bench.state.incident;
        assert_eq!(incident.transcript.as_deref(), Some("Please call back."));
        assert_eq!(
            incident.voicemail_url.as_deref(),
            Some("https://sim/Recordings/RE1")
        );
        assert!(incident.voicemail_emailed_at.is_some());
    }
}

#[test]
fn a_voicemail_without_a_transcription_is_emailed_when_it_is_overdue_and_a_late_one_adds_only_its_text()
 {
    let mut bench = Bench::new(line(LineKind::Shift), shift_roster(), MONDAY_NIGHT);
    bench.apply(Command::Incoming);
    let effects = bench.apply(recording());
    assert!(effects.contains(&Effect::AwaitTranscription {
        at: bench.now.as_millisecond() + apply::TRANSCRIPTION_WAIT_MS
    }));
    assert_eq!(bench.emails(), 0, "the email waits for the transcription");
    bench.apply(Command::TranscriptionOverdue);
    assert_eq!(bench.emails(), 1);
    bench.replay(Command::TranscriptionOverdue);
    bench.apply(transcription(
        TranscriptionStatus::Completed,
        Some("Too late."),
    ));
    assert_eq!(bench.emails(), 1, "no second email");
    assert_eq!(
        bench.state.incident.transcript.as_deref(),
        Some("Too late.")
    );
    bench.replay(transcription(TranscriptionStatus::Failed, None));
    assert_eq!(
        bench.state.incident.transcription_status,
        Some(TranscriptionStatus::Completed),
        "a failure never replaces a text"
    );
}
