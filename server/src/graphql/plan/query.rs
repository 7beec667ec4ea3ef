use async_graphql::{Context, Object};
use nuvola_shared::{AdministrationType, DataClass, Role, ServiceModel};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::entity::{application, planned_service};
use crate::graphql::application::object::Application;
use crate::graphql::error::{stored, ApiError, ApiResult};
use crate::graphql::viewer::viewer;

#[derive(Default)]
pub struct PlanQuery;

#[Object]
impl PlanQuery {
    /// The projects the caller works on: an administration's own projects, the projects
    /// where a supplier holds a contracted service, the projects assigned to a verifier.
    /// The department sees every project through `applications`. Every project at once:
    /// a supplier of thousands of schools gets megabytes.
    #[graphql(
        deprecation = "Unbounded: use myProjectsConnection (a page at a time, with a total and a filter)."
    )]
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
        Ok(query
            .all(db)
            .await?
            .into_iter()
            .map(Application::from)
            .collect())
    }
}

/// A service an administration may plan to migrate.
#[derive(async_graphql::SimpleObject)]
pub struct CatalogueEntry {
    pub code: String,
    pub name: String,
    /// The type of body it is for (SCUOLA, COMUNE or ASL_AO in the catalogue).
    pub target_type: AdministrationType,
}

/// A qualified cloud offering.
#[derive(async_graphql::SimpleObject)]
pub struct CloudOffering {
    pub code: String,
    pub name: String,
    /// Its cloud service model.
    pub service_model: ServiceModel,
    /// The highest data class it may host.
    pub max_data_class: DataClass,
    pub qualified_until: Option<crate::graphql::scalars::Date>,
    pub supplier_vat: String,
    pub supplier_name: String,
    pub is_psn: bool,
}

#[derive(Default)]
pub struct CatalogueQuery;

#[Object]
impl CatalogueQuery {
    /// The catalogue of services, for one type of body (SCUOLA, COMUNE, ASL_AO) or all.
    async fn catalogue(
        &self,
        ctx: &Context<'_>,
        target_type: Option<AdministrationType>,
    ) -> ApiResult<Vec<CatalogueEntry>> {
        use crate::entity::catalogue_service;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let mut query =
            catalogue_service::Entity::find().order_by_asc(catalogue_service::Column::Id);
        if let Some(t) = target_type {
            query = query.filter(catalogue_service::Column::TargetType.eq(t.code()));
        }
        query
            .all(db)
            .await?
            .into_iter()
            .map(|c| {
                Ok(CatalogueEntry {
                    target_type: stored(AdministrationType::parse(&c.target_type))?,
                    code: c.code,
                    name: c.name,
                })
            })
            .collect()
    }

    /// The qualified cloud offerings, PSN's included, with their qualification expiry.
    async fn cloud_offerings(&self, ctx: &Context<'_>) -> ApiResult<Vec<CloudOffering>> {
        use crate::entity::{cloud_offering, supplier};
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let suppliers: std::collections::HashMap<i32, supplier::Model> = supplier::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
        cloud_offering::Entity::find()
            .order_by_asc(cloud_offering::Column::Code)
            .all(db)
            .await?
            .into_iter()
            .filter_map(|o| {
                let s = suppliers.get(&o.supplier_id)?;
                Some((o, s))
            })
            .map(|(o, s)| {
                Ok(CloudOffering {
                    service_model: stored(ServiceModel::parse(&o.service_model))?,
                    max_data_class: stored(DataClass::parse(&o.max_data_class))?,
                    code: o.code,
                    name: o.name,
                    qualified_until: o.qualified_until.map(crate::graphql::scalars::Date),
                    supplier_vat: s.vat_number.clone(),
                    supplier_name: s.name.clone(),
                    is_psn: s.is_psn,
                })
            })
            .collect()
    }
}
