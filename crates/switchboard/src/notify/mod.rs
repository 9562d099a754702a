//! Email to staff and volunteers: SMTP when `SMTP_URL` is set, otherwise the outbox the
//! dashboard lists. Every email is a row first and a delivery job second, both written in the
//! caller's transaction, so an email is never lost to a crash or sent twice by a retry.

pub mod mailer;
pub mod store;

pub use mailer::Mailer;

use serde::{Deserialize, Serialize};

use crate::accounts::OrgId;
use crate::db::Tx;
use crate::jobs::{self, EnqueueOptions, Job, JobContext};

/// An email to send.
#[derive(Clone, Debug)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Queues `email` in `tx`: the row and its delivery job commit together.
pub async fn queue(
    tx: &mut Tx,
    org: Option<OrgId>,
    email: &Email,
    now_ms: i64,
) -> anyhow::Result<i64> {
    let id = store::insert(tx, org, email, now_ms).await?;
    let job = DeliverEmail { email_id: id };
    jobs::enqueue(
        tx,
        org,
        &job,
        EnqueueOptions::dedup(format!("email:{id}")),
        now_ms,
    )
    .await?;
    Ok(id)
}

/// Delivers one queued email through the configured mailer.
#[derive(Debug, Serialize, Deserialize)]
pub struct DeliverEmail {
    pub email_id: i64,
}

impl Job for DeliverEmail {
    const KIND: &'static str = "deliver_email";
    const MAX_ATTEMPTS: i64 = 10;
    type State = ();

    async fn run(self, ctx: JobContext, (): ()) -> anyhow::Result<()> {
        let state = &ctx.services;
        let Some(email) = store::find_queued(&state.db, self.email_id).await? else {
            return Ok(()); // already delivered by an earlier attempt
        };
        let now = state.clock.now_ms();
        match state.mailer.deliver(&state.config.email_from, &email).await {
            Ok(kept_in_outbox) => {
                store::mark_delivered(&state.db, self.email_id, kept_in_outbox, now).await?;
                tracing::info!(
                    email.id = self.email_id,
                    outbox = kept_in_outbox,
                    "email delivered"
                );
                Ok(())
            }
            Err(err) => {
                if ctx.attempt >= Self::MAX_ATTEMPTS {
                    store::mark_failed(&state.db, self.email_id, &format!("{err:#}")).await?;
                }
                Err(err)
            }
        }
    }
}
