//! The jobs that own numbers, as telephony sees them: one [`OwnerJob`] per owner kind, which
//! `app.rs` registers at start (the hotline for `hotline-line`). Telephony hands an inbound
//! call or text to the job of the number's owner through this registry and so never names a
//! job: services flow down. A kind nobody registered owns nothing that answers: its numbers
//! are "not in service" and their texts stay in the inbox.

use std::collections::HashMap;
use std::sync::Arc;

use axum::response::Response;
use futures::future::BoxFuture;

use super::model::{Owner, OwnerKind};
use crate::error::StoreResult;
use crate::http::twilio_signature::TwilioRequest;
use crate::ids::OrgId;

/// A signed webhook about one of the owner's numbers, for the owner's job.
#[derive(Clone, Debug)]
pub struct Inbound {
    /// The organisation whose token signed the request; the job acts within it alone.
    pub org: OrgId,
    /// The job's own record that owns the number (a line's id...).
    pub owner_id: i64,
    pub request: TwilioRequest,
}

/// What a job that owns numbers does for telephony.
pub trait OwnerJob: Send + Sync + 'static {
    /// The owner's name as users read it, or `None` when `org` has no owner `id` of this kind
    /// (a number is never given to an owner that does not exist).
    fn name(&self, org: OrgId, id: i64) -> BoxFuture<'_, StoreResult<Option<String>>>;

    /// Which of the job's records already uses `e164` (a line saved with that number), so
    /// that registering the number gives it to that record.
    fn uses_number<'a>(
        &'a self,
        org: OrgId,
        e164: &'a str,
    ) -> BoxFuture<'a, StoreResult<Option<i64>>> {
        let _ = (org, e164);
        Box::pin(async { Ok(None) })
    }

    /// Answers an inbound call to one of the owner's numbers; `None`: the job takes no calls
    /// (the caller hears "not in service").
    fn answer_call(&self, call: Inbound) -> BoxFuture<'_, Option<Response>> {
        let _ = call;
        Box::pin(async { None })
    }

    /// Answers an inbound text to one of the owner's numbers, after the inbox kept it and its
    /// consent reading was applied; `None`: no reply.
    fn answer_text(&self, text: Inbound) -> BoxFuture<'_, Option<Response>> {
        let _ = text;
        Box::pin(async { None })
    }

    /// The status callback path the job wants on its numbers (where it learns a call ended);
    /// `None`: the call ledger's.
    fn call_status_path(&self) -> Option<&'static str> {
        None
    }
}

/// Owner kind → its job. Cheap to clone; filled once at start.
#[derive(Clone, Default)]
pub struct Owners(Arc<HashMap<OwnerKind, Arc<dyn OwnerJob>>>);

impl Owners {
    /// Registers `job` as the one that serves numbers owned by `kind` (the last wins).
    pub fn register(mut self, kind: OwnerKind, job: impl OwnerJob) -> Owners {
        Arc::make_mut(&mut self.0).insert(kind, Arc::new(job));
        self
    }

    /// The job that serves `kind`, when one registered.
    pub fn job(&self, kind: OwnerKind) -> Option<&dyn OwnerJob> {
        self.0.get(&kind).map(|j| j.as_ref())
    }

    /// The owner's name; `None` when nobody serves its kind or it does not exist in `org`.
    pub async fn name_of(&self, org: OrgId, owner: Owner) -> StoreResult<Option<String>> {
        match self.job(owner.kind) {
            Some(job) => job.name(org, owner.id).await,
            None => Ok(None),
        }
    }

    /// The record of a registered job that already uses `e164`, in kind order.
    pub async fn claimant(&self, org: OrgId, e164: &str) -> StoreResult<Option<Owner>> {
        for kind in OwnerKind::ALL {
            if let Some(job) = self.job(*kind)
                && let Some(id) = job.uses_number(org, e164).await?
            {
                return Ok(Some(Owner { kind: *kind, id }));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Named(&'static str);

    impl OwnerJob for Named {
        fn name(&self, org: OrgId, id: i64) -> BoxFuture<'_, StoreResult<Option<String>>> {
            let found = (org == OrgId::new(1) && id == 7).then(|| self.0.to_string());
            Box::pin(async move { Ok(found) })
        }
    }

    #[tokio::test]
    async fn an_owner_is_named_by_the_job_of_its_kind_within_its_organisation() {
        let owners = Owners::default().register(OwnerKind::HotlineLine, Named("Community Line"));
        let line = Owner {
            kind: OwnerKind::HotlineLine,
            id: 7,
        };
        let org = OrgId::new(1);
        assert_eq!(
            owners.name_of(org, line).await.unwrap().as_deref(),
            Some("Community Line")
        );
        assert_eq!(owners.name_of(OrgId::new(2), line).await.unwrap(), None);
        let campaign = Owner {
            kind: OwnerKind::DialerCampaign,
            id: 7,
        };
        assert_eq!(owners.name_of(org, campaign).await.unwrap(), None);
        assert!(owners.job(OwnerKind::DialerCampaign).is_none());
    }

    #[tokio::test]
    async fn a_job_that_takes_no_calls_or_texts_answers_none() {
        let job = Named("x");
        let request = TwilioRequest::for_tests(Some(OrgId::new(1)), Vec::new());
        let inbound = Inbound {
            org: OrgId::new(1),
            owner_id: 7,
            request,
        };
        assert!(job.answer_call(inbound.clone()).await.is_none());
        assert!(job.answer_text(inbound).await.is_none());
        assert_eq!(job.call_status_path(), None);
    }
}
