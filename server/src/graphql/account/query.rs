use async_graphql::{Context, Object};
use nuvola_shared::Role;
use sea_orm::{DatabaseConnection, EntityTrait};

use super::object::{Account, ApiToken};
use crate::entity::account;
use crate::graphql::error::ApiResult;
use crate::graphql::viewer::viewer;
use crate::service::auth;

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// The account of the token in use, acting for the session's membership; null for
    /// PUBLIC and for third-party API tokens.
    async fn me(&self, ctx: &Context<'_>) -> ApiResult<Option<Account>> {
        let Some(principal) = viewer(ctx).principal().filter(|p| !p.read_only) else {
            return Ok(None);
        };
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let Some(model) = account::Entity::find_by_id(principal.account_id)
            .one(db)
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(
            Account::acting_for(db, model, principal.membership_id).await?,
        ))
    }

    /// Every third-party API token issued, newest first. DEPARTMENT only.
    async fn api_tokens(&self, ctx: &Context<'_>) -> ApiResult<Vec<ApiToken>> {
        viewer(ctx).require(&[Role::Department])?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(auth::api_tokens(db)
            .await?
            .into_iter()
            .map(ApiToken)
            .collect())
    }
}
