//! The national catalogue of qualified cloud suppliers and offerings, kept by the
//! department: it qualifies a supplier (PSN is one, flagged), qualifies each offering
//! (service model, highest data class, 36 months at most) and withdraws a qualification
//! by ending it. Plans and contracts read this catalogue; an expired qualification can no
//! longer be chosen.

use chrono::{NaiveDate, Utc};
use nuvola_shared::cloud::{
    check_deployment, check_supplier_until, OfferingQualification, DEPLOYMENT_MODELS,
};
use nuvola_shared::{Role, VatNumber};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use serde_json::json;

use crate::audit::{self, Change};
use crate::entity::{cloud_offering, supplier};
use crate::service::auth::Principal;
use crate::service::plan::{invalid, PlanServiceError};

fn department_only(principal: &Principal) -> Result<(), PlanServiceError> {
    if principal.role == Role::Department && !principal.read_only {
        Ok(())
    } else {
        Err(PlanServiceError::Forbidden(
            "only the department qualifies suppliers and offerings".to_owned(),
        ))
    }
}

fn supplier_json(s: &supplier::Model) -> serde_json::Value {
    json!({ "vatNumber": s.vat_number, "name": s.name, "isPsn": s.is_psn, "qualifiedUntil": s.qualified_until })
}

/// Qualifies a supplier (or changes its name, PSN flag or qualification end). The end
/// follows `shared::cloud::check_supplier_until`: from today to 36 months later for a
/// new supplier; an existing one is withdrawn by ending it yesterday.
pub async fn qualify_supplier(
    db: &DatabaseConnection,
    principal: &Principal,
    vat: &str,
    name: &str,
    is_psn: bool,
    qualified_until: Option<NaiveDate>,
) -> Result<supplier::Model, PlanServiceError> {
    department_only(principal)?;
    let vat = VatNumber::parse(vat).map_err(|e| invalid("vatNumber", e.to_string()))?;
    let name = name.trim();
    if !(2..=200).contains(&name.chars().count()) {
        return Err(invalid("name", "the name must have 2 to 200 characters"));
    }
    let txn = crate::db::begin_write(db).await?;
    let current = supplier::Entity::find()
        .filter(supplier::Column::VatNumber.eq(vat.as_str()))
        .one(&txn)
        .await?;
    let now = Utc::now();
    check_supplier_until(
        qualified_until,
        current.as_ref().map(|s| s.qualified_until),
        now.date_naive(),
    )
    .map_err(|e| invalid(e.field, e.message))?;
    let saved = match &current {
        Some(s) => {
            let mut active: supplier::ActiveModel = s.clone().into();
            active.name = Set(name.to_owned());
            active.is_psn = Set(is_psn);
            active.qualified_until = Set(qualified_until);
            active.updated_at = Set(now);
            active.update(&txn).await?
        }
        None => {
            supplier::ActiveModel {
                vat_number: Set(vat.as_str().to_owned()),
                name: Set(name.to_owned()),
                is_psn: Set(is_psn),
                qualified_until: Set(qualified_until),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
    };
    audit::record(
        &txn,
        &principal.actor(),
        Change {
            entity_type: nuvola_shared::EntityType::Supplier,
            entity_id: saved.id.to_string(),
            action: "SUPPLIER_QUALIFIED",
            application_id: None,
            before: current.as_ref().map(supplier_json),
            after: Some(supplier_json(&saved)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

fn offering_json(o: &cloud_offering::Model) -> serde_json::Value {
    json!({
        "code": o.code, "name": o.name, "serviceModel": o.service_model,
        "deploymentModel": o.deployment_model, "maxDataClass": o.max_data_class,
        "qualifiedOn": o.qualified_on, "qualifiedUntil": o.qualified_until,
        "supplierId": o.supplier_id,
    })
}

/// Qualifies an offering of a qualified supplier (or renews it: same code).
pub async fn qualify_offering(
    db: &DatabaseConnection,
    principal: &Principal,
    supplier_vat: &str,
    deployment_model: &str,
    q: OfferingQualification,
) -> Result<cloud_offering::Model, PlanServiceError> {
    department_only(principal)?;
    q.check().map_err(|e| invalid(e.field, e.message))?;
    let deployment = deployment_model.trim().to_uppercase();
    if !DEPLOYMENT_MODELS.contains(&deployment.as_str()) {
        return Err(invalid(
            "deploymentModel",
            "expected PUBLIC, PRIVATE, HYBRID or PSN",
        ));
    }
    let vat = VatNumber::parse(supplier_vat).map_err(|e| invalid("supplierVat", e.to_string()))?;
    let txn = crate::db::begin_write(db).await?;
    let owner = supplier::Entity::find()
        .filter(supplier::Column::VatNumber.eq(vat.as_str()))
        .one(&txn)
        .await?
        .ok_or_else(|| invalid("supplierVat", format!("qualify the supplier {vat} first")))?;
    check_deployment(&deployment, owner.is_psn).map_err(|e| invalid(e.field, e.message))?;
    q.check_on(Utc::now().date_naive(), owner.qualified_until)
        .map_err(|e| invalid(e.field, e.message))?;
    let current = cloud_offering::Entity::find()
        .filter(cloud_offering::Column::Code.eq(q.code.as_str()))
        .one(&txn)
        .await?;
    if current.as_ref().is_some_and(|o| o.supplier_id != owner.id) {
        return Err(invalid(
            "code",
            format!(
                "the code {} belongs to another supplier's offering: choose another code",
                q.code
            ),
        ));
    }
    let saved = match &current {
        Some(o) => {
            let mut active: cloud_offering::ActiveModel = o.clone().into();
            active.name = Set(q.name.trim().to_owned());
            active.service_model = Set(q.service_model.code().to_owned());
            active.deployment_model = Set(deployment.clone());
            active.max_data_class = Set(q.max_data_class.code().to_owned());
            active.qualified_on = Set(Some(q.qualified_on));
            active.qualified_until = Set(Some(q.qualified_until));
            active.update(&txn).await?
        }
        None => {
            cloud_offering::ActiveModel {
                supplier_id: Set(owner.id),
                code: Set(q.code.clone()),
                name: Set(q.name.trim().to_owned()),
                service_model: Set(q.service_model.code().to_owned()),
                deployment_model: Set(deployment.clone()),
                max_data_class: Set(q.max_data_class.code().to_owned()),
                qualification_level: Set(None),
                qualified_on: Set(Some(q.qualified_on)),
                qualified_until: Set(Some(q.qualified_until)),
                created_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
    };
    audit::record(
        &txn,
        &principal.actor(),
        Change {
            entity_type: nuvola_shared::EntityType::CloudOffering,
            entity_id: saved.id.to_string(),
            action: "OFFERING_QUALIFIED",
            application_id: None,
            before: current.as_ref().map(offering_json),
            after: Some(offering_json(&saved)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}
