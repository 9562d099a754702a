//! The IncomingPhoneNumber resource: a number the account owns and where its webhooks point.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What a number can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Capabilities {
    #[serde(default)]
    pub voice: bool,
    #[serde(default, rename = "SMS", alias = "sms")]
    pub sms: bool,
    #[serde(default, rename = "MMS", alias = "mms")]
    pub mms: bool,
    #[serde(default)]
    pub fax: bool,
}

/// A phone number as Twilio's REST API returns it. URLs are null or empty when not set;
/// methods are `"GET"` or `"POST"` as Twilio writes them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncomingPhoneNumber {
    pub sid: String,
    pub account_sid: String,
    /// E.164.
    pub phone_number: String,
    pub friendly_name: String,
    pub voice_url: Option<String>,
    pub voice_method: Option<String>,
    pub voice_fallback_url: Option<String>,
    pub voice_fallback_method: Option<String>,
    #[serde(default)]
    pub voice_caller_id_lookup: bool,
    pub voice_application_sid: Option<String>,
    pub status_callback: Option<String>,
    pub status_callback_method: Option<String>,
    pub sms_url: Option<String>,
    pub sms_method: Option<String>,
    pub sms_fallback_url: Option<String>,
    pub sms_fallback_method: Option<String>,
    pub sms_application_sid: Option<String>,
    #[serde(default)]
    pub capabilities: Capabilities,
    pub origin: Option<String>,
    pub status: Option<String>,
    pub trunk_sid: Option<String>,
    pub emergency_status: Option<String>,
    pub address_requirements: Option<String>,
    #[serde(default)]
    pub beta: bool,
    pub api_version: String,
    pub date_created: Option<String>,
    pub date_updated: Option<String>,
    pub uri: String,
    #[serde(default)]
    pub subresource_uris: BTreeMap<String, String>,
}

/// One page of `GET .../IncomingPhoneNumbers.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncomingPhoneNumberPage {
    pub incoming_phone_numbers: Vec<IncomingPhoneNumber>,
    pub page: u32,
    pub page_size: u32,
    pub first_page_uri: String,
    pub next_page_uri: Option<String>,
    pub previous_page_uri: Option<String>,
    pub uri: String,
    pub start: u32,
    pub end: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC_EXAMPLE: &str = r#"{
      "account_sid": "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "address_requirements": "none",
      "address_sid": "ADaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "api_version": "2010-04-01",
      "beta": false,
      "capabilities": { "voice": true, "SMS": false, "MMS": true, "fax": false },
      "date_created": "Thu, 30 Jul 2015 23:19:04 +0000",
      "date_updated": "Thu, 30 Jul 2015 23:19:04 +0000",
      "emergency_status": "Active",
      "friendly_name": "(808) 925-5327",
      "origin": "origin",
      "phone_number": "+18089255327",
      "sid": "PNaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "sms_application_sid": "",
      "sms_fallback_method": "POST",
      "sms_fallback_url": "",
      "sms_method": "POST",
      "sms_url": "",
      "status_callback": "",
      "status_callback_method": "POST",
      "trunk_sid": null,
      "uri": "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/IncomingPhoneNumbers/PNaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.json",
      "voice_application_sid": "",
      "voice_caller_id_lookup": false,
      "voice_fallback_method": "POST",
      "voice_fallback_url": null,
      "voice_method": "POST",
      "voice_url": null,
      "status": "in-use"
    }"#;

    #[test]
    fn incoming_phone_number_reads_twilio_documentation_example() {
        let number: IncomingPhoneNumber =
            serde_json::from_str(DOC_EXAMPLE).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(number.phone_number, "+18089255327");
        assert!(number.capabilities.voice && number.capabilities.mms && !number.capabilities.sms);
        assert_eq!(number.voice_url, None);
        assert_eq!(number.sms_url.as_deref(), Some(""));
    }

    #[test]
    fn capabilities_write_sms_and_mms_in_capitals() {
        let json = serde_json::to_value(Capabilities {
            voice: true,
            sms: true,
            mms: false,
            fax: false,
        })
        .unwrap_or_default();
        assert_eq!(json["SMS"], true);
        assert_eq!(json["MMS"], false);
    }
}
