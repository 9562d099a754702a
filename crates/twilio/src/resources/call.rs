//! The Call resource (`/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json`) and its list page.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{AnsweredBy, CallDirection, CallStatus};

/// A call as Twilio's REST API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallResource {
    pub sid: String,
    pub account_sid: String,
    pub parent_call_sid: Option<String>,
    pub to: String,
    pub from: String,
    pub to_formatted: Option<String>,
    pub from_formatted: Option<String>,
    pub phone_number_sid: Option<String>,
    pub status: CallStatus,
    /// RFC 2822; null until answered.
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    /// Whole seconds as a string; null until the call ends.
    pub duration: Option<String>,
    /// Negative decimal string such as `"-0.01300"`; null until priced.
    pub price: Option<String>,
    pub price_unit: Option<String>,
    pub direction: CallDirection,
    pub answered_by: Option<AnsweredBy>,
    pub api_version: String,
    pub forwarded_from: Option<String>,
    pub caller_name: Option<String>,
    pub group_sid: Option<String>,
    pub queue_time: Option<String>,
    pub date_created: Option<String>,
    pub date_updated: Option<String>,
    /// Relative: `/2010-04-01/Accounts/AC.../Calls/CA....json`.
    pub uri: String,
    #[serde(default)]
    pub subresource_uris: BTreeMap<String, String>,
    pub annotation: Option<String>,
    pub trunk_sid: Option<String>,
}

/// One page of `GET .../Calls.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallPage {
    pub calls: Vec<CallResource>,
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

    /// The example response in Twilio's Call resource documentation.
    const DOC_EXAMPLE: &str = r#"{
      "account_sid": "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "annotation": null,
      "answered_by": null,
      "api_version": "2010-04-01",
      "caller_name": null,
      "date_created": "Tue, 31 Aug 2010 20:36:28 +0000",
      "date_updated": "Tue, 31 Aug 2010 20:36:44 +0000",
      "direction": "inbound",
      "duration": "15",
      "end_time": "Tue, 31 Aug 2010 20:36:44 +0000",
      "forwarded_from": "+141586753093",
      "from": "+15017122661",
      "from_formatted": "(501) 712-2661",
      "group_sid": null,
      "parent_call_sid": null,
      "phone_number_sid": "PNaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "price": "-0.03000",
      "price_unit": "USD",
      "sid": "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "start_time": "Tue, 31 Aug 2010 20:36:29 +0000",
      "status": "completed",
      "subresource_uris": {
        "notifications": "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Calls/CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Notifications.json",
        "recordings": "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Calls/CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Recordings.json"
      },
      "to": "+15558675310",
      "to_formatted": "(555) 867-5310",
      "trunk_sid": null,
      "uri": "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Calls/CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.json",
      "queue_time": "1000"
    }"#;

    fn doc_call() -> CallResource {
        serde_json::from_str(DOC_EXAMPLE).unwrap_or_else(|err| panic!("{err}"))
    }

    #[test]
    fn call_resource_reads_twilio_documentation_example() {
        let call = doc_call();
        assert_eq!(call.status, CallStatus::Completed);
        assert_eq!(call.direction, CallDirection::Inbound);
        assert_eq!(call.price.as_deref(), Some("-0.03000"));
        assert_eq!(call.duration.as_deref(), Some("15"));
        assert_eq!(call.subresource_uris.len(), 2);
    }

    #[test]
    fn call_resource_writes_nulls_and_snake_case_like_twilio() {
        let mut call = doc_call();
        call.answered_by = Some(AnsweredBy::MachineStart);
        call.direction = CallDirection::OutboundApi;
        let json = serde_json::to_value(&call).unwrap_or_default();
        assert_eq!(json["annotation"], serde_json::Value::Null);
        assert_eq!(json["answered_by"], "machine_start");
        assert_eq!(json["direction"], "outbound-api");
        assert_eq!(
            serde_json::from_value::<CallResource>(json).ok(),
            Some(call)
        );
    }

    #[test]
    fn call_page_round_trips_with_paging_uris() {
        let page = CallPage {
            calls: vec![doc_call()],
            page: 0,
            page_size: 50,
            first_page_uri: "/2010-04-01/Accounts/AC1/Calls.json?PageSize=50&Page=0".into(),
            next_page_uri: None,
            previous_page_uri: None,
            uri: "/2010-04-01/Accounts/AC1/Calls.json?PageSize=50&Page=0".into(),
            start: 0,
            end: 0,
        };
        let json = serde_json::to_value(&page).unwrap_or_default();
        assert_eq!(json["next_page_uri"], serde_json::Value::Null);
        assert_eq!(serde_json::from_value::<CallPage>(json).ok(), Some(page));
    }
}
