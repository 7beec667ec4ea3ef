use async_graphql::{Context, InputObject, Object, ID};
use chrono::{DateTime, Utc};
use nuvola_shared::{CutoverWindow, Questionnaire, Role, ServiceState};
use sea_orm::DatabaseConnection;

use super::object::Assessment;
use crate::graphql::application::object::Application;
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::plan::object::PlannedService;
use crate::graphql::plan::worklists::ServiceFilterInput;
use crate::graphql::scalars::Date;
use crate::graphql::viewer::viewer;
use crate::service::lifecycle::{self, Outcome, ProjectRef};
use crate::service::progress::{self, ServiceMove};

/// A project, with the `version` you read (a stale one gets CONFLICT).
#[derive(InputObject)]
pub struct ProjectVersionInput {
    pub cup: String,
    /// The project's call, when the same CUP appears in two calls.
    pub call_title: Option<String>,
    pub version: i32,
}

impl From<ProjectVersionInput> for ProjectRef {
    fn from(p: ProjectVersionInput) -> Self {
        ProjectRef {
            cup: p.cup,
            call_title: p.call_title,
            version: p.version,
        }
    }
}

/// A planned service to move to `status`, with the `version` you read.
#[derive(InputObject)]
pub struct ServiceStatusInput {
    pub id: ID,
    pub version: i32,
    /// NOT_STARTED → ASSESSED → MIGRATING → TESTING → MIGRATED, or TESTING → FAILED →
    /// MIGRATING.
    pub status: ServiceState,
}

/// The planned downtime of a service's cut-over (at most 72 hours, not in the past).
#[derive(InputObject)]
pub struct CutoverInput {
    pub id: ID,
    pub version: i32,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// A new version of a service's assessment questionnaire.
#[derive(InputObject)]
pub struct AssessmentInput {
    /// The planned service.
    pub service_id: ID,
    /// The latest questionnaire version you read (0 when there is none yet).
    pub latest_version: i32,
    pub application_name: Option<String>,
    pub cpu_cores: Option<i32>,
    pub memory_gb: Option<i32>,
    pub storage_gb: Option<i32>,
    pub users: Option<i32>,
    pub destination: Option<String>,
    pub provider_activated_on: Option<Date>,
    pub migration_started_on: Option<Date>,
    pub go_live_on: Option<Date>,
    /// A key of yours: sending the same request again with it returns the version
    /// first stored instead of a CONFLICT.
    pub idempotency_key: Option<String>,
}

fn service_id(id: &ID, field: &str) -> ApiResult<i32> {
    id.parse::<i32>()
        .map_err(|_| ApiError::invalid(field, "not the id of a planned service"))
}

fn moves(input: Vec<ServiceStatusInput>) -> ApiResult<Vec<ServiceMove>> {
    input
        .into_iter()
        .map(|s| {
            Ok(ServiceMove {
                id: service_id(&s.id, "id")?,
                version: s.version,
                status: s.status,
            })
        })
        .collect()
}

/// What `updateServiceStatusesByFilter` did.
#[derive(async_graphql::SimpleObject)]
pub struct ServiceFilterUpdate {
    /// How many services moved.
    pub moved: i32,
    /// The status they moved to.
    pub status: ServiceState,
}

#[derive(Default)]
pub struct LifecycleMutation;

#[Object]
impl LifecycleMutation {
    /// Declares the migration complete: MIGRATING → COMPLETED. ADMINISTRATION, on its own
    /// project, once every planned service is MIGRATED (else INVALID_TRANSITION).
    async fn declare_completion(
        &self,
        ctx: &Context<'_>,
        project: ProjectVersionInput,
    ) -> ApiResult<Application> {
        let principal = viewer(ctx).require_writer(&[Role::Administration])?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(Application::from(
            lifecycle::declare_completion(db, principal, project.into()).await?,
        ))
    }

    /// Assigns a verifier (by username) to a completed project: COMPLETED →
    /// UNDER_VERIFICATION. DEPARTMENT only.
    async fn assign_verifier(
        &self,
        ctx: &Context<'_>,
        project: ProjectVersionInput,
        verifier: String,
    ) -> ApiResult<Application> {
        let principal = viewer(ctx).require_writer(&[Role::Department])?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(Application::from(
            lifecycle::assign_verifier(db, principal, project.into(), &verifier).await?,
        ))
    }

    /// Records the technical conformity outcome. The VERIFIER assigned to the project
    /// only, while UNDER_VERIFICATION. POSITIVE → VERIFIED; PARTIAL → MIGRATING with the
    /// `redoServices` set to FAILED; NEGATIVE stays UNDER_VERIFICATION for the department
    /// to revoke.
    async fn record_verification_outcome(
        &self,
        ctx: &Context<'_>,
        project: ProjectVersionInput,
        outcome: nuvola_shared::VerificationOutcome,
        notes: Option<String>,
        redo_services: Option<Vec<ID>>,
    ) -> ApiResult<Application> {
        let principal = viewer(ctx).require_writer(&[Role::Verifier])?;
        let redo = redo_services
            .unwrap_or_default()
            .iter()
            .map(|id| service_id(id, "redoServices"))
            .collect::<ApiResult<Vec<_>>>()?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(Application::from(
            lifecycle::record_outcome(
                db,
                principal,
                project.into(),
                Outcome {
                    outcome,
                    notes,
                    redo_services: redo,
                },
            )
            .await?,
        ))
    }

    /// Asks to be paid (*domanda di erogazione*): VERIFIED → PAYMENT_REQUESTED.
    /// ADMINISTRATION, on its own project, only after a positive outcome.
    async fn request_payment(
        &self,
        ctx: &Context<'_>,
        project: ProjectVersionInput,
    ) -> ApiResult<Application> {
        let principal = viewer(ctx).require_writer(&[Role::Administration])?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(Application::from(
            lifecycle::request_payment(db, principal, project.into()).await?,
        ))
    }

    /// Pays the project: PAYMENT_REQUESTED → PAID. DEPARTMENT only.
    async fn pay(&self, ctx: &Context<'_>, project: ProjectVersionInput) -> ApiResult<Application> {
        let principal = viewer(ctx).require_writer(&[Role::Department])?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(Application::from(
            lifecycle::pay(db, principal, project.into()).await?,
        ))
    }

    /// Asks to renounce the funding (*richiesta di rinuncia*), with the reason (10 to
    /// 2,000 characters). ADMINISTRATION, on its own project, before the migration is
    /// declared complete (SUBMITTED, FUNDED, CONTRACTED, MIGRATING). The state does not
    /// change: the project becomes RENOUNCED only when the department decrees it
    /// (`decreeRenunciation`); until then the administration may withdraw the request
    /// and its other moves wait.
    async fn request_renunciation(
        &self,
        ctx: &Context<'_>,
        project: ProjectVersionInput,
        reason: String,
    ) -> ApiResult<Application> {
        let principal = viewer(ctx).require_writer(&[Role::Administration])?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(Application::from(
            lifecycle::request_renunciation(db, principal, project.into(), &reason).await?,
        ))
    }

    /// Withdraws the pending request of renunciation. ADMINISTRATION, on its own project.
    async fn withdraw_renunciation_request(
        &self,
        ctx: &Context<'_>,
        project: ProjectVersionInput,
    ) -> ApiResult<Application> {
        let principal = viewer(ctx).require_writer(&[Role::Administration])?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(Application::from(
            lifecycle::withdraw_renunciation(db, principal, project.into()).await?,
        ))
    }

    /// Decrees the renunciation the administration requested (*rinuncia decretata*):
    /// → RENOUNCED, with the administration's reason. DEPARTMENT only, and only while a
    /// request is pending (else INVALID_TRANSITION).
    async fn decree_renunciation(
        &self,
        ctx: &Context<'_>,
        project: ProjectVersionInput,
    ) -> ApiResult<Application> {
        let principal = viewer(ctx).require_writer(&[Role::Department])?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(Application::from(
            lifecycle::decree_renunciation(db, principal, project.into()).await?,
        ))
    }

    /// Revokes the funding, with the reason (deadline missed, negative verification,
    /// unanswered request): → REVOKED. DEPARTMENT only, in any funded state before PAID.
    async fn revoke(
        &self,
        ctx: &Context<'_>,
        project: ProjectVersionInput,
        reason: String,
    ) -> ApiResult<Application> {
        let principal = viewer(ctx).require_writer(&[Role::Department])?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(Application::from(
            lifecycle::revoke(db, principal, project.into(), &reason).await?,
        ))
    }

    /// Moves one planned service one step of its migration. The SUPPLIER or PSN assigned
    /// to it, or the ADMINISTRATION that owns the project; anyone else FORBIDDEN. The first
    /// service to start migrating moves the project to MIGRATING.
    async fn update_service_status(
        &self,
        ctx: &Context<'_>,
        input: ServiceStatusInput,
    ) -> ApiResult<PlannedService> {
        let principal =
            viewer(ctx).require_writer(&[Role::Administration, Role::Supplier, Role::Psn])?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let moved = progress::move_services(db, principal, &moves(vec![input])?).await?;
        moved
            .into_iter()
            .next()
            .map(PlannedService)
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("a moved service vanished")))
    }

    /// Moves 1 to 500 planned services in one go, all or none: one service that may not
    /// move (not yours, a stale version, a step that does not exist) refuses the batch.
    async fn update_service_statuses(
        &self,
        ctx: &Context<'_>,
        input: Vec<ServiceStatusInput>,
    ) -> ApiResult<Vec<PlannedService>> {
        let principal =
            viewer(ctx).require_writer(&[Role::Administration, Role::Supplier, Role::Psn])?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let moved = progress::move_services(db, principal, &moves(input)?).await?;
        Ok(moved.into_iter().map(PlannedService).collect())
    }

    /// Moves every planned service `filter` selects (as `myServices` lists them, across
    /// all its pages, not only the page loaded) to `status`, all or none, in one
    /// transaction; each service is checked and audited as in `updateServiceStatuses`.
    /// `expectedCount` is the `totalCount` the person confirmed: when the filter now
    /// selects another number, nothing moves (CONFLICT). At most 10,000 services.
    async fn update_service_statuses_by_filter(
        &self,
        ctx: &Context<'_>,
        filter: Option<ServiceFilterInput>,
        status: ServiceState,
        expected_count: i32,
    ) -> ApiResult<ServiceFilterUpdate> {
        let principal =
            viewer(ctx).require_writer(&[Role::Administration, Role::Supplier, Role::Psn])?;
        let filter = filter.unwrap_or_default().parse()?;
        let expected = usize::try_from(expected_count)
            .map_err(|_| ApiError::invalid("expectedCount", "must not be negative"))?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let done =
            progress::move_services_by_filter(db, principal, &filter, status, expected).await?;
        Ok(ServiceFilterUpdate {
            moved: done.moved as i32,
            status: done.status,
        })
    }

    /// Schedules the planned downtime of a service's cut-over. The supplier assigned to
    /// it or the administration.
    async fn schedule_cutover(
        &self,
        ctx: &Context<'_>,
        input: CutoverInput,
    ) -> ApiResult<PlannedService> {
        let principal =
            viewer(ctx).require_writer(&[Role::Administration, Role::Supplier, Role::Psn])?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let saved = progress::schedule_cutover(
            db,
            principal,
            service_id(&input.id, "id")?,
            input.version,
            CutoverWindow {
                start: input.start,
                end: input.end,
            },
        )
        .await?;
        Ok(PlannedService(saved))
    }

    /// Adds a version of a service's assessment questionnaire (earlier versions stay).
    /// The supplier assigned to it or the administration.
    async fn submit_assessment(
        &self,
        ctx: &Context<'_>,
        input: AssessmentInput,
    ) -> ApiResult<Assessment> {
        let principal =
            viewer(ctx).require_writer(&[Role::Administration, Role::Supplier, Role::Psn])?;
        let id = service_id(&input.service_id, "serviceId")?;
        let answers = Questionnaire {
            application_name: input.application_name,
            cpu_cores: input.cpu_cores,
            memory_gb: input.memory_gb,
            storage_gb: input.storage_gb,
            users: input.users,
            destination: input.destination,
            provider_activated_on: input.provider_activated_on.map(|d| d.0),
            migration_started_on: input.migration_started_on.map(|d| d.0),
            go_live_on: input.go_live_on.map(|d| d.0),
        };
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let saved = progress::submit_assessment(
            db,
            principal,
            id,
            input.latest_version,
            answers,
            input.idempotency_key,
        )
        .await?;
        Ok(Assessment(saved))
    }
}
