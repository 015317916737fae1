//! Routing messages by channel.

use std::sync::Arc;

use super::{Channel, Message, Outbox, SendFuture, Sender};

/// Sends email through `email` and SMS through `sms` when they are set; every message is also
/// kept in (and printed by) the outbox first, delivered or not, so the sandbox terminal and
/// `GET /_stratus/outbox` show what was sent or attempted. A channel without its own sender goes to the outbox only.
#[derive(Debug, Clone)]
pub struct ChannelSender {
    outbox: Arc<Outbox>,
    email: Option<Arc<dyn Sender>>,
    sms: Option<Arc<dyn Sender>>,
}

impl ChannelSender {
    pub fn new(outbox: Arc<Outbox>) -> Self {
        Self {
            outbox,
            email: None,
            sms: None,
        }
    }

    pub fn with_email(mut self, sender: Option<Arc<dyn Sender>>) -> Self {
        self.email = sender;
        self
    }

    pub fn with_sms(mut self, sender: Option<Arc<dyn Sender>>) -> Self {
        self.sms = sender;
        self
    }
}

impl Sender for ChannelSender {
    fn send(&self, message: Message) -> SendFuture<'_> {
        Box::pin(async move {
            let target = match message.channel {
                Channel::Email => self.email.as_ref(),
                Channel::Sms => self.sms.as_ref(),
            };
            // The copy first: when the real delivery fails (the action then answers
            // CodeDeliveryFailureException), the sandbox terminal and the outbox still show the
            // code, which stays valid, so a developer with a broken SMTP/webhook setting is not
            // stuck.
            match target {
                Some(target) => {
                    self.outbox.send(message.clone()).await?;
                    target.send(message).await
                }
                None => self.outbox.send(message).await,
            }
        })
    }
}
