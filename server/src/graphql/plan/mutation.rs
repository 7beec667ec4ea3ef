use async_graphql::{Context, InputObject, Object, ID};
use nuvola_shared::{DataClass, Deployment, Role, ServiceModel};
use sea_orm::DatabaseConnection;

use super::object::PlannedService;
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::scalars::Date;
use crate::graphql::viewer::viewer;
use crate::service::contract::{self, ContractRecord};
use crate::service::plan::{self, PlanChange, PlanRemoval, PlanServiceError};

impl From<PlanServiceError> for ApiError {
    fn from(e: PlanServiceError) -> Self {
        match e {
            PlanServiceError::Forbidden(m) => ApiError::Forbidden(m),
            PlanServiceError::NotFound(m) => ApiError::NotFound(m),
            PlanServiceError::Conflict(m) => ApiError::Conflict(m),
            PlanServiceError::Transition(m) => ApiError::InvalidTransition(m),
            PlanServiceError::Invalid { field, message } => ApiError::invalid(&field, message),
            PlanServiceError::Db(e) => ApiError::internal(e),
        }
    }
}

/// One line of a migration plan, to add (without `id`) or change (with `id` and the
/// `version` you read).
#[derive(InputObject)]
pub struct PlannedServiceInput {
    /// The project's CUP.
    pub cup: String,
    /// The project's call, when the same CUP appears in two calls.
    pub call_title: Option<String>,
    pub id: Option<ID>,
    pub version: Option<i32>,
    /// A service of the catalogue of the body's type (see `catalogue`).
    pub catalogue_code: Option<String>,
    /// The name; defaults to the catalogue's.
    pub name: Option<String>,
    /// The class of the service's data.
    pub data_class: DataClass,
    /// Where it runs today.
    pub origin: Deployment,
    /// The qualified service model it moves to.
    pub destination: ServiceModel,
    /// The code of the target qualified offering (see `cloudOfferings`).
    pub offering_code: Option<String>,
    /// When adding a line: a key of yours (8 to 100 letters, digits, '-', '_'); sending
    /// the same request again with it returns the first line instead of a second one.
    pub idempotency_key: Option<String>,
}

/// A planned service named in a contract, with the version you read.
#[derive(InputObject)]
pub struct ServiceVersion {
    pub id: ID,
    pub version: i32,
}

/// A supplier contract covering some services of a project's plan.
#[derive(InputObject)]
pub struct ContractInput {
    pub cup: String,
    pub call_title: Option<String>,
    /// The supplier's VAT number (11 digits); its qualification must not have expired.
    pub supplier_vat: String,
    pub contract_on: Date,
    /// The services the contract covers (1 to 500), all or none.
    pub services: Vec<ServiceVersion>,
    /// A key of yours: sending the same request again with it returns the first result.
    pub idempotency_key: Option<String>,
    /// The contract's CIG (*Codice Identificativo Gara*, 10 capital letters and digits).
    /// Give it with `amountEur`; a contract recorded without them lists them as null
    /// until `correctContract` adds them.
    pub cig: Option<String>,
    /// The contract's amount in whole euros (1 to 1,000,000,000).
    pub amount_eur: Option<i64>,
    /// The contract's document: one of the project's documents of kind CONTRACT.
    pub document_id: Option<ID>,
}

/// A correction of a supplier contract: what it says now, all of it, and why.
#[derive(InputObject)]
pub struct ContractCorrectionInput {
    /// The contract's id (`Application.contracts`).
    pub id: ID,
    /// The contract's `version` as you read it.
    pub version: i32,
    pub cig: String,
    pub amount_eur: i64,
    pub contract_on: Date,
    pub document_id: Option<ID>,
    /// Why it is corrected (10 to 2,000 characters), kept with the version.
    pub reason: String,
}

/// A planned service to remove, with the `version` you read.
#[derive(InputObject)]
pub struct RemovePlannedServiceInput {
    pub cup: String,
    /// The project's call, when the same CUP appears in two calls.
    pub call_title: Option<String>,
    pub id: ID,
    pub version: i32,
}

#[derive(Default)]
pub struct PlanMutation;

#[Object]
impl PlanMutation {
    /// Adds or changes one planned service. ADMINISTRATION only, on its own project,
    /// while the project is FUNDED or CONTRACTED. Moves the measure does not fund, and
    /// critical or strategic data on an offering not qualified for them, are refused with
    /// the reason (INVALID_INPUT naming the field); a stale `version` gets CONFLICT.
    async fn save_planned_service(
        &self,
        ctx: &Context<'_>,
        input: PlannedServiceInput,
    ) -> ApiResult<PlannedService> {
        let principal = viewer(ctx).require_writer(&[Role::Administration])?;
        let service_id = match &input.id {
            Some(id) => Some(
                id.parse::<i32>()
                    .map_err(|_| ApiError::invalid("id", "not the id of a planned service"))?,
            ),
            None => None,
        };
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let saved = plan::save(
            db,
            principal,
            PlanChange {
                cup: input.cup,
                call_title: input.call_title,
                service_id,
                expected_version: input.version,
                catalogue_code: input.catalogue_code,
                name: input.name,
                data_class: input.data_class.code().to_owned(),
                origin: input.origin.code().to_owned(),
                destination: input.destination.code().to_owned(),
                offering_code: input.offering_code,
                idempotency_key: input.idempotency_key,
            },
        )
        .await?;
        Ok(PlannedService(saved))
    }

    /// Removes a planned service before its contract (recorded in the history with the
    /// line as it was). ADMINISTRATION only, on its own project, while FUNDED or
    /// CONTRACTED; a contracted line, a school's line (its grant fixes how many) or one
    /// with questionnaires or documents gets CONFLICT; a stale `version` too. Returns
    /// the id removed.
    async fn remove_planned_service(
        &self,
        ctx: &Context<'_>,
        input: RemovePlannedServiceInput,
    ) -> ApiResult<ID> {
        let principal = viewer(ctx).require_writer(&[Role::Administration])?;
        let service_id = input
            .id
            .parse::<i32>()
            .map_err(|_| ApiError::invalid("id", "not the id of a planned service"))?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        plan::remove(
            db,
            principal,
            PlanRemoval {
                cup: input.cup,
                call_title: input.call_title,
                service_id,
                expected_version: input.version,
            },
        )
        .await?;
        Ok(input.id)
    }

    /// Records a supplier contract for some services of a project. ADMINISTRATION only,
    /// on its own project, while FUNDED or CONTRACTED; the first contract moves the
    /// project to CONTRACTED and starts its completion term. A supplier whose
    /// qualification has expired cannot be chosen. All the services change or none.
    async fn record_contract(
        &self,
        ctx: &Context<'_>,
        input: ContractInput,
    ) -> ApiResult<Vec<PlannedService>> {
        let principal = viewer(ctx).require_writer(&[Role::Administration])?;
        let mut services = Vec::with_capacity(input.services.len());
        for s in &input.services {
            let id = s
                .id
                .parse::<i32>()
                .map_err(|_| ApiError::invalid("services", "not the id of a planned service"))?;
            services.push((id, s.version));
        }
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let saved = contract::record(
            db,
            principal,
            ContractRecord {
                cup: input.cup,
                call_title: input.call_title,
                supplier_vat: input.supplier_vat,
                contract_on: input.contract_on.0,
                services,
                idempotency_key: input.idempotency_key,
                cig: input.cig,
                amount_eur: input.amount_eur,
                document_id: input
                    .document_id
                    .map(|id| {
                        id.parse::<i32>().map_err(|_| {
                            ApiError::invalid("documentId", "not the id of a document")
                        })
                    })
                    .transpose()?,
            },
        )
        .await?;
        Ok(saved.into_iter().map(PlannedService).collect())
    }

    /// Corrects a supplier contract (CIG, amount, date, document): a new version, the
    /// earlier ones kept (`SupplierContract.versions`), with its reason and audit event
    /// (`CONTRACT_CORRECTED`). ADMINISTRATION that owns the project, until the project
    /// reaches a final state; a stale `version` gets CONFLICT; each wrong value
    /// INVALID_INPUT naming its field. A new date moves its services' contract date.
    async fn correct_contract(
        &self,
        ctx: &Context<'_>,
        input: ContractCorrectionInput,
    ) -> ApiResult<crate::graphql::plan::object::SupplierContract> {
        let principal = viewer(ctx).require_writer(&[Role::Administration])?;
        let contract_id = input
            .id
            .parse::<i32>()
            .map_err(|_| ApiError::invalid("id", "not the id of a contract"))?;
        let document_id = input
            .document_id
            .map(|id| {
                id.parse::<i32>()
                    .map_err(|_| ApiError::invalid("documentId", "not the id of a document"))
            })
            .transpose()?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let (contract, _) = contract::correct(
            db,
            principal,
            contract::ContractCorrection {
                contract_id,
                expected_version: input.version,
                cig: input.cig,
                amount_eur: input.amount_eur,
                contract_on: input.contract_on.0,
                document_id,
                reason: input.reason,
            },
        )
        .await?;
        let versions = contract::versions_of(db, contract.id).await?;
        Ok(crate::graphql::plan::object::SupplierContract { contract, versions })
    }
}
