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
            },
        )
        .await?;
        Ok(saved.into_iter().map(PlannedService).collect())
    }
}
