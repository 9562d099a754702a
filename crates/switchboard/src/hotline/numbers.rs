//! The hotline's part in the number registry (`telephony::numbers`): a number owned by a line
//! answers calls like the line's own number does (the incident walk, keyed on the CallSid),
//! its status callback ends the incident, and a line saved with a registered number that has
//! no owner takes it. `app.rs` registers [`LineNumbers`] for `hotline-line` at start.

use axum::response::IntoResponse;
use futures::future::BoxFuture;
use twilio::webhook::VoiceRequest;

use super::desk::{Desk, LineRef};
use super::http::voice::{CALL_STATUS_PATH, answer_call};
use super::store::lines::{self, Line};
use crate::error::{StoreError, StoreResult};
use crate::ids::{LineId, OrgId};
use crate::services::Services;
use crate::telephony::numbers::{Inbound, OwnerJob, OwnerKind, dispatch, store};

/// What the registry asks of the hotline about the numbers its lines own.
pub struct LineNumbers {
    services: Services,
    desk: Desk,
}

impl LineNumbers {
    pub fn new(hotline: &super::Hotline) -> LineNumbers {
        LineNumbers {
            services: hotline.services.clone(),
            desk: hotline.desk.clone(),
        }
    }
}

impl OwnerJob for LineNumbers {
    fn name(&self, org: OrgId, id: i64) -> BoxFuture<'_, StoreResult<Option<String>>> {
        Box::pin(async move {
            match lines::find_line(&self.services.db, org, LineId::new(id)).await {
                Ok(line) => Ok(Some(line.name)),
                Err(StoreError::NotFound(_)) => Ok(None),
                Err(e) => Err(e),
            }
        })
    }

    fn uses_number<'a>(
        &'a self,
        org: OrgId,
        e164: &'a str,
    ) -> BoxFuture<'a, StoreResult<Option<i64>>> {
        Box::pin(async move {
            Ok(lines::find_line_by_number(&self.services.db, e164)
                .await?
                .filter(|(owner, _)| *owner == org)
                .map(|(_, line)| line.id.get()))
        })
    }

    fn answer_call(&self, call: Inbound) -> BoxFuture<'_, Option<axum::response::Response>> {
        Box::pin(async move {
            let line = LineRef::Id(LineId::new(call.owner_id));
            let answer = match VoiceRequest::from_pairs(&call.request.params) {
                Ok(voice) => answer_call(&self.services, &self.desk, call.org, &voice, line)
                    .await
                    .into_response(),
                Err(e) => crate::http::AppError::from(e).into_response(),
            };
            Some(answer)
        })
    }

    fn call_status_path(&self) -> Option<&'static str> {
        Some(CALL_STATUS_PATH)
    }
}

/// Whether the organisation's number `e164` is owned by one of its lines.
pub async fn owned_by_a_line(state: &Services, org: OrgId, e164: &str) -> StoreResult<bool> {
    Ok(dispatch::owner_for(state, org, e164)
        .await?
        .is_some_and(|o| o.kind == OwnerKind::HotlineLine))
}

/// After a line is saved: it takes its number when the organisation registered it and nobody
/// owns it.
pub async fn claim_own_number(state: &Services, org: OrgId, line: &Line) -> StoreResult<()> {
    let owner = lines::owner(line.id);
    if store::claim_if_free(&state.db, org, &line.phone_number, owner).await? {
        tracing::info!(line.id = %line.id, number = line.phone_number, "The line owns its number.");
    }
    Ok(())
}
