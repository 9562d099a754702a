//! The two ways an email leaves: an SMTP exchange, or the outbox table.

use anyhow::Context as _;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::Email;

pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// Keep the email in the outbox for the dashboard; nothing leaves the machine.
    Outbox,
}

impl Mailer {
    /// SMTP from a URL like `smtp://user:pass@host:587?tls=required` (lettre's syntax), or
    /// the outbox when there is none.
    pub fn from_url(url: Option<&str>) -> anyhow::Result<Mailer> {
        match url {
            None => Ok(Mailer::Outbox),
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .context("SMTP_URL is not a usable SMTP URL")?
                    .timeout(Some(std::time::Duration::from_secs(20)))
                    .build();
                Ok(Mailer::Smtp(transport))
            }
        }
    }

    /// Sends `email`. Returns true when it stays in the outbox instead.
    pub async fn deliver(&self, from: &str, email: &Email) -> anyhow::Result<bool> {
        match self {
            Mailer::Outbox => Ok(true),
            Mailer::Smtp(transport) => {
                let from: Mailbox = from
                    .parse()
                    .context("SWITCHBOARD_EMAIL_FROM is not an address")?;
                let to: Mailbox = email
                    .to
                    .parse()
                    .with_context(|| format!("'{}' is not an email address", email.to))?;
                let message = Message::builder()
                    .from(from)
                    .to(to)
                    .subject(&email.subject)
                    .body(email.body.clone())
                    .context("building the email")?;
                transport
                    .send(message)
                    .await
                    .context("the SMTP server refused the email")?;
                Ok(false)
            }
        }
    }

    pub fn describe(&self) -> &'static str {
        match self {
            Mailer::Smtp(_) => "smtp",
            Mailer::Outbox => "outbox",
        }
    }
}
