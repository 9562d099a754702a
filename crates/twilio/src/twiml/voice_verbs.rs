//! Each voice verb's constructor and setters, and the conversions that let
//! [`VoiceResponse`](super::VoiceResponse)'s builders take a verb or its plain text.

use super::voice::{
    Dial, DialTarget, Gather, GatherChild, Number, Pause, Play, Record, Redirect, Reject, Say,
    Verb, option_setters,
};
use crate::Method;

impl Say {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }
}
option_setters!(Say {
    voice: String,
    language: String,
    loop_count: u32
});

impl Play {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            ..Self::default()
        }
    }

    /// Plays DTMF tones instead of a file (`w` waits half a second).
    pub fn digits(digits: impl Into<String>) -> Self {
        Self {
            digits: Some(digits.into()),
            ..Self::default()
        }
    }
}
option_setters!(Play { loop_count: u32 });

impl Gather {
    pub fn new() -> Self {
        Self::default()
    }

    /// Nests a `<Say>`, `<Play>` or `<Pause>`.
    #[must_use]
    pub fn child(mut self, child: impl Into<GatherChild>) -> Self {
        self.children.push(child.into());
        self
    }
}
option_setters!(Gather {
    action: String,
    method: Method,
    num_digits: u32,
    timeout: u32,
    finish_on_key: String,
    input: String,
    action_on_empty_result: bool,
    speech_timeout: String,
    language: String,
    hints: String,
});

impl Dial {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a `<Number>`; accepts a `Number` or a phone number.
    #[must_use]
    pub fn number(mut self, number: impl Into<Number>) -> Self {
        self.targets.push(DialTarget::Number(number.into()));
        self
    }
}
option_setters!(Dial {
    action: String,
    method: Method,
    timeout: u32,
    caller_id: String,
    record: String,
    time_limit: u32,
    hangup_on_star: bool,
    answer_on_bridge: bool,
    ring_tone: String,
});

impl Number {
    pub fn new(number: impl Into<String>) -> Self {
        Self {
            number: number.into(),
            ..Self::default()
        }
    }
}
option_setters!(Number {
    send_digits: String,
    url: String,
    method: Method,
    status_callback: String,
    status_callback_event: String,
    status_callback_method: Method,
    machine_detection: String,
});

impl Record {
    pub fn new() -> Self {
        Self::default()
    }
}
option_setters!(Record {
    action: String,
    method: Method,
    timeout: u32,
    max_length: u32,
    finish_on_key: String,
    play_beep: bool,
    transcribe: bool,
    transcribe_callback: String,
    recording_status_callback: String,
    recording_status_callback_event: String,
    trim: String,
});

impl Redirect {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            method: None,
        }
    }
}
option_setters!(Redirect { method: Method });

impl Reject {
    /// `<Reject reason="busy"/>`: the caller hears a busy signal.
    pub fn busy() -> Self {
        Self {
            reason: Some("busy".to_owned()),
        }
    }
}

macro_rules! from_impls {
    ($target:ident: $($variant:ident),*) => {
        $(impl From<$variant> for $target {
            fn from(value: $variant) -> Self {
                $target::$variant(value)
            }
        })*
    };
}
from_impls!(Verb: Say, Play, Pause, Gather, Dial, Record, Redirect, Reject);
from_impls!(GatherChild: Say, Play, Pause);

impl From<&str> for Say {
    fn from(text: &str) -> Self {
        Say::new(text)
    }
}
impl From<String> for Say {
    fn from(text: String) -> Self {
        Say::new(text)
    }
}
impl From<&str> for Play {
    fn from(url: &str) -> Self {
        Play::new(url)
    }
}
impl From<&str> for Redirect {
    fn from(url: &str) -> Self {
        Redirect::new(url)
    }
}
impl From<&str> for Number {
    fn from(number: &str) -> Self {
        Number::new(number)
    }
}
impl From<String> for Number {
    fn from(number: String) -> Self {
        Number::new(number)
    }
}
