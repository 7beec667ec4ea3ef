//! Recording supplier contracts: the administration names the supplier, the contract
//! date, the CIG, the amount and the contract's document for some of its planned
//! services. The first contract moves the project from FUNDED to CONTRACTED (the shared
//! life cycle decides), and starts the completion term. A contract is a record of its own
//! (`supplier_contract`), and what it says is versioned (`contract_version`): a
//! correction ([`correct`]) adds a version, never overwrites one.

use chrono::{NaiveDate, Utc};
use nuvola_shared::contract::ContractTerms;
use nuvola_shared::lifecycle::Reason;
use nuvola_shared::state::ProjectAction;
use nuvola_shared::{ApplicationState, DocumentKind, Role, VatNumber};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder,
};
use serde_json::json;

use crate::audit::{self, Change};
use crate::entity::{
    application, cloud_offering, contract_version, document, planned_service, supplier,
    supplier_contract,
};
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
    /// The CIG and amount, given together (the web application always gives them;
    /// third parties may record without, and add them with a correction).
    pub cig: Option<String>,
    pub amount_eur: Option<i64>,
    /// The contract's document, among the project's documents of kind CONTRACT.
    pub document_id: Option<i32>,
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
    let terms = match (&record.cig, record.amount_eur) {
        (None, None) => None,
        (cig, amount) => Some(
            ContractTerms::check(
                cig.as_deref().unwrap_or_default(),
                amount.unwrap_or_default(),
                record.contract_on,
                project.funded_on,
                today,
            )
            .map_err(|e| invalid(e.field, e.message))?,
        ),
    };
    if let Some(id) = record.document_id {
        contract_document(&txn, &project, id).await?;
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
    let contract = supplier_contract::ActiveModel {
        application_id: Set(project.id),
        supplier_id: Set(chosen.id),
        current_version: Set(1),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let first = contract_version::ActiveModel {
        contract_id: Set(contract.id),
        version: Set(1),
        cig: Set(terms.as_ref().map(|t| t.cig.as_str().to_owned())),
        amount_eur: Set(terms.as_ref().map(|t| t.amount.value())),
        signed_on: Set(record.contract_on),
        document_id: Set(record.document_id),
        reason: Set(None),
        recorded_by: Set(Some(principal.account_id)),
        recorded_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut changes = vec![Change {
        entity_type: nuvola_shared::EntityType::SupplierContract,
        entity_id: contract.id.to_string(),
        action: "CONTRACT_CREATED",
        application_id: Some(project.id),
        before: None,
        after: Some(version_json(&first, &vat)),
    }];
    for (id, version) in &record.services {
        let result = planned_service::Entity::update_many()
            .col_expr(planned_service::Column::SupplierId, Expr::value(chosen.id))
            .col_expr(
                planned_service::Column::ContractId,
                Expr::value(contract.id),
            )
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
            entity_type: nuvola_shared::EntityType::PlannedService,
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
            entity_type: nuvola_shared::EntityType::Application,
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

fn version_json(v: &contract_version::Model, vat: &VatNumber) -> serde_json::Value {
    json!({
        "version": v.version, "supplierVat": vat.as_str(), "cig": v.cig, "amountEur": v.amount_eur,
        "contractOn": v.signed_on, "documentId": v.document_id, "reason": v.reason,
    })
}

/// The document `id` as a contract's document: one of `project`'s, of kind CONTRACT.
async fn contract_document(
    db: &impl sea_orm::ConnectionTrait,
    project: &application::Model,
    id: i32,
) -> Result<document::Model, PlanServiceError> {
    document::Entity::find_by_id(id)
        .filter(document::Column::ApplicationId.eq(project.id))
        .one(db)
        .await?
        .filter(|d| d.kind == DocumentKind::Contract.code())
        .ok_or_else(|| {
            invalid(
                "documentId",
                "choose one of the project's documents of kind CONTRACT (upload the signed contract first)",
            )
        })
}

/// A correction of a contract, as the administration sends it: what the contract says
/// now, all of it, and why it changes.
#[derive(Debug, Clone)]
pub struct ContractCorrection {
    pub contract_id: i32,
    /// The contract's `version` as the caller read it.
    pub expected_version: i32,
    pub cig: String,
    pub amount_eur: i64,
    pub contract_on: NaiveDate,
    pub document_id: Option<i32>,
    pub reason: String,
}

/// Corrects a contract: a new version with what it says now, its reason and its audit
/// event (`CONTRACT_CORRECTED`, before and after), in one transaction. The previous
/// versions stay. A new signing date moves the contract date of its services and, when
/// it is the project's earliest, the project's (the completion term runs from it).
/// ADMINISTRATION that owns the project; not once the project is in a final state.
#[tracing::instrument(skip(db, principal, correction), fields(contract = correction.contract_id))]
pub async fn correct(
    db: &DatabaseConnection,
    principal: &Principal,
    correction: ContractCorrection,
) -> Result<(supplier_contract::Model, contract_version::Model), PlanServiceError> {
    if principal.role != Role::Administration || principal.read_only {
        return Err(PlanServiceError::Forbidden(
            "only the administration that owns the project corrects its contracts".to_owned(),
        ));
    }
    let reason = Reason::parse(&correction.reason).map_err(|e| invalid("reason", e.to_string()))?;
    let today = Utc::now().date_naive();
    let txn = crate::db::begin_write(db).await?;
    let not_found =
        || PlanServiceError::NotFound(format!("no contract has the id {}", correction.contract_id));
    let contract = supplier_contract::Entity::find_by_id(correction.contract_id)
        .one(&txn)
        .await?
        .ok_or_else(not_found)?;
    let project = application::Entity::find_by_id(contract.application_id)
        .one(&txn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("a contract's project".into()))?;
    if !crate::service::access::is_owner(principal, &project) {
        return Err(not_found());
    }
    let state =
        ApplicationState::parse(&project.state).map_err(|e| DbErr::Custom(e.to_string()))?;
    if state.is_final() {
        return Err(PlanServiceError::Transition(format!(
            "the project is {}: its contracts are part of the record and no longer change",
            state.code()
        )));
    }
    let terms = ContractTerms::check(
        &correction.cig,
        correction.amount_eur,
        correction.contract_on,
        project.funded_on,
        today,
    )
    .map_err(|e| invalid(e.field, e.message))?;
    if let Some(id) = correction.document_id {
        contract_document(&txn, &project, id).await?;
    }
    let previous = contract_version::Entity::find()
        .filter(contract_version::Column::ContractId.eq(contract.id))
        .filter(contract_version::Column::Version.eq(contract.current_version))
        .one(&txn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("a contract's current version".into()))?;
    let next = contract.current_version + 1;
    let bumped = supplier_contract::Entity::update_many()
        .col_expr(supplier_contract::Column::CurrentVersion, Expr::value(next))
        .filter(supplier_contract::Column::Id.eq(contract.id))
        .filter(supplier_contract::Column::CurrentVersion.eq(correction.expected_version))
        .exec(&txn)
        .await?;
    if bumped.rows_affected != 1 {
        return Err(PlanServiceError::Conflict(format!(
            "the contract changed since you read it (version {} now, you sent {}): reload and try again",
            contract.current_version, correction.expected_version
        )));
    }
    let now = Utc::now();
    let saved = contract_version::ActiveModel {
        contract_id: Set(contract.id),
        version: Set(next),
        cig: Set(Some(terms.cig.as_str().to_owned())),
        amount_eur: Set(Some(terms.amount.value())),
        signed_on: Set(terms.signed_on),
        document_id: Set(correction.document_id),
        reason: Set(Some(reason.as_str().to_owned())),
        recorded_by: Set(Some(principal.account_id)),
        recorded_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    if previous.signed_on != terms.signed_on {
        planned_service::Entity::update_many()
            .col_expr(
                planned_service::Column::ContractOn,
                Expr::value(terms.signed_on),
            )
            .col_expr(
                planned_service::Column::Version,
                Expr::col(planned_service::Column::Version).add(1),
            )
            .col_expr(planned_service::Column::UpdatedAt, Expr::value(now))
            .filter(planned_service::Column::ContractId.eq(contract.id))
            .exec(&txn)
            .await?;
        let earliest = earliest_signing(&txn, project.id).await?;
        if earliest.is_some() && earliest != project.contract_on {
            let mut active: application::ActiveModel = project.clone().into();
            active.contract_on = Set(earliest);
            active.version = Set(project.version + 1);
            active.updated_at = Set(now);
            active.update(&txn).await?;
        }
    }
    let vat = supplier::Entity::find_by_id(contract.supplier_id)
        .one(&txn)
        .await?
        .and_then(|s| VatNumber::parse(&s.vat_number).ok())
        .ok_or_else(|| DbErr::RecordNotFound("a contract's supplier".into()))?;
    audit::record(
        &txn,
        &principal.actor(),
        Change {
            entity_type: nuvola_shared::EntityType::SupplierContract,
            entity_id: contract.id.to_string(),
            action: "CONTRACT_CORRECTED",
            application_id: Some(project.id),
            before: Some(version_json(&previous, &vat)),
            after: Some(version_json(&saved, &vat)),
        },
    )
    .await?;
    let contract = supplier_contract::Entity::find_by_id(contract.id)
        .one(&txn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the corrected contract".into()))?;
    txn.commit().await?;
    Ok((contract, saved))
}

/// The earliest signing date among the current versions of a project's contracts.
async fn earliest_signing(
    db: &impl sea_orm::ConnectionTrait,
    application_id: i32,
) -> Result<Option<NaiveDate>, DbErr> {
    let contracts = supplier_contract::Entity::find()
        .filter(supplier_contract::Column::ApplicationId.eq(application_id))
        .all(db)
        .await?;
    let mut earliest = None::<NaiveDate>;
    for c in contracts {
        if let Some(v) = contract_version::Entity::find()
            .filter(contract_version::Column::ContractId.eq(c.id))
            .filter(contract_version::Column::Version.eq(c.current_version))
            .one(db)
            .await?
        {
            earliest = Some(earliest.map_or(v.signed_on, |e| e.min(v.signed_on)));
        }
    }
    Ok(earliest)
}

/// The contracts of `project` that `principal` may see, oldest first, each with its
/// versions (oldest first): all of them for those who see the whole plan, a supplier's
/// own for a supplier, none for others (FORBIDDEN).
pub async fn list(
    db: &impl sea_orm::ConnectionTrait,
    principal: Option<&Principal>,
    project: &application::Model,
) -> Result<Vec<(supplier_contract::Model, Vec<contract_version::Model>)>, PlanServiceError> {
    use crate::service::access::{plan_scope, PlanScope};
    let mut query = supplier_contract::Entity::find()
        .filter(supplier_contract::Column::ApplicationId.eq(project.id))
        .order_by_asc(supplier_contract::Column::Id);
    match plan_scope(principal, project) {
        PlanScope::Whole => {}
        PlanScope::SupplierServices(id) => {
            query = query.filter(supplier_contract::Column::SupplierId.eq(id));
        }
        PlanScope::Nothing => {
            return Err(PlanServiceError::Forbidden(
                "contracts are visible only to the administration, its suppliers (their own), its verifier and the department".to_owned(),
            ))
        }
    }
    let contracts = query.all(db).await?;
    let ids: Vec<i32> = contracts.iter().map(|c| c.id).collect();
    let mut versions = contract_version::Entity::find()
        .filter(contract_version::Column::ContractId.is_in(ids))
        .order_by_asc(contract_version::Column::Version)
        .all(db)
        .await?;
    Ok(contracts
        .into_iter()
        .map(|c| {
            let (own, rest): (Vec<_>, Vec<_>) =
                versions.drain(..).partition(|v| v.contract_id == c.id);
            versions = rest;
            (c, own)
        })
        .collect())
}

/// Every version of a contract, oldest first.
pub async fn versions_of(
    db: &impl sea_orm::ConnectionTrait,
    contract_id: i32,
) -> Result<Vec<contract_version::Model>, DbErr> {
    contract_version::Entity::find()
        .filter(contract_version::Column::ContractId.eq(contract_id))
        .order_by_asc(contract_version::Column::Version)
        .all(db)
        .await
}
