use async_graphql::{Context, Object, SimpleObject};
use nuvola_shared::Role;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entity::application;
use crate::graphql::application::object::Application;
use crate::graphql::error::ApiResult;
use crate::graphql::pagination::{page_size, DEFAULT_PAGE_SIZE};
use crate::graphql::viewer::viewer;

/// The requests of renunciation waiting for the department's decree.
#[derive(SimpleObject)]
pub struct PendingRenunciations {
    /// How many projects have a request pending.
    pub total_count: u64,
    /// The oldest requests first (each project's `renunciationRequest` says when and
    /// why).
    pub projects: Vec<Application>,
}

#[derive(Default)]
pub struct LifecycleQuery;

#[Object]
impl LifecycleQuery {
    /// The projects whose administration asked to renounce the funding and waits for
    /// the department's decree (or withdraws), the oldest request first, with their
    /// total. DEPARTMENT only. `first` is at most 100 (default 20).
    #[graphql(
        complexity = "first.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, 100) as usize * child_complexity + 2"
    )]
    async fn pending_renunciations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
    ) -> ApiResult<PendingRenunciations> {
        viewer(ctx).require(&[Role::Department])?;
        let first = page_size(first)?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let pending = application::Column::RenunciationRequestedAt.is_not_null();
        let total_count = crate::graphql::project_count(
            ctx,
            "renunciations".to_owned(),
            sea_orm::Condition::all().add(pending.clone()),
        )
        .await?;
        let projects = application::Entity::find()
            .filter(pending)
            .order_by_asc(application::Column::RenunciationRequestedAt)
            .order_by_asc(application::Column::Id)
            .limit(first)
            .all(db)
            .await?
            .into_iter()
            .map(Application::from)
            .collect();
        Ok(PendingRenunciations {
            total_count,
            projects,
        })
    }
}
