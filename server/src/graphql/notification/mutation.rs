use async_graphql::{Context, Object, ID};
use sea_orm::DatabaseConnection;

use super::object::NotificationsMarked;
use super::query::WITH_INBOX;
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::viewer::viewer;
use crate::service::notifications::{self, NotificationError, MAX_MARK};

impl From<NotificationError> for ApiError {
    fn from(e: NotificationError) -> Self {
        match e {
            NotificationError::NotFound(m) => ApiError::NotFound(m),
            NotificationError::Invalid(m) => ApiError::invalid("ids", m),
            NotificationError::Db(e) => ApiError::internal(e),
        }
    }
}

#[derive(Default)]
pub struct NotificationMutation;

#[Object]
impl NotificationMutation {
    /// Marks the caller's notifications read: those named in `ids` (at most 500), or
    /// every unread one when `ids` is null. Read state is the caller's own: the other
    /// accounts of its administration still see them unread. An id that is not one of
    /// the caller's notifications is refused with NOT_FOUND and nothing changes.
    async fn mark_notifications_read(
        &self,
        ctx: &Context<'_>,
        ids: Option<Vec<ID>>,
    ) -> ApiResult<NotificationsMarked> {
        let principal = viewer(ctx).require_writer(&WITH_INBOX)?;
        let ids =
            match ids {
                Some(ids) => {
                    if ids.len() > MAX_MARK {
                        return Err(ApiError::invalid(
                            "ids",
                            format!("name at most {MAX_MARK} notifications at a time"),
                        ));
                    }
                    let mut parsed = Vec::with_capacity(ids.len());
                    for id in &ids {
                        parsed.push(id.parse::<i32>().map_err(|_| {
                            ApiError::invalid("ids", "not the id of a notification")
                        })?);
                    }
                    Some(parsed)
                }
                None => None,
            };
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let marked = notifications::mark_read(db, principal, ids).await?;
        let unread_count = notifications::count(db, principal, true).await?;
        Ok(NotificationsMarked {
            marked,
            unread_count,
        })
    }
}
