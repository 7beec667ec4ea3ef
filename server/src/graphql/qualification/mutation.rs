use async_graphql::{Context, InputObject, Object};
use nuvola_shared::cloud::OfferingQualification;
use nuvola_shared::{DataClass, DeploymentModel, Role, ServiceModel};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::query::{supplier_with, QualifiedOffering, QualifiedSupplier};
use crate::entity::cloud_offering;
use crate::graphql::error::ApiResult;
use crate::graphql::scalars::Date;
use crate::graphql::viewer::viewer;
use crate::service::qualification;

/// A supplier to qualify (or to change). `qualifiedUntil` runs from today to 36 months
/// later (or null, no end); a supplier already qualified is withdrawn by ending it
/// yesterday, and a lapsed one keeps its end when only its name or flag changes.
#[derive(InputObject)]
pub struct SupplierInput {
    /// Its VAT number (11 digits, with a valid check digit).
    pub vat_number: String,
    pub name: String,
    #[graphql(default)]
    pub is_psn: bool,
    pub qualified_until: Option<Date>,
}

/// An offering to qualify (or renew, under the same code), for at most 36 months, not
/// ended already and not beyond its supplier's qualification.
#[derive(InputObject)]
pub struct OfferingInput {
    pub supplier_vat: String,
    /// e.g. ACME-IAAS: capital letters, digits and '-'.
    pub code: String,
    pub name: String,
    pub service_model: ServiceModel,
    /// PSN for the Polo Strategico Nazionale's offerings, and only for them.
    pub deployment_model: DeploymentModel,
    /// The highest data class it may host.
    pub max_data_class: DataClass,
    pub qualified_on: Date,
    pub qualified_until: Date,
}

#[derive(Default)]
pub struct QualificationMutation;

#[Object]
impl QualificationMutation {
    /// Qualifies a supplier, or changes one. DEPARTMENT only.
    async fn qualify_supplier(
        &self,
        ctx: &Context<'_>,
        input: SupplierInput,
    ) -> ApiResult<QualifiedSupplier> {
        let principal = viewer(ctx).require_writer(&[Role::Department])?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let saved = qualification::qualify_supplier(
            db,
            principal,
            &input.vat_number,
            &input.name,
            input.is_psn,
            input.qualified_until.map(|d| d.0),
        )
        .await?;
        let offerings = cloud_offering::Entity::find()
            .filter(cloud_offering::Column::SupplierId.eq(saved.id))
            .all(db)
            .await?;
        Ok(supplier_with(saved, offerings))
    }

    /// Qualifies an offering of a qualified supplier, or renews it. DEPARTMENT only.
    async fn qualify_offering(
        &self,
        ctx: &Context<'_>,
        input: OfferingInput,
    ) -> ApiResult<QualifiedOffering> {
        let principal = viewer(ctx).require_writer(&[Role::Department])?;
        let q = OfferingQualification {
            code: input.code.trim().to_owned(),
            name: input.name,
            service_model: input.service_model,
            max_data_class: input.max_data_class,
            qualified_on: input.qualified_on.0,
            qualified_until: input.qualified_until.0,
        };
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let saved = qualification::qualify_offering(
            db,
            principal,
            &input.supplier_vat,
            input.deployment_model.code(),
            q,
        )
        .await?;
        Ok(QualifiedOffering(saved))
    }
}
