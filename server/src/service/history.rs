//! A project's history: its audit events, as a timeline. Not public (the audit log names
//! people); the department, the administration that owns the project and its verifier
//! read all of it, a supplier only the events of the services assigned to it.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::Value;

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
        .order_by_desc(event::Column::Id);
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
    let limit = limit.clamp(1, MAX_EVENTS);
    Ok(crate::service::paging::all(db, query, limit).await?)
}

/// What each event is about, by event id, in words a person recognises: the planned
/// service's name, the document's file name, the request's title, the contract's CIG.
/// Events on the project itself have none. The event's own snapshot says it when it
/// carries it (so a service removed since keeps its name); a change of status carries
/// only the status, so the service's current name is read, in one query.
pub async fn subjects(
    db: &impl ConnectionTrait,
    events: &[event::Model],
) -> Result<HashMap<i32, String>, DbErr> {
    let mut out = HashMap::new();
    let mut unnamed_services: Vec<(i32, i32)> = Vec::new();
    for e in events {
        let key = match e.entity_type.as_str() {
            "planned_service" => "name",
            "document" => "fileName",
            "verification_request" => "title",
            "supplier_contract" => "cig",
            _ => continue,
        };
        let named = [&e.after_json, &e.before_json]
            .into_iter()
            .flatten()
            .filter_map(|json| serde_json::from_str::<Value>(json).ok())
            .find_map(|v| v.get(key).and_then(Value::as_str).map(str::to_owned));
        match named {
            Some(name) => {
                out.insert(e.id, name);
            }
            None if e.entity_type == "planned_service" => {
                if let Ok(service) = e.entity_id.parse::<i32>() {
                    unnamed_services.push((e.id, service));
                }
            }
            None => {}
        }
    }
    if !unnamed_services.is_empty() {
        let mut ids: Vec<i32> = unnamed_services.iter().map(|(_, s)| *s).collect();
        ids.sort_unstable();
        ids.dedup();
        let names: HashMap<i32, String> = planned_service::Entity::find()
            .select_only()
            .column(planned_service::Column::Id)
            .column(planned_service::Column::Name)
            .filter(planned_service::Column::Id.is_in(ids))
            .into_tuple::<(i32, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        for (event, service) in unnamed_services {
            if let Some(name) = names.get(&service) {
                out.insert(event, name.clone());
            }
        }
    }
    Ok(out)
}
