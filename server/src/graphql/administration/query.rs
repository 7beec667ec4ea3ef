use async_graphql::{Context, Object};
use nuvola_shared::IpaCode;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::object::Administration;
use crate::entity::administration;
use crate::graphql::error::{ApiError, ApiResult};

#[derive(Default)]
pub struct AdministrationQuery;

#[Object]
impl AdministrationQuery {
    /// A public body by IPA code, ignoring case (`c_d969` and `C_D969` are the same body).
    async fn administration(
        &self,
        ctx: &Context<'_>,
        ipa_code: String,
    ) -> ApiResult<Option<Administration>> {
        let ipa = IpaCode::parse(&ipa_code).map_err(|e| ApiError::from_parse("ipaCode", e))?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(administration::Entity::find()
            .filter(administration::Column::IpaKey.eq(ipa.key()))
            .one(db)
            .await?
            .map(Administration))
    }
}
