//! `serviceStatusChanged`: planned services moving through their migration, live, for
//! those who may see them (the rules of [`crate::service::access::plan_scope`], checked
//! for every change delivered).

use async_graphql::{Context, SimpleObject, Subscription, ID};
use chrono::{DateTime, Utc};
use nuvola_shared::{Cup, ServiceState};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};

use crate::changes::What;
use crate::entity::planned_service;
use crate::graphql::error::ApiError;
use crate::graphql::live::{self, Live};
use crate::graphql::viewer::viewer;
use crate::service;
use crate::service::access::{plan_scope, PlanScope};

/// A planned service moved to another migration status.
#[derive(SimpleObject, Debug, Clone)]
pub struct ServiceStatusChange {
    /// The CUP of the project the service belongs to.
    pub cup: String,
    /// The title of the project's call.
    pub call_title: String,
    /// The planned service: the `id` of `PlannedService` in the project's `plan`.
    pub service_id: ID,
    /// The service's name.
    pub name: String,
    /// The status it is in now.
    pub status: ServiceState,
    /// The status it left; null when the audit log does not say.
    pub previous_status: Option<ServiceState>,
    /// The service's version after the change: the version to name in the next change.
    pub version: Option<i64>,
    /// When the change was made.
    pub at: DateTime<Utc>,
}

#[derive(Default)]
pub struct PlanSubscription;

#[Subscription]
impl PlanSubscription {
    /// Changes of migration status of planned services, each once it is committed,
    /// whichever replica made it; only those the caller may see, checked for each change:
    /// the administration that owns the project, the department and the verifier assigned
    /// hear of every service of it, a supplier only of the services contracted to it.
    /// With `cup`, one project (FORBIDDEN when the caller may not see its plan, NOT_FOUND
    /// when no project has that CUP); without, every project the caller may see, the
    /// others left out silently. PUBLIC and read-only API tokens are refused (FORBIDDEN):
    /// migration plans are not open data.
    async fn service_status_changed(
        &self,
        ctx: &Context<'_>,
        cup: Option<String>,
    ) -> Result<Live<ServiceStatusChange>, ApiError> {
        let principal = viewer(ctx)
            .principal()
            .filter(|p| !p.read_only)
            .ok_or_else(|| {
                ApiError::Forbidden(
                    "migration plans are not public: log in as one of the project's actors"
                        .to_owned(),
                )
            })?;
        let cup = match cup {
            None => None,
            Some(cup) => {
                let cup = Cup::parse(&cup).map_err(|e| ApiError::from_parse("cup", e))?;
                let db = ctx.data_unchecked::<DatabaseConnection>();
                let project = service::applications::by_cup(db, &cup, None)
                    .await?
                    .ok_or_else(|| ApiError::NotFound(format!("no project has the CUP {cup}")))?;
                match plan_scope(Some(principal), &project) {
                    PlanScope::Whole => {}
                    PlanScope::SupplierServices(supplier_id) => {
                        let held = planned_service::Entity::find()
                            .filter(planned_service::Column::ApplicationId.eq(project.id))
                            .filter(planned_service::Column::SupplierId.eq(supplier_id))
                            .count(db)
                            .await?;
                        if held == 0 {
                            return Err(ApiError::Forbidden(
                                "no service of this project is contracted to your organisation"
                                    .to_owned(),
                            ));
                        }
                    }
                    PlanScope::Nothing => {
                        return Err(ApiError::Forbidden(
                            "the migration plan is visible only to the administration, its suppliers, its verifier and the department".to_owned(),
                        ))
                    }
                }
                Some(cup)
            }
        };
        live::stream(ctx, move |notice, principal| {
            let What::ServiceStatus {
                service,
                status,
                previous,
                version,
            } = &notice.what
            else {
                return None;
            };
            if cup
                .as_ref()
                .is_some_and(|c| c.as_str() != notice.project.cup)
            {
                return None;
            }
            let visible = match plan_scope(principal, &notice.project) {
                PlanScope::Whole => true,
                PlanScope::SupplierServices(id) => service.supplier_id == Some(id),
                PlanScope::Nothing => false,
            };
            // The audit log holds the codes this server wrote; one it cannot read is
            // not a status change a client could use.
            let status = ServiceState::parse(status).ok()?;
            let previous_status = previous
                .as_deref()
                .and_then(|p| ServiceState::parse(p).ok());
            visible.then(|| ServiceStatusChange {
                cup: notice.project.cup.clone(),
                call_title: notice.call_title.clone(),
                service_id: ID(service.id.to_string()),
                name: service.name.clone(),
                status,
                previous_status,
                version: *version,
                at: notice.at,
            })
        })
        .await
    }
}
