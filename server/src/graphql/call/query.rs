use async_graphql::{Context, Object};
use sea_orm::{DatabaseConnection, EntityTrait, QueryOrder};

use super::object::Call;
use crate::entity::call;
use crate::graphql::error::ApiResult;

#[derive(Default)]
pub struct CallQuery;

#[Object]
impl CallQuery {
    /// Every call of measure 1.2, the most recently opened first.
    async fn calls(&self, ctx: &Context<'_>) -> ApiResult<Vec<Call>> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let mut calls = call::Entity::find()
            .order_by_asc(call::Column::Id)
            .all(db)
            .await?;
        // Calls known only from applications have no dates: they sort by title.
        calls.sort_by(|a, b| {
            b.opens_on
                .cmp(&a.opens_on)
                .then_with(|| a.title.cmp(&b.title))
        });
        Ok(calls.into_iter().map(Call).collect())
    }
}
