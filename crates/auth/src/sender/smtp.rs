//! Email over SMTP with lettre (rustls; no native TLS).
//!
//! Settings (read by [`SmtpSender::from_env`]):
//! * `STRATUS_SMTP_URL` — lettre's connection URL: `smtp://user:pass@host:587?tls=required`
//!   (STARTTLS), `smtps://user:pass@host:465` (implicit TLS), `smtp://host:25` (plain; local
//!   relays only). Unset: no SMTP sender.
//! * `STRATUS_SMTP_FROM` — the default From (`"Name <address>"` or an address); a pool's own
//!   `senders.email.fromEmail` wins. Default `no-reply@verificationemail.com` (Cognito's).

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::{Channel, Message, SendError, SendFuture, Sender};

pub const SMTP_URL_ENV: &str = "STRATUS_SMTP_URL";
pub const SMTP_FROM_ENV: &str = "STRATUS_SMTP_FROM";
/// Cognito's default sender address.
pub const DEFAULT_FROM: &str = "no-reply@verificationemail.com";

#[derive(Debug, thiserror::Error)]
pub enum SmtpError {
    #[error("invalid {SMTP_URL_ENV}: {0}")]
    Url(String),
    #[error("invalid {SMTP_FROM_ENV} address {0:?}: {1}")]
    From(String, String),
}

/// Sends email messages over SMTP (SMS messages are refused).
#[derive(Clone)]
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// For Debug (credentials removed).
    server: String,
}

impl std::fmt::Debug for SmtpSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSender")
            .field("server", &self.server)
            .field("from", &self.from.to_string())
            .finish()
    }
}

impl SmtpSender {
    /// A sender for a lettre connection URL and a default From.
    pub fn new(url: &str, from: &str) -> Result<Self, SmtpError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| SmtpError::Url(e.to_string()))?
            .build();
        let from: Mailbox = from.parse().map_err(|e: lettre::address::AddressError| {
            SmtpError::From(from.to_string(), e.to_string())
        })?;
        let server = url
            .rsplit_once('@')
            .map(|(scheme_user, host)| {
                let scheme = scheme_user.split("://").next().unwrap_or("smtp");
                format!("{scheme}://{host}")
            })
            .unwrap_or_else(|| url.to_string());
        Ok(Self {
            transport,
            from,
            server,
        })
    }

    /// From `STRATUS_SMTP_URL` / `STRATUS_SMTP_FROM`; `Ok(None)` when no URL is set.
    pub fn from_env() -> Result<Option<Self>, SmtpError> {
        Self::from_vars(|k| std::env::var(k).ok())
    }

    /// [`Self::from_env`] over any variable source (tests).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, SmtpError> {
        let Some(url) = var(SMTP_URL_ENV).filter(|u| !u.trim().is_empty()) else {
            return Ok(None);
        };
        let from = var(SMTP_FROM_ENV)
            .filter(|f| !f.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_FROM.to_string());
        Self::new(url.trim(), from.trim()).map(Some)
    }

    fn build(&self, m: &Message) -> Result<lettre::Message, SendError> {
        let bad = |what: &str, e: &dyn std::fmt::Display| SendError(format!("{what}: {e}"));
        let from = match m.from.as_deref() {
            Some(f) => f.parse::<Mailbox>().map_err(|e| bad("from", &e))?,
            None => self.from.clone(),
        };
        let to: Mailbox = m.to.parse().map_err(|e| bad("to", &e))?;
        let mut b = lettre::Message::builder()
            .from(from)
            .to(to)
            .subject(m.subject.clone().unwrap_or_default());
        if let Some(r) = m.reply_to.as_deref() {
            b = b.reply_to(r.parse::<Mailbox>().map_err(|e| bad("reply-to", &e))?);
        }
        // Cognito messages are HTML-capable; the templates here are plain text unless they
        // contain markup.
        let content_type = if m.body.contains('<') && m.body.contains('>') {
            ContentType::TEXT_HTML
        } else {
            ContentType::TEXT_PLAIN
        };
        b.header(content_type)
            .body(m.body.clone())
            .map_err(|e| bad("message", &e))
    }
}

impl Sender for SmtpSender {
    fn send(&self, message: Message) -> SendFuture<'_> {
        Box::pin(async move {
            if message.channel != Channel::Email {
                return Err(SendError("the SMTP sender only sends email".into()));
            }
            let email = self.build(&message)?;
            self.transport
                .send(email)
                .await
                .map(|_| ())
                .map_err(|e| SendError(format!("SMTP delivery to {} failed: {e}", self.server)))
        })
    }
}
