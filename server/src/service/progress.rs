//! The migration of each planned service: its status, its cut-over window and its
//! assessment questionnaire. The supplier assigned to a service (or PSN) and the
//! administration that owns the project move it; nobody else, and a supplier never
//! touches a service that is not assigned to it.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use nuvola_shared::lifecycle::MAX_BULK_SERVICES;
use nuvola_shared::state::ProjectAction;
use nuvola_shared::{ApplicationState, CutoverWindow, Questionnaire, Role, ServiceState};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction,
    DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, SqlErr,
};
use serde_json::json;

use crate::audit::{self, Change};
use crate::entity::{application, assessment, planned_service};
use crate::service::auth::Principal;
use crate::service::plan::{invalid, PlanServiceError};
use crate::service::{idempotency, lifecycle};

/// One service to move, with the version the caller read.
#[derive(Debug, Clone, Copy)]
pub struct ServiceMove {
    pub id: i32,
    pub version: i32,
    pub status: ServiceState,
}

/// The project states in which services migrate.
const MIGRATING_STATES: [ApplicationState; 2] =
    [ApplicationState::Contracted, ApplicationState::Migrating];

/// Moves 1 to [`MAX_BULK_SERVICES`] services, all or none, each by an allowed step of
/// its life cycle. The first service to start migrating moves its project from
/// CONTRACTED to MIGRATING.
#[tracing::instrument(skip_all, fields(user = %principal.username, services = moves.len()))]
pub async fn move_services(
    db: &DatabaseConnection,
    principal: &Principal,
    moves: &[ServiceMove],
) -> Result<Vec<planned_service::Model>, PlanServiceError> {
    if moves.is_empty() || moves.len() > MAX_BULK_SERVICES {
        return Err(invalid(
            "services",
            format!("send 1 to {MAX_BULK_SERVICES} services"),
        ));
    }
    let mut seen = HashSet::new();
    if let Some(dup) = moves.iter().find(|m| !seen.insert(m.id)) {
        return Err(invalid(
            "services",
            format!("service {} appears twice", dup.id),
        ));
    }
    let txn = crate::db::begin_write(db).await?;
    let saved = apply_moves(&txn, principal, moves).await?;
    txn.commit().await?;
    Ok(saved)
}

/// What an update by filter did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FilterMove {
    /// How many services moved.
    pub moved: usize,
    pub status: ServiceState,
}

/// Moves every service `filter` selects for `principal` (across all pages, not only
/// the page on screen) to `status`, all or none, in one transaction, each service
/// checked as [`move_services`] checks it (assigned to the caller, an allowed step, a
/// questionnaire before ASSESSED) and each move audited. `expected` is the count the
/// person confirmed: when the filter selects another number now (someone changed a
/// service meanwhile), nothing moves and the answer is CONFLICT with the new count.
#[tracing::instrument(skip_all, fields(user = %principal.username, expected))]
pub async fn move_services_by_filter(
    db: &DatabaseConnection,
    principal: &Principal,
    filter: &nuvola_shared::api::ParsedServiceFilter,
    status: ServiceState,
    expected: usize,
) -> Result<FilterMove, PlanServiceError> {
    use nuvola_shared::lifecycle::MAX_FILTER_BULK_SERVICES;
    if principal.read_only {
        return Err(PlanServiceError::Forbidden(
            "API tokens are read-only".to_owned(),
        ));
    }
    if expected == 0 || expected > MAX_FILTER_BULK_SERVICES {
        return Err(invalid(
            "expectedCount",
            format!("an update by filter moves 1 to {MAX_FILTER_BULK_SERVICES} services"),
        ));
    }
    let txn = crate::db::begin_write(db).await?;
    let ids = crate::service::worklists::service_ids(
        &txn,
        principal,
        filter,
        MAX_FILTER_BULK_SERVICES as u64 + 1,
    )
    .await?;
    if ids.len() > MAX_FILTER_BULK_SERVICES {
        return Err(invalid(
            "filter",
            format!("the filter selects more than {MAX_FILTER_BULK_SERVICES} services: narrow it"),
        ));
    }
    if ids.len() != expected {
        return Err(PlanServiceError::Conflict(format!(
            "the filter now selects {} services, not the {expected} you confirmed: reload and confirm again",
            ids.len()
        )));
    }
    // The versions are the ones read here, in the transaction that moves them.
    let versions: Vec<(i32, i32)> = planned_service::Entity::find()
        .select_only()
        .column(planned_service::Column::Id)
        .column(planned_service::Column::Version)
        .filter(planned_service::Column::Id.is_in(ids.iter().copied()))
        .lock_exclusive()
        .into_tuple()
        .all(&txn)
        .await?;
    let moves: Vec<ServiceMove> = versions
        .into_iter()
        .map(|(id, version)| ServiceMove {
            id,
            version,
            status,
        })
        .collect();
    let saved = apply_moves(&txn, principal, &moves).await?;
    txn.commit().await?;
    Ok(FilterMove {
        moved: saved.len(),
        status,
    })
}

/// The checks and writes of a bulk move, inside the caller's transaction.
async fn apply_moves(
    txn: &DatabaseTransaction,
    principal: &Principal,
    moves: &[ServiceMove],
) -> Result<Vec<planned_service::Model>, PlanServiceError> {
    let ids: Vec<i32> = moves.iter().map(|m| m.id).collect();
    // Locked as read (FOR UPDATE on PostgreSQL; SQLite's writer already holds the write
    // lock): the versions checked below cannot change before the commit, so each status
    // is written with one UPDATE for all its services instead of one per service.
    let services: HashMap<i32, planned_service::Model> = planned_service::Entity::find()
        .filter(planned_service::Column::Id.is_in(ids.iter().copied()))
        .lock_exclusive()
        .all(txn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let project_ids: HashSet<i32> = services.values().map(|s| s.application_id).collect();
    let projects: HashMap<i32, application::Model> = application::Entity::find()
        .filter(application::Column::Id.is_in(project_ids))
        .all(txn)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();

    // Which of the services becoming ASSESSED have a questionnaire: one query.
    let answered: HashSet<i32> = if moves.iter().any(|m| m.status == ServiceState::Assessed) {
        assessment::Entity::find()
            .select_only()
            .column(assessment::Column::PlannedServiceId)
            .filter(assessment::Column::PlannedServiceId.is_in(ids.iter().copied()))
            .into_tuple::<i32>()
            .all(txn)
            .await?
            .into_iter()
            .collect()
    } else {
        HashSet::new()
    };
    let now = Utc::now();
    let mut changes = Vec::with_capacity(moves.len());
    let mut starting: Vec<i32> = Vec::new();
    let mut by_status: std::collections::BTreeMap<&'static str, Vec<i32>> =
        std::collections::BTreeMap::new();
    for m in moves {
        let service = services.get(&m.id).ok_or_else(|| {
            PlanServiceError::NotFound(format!("there is no planned service {}", m.id))
        })?;
        let project = projects
            .get(&service.application_id)
            .ok_or_else(|| DbErr::RecordNotFound("the service's project".into()))?;
        may_work_on(principal, project, service)?;
        // What the caller read is out of date: that is what it must hear first.
        if service.version != m.version {
            return Err(stale(service, m.version));
        }
        let project_state = lifecycle::state_of(project)?;
        if !MIGRATING_STATES.contains(&project_state) {
            return Err(PlanServiceError::Transition(format!(
                "{}: services move only while the project is contracted or migrating; it is {}",
                service.name,
                project_state.label_it()
            )));
        }
        if service.supplier_id.is_none() {
            return Err(PlanServiceError::Transition(format!(
                "{} has no supplier under contract yet",
                service.name
            )));
        }
        let from =
            ServiceState::parse(&service.status).map_err(|e| DbErr::Custom(e.to_string()))?;
        if !from.can_move_to(m.status) {
            return Err(PlanServiceError::Transition(format!(
                "{}: {} → {} is not a step of a service's migration",
                service.name,
                from.code(),
                m.status.code()
            )));
        }
        if m.status == ServiceState::Assessed && !answered.contains(&service.id) {
            return Err(PlanServiceError::Transition(format!(
                "{}: fill in its assessment questionnaire before marking it assessed",
                service.name
            )));
        }
        by_status.entry(m.status.code()).or_default().push(m.id);
        if m.status == ServiceState::Migrating
            && project_state == ApplicationState::Contracted
            && !starting.contains(&project.id)
        {
            starting.push(project.id);
        }
        changes.push(Change {
            entity_type: nuvola_shared::EntityType::PlannedService,
            entity_id: service.id.to_string(),
            action: "STATUS_CHANGED",
            application_id: Some(project.id),
            before: Some(json!({ "status": from.code(), "version": service.version })),
            after: Some(json!({ "status": m.status.code(), "version": m.version + 1 })),
        });
    }
    for (status, ids) in &by_status {
        let result = planned_service::Entity::update_many()
            .col_expr(planned_service::Column::Status, Expr::value(*status))
            .col_expr(
                planned_service::Column::Version,
                Expr::col(planned_service::Column::Version).add(1),
            )
            .col_expr(planned_service::Column::UpdatedAt, Expr::value(now))
            .filter(planned_service::Column::Id.is_in(ids.iter().copied()))
            .exec(txn)
            .await?;
        if result.rows_affected != ids.len() as u64 {
            return Err(DbErr::Custom(format!(
                "{} of {} services moved to {status}",
                result.rows_affected,
                ids.len()
            ))
            .into());
        }
    }
    audit::record_many(txn, &principal.actor(), changes).await?;
    for id in starting {
        let project = &projects[&id];
        // Whoever starts the first service starts the project; its version is the one
        // read inside this transaction, since the caller sent the services' versions.
        lifecycle::apply(
            txn,
            principal,
            project,
            project.version,
            ProjectAction::StartMigration,
            Vec::new(),
            json!({}),
        )
        .await?;
    }
    let saved = planned_service::Entity::find()
        .filter(planned_service::Column::Id.is_in(ids.iter().copied()))
        .order_by_asc(planned_service::Column::Id)
        .all(txn)
        .await?;
    Ok(saved)
}

/// Schedules (or moves) the planned downtime of a service's cut-over.
pub async fn schedule_cutover(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i32,
    version: i32,
    window: CutoverWindow,
) -> Result<planned_service::Model, PlanServiceError> {
    window
        .check(Utc::now())
        .map_err(|e| invalid(e.field, e.message))?;
    let txn = crate::db::begin_write(db).await?;
    let (project, service) = writable_service(&txn, principal, id).await?;
    if service.status == ServiceState::Migrated.code() {
        return Err(PlanServiceError::Transition(format!(
            "{} is already migrated: there is no cut-over left to schedule",
            service.name
        )));
    }
    let result = planned_service::Entity::update_many()
        .col_expr(
            planned_service::Column::CutoverStart,
            Expr::value(Some(window.start)),
        )
        .col_expr(
            planned_service::Column::CutoverEnd,
            Expr::value(Some(window.end)),
        )
        .col_expr(planned_service::Column::Version, Expr::value(version + 1))
        .col_expr(planned_service::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(planned_service::Column::Id.eq(id))
        .filter(planned_service::Column::Version.eq(version))
        .exec(&txn)
        .await?;
    if result.rows_affected != 1 {
        return Err(stale(&service, version));
    }
    audit::record(
        &txn,
        &principal.actor(),
        Change {
            entity_type: nuvola_shared::EntityType::PlannedService,
            entity_id: id.to_string(),
            action: "CUTOVER_SCHEDULED",
            application_id: Some(project.id),
            before: Some(json!({ "start": service.cutover_start, "end": service.cutover_end })),
            after: Some(
                json!({ "start": window.start, "end": window.end, "version": version + 1 }),
            ),
        },
    )
    .await?;
    let saved = reload(&txn, id).await?;
    txn.commit().await?;
    Ok(saved)
}

/// The operation name under which idempotency keys of questionnaires are kept.
const ASSESSMENT: &str = "submitAssessment";

/// Adds a new version of a service's assessment questionnaire; earlier versions stay.
/// `expected_latest` is the version the caller last read (0 for none): a questionnaire
/// written meanwhile by someone else gets CONFLICT.
pub async fn submit_assessment(
    db: &DatabaseConnection,
    principal: &Principal,
    service_id: i32,
    expected_latest: i32,
    answers: Questionnaire,
    idempotency_key: Option<String>,
) -> Result<assessment::Model, PlanServiceError> {
    answers
        .check(Utc::now().date_naive())
        .map_err(|e| invalid(e.field, e.message))?;
    let key = idempotency::parse(idempotency_key)?;
    let txn = crate::db::begin_write(db).await?;
    if let Some(done) = idempotency::recall(&txn, principal, key.as_deref(), ASSESSMENT).await? {
        if let Some(first) = idempotency::ids(&done).first() {
            if let Some(stored) = assessment::Entity::find_by_id(*first).one(&txn).await? {
                return Ok(stored);
            }
        }
    }
    let (project, service) = writable_service(&txn, principal, service_id).await?;
    if lifecycle::state_of(&project)?.is_final() {
        return Err(PlanServiceError::Transition(
            "the project is closed: its questionnaires no longer change".to_owned(),
        ));
    }
    let latest = assessment::Entity::find()
        .filter(assessment::Column::PlannedServiceId.eq(service_id))
        .order_by_desc(assessment::Column::Version)
        .one(&txn)
        .await?
        .map_or(0, |a| a.version);
    if latest != expected_latest {
        return Err(PlanServiceError::Conflict(format!(
            "{} has questionnaire version {latest}, you read {expected_latest}: reload and try again",
            service.name
        )));
    }
    let inserted = assessment::ActiveModel {
        planned_service_id: Set(service_id),
        version: Set(latest + 1),
        application_name: Set(answers.application_name.clone()),
        cpu_cores: Set(answers.cpu_cores),
        memory_gb: Set(answers.memory_gb),
        storage_gb: Set(answers.storage_gb),
        users: Set(answers.users),
        destination: Set(answers.destination.clone()),
        provider_activated_on: Set(answers.provider_activated_on),
        migration_started_on: Set(answers.migration_started_on),
        go_live_on: Set(answers.go_live_on),
        submitted_by: Set(Some(principal.account_id)),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| match e.sql_err() {
        // Two writers read the same latest version: the unique (service, version) index
        // lets only one of them in.
        Some(SqlErr::UniqueConstraintViolation(_)) => PlanServiceError::Conflict(format!(
            "{} got a new questionnaire meanwhile: reload and try again",
            service.name
        )),
        _ => e.into(),
    })?;
    audit::record(
        &txn,
        &principal.actor(),
        Change {
            entity_type: nuvola_shared::EntityType::PlannedService,
            entity_id: service_id.to_string(),
            action: "ASSESSMENT_SUBMITTED",
            application_id: Some(project.id),
            before: None,
            after: Some(json!({ "version": inserted.version, "answers": answers })),
        },
    )
    .await?;
    idempotency::remember(
        &txn,
        principal,
        key.as_deref(),
        ASSESSMENT,
        &json!({ "ids": [inserted.id] }),
    )
    .await?;
    txn.commit().await?;
    Ok(inserted)
}

/// The administration that owns the project, or the supplier assigned to the service.
fn may_work_on(
    principal: &Principal,
    project: &application::Model,
    service: &planned_service::Model,
) -> Result<(), PlanServiceError> {
    if principal.read_only {
        return Err(PlanServiceError::Forbidden(
            "API tokens are read-only".to_owned(),
        ));
    }
    let allowed = match principal.role {
        Role::Administration => principal.administration_id == Some(project.administration_id),
        Role::Supplier | Role::Psn => {
            principal.supplier_id.is_some() && principal.supplier_id == service.supplier_id
        }
        _ => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(PlanServiceError::Forbidden(format!(
            "service {} is not assigned to you",
            service.id
        )))
    }
}

async fn writable_service(
    txn: &DatabaseTransaction,
    principal: &Principal,
    id: i32,
) -> Result<(application::Model, planned_service::Model), PlanServiceError> {
    let service = planned_service::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| PlanServiceError::NotFound(format!("there is no planned service {id}")))?;
    let project = application::Entity::find_by_id(service.application_id)
        .one(txn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the service's project".into()))?;
    may_work_on(principal, &project, &service)?;
    Ok((project, service))
}

async fn reload(
    txn: &DatabaseTransaction,
    id: i32,
) -> Result<planned_service::Model, PlanServiceError> {
    Ok(planned_service::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the updated service".into()))?)
}

fn stale(service: &planned_service::Model, sent: i32) -> PlanServiceError {
    PlanServiceError::Conflict(format!(
        "{} changed since you read it (version {} now, you sent {sent}): reload and try again",
        service.name, service.version
    ))
}
