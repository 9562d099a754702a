//! The Recording resource (`/2010-04-01/Accounts/{AccountSid}/Recordings/{Sid}.json`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A recording as Twilio's REST API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordingResource {
    pub sid: String,
    pub account_sid: String,
    pub call_sid: String,
    pub conference_sid: Option<String>,
    /// Seconds as a string; `"-1"` while in progress.
    pub duration: Option<String>,
    pub channels: u32,
    /// `in-progress`, `paused`, `stopped`, `processing`, `completed`, `absent`, `failed`, `deleted`.
    pub status: String,
    /// `DialVerb`, `RecordVerb`, `OutboundAPI`, `StartCallRecordingAPI`, ...
    pub source: String,
    pub price: Option<String>,
    pub price_unit: Option<String>,
    pub error_code: Option<u32>,
    pub start_time: Option<String>,
    pub date_created: Option<String>,
    pub date_updated: Option<String>,
    pub api_version: String,
    pub uri: String,
    /// Absolute URL of the audio; append `.mp3` or `.wav`.
    pub media_url: Option<String>,
    #[serde(default)]
    pub subresource_uris: BTreeMap<String, String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recording_resource_reads_twilio_documentation_example() {
        let json = r#"{
          "account_sid": "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
          "api_version": "2010-04-01",
          "call_sid": "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
          "conference_sid": null,
          "channels": 1,
          "date_created": "Fri, 14 Oct 2016 21:56:34 +0000",
          "date_updated": "Fri, 14 Oct 2016 21:56:38 +0000",
          "start_time": "Fri, 14 Oct 2016 21:56:34 +0000",
          "price": "-0.0025",
          "price_unit": "USD",
          "duration": "4",
          "sid": "REaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
          "source": "StartConferenceRecordingAPI",
          "status": "completed",
          "error_code": null,
          "encryption_details": null,
          "media_url": "https://api.twilio.com/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Recordings/REaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
          "subresource_uris": {
            "transcriptions": "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Recordings/REaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Transcriptions.json"
          },
          "uri": "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Recordings/REaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.json"
        }"#;
        let recording: RecordingResource =
            serde_json::from_str(json).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(recording.duration.as_deref(), Some("4"));
        assert_eq!(recording.channels, 1);
        let back = serde_json::to_value(&recording).unwrap_or_default();
        assert_eq!(
            serde_json::from_value::<RecordingResource>(back).ok(),
            Some(recording)
        );
    }
}
