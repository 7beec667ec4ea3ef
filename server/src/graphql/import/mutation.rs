use async_graphql::{Context, Object, ID};
use nuvola_shared::Role;
use sea_orm::DatabaseConnection;

use super::object::ImportJob;
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::viewer::viewer;
use crate::service::import_job::{self, JobError};

#[derive(Default)]
pub struct ImportMutation;

fn job_id(id: &ID) -> ApiResult<i32> {
    id.parse::<i32>()
        .map_err(|_| ApiError::NotFound("no import job has this id".to_owned()))
}

impl From<JobError> for ApiError {
    fn from(e: JobError) -> Self {
        match e {
            JobError::Forbidden => ApiError::Forbidden(e.to_string()),
            JobError::NotFound => ApiError::NotFound(e.to_string()),
            JobError::Invalid(m) => ApiError::invalid("files", m),
            JobError::Transition(m) => ApiError::InvalidTransition(m),
            JobError::Db(e) => ApiError::internal(e),
            JobError::Internal(e) => ApiError::internal(e),
        }
    }
}

#[Object]
impl ImportMutation {
    /// Runs the job's files as a dry run and keeps what the import would do (new,
    /// updated with the changed fields, unchanged, skipped with reasons, data-quality
    /// warnings). Writes nothing else. DEPARTMENT only.
    async fn preview_import(&self, ctx: &Context<'_>, id: ID) -> ApiResult<ImportJob> {
        let principal = viewer(ctx).require_writer(&[Role::Department])?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(ImportJob(
            import_job::preview(db, principal, job_id(&id)?).await?,
        ))
    }

    /// Confirms a previewed import: it is queued and runs in the background, one import
    /// at a time across replicas. DEPARTMENT only.
    async fn confirm_import(&self, ctx: &Context<'_>, id: ID) -> ApiResult<ImportJob> {
        let principal = viewer(ctx).require_writer(&[Role::Department])?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(ImportJob(
            import_job::confirm(db, principal, job_id(&id)?).await?,
        ))
    }

    /// Abandons an import not yet confirmed. DEPARTMENT only.
    async fn discard_import(&self, ctx: &Context<'_>, id: ID) -> ApiResult<ImportJob> {
        let principal = viewer(ctx).require_writer(&[Role::Department])?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(ImportJob(
            import_job::discard(db, principal, job_id(&id)?).await?,
        ))
    }
}
