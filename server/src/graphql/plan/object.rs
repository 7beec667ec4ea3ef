use async_graphql::{Context, Object, ID};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{DatabaseConnection, EntityTrait};

use crate::entity::{catalogue_service, planned_service};
use crate::graphql::error::{stored, stored_opt, ApiResult};
use crate::graphql::lifecycle::object::Assessment;
use crate::graphql::loaders::Loaders;
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
        let loaders = ctx.data_unchecked::<Loaders>();
        let Some(offering) = loaders.offering.load_one(id).await? else {
            return Ok(None);
        };
        let supplier_name = loaders
            .supplier
            .load_one(offering.supplier_id)
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
        let loaders = ctx.data_unchecked::<Loaders>();
        Ok(loaders.supplier.load_one(id).await?.map(|s| SupplierRef {
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
        let loaders = ctx.data_unchecked::<Loaders>();
        Ok(loaders
            .assessments
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
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

/// A supplier contract of a project (*contratto*): what its current version says, and
/// every version (each correction is one; none is overwritten). The administration, the
/// department and the verifier see every contract of the project; a supplier its own.
pub struct SupplierContract {
    pub contract: crate::entity::supplier_contract::Model,
    /// Oldest first; the last is the current one.
    pub versions: Vec<crate::entity::contract_version::Model>,
}

impl SupplierContract {
    fn current(&self) -> Option<&crate::entity::contract_version::Model> {
        self.versions
            .iter()
            .find(|v| v.version == self.contract.current_version)
    }
}

#[Object]
impl SupplierContract {
    /// The contract's id, for `correctContract`.
    async fn id(&self) -> ID {
        ID(self.contract.id.to_string())
    }

    /// The current version: 1 as recorded, one more for each correction. Send it with
    /// `correctContract`.
    async fn version(&self) -> i32 {
        self.contract.current_version
    }

    /// Whether it was corrected after it was recorded.
    async fn corrected(&self) -> bool {
        self.contract.current_version > 1
    }

    /// The supplier under contract.
    async fn supplier(&self, ctx: &Context<'_>) -> ApiResult<Option<SupplierRef>> {
        let loaders = ctx.data_unchecked::<Loaders>();
        Ok(loaders
            .supplier
            .load_one(self.contract.supplier_id)
            .await?
            .map(|s| SupplierRef {
                vat_number: s.vat_number,
                name: s.name,
                is_psn: s.is_psn,
            }))
    }

    /// The CIG (*Codice Identificativo Gara*) of the current version; null when recorded
    /// without one.
    async fn cig(&self) -> Option<&str> {
        self.current().and_then(|v| v.cig.as_deref())
    }

    /// The amount in whole euros of the current version; null when recorded without one.
    async fn amount_eur(&self) -> Option<i64> {
        self.current().and_then(|v| v.amount_eur)
    }

    /// The signing date of the current version.
    async fn contract_on(&self) -> Option<Date> {
        self.current().map(|v| Date(v.signed_on))
    }

    /// The contract's document of the current version, if any and if you may read it (a
    /// supplier reads only evidence).
    async fn document(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Option<crate::graphql::document::object::Document>> {
        contract_document(
            ctx,
            self.contract.application_id,
            self.current().and_then(|v| v.document_id),
        )
        .await
    }

    /// The planned services it covers that you may see.
    async fn services(&self, ctx: &Context<'_>) -> ApiResult<Vec<PlannedService>> {
        use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let principal = crate::graphql::viewer::viewer(ctx).principal();
        let mut query = planned_service::Entity::find()
            .filter(planned_service::Column::ContractId.eq(self.contract.id))
            .order_by_asc(planned_service::Column::Id);
        if let Some(p) = principal.filter(|p| {
            matches!(
                p.role,
                nuvola_shared::Role::Supplier | nuvola_shared::Role::Psn
            )
        }) {
            query =
                query.filter(planned_service::Column::SupplierId.eq(p.supplier_id.unwrap_or(-1)));
        }
        Ok(query
            .all(db)
            .await?
            .into_iter()
            .map(PlannedService)
            .collect())
    }

    /// Every version, oldest first: what the contract said, when, by whom and why it
    /// was corrected.
    async fn versions(&self) -> Vec<ContractVersion> {
        self.versions.iter().cloned().map(ContractVersion).collect()
    }
}

/// The document `id` of the project `application_id`, if the reader may read it.
async fn contract_document(
    ctx: &Context<'_>,
    application_id: i32,
    id: Option<i32>,
) -> ApiResult<Option<crate::graphql::document::object::Document>> {
    let Some(id) = id else {
        return Ok(None);
    };
    let db = ctx.data_unchecked::<DatabaseConnection>();
    let Some(project) = crate::entity::application::Entity::find_by_id(application_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let principal = crate::graphql::viewer::viewer(ctx).principal();
    Ok(
        crate::service::documents::readable(db, principal, &project, id)
            .await?
            .map(crate::graphql::document::object::Document),
    )
}

/// One version of a supplier contract.
pub struct ContractVersion(pub crate::entity::contract_version::Model);

#[Object]
impl ContractVersion {
    /// 1 as recorded, then one more per correction.
    async fn version(&self) -> i32 {
        self.0.version
    }

    async fn cig(&self) -> Option<&str> {
        self.0.cig.as_deref()
    }

    async fn amount_eur(&self) -> Option<i64> {
        self.0.amount_eur
    }

    async fn contract_on(&self) -> Date {
        Date(self.0.signed_on)
    }

    /// The contract's document in this version, if you may read it.
    async fn document(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Option<crate::graphql::document::object::Document>> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let Some(contract) =
            crate::entity::supplier_contract::Entity::find_by_id(self.0.contract_id)
                .one(db)
                .await?
        else {
            return Ok(None);
        };
        contract_document(ctx, contract.application_id, self.0.document_id).await
    }

    /// Why this version corrects the previous one; null for the first.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }

    /// When it was recorded.
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.recorded_at
    }

    /// Who recorded it (username).
    async fn recorded_by(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        let Some(id) = self.0.recorded_by else {
            return Ok(None);
        };
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(crate::entity::account::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|a| a.username))
    }
}
