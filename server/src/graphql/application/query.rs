use async_graphql::{Context, Object};
use nuvola_shared::Cup;
use sea_orm::DatabaseConnection;

use super::object::{decode_cursor, Application, ApplicationConnection, ApplicationFilterInput};
use super::plain::{self, Plain};
use crate::entity::positional::Width;
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::pagination::page_size;
use crate::service;

pub use crate::graphql::pagination::DEFAULT_PAGE_SIZE;

#[derive(Default)]
pub struct ApplicationQuery;

#[Object]
impl ApplicationQuery {
    /// Funded applications, oldest first, a page at a time (Relay cursor pagination).
    /// `first` is at most 100 (default 20); pass a page's `endCursor` as `after` for the next.
    #[graphql(
        complexity = "first.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, 100) as usize * child_complexity + 2"
    )]
    async fn applications(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<ApplicationFilterInput>,
    ) -> ApiResult<ApplicationConnection> {
        let first = page_size(first)?;
        let after_id = after.as_deref().map(decode_cursor).transpose()?;
        let filter = filter.unwrap_or_default().parse()?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        // A page that shows its bodies reads them in the same query; its calls come from
        // the summary of calls, in memory.
        let node = ctx.look_ahead().field("edges").field("node");
        let with_bodies = node.field("administration").exists();
        let with_calls = node.field("call").exists() || node.field("nextDeadline").exists();
        let calls = async {
            if with_calls {
                crate::graphql::calls(ctx).await.map(Some)
            } else {
                Ok(None)
            }
        };
        // A page whose every field is plain (and is run where the plain path is taken)
        // reads only the columns those fields answer from.
        let width = if ctx.data_opt::<Plain>().is_some()
            && plain::reads_public_only(&ctx.item.node.selection_set.node)
        {
            Width::Public
        } else {
            Width::Whole
        };
        let page = service::applications::page(db, &filter, first, after_id, with_bodies, width);
        let (calls, page) = futures_util::try_join!(calls, page)?;
        Ok(ApplicationConnection::new(
            filter,
            page,
            calls,
            after_id.is_some(),
        ))
    }

    /// One application by CUP. The same CUP may appear in two calls: give `callTitle`
    /// to choose; without it the most recent application is returned.
    async fn application(
        &self,
        ctx: &Context<'_>,
        cup: String,
        call_title: Option<String>,
    ) -> ApiResult<Option<Application>> {
        let cup = Cup::parse(&cup).map_err(|e| ApiError::from_parse("cup", e))?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(
            service::applications::by_cup(db, &cup, call_title.as_deref())
                .await?
                .map(Application::from),
        )
    }
}
