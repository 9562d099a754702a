//! The endpoints: calls, messages, incoming phone numbers and recordings.

use super::{
    Client, CreateCall, CreateMessage, FormPairs, IncomingPhoneNumberParams, ListCalls,
    ListMessages, Result, UpdateCall, checked_sid,
};
use crate::resources::{
    CallPage, CallResource, IncomingPhoneNumber, IncomingPhoneNumberPage, MessagePage,
    MessageResource, RecordingResource,
};

impl Client {
    /// Places an outbound call (`POST Calls.json`, answered 201).
    pub async fn create_call(&self, params: &CreateCall) -> Result<CallResource> {
        self.post(&self.account_url("Calls.json"), &params.to_form())
            .await
    }

    pub async fn fetch_call(&self, sid: &str) -> Result<CallResource> {
        let url = self.account_url(&format!("Calls/{}.json", checked_sid(sid)?));
        self.get(&url, &FormPairs::new()).await
    }

    /// Redirects a live call to new TwiML, or cancels/completes it.
    pub async fn update_call(&self, sid: &str, params: &UpdateCall) -> Result<CallResource> {
        let url = self.account_url(&format!("Calls/{}.json", checked_sid(sid)?));
        self.post(&url, &params.to_form()).await
    }

    /// The first page of calls matching the filters, newest first.
    pub async fn list_calls(&self, params: &ListCalls) -> Result<CallPage> {
        self.get(&self.account_url("Calls.json"), &params.to_query())
            .await
    }

    /// The page after `page`, or `None` on the last page.
    pub async fn next_calls_page(&self, page: &CallPage) -> Result<Option<CallPage>> {
        self.next_page(page.next_page_uri.as_deref()).await
    }

    /// Sends a text (`POST Messages.json`, answered 201).
    pub async fn create_message(&self, params: &CreateMessage) -> Result<MessageResource> {
        self.post(&self.account_url("Messages.json"), &params.to_form())
            .await
    }

    pub async fn fetch_message(&self, sid: &str) -> Result<MessageResource> {
        let url = self.account_url(&format!("Messages/{}.json", checked_sid(sid)?));
        self.get(&url, &FormPairs::new()).await
    }

    pub async fn list_messages(&self, params: &ListMessages) -> Result<MessagePage> {
        self.get(&self.account_url("Messages.json"), &params.to_query())
            .await
    }

    pub async fn next_messages_page(&self, page: &MessagePage) -> Result<Option<MessagePage>> {
        self.next_page(page.next_page_uri.as_deref()).await
    }

    /// The account's numbers, optionally only those matching `phone_number`.
    pub async fn list_incoming_phone_numbers(
        &self,
        phone_number: Option<&str>,
    ) -> Result<IncomingPhoneNumberPage> {
        let mut query = FormPairs::new();
        if let Some(number) = phone_number {
            query.push(("PhoneNumber", number.to_owned()));
        }
        self.get(&self.account_url("IncomingPhoneNumbers.json"), &query)
            .await
    }

    pub async fn next_incoming_phone_numbers_page(
        &self,
        page: &IncomingPhoneNumberPage,
    ) -> Result<Option<IncomingPhoneNumberPage>> {
        self.next_page(page.next_page_uri.as_deref()).await
    }

    /// Buys a number (`phone_number` must be set).
    pub async fn create_incoming_phone_number(
        &self,
        params: &IncomingPhoneNumberParams,
    ) -> Result<IncomingPhoneNumber> {
        self.post(
            &self.account_url("IncomingPhoneNumbers.json"),
            &params.to_form(),
        )
        .await
    }

    /// Points a number's webhooks somewhere else.
    pub async fn update_incoming_phone_number(
        &self,
        sid: &str,
        params: &IncomingPhoneNumberParams,
    ) -> Result<IncomingPhoneNumber> {
        let url = self.account_url(&format!("IncomingPhoneNumbers/{}.json", checked_sid(sid)?));
        self.post(&url, &params.to_form()).await
    }

    pub async fn fetch_recording(&self, sid: &str) -> Result<RecordingResource> {
        let url = self.account_url(&format!("Recordings/{}.json", checked_sid(sid)?));
        self.get(&url, &FormPairs::new()).await
    }

    async fn next_page<T: serde::de::DeserializeOwned>(
        &self,
        next_page_uri: Option<&str>,
    ) -> Result<Option<T>> {
        match next_page_uri {
            None | Some("") => Ok(None),
            Some(uri) if uri.starts_with('/') => self
                .get(&self.page_url(uri), &FormPairs::new())
                .await
                .map(Some),
            Some(uri) => Err(super::Error::Config(format!(
                "next_page_uri must be relative, got {uri:?}"
            ))),
        }
    }
}
