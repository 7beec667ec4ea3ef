//! `nuvola export`: the funded applications back in the published format.

use std::collections::HashMap;

use anyhow::Context;
use nuvola_shared::api::ParsedFilter;
use nuvola_shared::{ApplicationState, Euros};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::entity::{administration, application, call};
use crate::opendata::ExportRow;

/// Every application the open data publishes (all but SUBMITTED), in import order.
pub async fn export_rows(db: &DatabaseConnection) -> anyhow::Result<Vec<ExportRow>> {
    export_rows_filtered(db, &ParsedFilter::default()).await
}

/// The published applications a filter keeps (the explorer's filter), in import order.
#[tracing::instrument(skip(db))]
pub async fn export_rows_filtered(
    db: &DatabaseConnection,
    filter: &ParsedFilter,
) -> anyhow::Result<Vec<ExportRow>> {
    let admins: HashMap<i32, administration::Model> = administration::Entity::find()
        .all(db)
        .await
        .context("reading administrations")?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let calls: HashMap<i32, call::Model> = call::Entity::find()
        .all(db)
        .await
        .context("reading calls")?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let apps = crate::service::applications::filtered(filter)
        .filter(application::Column::State.ne(ApplicationState::Submitted.code()))
        .order_by_asc(application::Column::Id)
        .all(db)
        .await
        .context("reading applications")?;
    apps.into_iter()
        .map(|a| {
            let admin = admins
                .get(&a.administration_id)
                .with_context(|| format!("application {} has no administration", a.id))?;
            let call = calls
                .get(&a.call_id)
                .with_context(|| format!("application {} has no call", a.id))?;
            let state = ApplicationState::parse(&a.state)?
                .open_data()
                .map(|s| s.code())
                .unwrap_or_default();
            let whole = |n: Option<i32>| n.map(|n| format!("{n}.0")).unwrap_or_default();
            let text = |s: &Option<String>| s.clone().unwrap_or_default();
            Ok(ExportRow([
                admin.ipa_code.clone(),
                admin.name.clone(),
                text(&admin.comune),
                text(&admin.comune_istat),
                text(&admin.provincia),
                text(&admin.provincia_istat),
                admin.region.clone(),
                text(&admin.region_istat),
                Euros::new(a.amount_eur)?.to_open_data(),
                call.title.clone(),
                a.submitted_at
                    .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string())
                    .unwrap_or_default(),
                a.funded_on.map(|d| d.to_string()).unwrap_or_default(),
                a.cup.clone(),
                whole(a.time_window),
                whole(a.protocol_number),
                state.to_owned(),
                text(&call.measure),
                text(&admin.type_label),
            ]))
        })
        .collect()
}
