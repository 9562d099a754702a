//! The people on the other end of each number: how they answer, what they press, say and text.

mod scenario;

pub use scenario::Scenario;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What happens when a number is called.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Rings for `answer_after_secs`, then a person answers.
    #[default]
    Answer,
    /// Rings until the caller's timeout: `no-answer`.
    NoAnswer,
    /// Returns busy: `busy`.
    Busy,
    /// The network cannot reach it: `failed`.
    Unreachable,
    /// An answering machine picks up after `answer_after_secs` and plays `machine_greeting`.
    Machine,
}

/// A scripted person (or machine) behind a phone number.
///
/// Every field has a default, so a scenario only names what matters for its test.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Behaviour {
    /// Answer, no-answer, busy, unreachable or machine.
    pub outcome: Outcome,
    /// Seconds of ringing before the person or machine answers.
    pub answer_after_secs: f64,
    /// Digits pressed, one string per `<Gather>` in order (`""` presses nothing).
    pub press: Vec<String>,
    /// Words spoken into a `<Record>` (and returned as the transcription).
    pub say: Option<String>,
    /// What a machine says before the beep (`outcome = "machine"`).
    pub machine_greeting: String,
    /// What machine detection reports; defaults to `human` for people and `machine_end_beep`
    /// (`machine_start` without `DetectMessageEnd`) for machines.
    pub answered_by: Option<String>,
    /// Seconds this party stays on a bridged `<Dial>` before hanging up.
    pub talk_secs: f64,
    /// Hangs up this many seconds after answering, whatever is going on.
    pub hangup_after_secs: Option<f64>,
    /// Text replies, one per text received, in order.
    pub replies: Vec<String>,
    /// Seconds after a text is delivered before the reply is sent.
    pub reply_after_secs: f64,
    /// Opens (HTTP GET) every http(s) link in texts delivered to this number.
    pub click_links: bool,
    /// Seconds after delivery before links are opened.
    pub click_after_secs: f64,
    /// Texts to this number are `undelivered` (error 30003) instead of `delivered`.
    pub undeliverable: bool,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            outcome: Outcome::Answer,
            answer_after_secs: 3.0,
            press: Vec::new(),
            say: None,
            machine_greeting: "Hi, you have reached my voicemail. Please leave a message after \
                               the tone."
                .to_owned(),
            answered_by: None,
            talk_secs: 20.0,
            hangup_after_secs: None,
            replies: Vec::new(),
            reply_after_secs: 5.0,
            click_links: false,
            click_after_secs: 3.0,
            undeliverable: false,
        }
    }
}

impl Behaviour {
    /// A person who answers after `secs` seconds.
    pub fn answers_after(secs: f64) -> Self {
        Behaviour {
            answer_after_secs: secs,
            ..Behaviour::default()
        }
    }

    /// A number with the given outcome and otherwise default behaviour.
    pub fn with_outcome(outcome: Outcome) -> Self {
        Behaviour {
            outcome,
            ..Behaviour::default()
        }
    }

    /// Adds digits to press, one string per `<Gather>`.
    pub fn pressing<I: IntoIterator<Item = S>, S: Into<String>>(mut self, digits: I) -> Self {
        self.press = digits.into_iter().map(Into::into).collect();
        self
    }

    /// The realistic mix for a number nobody scripted, reproducible from `(seed, number)`:
    /// 60 % answer, 20 % no answer, 10 % busy, 10 % answering machine.
    pub fn seeded(seed: u64, number: &str) -> Self {
        let digest = Sha256::new()
            .chain_update(seed.to_be_bytes())
            .chain_update(number)
            .finalize();
        let roll = digest[0] as u32 * 256 + digest[1] as u32; // 0..65536
        let percent = roll * 100 / 65536;
        let outcome = match percent {
            0..60 => Outcome::Answer,
            60..80 => Outcome::NoAnswer,
            80..90 => Outcome::Busy,
            _ => Outcome::Machine,
        };
        let answer_after_secs = 2.0 + f64::from(digest[2] % 7);
        let talk_secs = 10.0 + f64::from(digest[3] % 50);
        Behaviour {
            outcome,
            answer_after_secs,
            talk_secs,
            ..Behaviour::default()
        }
    }

    /// What machine detection reports for this party.
    pub fn answered_by(&self, detect_message_end: bool) -> String {
        if let Some(answered_by) = &self.answered_by {
            return answered_by.clone();
        }
        match (self.outcome, detect_message_end) {
            (Outcome::Machine, true) => "machine_end_beep".to_owned(),
            (Outcome::Machine, false) => "machine_start".to_owned(),
            _ => "human".to_owned(),
        }
    }

    /// Checks values that deserialisation alone cannot.
    pub fn validate(&self) -> Result<(), String> {
        let secs = [
            ("answer_after_secs", Some(self.answer_after_secs)),
            ("talk_secs", Some(self.talk_secs)),
            ("reply_after_secs", Some(self.reply_after_secs)),
            ("click_after_secs", Some(self.click_after_secs)),
            ("hangup_after_secs", self.hangup_after_secs),
        ];
        for (field, value) in secs {
            if let Some(value) = value
                && !(value.is_finite() && (0.0..=86_400.0).contains(&value))
            {
                return Err(format!("{field} must be between 0 and 86400 seconds"));
            }
        }
        if let Some(bad) = self
            .press
            .iter()
            .find(|d| !d.chars().all(|c| "0123456789*#w".contains(c)))
        {
            return Err(format!("press entry {bad:?} may only hold 0-9, *, # and w"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeded_mix_is_reproducible_per_seed_and_number() {
        assert_eq!(
            Behaviour::seeded(7, "+15005550111"),
            Behaviour::seeded(7, "+15005550111")
        );
    }

    #[test]
    fn the_seeded_mix_is_roughly_sixty_twenty_ten_ten() {
        let mut counts = [0u32; 5];
        for n in 0..10_000 {
            let b = Behaviour::seeded(42, &format!("+1555{n:07}"));
            counts[b.outcome as usize] += 1;
        }
        let [answer, no_answer, busy, _, machine] = counts;
        assert!((5700..6300).contains(&answer), "{counts:?}");
        assert!((1800..2200).contains(&no_answer), "{counts:?}");
        assert!((850..1150).contains(&busy), "{counts:?}");
        assert!((850..1150).contains(&machine), "{counts:?}");
    }

    #[test]
    fn machines_report_the_beep_only_with_message_end_detection() {
        let machine = Behaviour::with_outcome(Outcome::Machine);
        assert_eq!(machine.answered_by(true), "machine_end_beep");
        assert_eq!(machine.answered_by(false), "machine_start");
        assert_eq!(Behaviour::default().answered_by(true), "human");
    }

    #[test]
    fn validation_names_the_bad_field() {
        let b = Behaviour {
            talk_secs: -1.0,
            ..Behaviour::default()
        };
        assert!(b.validate().unwrap_err().contains("talk_secs"));
        let b = Behaviour::default().pressing(["1x"]);
        assert!(b.validate().unwrap_err().contains("press"));
    }
}
