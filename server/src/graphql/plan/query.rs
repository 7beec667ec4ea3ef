use async_graphql::{Context, Object};
use nuvola_shared::Role;
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::entity::{application, planned_service};
use crate::graphql::application::object::Application;
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::viewer::viewer;

#[derive(Default)]
pub struct PlanQuery;

#[Object]
impl PlanQuery {
    /// The projects the caller works on: an administration's own projects, the projects
    /// where a supplier holds a contracted service, the projects assigned to a verifier.
    /// The department sees every project through `applications`.
    async fn my_projects(&self, ctx: &Context<'_>) -> ApiResult<Vec<Application>> {
        let principal = viewer(ctx).require(&[
            Role::Administration,
            Role::Supplier,
            Role::Psn,
            Role::Verifier,
        ])?;
        let mut query = application::Entity::find().order_by_asc(application::Column::Id);
        query = match principal.role {
            Role::Administration => query.filter(
                application::Column::AdministrationId.eq(principal.administration_id.unwrap_or(-1)),
            ),
            Role::Verifier => {
                query.filter(application::Column::VerifierAccountId.eq(principal.account_id))
            }
            Role::Supplier | Role::Psn => {
                let holding = Query::select()
                    .column(planned_service::Column::ApplicationId)
                    .from(planned_service::Entity)
                    .and_where(
                        planned_service::Column::SupplierId.eq(principal.supplier_id.unwrap_or(-1)),
                    )
                    .to_owned();
                query.filter(application::Column::Id.in_subquery(holding))
            }
            _ => return Err(ApiError::Forbidden("no projects of your own".to_owned())),
        };
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(query.all(db).await?.into_iter().map(Application).collect())
    }
}
