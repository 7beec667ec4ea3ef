use async_graphql::{Context, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use nuvola_shared::codes::{DeliveryChannel, DeliveryStatus};
use nuvola_shared::notify::{DeliveryMode, Language, NotificationKind, WebhookEvent};
use sea_orm::DatabaseConnection;

use crate::entity::{delivery, delivery_attempt, webhook};
use crate::graphql::error::ApiResult;
use crate::service::preferences::Settings;
use crate::service::{outbox, webhooks};

/// One kind of notification and how the caller receives it.
#[derive(SimpleObject)]
pub struct NotificationPreference {
    /// The notification kind.
    pub kind: nuvola_shared::NotificationKind,
    pub mode: DeliveryMode,
    /// A notice of funding at risk: it cannot be set to IN_APP.
    pub mandatory: bool,
}

/// Where and how the caller is told.
pub struct NotificationSettings(pub Settings);

/// Where and how the caller is told: its e-mail address (only its own), the language of
/// its e-mail and its mode for each kind of notification.
#[Object]
impl NotificationSettings {
    /// The address e-mail goes to; null: in the web application only.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }

    /// The language of its e-mail.
    async fn language(&self) -> Language {
        self.0.language
    }

    /// Every kind of notification, with the mode in force.
    async fn preferences(&self) -> Vec<NotificationPreference> {
        self.0
            .modes
            .iter()
            .map(|(k, m)| preference(*k, *m))
            .collect()
    }
}

fn preference(k: NotificationKind, m: DeliveryMode) -> NotificationPreference {
    NotificationPreference {
        kind: nuvola_shared::NotificationKind::from_stored(k.code),
        mode: m,
        mandatory: k.mandatory,
    }
}

/// An endpoint that receives signed events (see README, "Webhooks").
pub struct Webhook(pub webhook::Model);

/// An endpoint of the caller's organisation that receives signed events.
#[Object]
impl Webhook {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The endpoint.
    async fn url(&self) -> &str {
        &self.0.url
    }

    /// The event kinds it receives.
    async fn kinds(&self) -> Vec<WebhookEvent> {
        self.0
            .kinds
            .split(',')
            .filter_map(|k| WebhookEvent::parse(k).ok())
            .collect()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// Its deliveries, newest first: all, or only those that failed for good. `first`
    /// is at most 100 (default 20).
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity + 2")]
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        failed_only: Option<bool>,
        first: Option<i32>,
    ) -> ApiResult<Vec<Delivery>> {
        let first = crate::graphql::pagination::page_size(first)?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(
            webhooks::deliveries(db, self.0.id, failed_only.unwrap_or(false), first)
                .await?
                .into_iter()
                .map(Delivery)
                .collect(),
        )
    }
}

/// A new webhook and its signing secret.
#[derive(SimpleObject)]
pub struct RegisteredWebhook {
    pub webhook: Webhook,
    /// The HMAC-SHA256 key of its signatures. Shown this once: keep it.
    pub secret: String,
}

/// One message of the outbox: an e-mail or a webhook call.
pub struct Delivery(pub delivery::Model);

/// One message of the outbox: an e-mail or a webhook call, with its attempts.
#[Object]
impl Delivery {
    /// Pass it to `replayDelivery`.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// An e-mail or a webhook call.
    async fn channel(&self) -> DeliveryChannel {
        // Written by the outbox from these codes only.
        DeliveryChannel::parse(&self.0.channel).unwrap_or(DeliveryChannel::Email)
    }

    /// The e-mail address or the endpoint.
    async fn recipient(&self) -> &str {
        &self.0.recipient
    }

    /// The event id (`Nuvola-Webhook-Id`), the same on every attempt and replay.
    async fn event_id(&self) -> &str {
        &self.0.event_id
    }

    /// What it carries: a webhook event (`WebhookEvent`'s codes), a notification by
    /// e-mail (`NotificationKind`'s), DIGEST for a daily digest, INVITATION or
    /// INVITATION_REMINDER for an invitation e-mail.
    async fn kind(&self) -> nuvola_shared::DeliveryKind {
        nuvola_shared::DeliveryKind::from_stored(&self.0.kind)
    }

    /// Pending, delivered, or failed for good after its attempts.
    async fn status(&self) -> DeliveryStatus {
        // Written by the outbox from these codes only.
        DeliveryStatus::parse(&self.0.status).unwrap_or(DeliveryStatus::Pending)
    }

    async fn attempts(&self) -> i32 {
        self.0.attempts
    }

    async fn max_attempts(&self) -> i32 {
        self.0.max_attempts
    }

    /// When the next attempt is due (while PENDING).
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        (self.0.status == outbox::PENDING).then_some(self.0.next_attempt_at)
    }

    /// The peer's last answer: the HTTP status and the start of its body, the SMTP
    /// server's reply, or why it could not be reached.
    async fn last_answer(&self) -> Option<&str> {
        self.0.last_answer.as_deref()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn delivered_at(&self) -> Option<DateTime<Utc>> {
        self.0.delivered_at
    }

    /// Every attempt, oldest first.
    async fn attempt_log(&self, ctx: &Context<'_>) -> ApiResult<Vec<DeliveryAttempt>> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(outbox::attempts(db, self.0.id)
            .await?
            .into_iter()
            .map(DeliveryAttempt::from)
            .collect())
    }
}

/// One attempt at a delivery.
#[derive(SimpleObject)]
pub struct DeliveryAttempt {
    pub number: i32,
    pub at: DateTime<Utc>,
    pub ok: bool,
    /// The peer's answer, or why it could not be reached.
    pub answer: String,
    pub millis: i32,
}

impl From<delivery_attempt::Model> for DeliveryAttempt {
    fn from(a: delivery_attempt::Model) -> Self {
        Self {
            number: a.number,
            at: a.at,
            ok: a.ok,
            answer: a.answer,
            millis: a.millis,
        }
    }
}
