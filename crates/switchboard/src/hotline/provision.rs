//! Points a line's Twilio number at our voice webhook: shift lines at the volunteer line's
//! `/callrouting/handle`, ladder lines at `/twilio/hotline/voice` (both serve either kind).
//!
//! Live: the number must already be in the account (we never buy one); its voice URL is
//! updated. Simulated: the simulator forgets its numbers on restart, so a missing number is
//! created. A registered number a line owns is pointed at the numbers' inbound webhook instead
//! (`telephony::numbers::provision`), which hands its calls to the line just the same.

use twilio::Method;
use twilio::client::IncomingPhoneNumberParams;

use super::http::voice::{CALL_STATUS_PATH, SEED_VOICE_PATH, VOICE_PATH};
use super::model::LineKind;
use super::store::lines::{self, Line};
use crate::accounts::OrgId;
use crate::config::TelephonyMode;
use crate::services::Services;
use crate::telephony::numbers::provision::point;

/// The voice URL a line's number should have.
pub fn voice_url(state: &Services, line: &Line) -> String {
    let path = match line.kind {
        LineKind::Shift => SEED_VOICE_PATH,
        LineKind::Ladder => VOICE_PATH,
    };
    state.config.public_url_for(path)
}

/// Points `line`'s number at our voice URL (`telephony::numbers::provision::point`).
pub async fn provision(state: &Services, line: &Line) -> anyhow::Result<()> {
    let url = voice_url(state, line);
    let params = IncomingPhoneNumberParams {
        voice_url: Some(url.clone()),
        voice_method: Some(Method::Post),
        status_callback: Some(state.config.public_url_for(CALL_STATUS_PATH)),
        status_callback_method: Some(Method::Post),
        ..IncomingPhoneNumberParams::default()
    };
    point(state, &line.phone_number, &line.name, params).await?;
    tracing::info!(
        line.id = %line.id,
        number = line.phone_number,
        url,
        "The line's number points at the voice webhook."
    );
    Ok(())
}

/// Provisions every line of `org`, logging (not failing on) a line that cannot be.
pub async fn provision_org(state: &Services, org: OrgId) -> anyhow::Result<()> {
    for line in lines::list_lines(&state.db, org).await? {
        if let Err(e) = provision(state, &line).await {
            tracing::warn!(
                line.id = %line.id,
                error = format!("{e:#}"),
                "The line's number could not be provisioned."
            );
        }
    }
    Ok(())
}

/// At start in simulated mode: the simulator starts empty, so point every line's number at
/// us again, or rehearsal calls would not reach lines made in an earlier run.
pub async fn provision_all_simulated(state: &Services) -> anyhow::Result<()> {
    if state.telephony.mode != TelephonyMode::Simulated {
        return Ok(());
    }
    let sql = "SELECT DISTINCT org_id FROM hotline_lines ORDER BY org_id";
    let orgs: Vec<OrgId> =
        crate::with_db!(&state.db, p => sqlx::query_scalar(sql).fetch_all(p).await)?;
    for org in orgs {
        provision_org(state, org).await?;
    }
    Ok(())
}

/// After a line is saved in simulated mode: provision it so a rehearsal call reaches it.
/// (Live numbers are provisioned deliberately, not on every edit.)
pub async fn after_save(state: &Services, line: &Line) {
    if state.telephony.mode == TelephonyMode::Simulated
        && let Err(e) = provision(state, line).await
    {
        tracing::warn!(
            line.id = %line.id,
            error = format!("{e:#}"),
            "The line's number could not be provisioned."
        );
    }
}
