use async_graphql::{Context, Object};
use nuvola_shared::Role;
use sea_orm::DatabaseConnection;

use super::object::{Delivery, NotificationSettings, Webhook};
use crate::graphql::error::ApiResult;
use crate::graphql::notification::query::inbox_owner;
use crate::graphql::pagination::page_size;
use crate::graphql::viewer::viewer;
use crate::service::{preferences, webhooks};

#[derive(Default)]
pub struct DeliveryQuery;

#[Object]
impl DeliveryQuery {
    /// Where and how the caller is told of its notifications. Every signed-in person;
    /// UNAUTHENTICATED without a token.
    async fn notification_settings(&self, ctx: &Context<'_>) -> ApiResult<NotificationSettings> {
        let principal = inbox_owner(ctx)?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(NotificationSettings(
            preferences::settings(db, principal).await?,
        ))
    }

    /// The webhooks of the caller's organisation (an administration, a supplier, PSN) or
    /// the department's.
    async fn webhooks(&self, ctx: &Context<'_>) -> ApiResult<Vec<Webhook>> {
        let principal = viewer(ctx).require(&webhooks::OWNERS)?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(webhooks::list(db, principal)
            .await?
            .into_iter()
            .map(Webhook)
            .collect())
    }

    /// Deliveries (e-mail and webhooks) that failed for good, newest first: the
    /// department sees them and may resend one with `replayDelivery`. `first` is at most
    /// 100 (default 20).
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity + 2")]
    async fn failed_deliveries(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
    ) -> ApiResult<Vec<Delivery>> {
        viewer(ctx).require(&[Role::Department])?;
        let first = page_size(first)?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(webhooks::failed(db, first)
            .await?
            .into_iter()
            .map(Delivery)
            .collect())
    }
}
