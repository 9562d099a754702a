//! Placing calls and sending texts: the request to Twilio (or the simulator), the ledger row,
//! and the provider metrics, in one place.

use twilio::client::{Client, CreateCall, CreateMessage};
use twilio::resources::{CallResource, MessageResource};

use super::ledger;
use crate::accounts::OrgId;
use crate::services::Services;

/// What a call or text belongs to, e.g. `("hotline_incident", 12)`; kept in the ledger.
#[derive(Clone, Copy, Debug)]
pub struct Owner {
    pub kind: &'static str,
    pub id: i64,
}

/// Places a call on the organisation's account (`account::account_for`). Status callbacks
/// (all four events) come back to the ledger unless the caller set its own `status_callback`.
pub async fn place_call(
    state: &Services,
    org: OrgId,
    owner: Option<Owner>,
    call: CreateCall,
) -> Result<CallResource, twilio::client::Error> {
    let account = account_of(state, org).await?;
    place_call_on(state, &account.client, org, owner, call).await
}

/// [`place_call`] on the account of `client`, which the caller picked for `org`.
pub async fn place_call_on(
    state: &Services,
    client: &Client,
    org: OrgId,
    owner: Option<Owner>,
    mut call: CreateCall,
) -> Result<CallResource, twilio::client::Error> {
    if call.status_callback.is_none() {
        call.status_callback = Some(
            state
                .config
                .public_url_for(&format!("/twilio/calls/status?org={org}")),
        );
        call.status_callback_event = ["initiated", "ringing", "answered", "completed"]
            .map(String::from)
            .to_vec();
    }
    let result = client.create_call(&call).await;
    count("create_call", &result);
    let resource = result?;
    if let Err(err) =
        ledger::record_call(&state.db, org, owner, &resource, state.clock.now_ms()).await
    {
        tracing::error!(
            call.sid = resource.sid,
            error = format!("{err:#}"),
            "could not record a placed call in the ledger"
        );
    }
    tracing::info!(call.sid = resource.sid, to = resource.to, "placed a call");
    Ok(resource)
}

/// Sends a text on the organisation's account. Its status callbacks come back to the ledger.
pub async fn send_text(
    state: &Services,
    org: OrgId,
    owner: Option<Owner>,
    message: CreateMessage,
) -> Result<MessageResource, twilio::client::Error> {
    let account = account_of(state, org).await?;
    send_text_on(state, &account.client, org, owner, message).await
}

/// [`send_text`] on the account of `client`, which the caller picked for `org`.
pub async fn send_text_on(
    state: &Services,
    client: &Client,
    org: OrgId,
    owner: Option<Owner>,
    mut message: CreateMessage,
) -> Result<MessageResource, twilio::client::Error> {
    if message.status_callback.is_none() {
        message.status_callback = Some(
            state
                .config
                .public_url_for(&format!("/twilio/messages/status?org={org}")),
        );
    }
    let result = client.create_message(&message).await;
    count("create_message", &result);
    let resource = result?;
    if let Err(err) =
        ledger::record_message(&state.db, org, owner, &resource, state.clock.now_ms()).await
    {
        tracing::error!(
            message.sid = resource.sid,
            error = format!("{err:#}"),
            "could not record a sent text in the ledger"
        );
    }
    Ok(resource)
}

/// The organisation's account; a failure to read it is a configuration error of the send.
async fn account_of(
    state: &Services,
    org: OrgId,
) -> Result<super::account::Account, twilio::client::Error> {
    super::account::account_for(state, org)
        .await
        .map_err(|e| twilio::client::Error::Config(format!("{e:#}")))
}

fn count<T>(operation: &'static str, result: &Result<T, twilio::client::Error>) {
    let outcome = match result {
        Ok(_) => "ok".to_string(),
        Err(twilio::client::Error::Api { code, .. }) => format!("twilio_{code}"),
        Err(twilio::client::Error::Http(_)) => "unreachable".to_string(),
        Err(_) => "error".to_string(),
    };
    metrics::counter!("provider_requests_total", "provider" => "twilio", "operation" => operation, "outcome" => outcome).increment(1);
}
