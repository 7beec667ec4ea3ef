use async_graphql::{Context, Object};
use nuvola_shared::Role;
use sea_orm::DatabaseConnection;

use super::object::VerificationRequest;
use crate::entity::verification_request;
use crate::graphql::application::object::PageInfo;
use crate::graphql::error::ApiResult;
use crate::graphql::pagination::{self, page_size, DEFAULT_PAGE_SIZE};
use crate::graphql::viewer::viewer;
use crate::service::auth::Principal;
use crate::service::verification;

const CURSOR: &str = "my-request:";

#[derive(Default)]
pub struct VerificationQuery;

#[Object]
impl VerificationQuery {
    /// The caller's request inbox (*Area Richieste*): for an administration, the
    /// requests on its projects; for a verifier, those on the projects assigned to it.
    /// Open requests first, the nearest due date first; `state` keeps only one state.
    /// Every request at once: `myRequestsConnection` gives them a page at a time.
    #[graphql(
        deprecation = "Unbounded: use myRequestsConnection (a page at a time, in the same order, with a total)."
    )]
    async fn my_requests(
        &self,
        ctx: &Context<'_>,
        state: Option<nuvola_shared::RequestState>,
    ) -> ApiResult<Vec<VerificationRequest>> {
        let principal = viewer(ctx).require(&[Role::Administration, Role::Verifier])?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let requests = verification::inbox(db, principal, state).await?;
        Ok(requests.into_iter().map(VerificationRequest).collect())
    }

    /// The request inbox of `myRequests`, in the same order, a page at a time with its
    /// total. `first` is at most 100 (default 20); pass a page's `endCursor` as `after`
    /// for the next.
    #[graphql(
        complexity = "first.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, 100) as usize * child_complexity + 2"
    )]
    async fn my_requests_connection(
        &self,
        ctx: &Context<'_>,
        state: Option<nuvola_shared::RequestState>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<RequestConnection> {
        let principal = viewer(ctx).require(&[Role::Administration, Role::Verifier])?;
        let first = page_size(first)?;
        // The cursor is the position after the request it names.
        let offset = match after.as_deref() {
            Some(c) => pagination::decode_cursor(CURSOR, c, |n| n.parse::<u64>().ok())?,
            None => 0,
        };
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let (items, has_next) =
            verification::inbox_page(db, principal, state, offset, first).await?;
        Ok(RequestConnection {
            principal: principal.clone(),
            state,
            items,
            offset,
            has_next,
        })
    }
}

/// A page of the request inbox.
pub struct RequestConnection {
    principal: Principal,
    state: Option<nuvola_shared::RequestState>,
    items: Vec<verification_request::Model>,
    /// The position of the page's first request.
    offset: u64,
    has_next: bool,
}

impl RequestConnection {
    fn cursor(&self, index: usize) -> String {
        pagination::encode_cursor(CURSOR, self.offset + index as u64 + 1)
    }
}

#[Object]
impl RequestConnection {
    /// How many requests the inbox holds (of the state asked for), across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> ApiResult<u64> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(verification::inbox_count(db, &self.principal, self.state).await?)
    }

    async fn edges(&self) -> Vec<RequestEdge> {
        self.items
            .iter()
            .enumerate()
            .map(|(i, r)| RequestEdge {
                cursor: self.cursor(i),
                node: VerificationRequest(r.clone()),
            })
            .collect()
    }

    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_next_page: self.has_next,
            has_previous_page: self.offset > 0,
            start_cursor: (!self.items.is_empty()).then(|| self.cursor(0)),
            end_cursor: self.items.len().checked_sub(1).map(|i| self.cursor(i)),
        }
    }
}

/// One request of the inbox, with its cursor.
pub struct RequestEdge {
    cursor: String,
    node: VerificationRequest,
}

#[Object]
impl RequestEdge {
    /// Pass it as `after` to get the requests that follow this one.
    async fn cursor(&self) -> &str {
        &self.cursor
    }

    async fn node(&self) -> &VerificationRequest {
        &self.node
    }
}
