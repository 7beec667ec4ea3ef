//! A project's history: its audit events, as a timeline. Not public (the audit log names
//! people); the department, the administration that owns the project and its verifier
//! read all of it, a supplier only the events of the services assigned to it.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::entity::{application, event, planned_service};
use crate::service::access::{self, PlanScope};
use crate::service::auth::Principal;

/// The longest page of a history.
pub const MAX_EVENTS: u64 = 500;

/// Why a history cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("the history of a project is visible only to the administration, its suppliers, its verifier and the department")]
    Forbidden,
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// The newest `limit` events of `project` that `principal` may read, newest first,
/// older than the event `before` when given.
pub async fn project_history(
    db: &impl ConnectionTrait,
    principal: Option<&Principal>,
    project: &application::Model,
    limit: u64,
    before: Option<i32>,
) -> Result<Vec<event::Model>, HistoryError> {
    let mut query = event::Entity::find()
        .filter(event::Column::ApplicationId.eq(project.id))
        .order_by_desc(event::Column::Id)
        .limit(limit.clamp(1, MAX_EVENTS));
    if let Some(before) = before {
        query = query.filter(event::Column::Id.lt(before));
    }
    match access::plan_scope(principal, project) {
        PlanScope::Whole => {}
        PlanScope::SupplierServices(supplier_id) => {
            let mine: Vec<String> = planned_service::Entity::find()
                .select_only()
                .column(planned_service::Column::Id)
                .filter(planned_service::Column::ApplicationId.eq(project.id))
                .filter(planned_service::Column::SupplierId.eq(supplier_id))
                .into_tuple::<i32>()
                .all(db)
                .await?
                .into_iter()
                .map(|id| id.to_string())
                .collect();
            if mine.is_empty() {
                return Err(HistoryError::Forbidden);
            }
            query = query
                .filter(event::Column::EntityType.eq("planned_service"))
                .filter(event::Column::EntityId.is_in(mine));
        }
        PlanScope::Nothing => return Err(HistoryError::Forbidden),
    }
    Ok(query.all(db).await?)
}
