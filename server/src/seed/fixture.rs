//! `nuvola seed-supplier`: one supplier with thousands of projects on the demo data,
//! for the first-draw bench of the supplier's page (issue 14: "the page of a supplier
//! with 5,000 projects first drawn in the browser under 1 s") without the minutes of
//! the whole national data set. The supplier, its offering and its login are the
//! national data set's big supplier ([`super::BIG_SUPPLIER_USERNAME`]); it takes
//! `projects` funded projects of the open data (the schools' first, with the planned
//! services the import gave them; other bodies' get two), contracted to it with every
//! planned service, in a spread of migration statuses.
//!
//! Written in bulk, as the seeder writes, without audit events or notifications: it is
//! a fixture for measuring, not a history.

use anyhow::{bail, Context, Result};
use chrono::Utc;
use nuvola_shared::{AdministrationType, ApplicationState, DataClass, ServiceState};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, JoinType, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, RelationTrait, TransactionTrait,
};

use crate::entity::{administration, application, planned_service};

/// What the fixture holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupplierFixture {
    pub projects: usize,
    pub services: u64,
}

/// Gives the big supplier `projects` funded projects (the lowest ids, schools first: the
/// same ones on any demo database) with all their planned services.
pub async fn big_supplier(db: &DatabaseConnection, projects: usize) -> Result<SupplierFixture> {
    let (supplier_id, _account) = super::create_big_supplier(db).await?;
    // Funded projects no supplier holds: the schools' first (they come with their
    // planned services from the import), then other bodies', which get two services.
    let mut ids: Vec<i32> = Vec::with_capacity(projects);
    for schools in [true, false] {
        let kind = administration::Column::TypeCode.eq(AdministrationType::Scuola.code());
        let chosen: Vec<i32> = application::Entity::find()
            .select_only()
            .column(application::Column::Id)
            .join(
                JoinType::InnerJoin,
                application::Relation::Administration.def(),
            )
            .filter(if schools { kind } else { kind.not() })
            .filter(application::Column::State.eq(ApplicationState::Funded.code()))
            .filter(
                application::Column::Id.not_in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(planned_service::Column::ApplicationId)
                        .from(planned_service::Entity)
                        .and_where(planned_service::Column::SupplierId.is_not_null())
                        .to_owned(),
                ),
            )
            .order_by_asc(application::Column::Id)
            .limit((projects - ids.len()) as u64)
            .into_tuple()
            .all(db)
            .await
            .context("choosing the projects")?;
        ids.extend(chosen);
    }
    if ids.len() < projects {
        bail!(
            "the database has {} funded projects without a supplier, not {projects}: load the demo data first",
            ids.len()
        );
    }
    let now = Utc::now();
    let contract_on = chrono::NaiveDate::from_ymd_opt(2026, 1, 15);
    let txn = db.begin().await?;
    // Projects without a plan get two services.
    let planned: std::collections::HashSet<i32> = planned_service::Entity::find()
        .select_only()
        .column(planned_service::Column::ApplicationId)
        .distinct()
        .into_tuple::<i32>()
        .all(&txn)
        .await?
        .into_iter()
        .collect();
    let missing: Vec<planned_service::ActiveModel> = ids
        .iter()
        .filter(|id| !planned.contains(id))
        .flat_map(|&id| {
            ["Protocollo informatico", "Tributi (IMU, TARI)"].map(|name| {
                planned_service::ActiveModel {
                    application_id: Set(id),
                    name: Set(name.to_owned()),
                    data_class: Set(DataClass::Ordinario.code().to_owned()),
                    status: Set(ServiceState::NotStarted.code().to_owned()),
                    version: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
            })
        })
        .collect();
    for chunk in missing.chunks(500) {
        planned_service::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    for chunk in ids.chunks(500) {
        application::Entity::update_many()
            .col_expr(
                application::Column::State,
                Expr::value(ApplicationState::Contracted.code()),
            )
            .col_expr(application::Column::ContractOn, Expr::value(contract_on))
            .col_expr(
                application::Column::Version,
                Expr::col(application::Column::Version).add(1),
            )
            .col_expr(application::Column::UpdatedAt, Expr::value(now))
            .filter(application::Column::Id.is_in(chunk.iter().copied()))
            .exec(&txn)
            .await?;
        planned_service::Entity::update_many()
            .col_expr(
                planned_service::Column::SupplierId,
                Expr::value(supplier_id),
            )
            .col_expr(
                planned_service::Column::ContractOn,
                Expr::value(contract_on),
            )
            .col_expr(planned_service::Column::Destination, Expr::value("SAAS"))
            .col_expr(planned_service::Column::Origin, Expr::value("ON_PREMISES"))
            .col_expr(planned_service::Column::UpdatedAt, Expr::value(now))
            .filter(planned_service::Column::ApplicationId.is_in(chunk.iter().copied()))
            .exec(&txn)
            .await?;
    }
    // A spread of statuses: a third assessed, a sixth migrating (by id, deterministic).
    for (status, condition) in [
        (ServiceState::Assessed, "id % 3 = 1"),
        (ServiceState::Migrating, "id % 6 = 2"),
    ] {
        planned_service::Entity::update_many()
            .col_expr(planned_service::Column::Status, Expr::value(status.code()))
            .filter(planned_service::Column::SupplierId.eq(supplier_id))
            .filter(Expr::cust(condition))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    let services = planned_service::Entity::find()
        .filter(planned_service::Column::SupplierId.eq(supplier_id))
        .count(db)
        .await?;
    Ok(SupplierFixture {
        projects: ids.len(),
        services,
    })
}
