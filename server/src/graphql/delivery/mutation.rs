use async_graphql::{Context, Object, ID};
use nuvola_shared::Role;
use sea_orm::DatabaseConnection;

use nuvola_shared::notify::{DeliveryMode, Language, WebhookEvent};

use super::object::{Delivery, NotificationSettings, RegisteredWebhook, Webhook};
use crate::graphql::call::object::Call;
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::notification::query::WITH_INBOX;
use crate::graphql::viewer::viewer;
use crate::service::deadlines;
use crate::service::preferences::{self, PreferenceError};
use crate::service::webhooks::{self, WebhookError};

/// Whether webhooks may point to private and loopback addresses (off in production).
#[derive(Debug, Clone, Copy)]
pub struct WebhookPolicy {
    pub allow_private: bool,
}

impl From<PreferenceError> for ApiError {
    fn from(e: PreferenceError) -> Self {
        match e {
            PreferenceError::Forbidden(m) => ApiError::Forbidden(m),
            PreferenceError::NotFound(m) => ApiError::NotFound(m),
            PreferenceError::Invalid { field, error } => ApiError::from_parse(field, error),
            PreferenceError::Db(e) => ApiError::internal(e),
        }
    }
}

impl From<WebhookError> for ApiError {
    fn from(e: WebhookError) -> Self {
        match e {
            WebhookError::Forbidden(m) => ApiError::Forbidden(m),
            WebhookError::NotFound(m) => ApiError::NotFound(m),
            WebhookError::Conflict(m) => ApiError::Conflict(m),
            WebhookError::Invalid { field, error } => ApiError::from_parse(field, error),
            WebhookError::Db(e) => ApiError::internal(e),
        }
    }
}

fn parse_id(field: &str, id: &ID) -> ApiResult<i32> {
    id.parse::<i32>()
        .map_err(|_| ApiError::invalid(field, "not an id returned by this API"))
}

#[derive(Default)]
pub struct DeliveryMutation;

#[Object]
impl DeliveryMutation {
    /// Chooses how the caller receives one kind of notification: IMMEDIATE e-mail, a
    /// daily DIGEST, or IN_APP only. A mandatory kind (a notice of funding at risk)
    /// refuses IN_APP with INVALID_INPUT on `mode`.
    async fn set_notification_preference(
        &self,
        ctx: &Context<'_>,
        kind: nuvola_shared::NotificationKind,
        mode: DeliveryMode,
    ) -> ApiResult<NotificationSettings> {
        let principal = viewer(ctx).require_writer(&WITH_INBOX)?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(NotificationSettings(
            preferences::set_mode(db, principal, kind.code(), mode).await?,
        ))
    }

    /// Sets the caller's e-mail address (null or empty: no e-mail) and the language of
    /// its e-mail.
    async fn update_notification_contact(
        &self,
        ctx: &Context<'_>,
        email: Option<String>,
        language: Language,
    ) -> ApiResult<NotificationSettings> {
        let principal = viewer(ctx).require_writer(&WITH_INBOX)?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(NotificationSettings(
            preferences::set_contact(db, principal, email.as_deref(), language.code()).await?,
        ))
    }

    /// Registers an endpoint of the caller's organisation for the event kinds named.
    /// Returns the signing secret once. In production only `https://` endpoints on
    /// public addresses are accepted (INVALID_INPUT on `url` otherwise). An event is sent
    /// only if the organisation may read it in the API.
    async fn register_webhook(
        &self,
        ctx: &Context<'_>,
        url: String,
        kinds: Vec<WebhookEvent>,
    ) -> ApiResult<RegisteredWebhook> {
        let principal = viewer(ctx).require_writer(&webhooks::OWNERS)?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let allow_private = ctx
            .data_opt::<WebhookPolicy>()
            .is_none_or(|p| p.allow_private);
        let kinds: Vec<String> = kinds.iter().map(|k| k.code().to_owned()).collect();
        let registered = webhooks::register(db, principal, &url, &kinds, allow_private).await?;
        Ok(RegisteredWebhook {
            webhook: Webhook(registered.webhook),
            secret: registered.secret,
        })
    }

    /// Removes one of the organisation's webhooks; its log stays readable to nobody but
    /// the department's failed list.
    async fn remove_webhook(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Webhook> {
        let principal = viewer(ctx).require_writer(&webhooks::OWNERS)?;
        let id = parse_id("id", &id)?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(Webhook(webhooks::remove(db, principal, id).await?))
    }

    /// Sends a delivery again, with the same event id and body: the owner of a webhook
    /// replays any of its deliveries; the department resends any delivery that failed.
    async fn replay_delivery(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Delivery> {
        let principal = viewer(ctx).require_writer(&webhooks::OWNERS)?;
        let id = parse_id("id", &id)?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(Delivery(webhooks::replay(db, principal, id).await?))
    }

    /// Sets a call's reminder schedule: the days before each deadline (supplier
    /// contract, completion, verification requests) at which reminders go, e.g.
    /// `[30, 7, 1]` (the default); `[]` for none. DEPARTMENT only.
    async fn set_call_reminders(
        &self,
        ctx: &Context<'_>,
        title: String,
        days: Vec<i32>,
    ) -> ApiResult<Call> {
        let principal = viewer(ctx).require_writer(&[Role::Department])?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let days: Vec<i64> = days.into_iter().map(i64::from).collect();
        Ok(Call(
            deadlines::set_call_reminders(db, principal, &title, &days).await?,
        ))
    }
}
