//! Keeping a migration plan: an administration names each planned service (from the
//! catalogue of its type of body), its data class, where it runs today, the service model
//! it moves to and the target offering. The rules are `nuvola_shared::plan`'s.

use chrono::Utc;
use nuvola_shared::plan::{OfferingFacts, PlanLine};
use nuvola_shared::{ApplicationState, DataClass, Deployment, Role, ServiceModel, ServiceState};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder,
};
use serde_json::json;

use crate::audit::{self, Change};
use crate::entity::{
    administration, application, assessment, catalogue_service, cloud_offering, document,
    planned_service, verification_check,
};
use crate::service::auth::Principal;
use crate::service::idempotency;

/// A change to one line of a plan, as the administration sends it.
#[derive(Debug, Clone)]
pub struct PlanChange {
    pub cup: String,
    pub call_title: Option<String>,
    /// The line to change; `None` adds a line (not for schools: their grant fixes how many).
    pub service_id: Option<i32>,
    /// The version the caller last read; required to change a line.
    pub expected_version: Option<i32>,
    pub catalogue_code: Option<String>,
    pub name: Option<String>,
    pub data_class: String,
    pub origin: String,
    pub destination: String,
    pub offering_code: Option<String>,
    /// A client's key for adding a line: a retried request returns the first line.
    pub idempotency_key: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanServiceError {
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// The life cycle does not allow this move from the current state.
    #[error("{0}")]
    Transition(String),
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error(transparent)]
    Db(#[from] DbErr),
}

pub(crate) fn invalid(field: &str, message: impl Into<String>) -> PlanServiceError {
    PlanServiceError::Invalid {
        field: field.to_owned(),
        message: message.into(),
    }
}

/// The states in which a plan may still change.
pub const EDITABLE_STATES: [ApplicationState; 2] =
    [ApplicationState::Funded, ApplicationState::Contracted];

/// Adds or changes one planned service, in one transaction with its audit event.
#[tracing::instrument(skip(db, principal), fields(cup = %change.cup, user = %principal.username))]
pub async fn save(
    db: &DatabaseConnection,
    principal: &Principal,
    change: PlanChange,
) -> Result<planned_service::Model, PlanServiceError> {
    // Parse everything before touching the database.
    let data_class =
        DataClass::parse(&change.data_class).map_err(|e| invalid("dataClass", e.to_string()))?;
    let origin = Deployment::parse(&change.origin).map_err(|e| invalid("origin", e.to_string()))?;
    let destination = ServiceModel::parse(&change.destination)
        .map_err(|e| invalid("destination", e.to_string()))?;
    if principal.role != Role::Administration || principal.read_only {
        return Err(PlanServiceError::Forbidden(
            "only the administration that owns the project keeps its plan".to_owned(),
        ));
    }

    let key = idempotency::parse(change.idempotency_key.clone())?;
    let txn = crate::db::begin_write(db).await?;
    if change.service_id.is_none() {
        if let Some(done) =
            idempotency::recall(&txn, principal, key.as_deref(), "addPlannedService").await?
        {
            if let Some(first) = idempotency::ids(&done).first() {
                if let Some(line) = planned_service::Entity::find_by_id(*first)
                    .one(&txn)
                    .await?
                {
                    return Ok(line);
                }
            }
        }
    }
    let (project, _) = editable_project(
        &txn,
        principal,
        &change.cup,
        change.call_title.as_deref(),
        "the plan can change",
    )
    .await?;
    let body = administration::Entity::find_by_id(project.administration_id)
        .one(&txn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the project's administration".into()))?;

    let catalogue = match &change.catalogue_code {
        Some(code) => Some(
            catalogue_service::Entity::find()
                .filter(catalogue_service::Column::Code.eq(code.trim()))
                .filter(catalogue_service::Column::TargetType.eq(body.type_code.as_str()))
                .one(&txn)
                .await?
                .ok_or_else(|| {
                    invalid(
                        "catalogueCode",
                        format!("{code} is not in the catalogue of services for this type of body"),
                    )
                })?,
        ),
        None => None,
    };
    let name = change
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .or_else(|| catalogue.as_ref().map(|c| c.name.clone()))
        .ok_or_else(|| {
            invalid(
                "name",
                "give the service a name or choose it from the catalogue",
            )
        })?;
    let offering = match &change.offering_code {
        Some(code) => Some(
            cloud_offering::Entity::find()
                .filter(cloud_offering::Column::Code.eq(code.trim()))
                .one(&txn)
                .await?
                .ok_or_else(|| {
                    invalid(
                        "offeringCode",
                        format!("no qualified offering has the code {code}"),
                    )
                })?,
        ),
        None => None,
    };
    let facts = match &offering {
        Some(o) => Some(OfferingFacts {
            service_model: ServiceModel::parse(&o.service_model)
                .map_err(|e| DbErr::Custom(e.to_string()))?,
            max_data_class: DataClass::parse(&o.max_data_class)
                .map_err(|e| DbErr::Custom(e.to_string()))?,
            qualified_until: o.qualified_until,
        }),
        None => None,
    };
    let line = PlanLine {
        name: name.trim().to_owned(),
        data_class,
        origin,
        destination,
        offering: facts,
    };
    let modality = line
        .check(Utc::now().date_naive())
        .map_err(|e| invalid(e.field, e.message))?;
    let others = planned_service::Entity::find()
        .filter(planned_service::Column::ApplicationId.eq(project.id))
        .all(&txn)
        .await?;
    nuvola_shared::plan::check_unique_name(
        &line.name,
        others
            .iter()
            .filter(|o| Some(o.id) != change.service_id)
            .map(|o| o.name.as_str()),
    )
    .map_err(|e| invalid(e.field, e.message))?;

    let now = Utc::now();
    let saved = match change.service_id {
        None => {
            if body.type_code == nuvola_shared::AdministrationType::Scuola.code() {
                return Err(PlanServiceError::Conflict(
                    "a school's grant fixes its number of services (EUR 553 each): change the existing lines".to_owned(),
                ));
            }
            let model = planned_service::ActiveModel {
                application_id: Set(project.id),
                catalogue_service_id: Set(catalogue.as_ref().map(|c| c.id)),
                name: Set(line.name.clone()),
                data_class: Set(data_class.code().to_owned()),
                modality: Set(Some(modality.code().to_owned())),
                origin: Set(Some(origin.code().to_owned())),
                destination: Set(Some(destination.code().to_owned())),
                offering_id: Set(offering.as_ref().map(|o| o.id)),
                status: Set(ServiceState::NotStarted.code().to_owned()),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            audit_change(&txn, principal, &project, None, &model).await?;
            idempotency::remember(
                &txn,
                principal,
                key.as_deref(),
                "addPlannedService",
                &json!({ "ids": [model.id] }),
            )
            .await?;
            model
        }
        Some(id) => {
            let current = planned_service::Entity::find_by_id(id)
                .filter(planned_service::Column::ApplicationId.eq(project.id))
                .one(&txn)
                .await?
                .ok_or_else(|| {
                    PlanServiceError::NotFound(format!("the project has no planned service {id}"))
                })?;
            let expected = change
                .expected_version
                .ok_or_else(|| invalid("version", "send the version you read, to change a line"))?;
            not_yet_migrating(&current, "its plan")?;
            // The version in the WHERE clause: a concurrent writer makes this match nothing.
            let result = planned_service::Entity::update_many()
                .col_expr(
                    planned_service::Column::CatalogueServiceId,
                    Expr::value(catalogue.as_ref().map(|c| c.id)),
                )
                .col_expr(
                    planned_service::Column::Name,
                    Expr::value(line.name.clone()),
                )
                .col_expr(
                    planned_service::Column::DataClass,
                    Expr::value(data_class.code()),
                )
                .col_expr(
                    planned_service::Column::Modality,
                    Expr::value(modality.code()),
                )
                .col_expr(planned_service::Column::Origin, Expr::value(origin.code()))
                .col_expr(
                    planned_service::Column::Destination,
                    Expr::value(destination.code()),
                )
                .col_expr(
                    planned_service::Column::OfferingId,
                    Expr::value(offering.as_ref().map(|o| o.id)),
                )
                .col_expr(
                    planned_service::Column::Version,
                    Expr::value(current.version + 1),
                )
                .col_expr(planned_service::Column::UpdatedAt, Expr::value(now))
                .filter(planned_service::Column::Id.eq(id))
                .filter(planned_service::Column::Version.eq(expected))
                .exec(&txn)
                .await?;
            if result.rows_affected != 1 {
                return Err(PlanServiceError::Conflict(format!(
                    "the service changed since you read it (version {} now, you sent {expected}): reload and try again",
                    current.version
                )));
            }
            let updated = planned_service::Entity::find_by_id(id)
                .one(&txn)
                .await?
                .ok_or_else(|| DbErr::RecordNotFound("the updated service".into()))?;
            audit_change(&txn, principal, &project, Some(&current), &updated).await?;
            updated
        }
    };
    txn.commit().await?;
    Ok(saved)
}

/// A planned service to remove, with the version the caller read.
#[derive(Debug, Clone)]
pub struct PlanRemoval {
    pub cup: String,
    pub call_title: Option<String>,
    pub service_id: i32,
    pub expected_version: i32,
}

/// Removes a planned service before its contract, recorded as `PLAN_SERVICE_REMOVED`
/// with the line as it was. The administration that owns the project, while it is
/// FUNDED or CONTRACTED; not a school's line (its grant fixes how many), not a
/// contracted one, not one with questionnaires or documents (they stay on record).
#[tracing::instrument(skip(db, principal), fields(cup = %removal.cup, user = %principal.username))]
pub async fn remove(
    db: &DatabaseConnection,
    principal: &Principal,
    removal: PlanRemoval,
) -> Result<(), PlanServiceError> {
    if principal.role != Role::Administration || principal.read_only {
        return Err(PlanServiceError::Forbidden(
            "only the administration that owns the project keeps its plan".to_owned(),
        ));
    }
    let txn = crate::db::begin_write(db).await?;
    let (project, _) = editable_project(
        &txn,
        principal,
        &removal.cup,
        removal.call_title.as_deref(),
        "a service is removed from the plan",
    )
    .await?;
    let id = removal.service_id;
    let current = planned_service::Entity::find_by_id(id)
        .filter(planned_service::Column::ApplicationId.eq(project.id))
        .one(&txn)
        .await?
        .ok_or_else(|| {
            PlanServiceError::NotFound(format!("the project has no planned service {id}"))
        })?;
    let body = administration::Entity::find_by_id(project.administration_id)
        .one(&txn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the project's administration".into()))?;
    if body.type_code == nuvola_shared::AdministrationType::Scuola.code() {
        return Err(PlanServiceError::Conflict(
            "a school's grant fixes its number of services (EUR 553 each): change the line instead"
                .to_owned(),
        ));
    }
    if current.supplier_id.is_some() || current.contract_on.is_some() {
        return Err(PlanServiceError::Conflict(format!(
            "{} is under contract: it is no longer removed from the plan",
            current.name
        )));
    }
    not_yet_migrating(&current, "the plan")?;
    let kept = assessment::Entity::find()
        .filter(assessment::Column::PlannedServiceId.eq(id))
        .count(&txn)
        .await?
        + document::Entity::find()
            .filter(document::Column::PlannedServiceId.eq(id))
            .count(&txn)
            .await?
        + verification_check::Entity::find()
            .filter(verification_check::Column::PlannedServiceId.eq(id))
            .count(&txn)
            .await?;
    if kept > 0 {
        return Err(PlanServiceError::Conflict(format!(
            "{} has questionnaires or documents on record: it is no longer removed from the plan",
            current.name
        )));
    }
    let result = planned_service::Entity::delete_many()
        .filter(planned_service::Column::Id.eq(id))
        .filter(planned_service::Column::Version.eq(removal.expected_version))
        .exec(&txn)
        .await?;
    if result.rows_affected != 1 {
        return Err(PlanServiceError::Conflict(format!(
            "the service changed since you read it (version {} now, you sent {}): reload and try again",
            current.version, removal.expected_version
        )));
    }
    audit::record(
        &txn,
        &principal.actor(),
        Change {
            entity_type: nuvola_shared::EntityType::PlannedService,
            entity_id: id.to_string(),
            action: "PLAN_SERVICE_REMOVED",
            application_id: Some(project.id),
            before: Some(snapshot(&current)),
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The project of a CUP, when `principal` is the administration that owns it and the
/// project is still in one of [`EDITABLE_STATES`]; `doing` names the refused action.
pub(crate) async fn editable_project(
    txn: &sea_orm::DatabaseTransaction,
    principal: &Principal,
    cup: &str,
    call_title: Option<&str>,
    doing: &str,
) -> Result<(application::Model, ApplicationState), PlanServiceError> {
    let project = find_project(txn, cup, call_title).await?;
    if principal.administration_id != Some(project.administration_id) {
        return Err(PlanServiceError::Forbidden(
            "this project belongs to another administration".to_owned(),
        ));
    }
    let state =
        ApplicationState::parse(&project.state).map_err(|e| DbErr::Custom(e.to_string()))?;
    if !EDITABLE_STATES.contains(&state) {
        return Err(PlanServiceError::Conflict(format!(
            "{doing} only while the project is funded or contracted; it is {}",
            state.label_it()
        )));
    }
    Ok((project, state))
}

/// Refuses to change `what` of a service once its migration has started.
pub(crate) fn not_yet_migrating(
    service: &planned_service::Model,
    what: &str,
) -> Result<(), PlanServiceError> {
    let status = ServiceState::parse(&service.status).map_err(|e| DbErr::Custom(e.to_string()))?;
    if matches!(status, ServiceState::NotStarted | ServiceState::Assessed) {
        Ok(())
    } else {
        Err(PlanServiceError::Conflict(format!(
            "{} is already {}: {what} no longer changes",
            service.name,
            status.label_it()
        )))
    }
}

/// The project of a CUP (and call, when the same CUP appears in two calls).
pub async fn find_project(
    txn: &sea_orm::DatabaseTransaction,
    cup: &str,
    call_title: Option<&str>,
) -> Result<application::Model, PlanServiceError> {
    let mut projects = application::Entity::find()
        .filter(application::Column::Cup.eq(cup.trim().to_uppercase()))
        .order_by_desc(application::Column::Id)
        .all(txn)
        .await?;
    if let Some(title) = call_title {
        let calls: Vec<i32> = crate::entity::call::Entity::find()
            .filter(crate::entity::call::Column::Title.eq(title))
            .all(txn)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();
        projects.retain(|p| calls.contains(&p.call_id));
    }
    projects
        .into_iter()
        .next()
        .ok_or_else(|| PlanServiceError::NotFound(format!("no project has the CUP {cup}")))
}

fn snapshot(s: &planned_service::Model) -> serde_json::Value {
    json!({
        "name": s.name,
        "catalogueServiceId": s.catalogue_service_id,
        "dataClass": s.data_class,
        "modality": s.modality,
        "origin": s.origin,
        "destination": s.destination,
        "offeringId": s.offering_id,
        "version": s.version,
    })
}

async fn audit_change(
    txn: &sea_orm::DatabaseTransaction,
    principal: &Principal,
    project: &application::Model,
    before: Option<&planned_service::Model>,
    after: &planned_service::Model,
) -> Result<(), DbErr> {
    audit::record(
        txn,
        &principal.actor(),
        Change {
            entity_type: nuvola_shared::EntityType::PlannedService,
            entity_id: after.id.to_string(),
            action: if before.is_some() {
                "PLAN_SERVICE_CHANGED"
            } else {
                "PLAN_SERVICE_ADDED"
            },
            application_id: Some(project.id),
            before: before.map(snapshot),
            after: Some(snapshot(after)),
        },
    )
    .await
}
