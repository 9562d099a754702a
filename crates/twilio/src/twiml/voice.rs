//! Voice TwiML: the response and its verbs as plain values, and the response's fluent builders
//! (each verb's own are in `voice_verbs.rs`).

use crate::Method;

/// Generates `fn field(self, value) -> Self` setters that fill `Option` fields.
macro_rules! option_setters {
    ($ty:ident { $($field:ident: $t:ty),* $(,)? }) => {
        impl $ty {
            $(
                #[doc = concat!("Sets `", stringify!($field), "`.")]
                #[must_use]
                pub fn $field(mut self, value: impl Into<$t>) -> Self {
                    self.$field = Some(value.into());
                    self
                }
            )*
        }
    };
}
pub(crate) use option_setters;

/// A voice `<Response>`: the verbs Twilio runs in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VoiceResponse {
    pub verbs: Vec<Verb>,
}

/// One voice verb.
#[derive(Debug, Clone, PartialEq)]
pub enum Verb {
    Say(Say),
    Play(Play),
    Pause(Pause),
    Gather(Gather),
    Dial(Dial),
    Record(Record),
    Redirect(Redirect),
    Hangup,
    Reject(Reject),
}

/// `<Say>`: text-to-speech.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Say {
    pub text: String,
    pub voice: Option<String>,
    pub language: Option<String>,
    /// The `loop` attribute; 0 repeats until the call ends.
    pub loop_count: Option<u32>,
}

/// `<Play>`: an audio file by URL, or DTMF tones with `digits` (then `url` may be empty).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Play {
    pub url: String,
    pub loop_count: Option<u32>,
    pub digits: Option<String>,
}

/// `<Pause>`: silence, `length` seconds (Twilio's default 1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pause {
    pub length: Option<u32>,
}

/// `<Gather>`: collect keypresses or speech while its children play.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Gather {
    pub action: Option<String>,
    pub method: Option<Method>,
    pub num_digits: Option<u32>,
    pub timeout: Option<u32>,
    /// `finishOnKey`; `Some("")` means no key ends input.
    pub finish_on_key: Option<String>,
    /// `dtmf`, `speech` or `dtmf speech`.
    pub input: Option<String>,
    pub action_on_empty_result: Option<bool>,
    /// `speechTimeout`: seconds or `auto`.
    pub speech_timeout: Option<String>,
    pub language: Option<String>,
    pub hints: Option<String>,
    pub children: Vec<GatherChild>,
}

/// What may be nested in `<Gather>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GatherChild {
    Say(Say),
    Play(Play),
    Pause(Pause),
}

/// `<Dial>`: connect the caller to another party.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dial {
    pub action: Option<String>,
    pub method: Option<Method>,
    pub timeout: Option<u32>,
    pub caller_id: Option<String>,
    /// `do-not-record`, `record-from-answer`, `record-from-ringing`, and the `-dual` variants.
    pub record: Option<String>,
    pub time_limit: Option<u32>,
    pub hangup_on_star: Option<bool>,
    pub answer_on_bridge: Option<bool>,
    pub ring_tone: Option<String>,
    pub targets: Vec<DialTarget>,
}

/// Whom `<Dial>` calls. A bare phone number written as `<Dial>` text parses as a `Number`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialTarget {
    Number(Number),
}

/// `<Number>` inside `<Dial>`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Number {
    pub number: String,
    pub send_digits: Option<String>,
    /// TwiML run on the called party's leg before it is connected (call screening).
    pub url: Option<String>,
    pub method: Option<Method>,
    pub status_callback: Option<String>,
    /// Space-separated: `initiated ringing answered completed`.
    pub status_callback_event: Option<String>,
    pub status_callback_method: Option<Method>,
    /// `Enable` or `DetectMessageEnd`.
    pub machine_detection: Option<String>,
}

/// `<Record>`: record the caller.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Record {
    pub action: Option<String>,
    pub method: Option<Method>,
    pub timeout: Option<u32>,
    pub max_length: Option<u32>,
    pub finish_on_key: Option<String>,
    pub play_beep: Option<bool>,
    pub transcribe: Option<bool>,
    pub transcribe_callback: Option<String>,
    pub recording_status_callback: Option<String>,
    /// Space-separated: `in-progress completed absent`.
    pub recording_status_callback_event: Option<String>,
    /// `trim-silence` or `do-not-trim`.
    pub trim: Option<String>,
}

/// `<Redirect>`: continue with the TwiML at another URL.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Redirect {
    pub url: String,
    pub method: Option<Method>,
}

/// `<Reject>`: refuse an incoming call without answering (no charge).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reject {
    /// `rejected` (default) or `busy`.
    pub reason: Option<String>,
}

impl VoiceResponse {
    /// An empty response: Twilio hangs up after running it.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends any verb.
    #[must_use]
    pub fn verb(mut self, verb: impl Into<Verb>) -> Self {
        self.verbs.push(verb.into());
        self
    }

    /// Appends `<Say>`; accepts a `Say` or plain text.
    #[must_use]
    pub fn say(self, say: impl Into<Say>) -> Self {
        self.verb(say.into())
    }

    /// Appends `<Play>`; accepts a `Play` or a URL.
    #[must_use]
    pub fn play(self, play: impl Into<Play>) -> Self {
        self.verb(play.into())
    }

    /// Appends `<Pause length=...>`.
    #[must_use]
    pub fn pause(self, seconds: u32) -> Self {
        self.verb(Pause {
            length: Some(seconds),
        })
    }

    #[must_use]
    pub fn gather(self, gather: Gather) -> Self {
        self.verb(gather)
    }

    #[must_use]
    pub fn dial(self, dial: Dial) -> Self {
        self.verb(dial)
    }

    #[must_use]
    pub fn record(self, record: Record) -> Self {
        self.verb(record)
    }

    /// Appends `<Redirect>`; accepts a `Redirect` or a URL.
    #[must_use]
    pub fn redirect(self, redirect: impl Into<Redirect>) -> Self {
        self.verb(redirect.into())
    }

    #[must_use]
    pub fn hangup(self) -> Self {
        self.verb(Verb::Hangup)
    }

    #[must_use]
    pub fn reject(self, reject: Reject) -> Self {
        self.verb(reject)
    }
}
