use async_graphql::{Context, Object};
use nuvola_shared::Role;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::object::{Account, ApiToken, Membership};
use crate::entity::account;
use crate::graphql::error::{ApiError, ApiResult};
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

    /// The organisations a person (by username) may act for, oldest first, with their
    /// ids for `removeMembership`. DEPARTMENT only.
    async fn memberships(&self, ctx: &Context<'_>, username: String) -> ApiResult<Vec<Membership>> {
        viewer(ctx).require(&[Role::Department])?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let username = username.trim().to_lowercase();
        let person = account::Entity::find()
            .filter(account::Column::Username.eq(&username))
            .one(db)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("no account is called {username:?}")))?;
        Ok(crate::service::membership::active_of(db, person.id)
            .await?
            .into_iter()
            .map(Membership)
            .collect())
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
