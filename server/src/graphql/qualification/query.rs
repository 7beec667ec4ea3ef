use async_graphql::{Context, Object, SimpleObject};
use sea_orm::{DatabaseConnection, EntityTrait, QueryOrder};

use crate::entity::{cloud_offering, supplier};
use crate::graphql::error::{stored, ApiResult};
use crate::graphql::scalars::Date;
use nuvola_shared::{DataClass, DeploymentModel, ServiceModel};

/// A qualified cloud supplier (PSN included, flagged) with its offerings. Public: the
/// catalogue of qualified services is published.
#[derive(SimpleObject)]
pub struct QualifiedSupplier {
    pub vat_number: String,
    pub name: String,
    /// Whether it is the Polo Strategico Nazionale.
    pub is_psn: bool,
    /// The end of its qualification; past it, it cannot be chosen for new contracts.
    pub qualified_until: Option<Date>,
    pub offerings: Vec<QualifiedOffering>,
}

/// One qualified offering of a supplier.
pub struct QualifiedOffering(pub cloud_offering::Model);

#[Object]
impl QualifiedOffering {
    async fn code(&self) -> &str {
        &self.0.code
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Its cloud service model.
    async fn service_model(&self) -> ApiResult<ServiceModel> {
        stored(ServiceModel::parse(&self.0.service_model))
    }

    /// How it is deployed.
    async fn deployment_model(&self) -> ApiResult<DeploymentModel> {
        stored(DeploymentModel::parse(&self.0.deployment_model))
    }

    /// The highest data class it may host.
    async fn max_data_class(&self) -> ApiResult<DataClass> {
        stored(DataClass::parse(&self.0.max_data_class))
    }

    async fn qualified_on(&self) -> Option<Date> {
        self.0.qualified_on.map(Date)
    }

    async fn qualified_until(&self) -> Option<Date> {
        self.0.qualified_until.map(Date)
    }
}

pub fn supplier_with(
    s: supplier::Model,
    offerings: Vec<cloud_offering::Model>,
) -> QualifiedSupplier {
    QualifiedSupplier {
        vat_number: s.vat_number,
        name: s.name,
        is_psn: s.is_psn,
        qualified_until: s.qualified_until.map(Date),
        offerings: offerings.into_iter().map(QualifiedOffering).collect(),
    }
}

#[derive(Default)]
pub struct QualificationQuery;

#[Object]
impl QualificationQuery {
    /// Every qualified supplier with its offerings, by name.
    async fn suppliers(&self, ctx: &Context<'_>) -> ApiResult<Vec<QualifiedSupplier>> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let offerings = cloud_offering::Entity::find()
            .order_by_asc(cloud_offering::Column::Code)
            .all(db)
            .await?;
        let suppliers = supplier::Entity::find()
            .order_by_asc(supplier::Column::Name)
            .all(db)
            .await?;
        Ok(suppliers
            .into_iter()
            .map(|s| {
                let own = offerings
                    .iter()
                    .filter(|o| o.supplier_id == s.id)
                    .cloned()
                    .collect();
                supplier_with(s, own)
            })
            .collect())
    }
}
