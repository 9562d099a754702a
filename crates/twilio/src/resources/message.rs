//! The Message resource (`/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json`) and its page.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{MessageDirection, MessageStatus};

/// A message as Twilio's REST API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageResource {
    pub sid: String,
    pub account_sid: String,
    pub messaging_service_sid: Option<String>,
    /// Null while a Messaging Service has not yet picked a sender.
    pub from: Option<String>,
    pub to: String,
    pub body: String,
    pub status: MessageStatus,
    /// A count written as a string, e.g. `"1"`.
    pub num_segments: String,
    pub num_media: String,
    pub direction: MessageDirection,
    pub price: Option<String>,
    pub price_unit: Option<String>,
    pub error_code: Option<u32>,
    pub error_message: Option<String>,
    pub date_created: Option<String>,
    pub date_updated: Option<String>,
    pub date_sent: Option<String>,
    pub api_version: String,
    pub uri: String,
    #[serde(default)]
    pub subresource_uris: BTreeMap<String, String>,
}

/// One page of `GET .../Messages.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessagePage {
    pub messages: Vec<MessageResource>,
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

    /// The example response in Twilio's Message resource documentation.
    const DOC_EXAMPLE: &str = r#"{
      "account_sid": "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "api_version": "2010-04-01",
      "body": "Hi there",
      "date_created": "Thu, 24 Aug 2023 05:01:45 +0000",
      "date_sent": "Thu, 24 Aug 2023 05:01:45 +0000",
      "date_updated": "Thu, 24 Aug 2023 05:01:45 +0000",
      "direction": "outbound-api",
      "error_code": null,
      "error_message": null,
      "from": "+14155552345",
      "num_media": "0",
      "num_segments": "1",
      "price": null,
      "price_unit": null,
      "messaging_service_sid": "MGaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "sid": "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "status": "queued",
      "subresource_uris": {
        "media": "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Messages/SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Media.json"
      },
      "to": "+14155552345",
      "uri": "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Messages/SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.json"
    }"#;

    fn doc_message() -> MessageResource {
        serde_json::from_str(DOC_EXAMPLE).unwrap_or_else(|err| panic!("{err}"))
    }

    #[test]
    fn message_resource_reads_twilio_documentation_example() {
        let message = doc_message();
        assert_eq!(message.status, MessageStatus::Queued);
        assert_eq!(message.direction, MessageDirection::OutboundApi);
        assert_eq!(message.num_segments, "1");
        assert_eq!(message.error_code, None);
    }

    #[test]
    fn message_resource_writes_error_code_as_number() {
        let mut message = doc_message();
        message.status = MessageStatus::Undelivered;
        message.error_code = Some(30_003);
        let json = serde_json::to_value(&message).unwrap_or_default();
        assert_eq!(json["error_code"], 30_003);
        assert_eq!(json["status"], "undelivered");
        assert_eq!(
            serde_json::from_value::<MessageResource>(json).ok(),
            Some(message)
        );
    }

    #[test]
    fn message_page_reads_next_page_uri() {
        let json = serde_json::json!({
            "messages": [serde_json::from_str::<serde_json::Value>(DOC_EXAMPLE).unwrap_or_default()],
            "page": 0, "page_size": 1, "start": 0, "end": 0,
            "first_page_uri": "/2010-04-01/Accounts/AC1/Messages.json?PageSize=1&Page=0",
            "next_page_uri": "/2010-04-01/Accounts/AC1/Messages.json?PageSize=1&Page=1&PageToken=PASM1",
            "previous_page_uri": null,
            "uri": "/2010-04-01/Accounts/AC1/Messages.json?PageSize=1&Page=0"
        });
        let page: MessagePage = serde_json::from_value(json).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(page.messages, vec![doc_message()]);
        assert!(page.next_page_uri.is_some_and(|uri| uri.contains("Page=1")));
    }
}
