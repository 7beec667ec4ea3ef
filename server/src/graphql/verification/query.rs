use async_graphql::{Context, Object};
use nuvola_shared::Role;
use sea_orm::DatabaseConnection;

use super::object::VerificationRequest;
use crate::graphql::error::ApiResult;
use crate::graphql::viewer::viewer;
use crate::service::verification;

#[derive(Default)]
pub struct VerificationQuery;

#[Object]
impl VerificationQuery {
    /// The caller's request inbox (*Area Richieste*): for an administration, the
    /// requests on its projects; for a verifier, those on the projects assigned to it.
    /// Open requests first, the nearest due date first; `state` keeps only one state.
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
}
