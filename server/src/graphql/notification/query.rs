use std::collections::HashMap;

use async_graphql::{Context, Object};
use nuvola_shared::Role;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::object::{decode_cursor, NotificationConnection};
use crate::entity::application;
use crate::graphql::error::ApiResult;
use crate::graphql::pagination::{page_size, DEFAULT_PAGE_SIZE};
use crate::graphql::viewer::viewer;
use crate::service::auth::Principal;
use crate::service::notifications;

/// Every role with an inbox: everyone who logs in (PUBLIC and third-party API tokens
/// have none).
pub(crate) const WITH_INBOX: [Role; 5] = [
    Role::Administration,
    Role::Supplier,
    Role::Psn,
    Role::Department,
    Role::Verifier,
];

pub(crate) fn inbox_owner<'a>(ctx: &Context<'a>) -> ApiResult<&'a Principal> {
    viewer(ctx).require(&WITH_INBOX)
}

#[derive(Default)]
pub struct NotificationQuery;

#[Object]
impl NotificationQuery {
    /// The caller's notifications, newest first, a page at a time: an administration's
    /// account sees its administration's, a department account the department's, every
    /// account those addressed to it. `first` is at most 100 (default 20); pass a page's
    /// `endCursor` as `after` for older ones. UNAUTHENTICATED without a token.
    #[graphql(
        complexity = "first.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, 100) as usize * child_complexity + 2"
    )]
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        unread_only: Option<bool>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<NotificationConnection> {
        let principal = inbox_owner(ctx)?;
        let first = page_size(first)?;
        let after_id = after.as_deref().map(decode_cursor).transpose()?;
        let unread_only = unread_only.unwrap_or(false);
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let page = notifications::page(db, principal, unread_only, first, after_id).await?;
        let total_count = notifications::count(db, principal, unread_only).await?;
        let project_ids: Vec<i32> = page
            .items
            .iter()
            .filter_map(|i| i.notification.application_id)
            .collect();
        let projects: HashMap<i32, application::Model> = if project_ids.is_empty() {
            HashMap::new()
        } else {
            application::Entity::find()
                .filter(application::Column::Id.is_in(project_ids))
                .all(db)
                .await?
                .into_iter()
                .map(|p| (p.id, p))
                .collect()
        };
        Ok(NotificationConnection {
            total_count,
            page,
            projects,
            has_previous: after_id.is_some(),
        })
    }

    /// How many of the caller's notifications it has not read yet.
    async fn unread_notification_count(&self, ctx: &Context<'_>) -> ApiResult<u64> {
        let principal = inbox_owner(ctx)?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(notifications::count(db, principal, true).await?)
    }
}
