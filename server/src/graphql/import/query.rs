use async_graphql::{Context, Object, SimpleObject, ID};
use nuvola_shared::Role;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::object::{DataQualityWarning, ImportJob};
use crate::entity::{application, call};
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::viewer::viewer;
use crate::service::import_job;

#[derive(Default)]
pub struct ImportQuery;

/// A project whose published row breaks the official structure, with its warnings.
#[derive(SimpleObject)]
pub struct FlaggedApplication {
    pub cup: String,
    pub call_title: String,
    pub warnings: Vec<DataQualityWarning>,
}

/// The projects flagged by data-quality warnings.
#[derive(SimpleObject)]
pub struct DataQualityReport {
    /// All the flagged projects.
    pub total_count: i32,
    /// The first of them, by CUP.
    pub applications: Vec<FlaggedApplication>,
}

#[Object]
impl ImportQuery {
    /// The department's open-data imports, newest first (at most 50). DEPARTMENT only.
    async fn import_jobs(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 10)] first: i32,
    ) -> ApiResult<Vec<ImportJob>> {
        viewer(ctx).require(&[Role::Department])?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let first = u64::try_from(first.clamp(1, 50)).unwrap_or(10);
        Ok(import_job::list_any(db, first)
            .await?
            .into_iter()
            .map(ImportJob)
            .collect())
    }

    /// One import job. DEPARTMENT only.
    async fn import_job(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<ImportJob>> {
        viewer(ctx).require(&[Role::Department])?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let Ok(id) = id.parse::<i32>() else {
            return Ok(None);
        };
        Ok(crate::entity::import_job::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(ImportJob))
    }

    /// The projects whose published rows carry data-quality warnings (identifiers that
    /// break the official structure, values that could not be read), as last imported.
    /// DEPARTMENT only.
    async fn data_quality(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 100)] first: i32,
    ) -> ApiResult<DataQualityReport> {
        viewer(ctx).require(&[Role::Department])?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let flagged =
            application::Entity::find().filter(application::Column::DataQuality.is_not_null());
        let total = flagged.clone().count(db).await?;
        let rows: Vec<(String, String, Option<String>)> = flagged
            .select_only()
            .column(application::Column::Cup)
            .column(call::Column::Title)
            .column(application::Column::DataQuality)
            .inner_join(call::Entity)
            .order_by_asc(application::Column::Cup)
            .limit(u64::try_from(first.clamp(1, 500)).unwrap_or(100))
            .into_tuple()
            .all(db)
            .await?;
        let applications = rows
            .into_iter()
            .map(|(cup, call_title, json)| {
                let warnings = stored_warnings(&cup, json.as_deref())?;
                Ok(FlaggedApplication {
                    cup,
                    call_title,
                    warnings,
                })
            })
            .collect::<ApiResult<Vec<_>>>()?;
        Ok(DataQualityReport {
            total_count: i32::try_from(total).unwrap_or(i32::MAX),
            applications,
        })
    }
}

/// The warnings stored with an application (`application.data_quality`).
pub fn stored_warnings(cup: &str, json: Option<&str>) -> ApiResult<Vec<DataQualityWarning>> {
    #[derive(serde::Deserialize)]
    struct Stored {
        field: String,
        value: String,
        reason: String,
    }
    let Some(json) = json else {
        return Ok(Vec::new());
    };
    let stored: Vec<Stored> = serde_json::from_str(json)
        .map_err(|e| ApiError::internal(anyhow::anyhow!("data-quality warnings of {cup}: {e}")))?;
    Ok(stored
        .into_iter()
        .map(|s| DataQualityWarning {
            line: None,
            cup: cup.to_owned(),
            field: s.field,
            value: s.value,
            reason: s.reason,
        })
        .collect())
}
