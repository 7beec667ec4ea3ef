use async_graphql::{Context, Object, ID};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{DatabaseConnection, EntityTrait};

use crate::entity::{planned_service, supplier};
use crate::graphql::error::ApiResult;
use crate::graphql::lifecycle::object::Assessment;
use crate::graphql::scalars::Date;

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

    /// ORDINARIO, CRITICO or STRATEGICO (Strategia Cloud Italia).
    async fn data_class(&self) -> &str {
        &self.0.data_class
    }

    /// A (transfer of the infrastructure) or B (upgrade of the application); null until
    /// planned.
    async fn modality(&self) -> Option<&str> {
        self.0.modality.as_deref()
    }

    /// Where the service runs today, e.g. ON_PREMISES.
    async fn origin(&self) -> Option<&str> {
        self.0.origin.as_deref()
    }

    /// The service model it moves to: IAAS, PAAS, SAAS or CAAS.
    async fn destination(&self) -> Option<&str> {
        self.0.destination.as_deref()
    }

    /// NOT_STARTED, ASSESSED, MIGRATING, TESTING, MIGRATED or FAILED.
    async fn status(&self) -> &str {
        &self.0.status
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

/// The next thing a project must do, and by when.
#[derive(async_graphql::SimpleObject)]
pub struct NextDeadline {
    /// CONTRACT (sign the supplier contract) or COMPLETION (complete the migration).
    pub kind: String,
    pub due_on: Date,
    /// Days from today; negative when overdue.
    pub days_left: i64,
}

impl NextDeadline {
    pub fn new(kind: &str, due_on: NaiveDate, today: NaiveDate) -> Self {
        Self {
            kind: kind.to_owned(),
            due_on: Date(due_on),
            days_left: (due_on - today).num_days(),
        }
    }
}
