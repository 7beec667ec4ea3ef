use async_graphql::{Context, Object, ID};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{DatabaseConnection, EntityTrait};

use crate::entity::{catalogue_service, cloud_offering, planned_service, supplier};
use crate::graphql::error::{stored, stored_opt, ApiResult};
use crate::graphql::lifecycle::object::Assessment;
use crate::graphql::scalars::Date;
use nuvola_shared::{
    DataClass, Deployment, Modality, NextDeadlineKind, ServiceModel, ServiceState,
};

/// One line of a project's migration plan (*piano di migrazione*).
pub struct PlannedService(pub planned_service::Model);

#[Object]
impl PlannedService {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The service's name, from the catalogue or as the administration wrote it.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The class of the service's data (Strategia Cloud Italia).
    async fn data_class(&self) -> ApiResult<DataClass> {
        stored(DataClass::parse(&self.0.data_class))
    }

    /// A (transfer of the infrastructure) or B (upgrade of the application); null until
    /// planned.
    async fn modality(&self) -> ApiResult<Option<Modality>> {
        stored_opt(self.0.modality.as_deref(), Modality::parse)
    }

    /// Where the service runs today.
    async fn origin(&self) -> ApiResult<Option<Deployment>> {
        stored_opt(self.0.origin.as_deref(), Deployment::parse)
    }

    /// The qualified service model it moves to.
    async fn destination(&self) -> ApiResult<Option<ServiceModel>> {
        stored_opt(self.0.destination.as_deref(), ServiceModel::parse)
    }

    /// Its migration status.
    async fn status(&self) -> ApiResult<ServiceState> {
        stored(ServiceState::parse(&self.0.status))
    }

    /// The catalogue entry the line was chosen from, by its code; null for a service
    /// named freely.
    async fn catalogue_code(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        let Some(id) = self.0.catalogue_service_id else {
            return Ok(None);
        };
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(catalogue_service::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|c| c.code))
    }

    /// The qualified cloud offering the line targets, with its supplier; null when none
    /// was chosen yet.
    async fn offering(&self, ctx: &Context<'_>) -> ApiResult<Option<PlannedOffering>> {
        let Some(id) = self.0.offering_id else {
            return Ok(None);
        };
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let Some(offering) = cloud_offering::Entity::find_by_id(id).one(db).await? else {
            return Ok(None);
        };
        let supplier_name = supplier::Entity::find_by_id(offering.supplier_id)
            .one(db)
            .await?
            .map(|s| s.name)
            .unwrap_or_default();
        Ok(Some(PlannedOffering {
            code: offering.code,
            name: offering.name,
            supplier_name,
        }))
    }

    /// The VAT number and name of the supplier assigned, once contracted.
    async fn supplier(&self, ctx: &Context<'_>) -> ApiResult<Option<SupplierRef>> {
        let Some(id) = self.0.supplier_id else {
            return Ok(None);
        };
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(supplier::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|s| SupplierRef {
                vat_number: s.vat_number,
                name: s.name,
                is_psn: s.is_psn,
            }))
    }

    /// The day the supplier contract was signed.
    async fn contract_on(&self) -> Option<Date> {
        self.0.contract_on.map(Date)
    }

    /// The planned downtime of the cut-over, when scheduled.
    async fn cutover_start(&self) -> Option<DateTime<Utc>> {
        self.0.cutover_start
    }

    async fn cutover_end(&self) -> Option<DateTime<Utc>> {
        self.0.cutover_end
    }

    /// Increases with every change; send it back to change the service (no lost update).
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// Every version of the service's assessment questionnaire, newest first.
    async fn assessments(&self, ctx: &Context<'_>) -> ApiResult<Vec<Assessment>> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(crate::service::progress::assessments(db, self.0.id)
            .await?
            .into_iter()
            .map(Assessment)
            .collect())
    }
}

/// A supplier as seen from a plan.
#[derive(async_graphql::SimpleObject)]
pub struct SupplierRef {
    pub vat_number: String,
    pub name: String,
    /// Whether it is the Polo Strategico Nazionale.
    pub is_psn: bool,
}

/// The offering a plan line targets.
#[derive(async_graphql::SimpleObject)]
pub struct PlannedOffering {
    pub code: String,
    pub name: String,
    /// The name of the supplier that sells it.
    pub supplier_name: String,
}

/// The next thing a project must do, and by when.
#[derive(async_graphql::SimpleObject)]
pub struct NextDeadline {
    /// What is due: the supplier contract, the completion, or an answer to the
    /// verifier's open request.
    pub kind: NextDeadlineKind,
    pub due_on: Date,
    /// Days from today; negative when overdue.
    pub days_left: i64,
}

impl NextDeadline {
    pub fn new(kind: NextDeadlineKind, due_on: NaiveDate, today: NaiveDate) -> Self {
        Self {
            kind,
            due_on: Date(due_on),
            days_left: (due_on - today).num_days(),
        }
    }
}
