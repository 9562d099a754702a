//! Mapping between the voice verbs and XML elements, both ways.

use super::TwimlError;
use super::element::{Element, parse_document, write_document};
use super::voice::*;

impl VoiceResponse {
    /// The document Twilio expects, with an XML declaration.
    pub fn to_xml(&self) -> String {
        let mut root = Element::new("Response");
        root.children = self.verbs.iter().map(Verb::to_element).collect();
        write_document(&root)
    }

    /// Reads a voice TwiML document back into verbs.
    pub fn parse(xml: &str) -> Result<Self, TwimlError> {
        let root = parse_document(xml)?;
        if root.name != "Response" {
            return Err(TwimlError::NotAResponse { found: root.name });
        }
        root.expect_no_text()?;
        let verbs = root
            .children
            .iter()
            .map(|child| Verb::from_element(&root, child))
            .collect::<Result<_, _>>()?;
        Ok(Self { verbs })
    }
}

impl Verb {
    fn to_element(&self) -> Element {
        match self {
            Verb::Say(say) => say.to_element(),
            Verb::Play(play) => play.to_element(),
            Verb::Pause(pause) => pause.to_element(),
            Verb::Gather(gather) => gather.to_element(),
            Verb::Dial(dial) => dial.to_element(),
            Verb::Record(record) => record.to_element(),
            Verb::Redirect(redirect) => redirect.to_element(),
            Verb::Hangup => Element::new("Hangup"),
            Verb::Reject(reject) => {
                let mut el = Element::new("Reject");
                el.attr("reason", &reject.reason);
                el
            }
        }
    }

    fn from_element(parent: &Element, el: &Element) -> Result<Self, TwimlError> {
        Ok(match el.name.as_str() {
            "Say" => Verb::Say(Say::from_element(el)?),
            "Play" => Verb::Play(Play::from_element(el)?),
            "Pause" => Verb::Pause(Pause::from_element(el)?),
            "Gather" => Verb::Gather(Gather::from_element(el)?),
            "Dial" => Verb::Dial(Dial::from_element(el)?),
            "Record" => Verb::Record(Record::from_element(el)?),
            "Redirect" => Verb::Redirect(Redirect::from_element(el)?),
            "Hangup" => {
                el.expect_no_text()?;
                el.expect_no_children()?;
                Verb::Hangup
            }
            "Reject" => {
                el.expect_no_text()?;
                el.expect_no_children()?;
                Verb::Reject(Reject {
                    reason: el.string_attr("reason"),
                })
            }
            _ => return Err(parent.unknown_child(el)),
        })
    }
}

impl Say {
    fn to_element(&self) -> Element {
        let mut el = Element::with_text("Say", &self.text);
        el.attr("voice", &self.voice);
        el.attr("language", &self.language);
        el.attr("loop", &self.loop_count);
        el
    }

    fn from_element(el: &Element) -> Result<Self, TwimlError> {
        el.expect_no_children()?;
        Ok(Self {
            text: el.trimmed_text(),
            voice: el.string_attr("voice"),
            language: el.string_attr("language"),
            loop_count: el.parse_attr("loop")?,
        })
    }
}

impl Play {
    fn to_element(&self) -> Element {
        let mut el = Element::with_text("Play", &self.url);
        el.attr("loop", &self.loop_count);
        el.attr("digits", &self.digits);
        el
    }

    fn from_element(el: &Element) -> Result<Self, TwimlError> {
        el.expect_no_children()?;
        let play = Self {
            url: el.trimmed_text(),
            loop_count: el.parse_attr("loop")?,
            digits: el.string_attr("digits"),
        };
        if play.url.is_empty() && play.digits.is_none() {
            return Err(TwimlError::MissingContent {
                element: el.name.clone(),
                what: "a URL or a digits attribute",
            });
        }
        Ok(play)
    }
}

impl Pause {
    fn to_element(&self) -> Element {
        let mut el = Element::new("Pause");
        el.attr("length", &self.length);
        el
    }

    fn from_element(el: &Element) -> Result<Self, TwimlError> {
        el.expect_no_text()?;
        el.expect_no_children()?;
        Ok(Self {
            length: el.parse_attr("length")?,
        })
    }
}

impl Gather {
    fn to_element(&self) -> Element {
        let mut el = Element::new("Gather");
        el.attr("action", &self.action);
        el.attr("method", &self.method);
        el.attr("numDigits", &self.num_digits);
        el.attr("timeout", &self.timeout);
        el.attr("finishOnKey", &self.finish_on_key);
        el.attr("input", &self.input);
        el.attr("actionOnEmptyResult", &self.action_on_empty_result);
        el.attr("speechTimeout", &self.speech_timeout);
        el.attr("language", &self.language);
        el.attr("hints", &self.hints);
        el.children = self
            .children
            .iter()
            .map(|child| match child {
                GatherChild::Say(say) => say.to_element(),
                GatherChild::Play(play) => play.to_element(),
                GatherChild::Pause(pause) => pause.to_element(),
            })
            .collect();
        el
    }

    fn from_element(el: &Element) -> Result<Self, TwimlError> {
        el.expect_no_text()?;
        let children = el
            .children
            .iter()
            .map(|child| match child.name.as_str() {
                "Say" => Say::from_element(child).map(GatherChild::Say),
                "Play" => Play::from_element(child).map(GatherChild::Play),
                "Pause" => Pause::from_element(child).map(GatherChild::Pause),
                _ => Err(el.unknown_child(child)),
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            action: el.string_attr("action"),
            method: el.parse_attr("method")?,
            num_digits: el.parse_attr("numDigits")?,
            timeout: el.parse_attr("timeout")?,
            finish_on_key: el.string_attr("finishOnKey"),
            input: el.string_attr("input"),
            action_on_empty_result: el.bool_attr("actionOnEmptyResult")?,
            speech_timeout: el.string_attr("speechTimeout"),
            language: el.string_attr("language"),
            hints: el.string_attr("hints"),
            children,
        })
    }
}

impl Dial {
    fn to_element(&self) -> Element {
        let mut el = Element::new("Dial");
        el.attr("action", &self.action);
        el.attr("method", &self.method);
        el.attr("timeout", &self.timeout);
        el.attr("callerId", &self.caller_id);
        el.attr("record", &self.record);
        el.attr("timeLimit", &self.time_limit);
        el.attr("hangupOnStar", &self.hangup_on_star);
        el.attr("answerOnBridge", &self.answer_on_bridge);
        el.attr("ringTone", &self.ring_tone);
        el.children = self
            .targets
            .iter()
            .map(|target| match target {
                DialTarget::Number(number) => number.to_element(),
            })
            .collect();
        el
    }

    fn from_element(el: &Element) -> Result<Self, TwimlError> {
        let mut targets = Vec::new();
        let text = el.trimmed_text();
        if !text.is_empty() {
            targets.push(DialTarget::Number(Number::new(text)));
        }
        for child in &el.children {
            match child.name.as_str() {
                "Number" => targets.push(DialTarget::Number(Number::from_element(child)?)),
                _ => return Err(el.unknown_child(child)),
            }
        }
        if targets.is_empty() {
            return Err(TwimlError::MissingContent {
                element: el.name.clone(),
                what: "a number to dial",
            });
        }
        Ok(Self {
            action: el.string_attr("action"),
            method: el.parse_attr("method")?,
            timeout: el.parse_attr("timeout")?,
            caller_id: el.string_attr("callerId"),
            record: el.string_attr("record"),
            time_limit: el.parse_attr("timeLimit")?,
            hangup_on_star: el.bool_attr("hangupOnStar")?,
            answer_on_bridge: el.bool_attr("answerOnBridge")?,
            ring_tone: el.string_attr("ringTone"),
            targets,
        })
    }
}

impl Number {
    fn to_element(&self) -> Element {
        let mut el = Element::with_text("Number", &self.number);
        el.attr("sendDigits", &self.send_digits);
        el.attr("url", &self.url);
        el.attr("method", &self.method);
        el.attr("statusCallback", &self.status_callback);
        el.attr("statusCallbackEvent", &self.status_callback_event);
        el.attr("statusCallbackMethod", &self.status_callback_method);
        el.attr("machineDetection", &self.machine_detection);
        el
    }

    fn from_element(el: &Element) -> Result<Self, TwimlError> {
        el.expect_no_children()?;
        let number = el.trimmed_text();
        if number.is_empty() {
            return Err(TwimlError::MissingContent {
                element: el.name.clone(),
                what: "a phone number",
            });
        }
        Ok(Self {
            number,
            send_digits: el.string_attr("sendDigits"),
            url: el.string_attr("url"),
            method: el.parse_attr("method")?,
            status_callback: el.string_attr("statusCallback"),
            status_callback_event: el.string_attr("statusCallbackEvent"),
            status_callback_method: el.parse_attr("statusCallbackMethod")?,
            machine_detection: el.string_attr("machineDetection"),
        })
    }
}

impl Record {
    fn to_element(&self) -> Element {
        let mut el = Element::new("Record");
        el.attr("action", &self.action);
        el.attr("method", &self.method);
        el.attr("timeout", &self.timeout);
        el.attr("maxLength", &self.max_length);
        el.attr("finishOnKey", &self.finish_on_key);
        el.attr("playBeep", &self.play_beep);
        el.attr("transcribe", &self.transcribe);
        el.attr("transcribeCallback", &self.transcribe_callback);
        el.attr("recordingStatusCallback", &self.recording_status_callback);
        el.attr(
            "recordingStatusCallbackEvent",
            &self.recording_status_callback_event,
        );
        el.attr("trim", &self.trim);
        el
    }

    fn from_element(el: &Element) -> Result<Self, TwimlError> {
        el.expect_no_text()?;
        el.expect_no_children()?;
        Ok(Self {
            action: el.string_attr("action"),
            method: el.parse_attr("method")?,
            timeout: el.parse_attr("timeout")?,
            max_length: el.parse_attr("maxLength")?,
            finish_on_key: el.string_attr("finishOnKey"),
            play_beep: el.bool_attr("playBeep")?,
            transcribe: el.bool_attr("transcribe")?,
            transcribe_callback: el.string_attr("transcribeCallback"),
            recording_status_callback: el.string_attr("recordingStatusCallback"),
            recording_status_callback_event: el.string_attr("recordingStatusCallbackEvent"),
            trim: el.string_attr("trim"),
        })
    }
}

impl Redirect {
    pub(crate) fn to_element(&self) -> Element {
        let mut el = Element::with_text("Redirect", &self.url);
        el.attr("method", &self.method);
        el
    }

    pub(crate) fn from_element(el: &Element) -> Result<Self, TwimlError> {
        el.expect_no_children()?;
        let url = el.trimmed_text();
        if url.is_empty() {
            return Err(TwimlError::MissingContent {
                element: el.name.clone(),
                what: "a URL",
            });
        }
        Ok(Self {
            url,
            method: el.parse_attr("method")?,
        })
    }
}
