//! Recording supplier contracts: the administration names the supplier and the contract
//! date of some of its planned services. The first contract moves the project from FUNDED
//! to CONTRACTED (the shared life cycle decides), and starts the completion term.

use chrono::{NaiveDate, Utc};
use nuvola_shared::state::ProjectAction;
use nuvola_shared::{ApplicationState, Role, VatNumber};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder,
};
use serde_json::json;

use crate::audit::{self, Change};
use crate::entity::{application, cloud_offering, planned_service, supplier};
use crate::service::auth::Principal;
use crate::service::idempotency;
use crate::service::plan::{editable_project, invalid, not_yet_migrating, PlanServiceError};

/// The most services one contract may name.
pub const MAX_SERVICES_PER_CONTRACT: usize = 500;

/// A contract as the administration records it.
#[derive(Debug, Clone)]
pub struct ContractRecord {
    pub cup: String,
    pub call_title: Option<String>,
    pub supplier_vat: String,
    pub contract_on: NaiveDate,
    /// (planned service id, the version the caller read).
    pub services: Vec<(i32, i32)>,
    /// A client's key: a retried request returns the first result.
    pub idempotency_key: Option<String>,
}

const OPERATION: &str = "recordContract";

/// Records the contract for every named service, all or nothing.
#[tracing::instrument(skip(db, principal, record), fields(cup = %record.cup))]
pub async fn record(
    db: &DatabaseConnection,
    principal: &Principal,
    record: ContractRecord,
) -> Result<Vec<planned_service::Model>, PlanServiceError> {
    let vat = VatNumber::parse(&record.supplier_vat)
        .map_err(|e| invalid("supplierVat", e.to_string()))?;
    let today = Utc::now().date_naive();
    if record.contract_on > today {
        return Err(invalid(
            "contractOn",
            "a contract date cannot be in the future",
        ));
    }
    if record.services.is_empty() || record.services.len() > MAX_SERVICES_PER_CONTRACT {
        return Err(invalid(
            "services",
            format!("name 1 to {MAX_SERVICES_PER_CONTRACT} planned services"),
        ));
    }
    if principal.role != Role::Administration || principal.read_only {
        return Err(PlanServiceError::Forbidden(
            "only the administration that owns the project records its contracts".to_owned(),
        ));
    }

    let key = idempotency::parse(record.idempotency_key.clone())?;
    let txn = crate::db::begin_write(db).await?;
    if let Some(done) = idempotency::recall(&txn, principal, key.as_deref(), OPERATION).await? {
        let saved = planned_service::Entity::find()
            .filter(planned_service::Column::Id.is_in(idempotency::ids(&done)))
            .order_by_asc(planned_service::Column::Id)
            .all(&txn)
            .await?;
        return Ok(saved);
    }
    let (project, state) = editable_project(
        &txn,
        principal,
        &record.cup,
        record.call_title.as_deref(),
        "contracts are recorded",
    )
    .await?;
    // While the administration's request of renunciation waits for the decree, its
    // moves wait too (shared::state), this one included when the project is already
    // CONTRACTED and no state changes.
    if crate::service::lifecycle::renunciation_requested(&project) {
        return Err(PlanServiceError::Transition(
            "a request of renunciation is pending: withdraw it before recording a contract"
                .to_owned(),
        ));
    }
    if project.funded_on.is_some_and(|f| record.contract_on < f) {
        return Err(invalid(
            "contractOn",
            "the contract cannot precede the funding",
        ));
    }
    let chosen = supplier::Entity::find()
        .filter(supplier::Column::VatNumber.eq(vat.as_str()))
        .one(&txn)
        .await?
        .ok_or_else(|| {
            invalid(
                "supplierVat",
                format!("no qualified supplier has the VAT number {vat}"),
            )
        })?;
    if let Some(until) = chosen.qualified_until.filter(|u| *u < today) {
        return Err(invalid(
            "supplierVat",
            format!(
                "the qualification of {} expired on {until}: choose a qualified supplier",
                chosen.name
            ),
        ));
    }

    let ids: Vec<i32> = record.services.iter().map(|(id, _)| *id).collect();
    let current: Vec<planned_service::Model> = planned_service::Entity::find()
        .filter(planned_service::Column::Id.is_in(ids.clone()))
        .filter(planned_service::Column::ApplicationId.eq(project.id))
        .order_by_asc(planned_service::Column::Id)
        .all(&txn)
        .await?;
    if current.len() != ids.len() {
        return Err(PlanServiceError::NotFound(
            "some of the services named are not in this project's plan".to_owned(),
        ));
    }
    for service in &current {
        not_yet_migrating(service, "its contract")?;
        if let Some(offering_id) = service.offering_id {
            let offering = cloud_offering::Entity::find_by_id(offering_id)
                .one(&txn)
                .await?
                .ok_or_else(|| DbErr::RecordNotFound("a planned offering".into()))?;
            if offering.supplier_id != chosen.id {
                return Err(invalid(
                    "supplierVat",
                    format!(
                        "{} targets the offering {}, which {} does not sell",
                        service.name, offering.code, chosen.name
                    ),
                ));
            }
        }
    }

    let now = Utc::now();
    let mut changes = Vec::new();
    for (id, version) in &record.services {
        let result = planned_service::Entity::update_many()
            .col_expr(planned_service::Column::SupplierId, Expr::value(chosen.id))
            .col_expr(
                planned_service::Column::ContractOn,
                Expr::value(record.contract_on),
            )
            .col_expr(
                planned_service::Column::Version,
                Expr::col(planned_service::Column::Version).add(1),
            )
            .col_expr(planned_service::Column::UpdatedAt, Expr::value(now))
            .filter(planned_service::Column::Id.eq(*id))
            .filter(planned_service::Column::Version.eq(*version))
            .exec(&txn)
            .await?;
        if result.rows_affected != 1 {
            // Dropping the transaction rolls back the services already changed.
            return Err(PlanServiceError::Conflict(format!(
                "planned service {id} changed since you read it: reload and try again"
            )));
        }
        changes.push(Change {
            entity_type: "planned_service",
            entity_id: id.to_string(),
            action: "CONTRACT_RECORDED",
            application_id: Some(project.id),
            before: current
                .iter()
                .find(|s| s.id == *id)
                .map(|s| json!({ "supplierId": s.supplier_id, "contractOn": s.contract_on })),
            after: Some(json!({ "supplierId": chosen.id, "supplierVat": vat.as_str(), "contractOn": record.contract_on })),
        });
    }

    if state == ApplicationState::Funded {
        let next = state
            .apply(
                ProjectAction::RecordContract,
                principal.role,
                crate::service::lifecycle::renunciation_requested(&project),
            )
            .map_err(|e| PlanServiceError::Conflict(e.to_string()))?;
        let mut active: application::ActiveModel = project.clone().into();
        active.state = Set(next.code().to_owned());
        active.contract_on = Set(Some(record.contract_on));
        active.state_changed_on = Set(Some(today));
        active.version = Set(project.version + 1);
        active.updated_at = Set(now);
        active.update(&txn).await?;
        changes.push(Change {
            entity_type: "application",
            entity_id: project.id.to_string(),
            action: "STATE_CHANGED",
            application_id: Some(project.id),
            before: Some(json!({ "state": state.code() })),
            after: Some(json!({ "state": next.code(), "contractOn": record.contract_on })),
        });
    }
    audit::record_many(&txn, &principal.actor(), changes).await?;
    idempotency::remember(
        &txn,
        principal,
        key.as_deref(),
        OPERATION,
        &json!({ "ids": ids }),
    )
    .await?;
    let saved = planned_service::Entity::find()
        .filter(planned_service::Column::Id.is_in(ids))
        .order_by_asc(planned_service::Column::Id)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(saved)
}
