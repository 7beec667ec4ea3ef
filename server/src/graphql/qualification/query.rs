use async_graphql::{Context, Object, SimpleObject};
use sea_orm::{DatabaseConnection, EntityTrait, QueryOrder};

use crate::entity::{cloud_offering, supplier};
use crate::graphql::error::ApiResult;
use crate::graphql::scalars::Date;

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
#[derive(SimpleObject)]
pub struct QualifiedOffering {
    pub code: String,
    pub name: String,
    /// IAAS, PAAS, SAAS or CAAS.
    pub service_model: String,
    /// PUBLIC, PRIVATE, HYBRID or PSN.
    pub deployment_model: String,
    /// The highest data class it may host.
    pub max_data_class: String,
    pub qualified_on: Option<Date>,
    pub qualified_until: Option<Date>,
}

impl From<cloud_offering::Model> for QualifiedOffering {
    fn from(o: cloud_offering::Model) -> Self {
        Self {
            code: o.code,
            name: o.name,
            service_model: o.service_model,
            deployment_model: o.deployment_model,
            max_data_class: o.max_data_class,
            qualified_on: o.qualified_on.map(Date),
            qualified_until: o.qualified_until.map(Date),
        }
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
        offerings: offerings.into_iter().map(Into::into).collect(),
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
