use async_graphql::{Context, Object, SimpleObject};
use nuvola_shared::{DeadlineKind, Role};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use super::mutation::CallTermsInput;
use super::object::{decode_cursor, OverdueProjectConnection};
use crate::entity::application;
use crate::graphql::error::ApiResult;
use crate::graphql::pagination::{page_size, DEFAULT_PAGE_SIZE};
use crate::graphql::viewer::viewer;
use crate::service::deadlines::{self, standing_mark_condition};

/// What new terms of a call would change, computed by the code that applies them.
#[derive(SimpleObject)]
pub struct CallTermsImpact {
    /// The call's projects that owe a deadline now (funded, contracted or migrating).
    pub projects: i32,
    /// Those whose next deadline (kind or date) the new terms would change.
    pub changing_deadline: i32,
}

#[derive(Default)]
pub struct DeadlineQuery;

#[Object]
impl DeadlineQuery {
    /// What `setCallTerms` with this input would do, without doing it: the same checks
    /// (INVALID_INPUT naming the field, CONFLICT for a stale version) and the number of
    /// projects whose next deadline would change ("N progetti cambiano scadenza").
    /// DEPARTMENT only.
    async fn call_terms_impact(
        &self,
        ctx: &Context<'_>,
        input: CallTermsInput,
    ) -> ApiResult<CallTermsImpact> {
        let principal = viewer(ctx).require_writer(&[Role::Department])?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let impact = deadlines::preview_call_terms(db, principal, input.into()).await?;
        Ok(CallTermsImpact {
            projects: i32::try_from(impact.projects).unwrap_or(i32::MAX),
            changing_deadline: i32::try_from(impact.changing).unwrap_or(i32::MAX),
        })
    }

    /// The projects that have missed a deadline and still owe it, longest overdue first,
    /// as the deadline checker recorded them. DEPARTMENT only. `kind` (CONTRACT or
    /// COMPLETION) narrows the list; `progressReported: true` keeps the projects really
    /// late (they have reported progress in Nuvola), `false` those whose progress was
    /// never reported (*avanzamento non comunicato*: only the open data speaks of them),
    /// absent both; `first` is at most 100 (default 20); pass a page's `endCursor` as
    /// `after` for the next.
    #[graphql(
        complexity = "first.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, 100) as usize * child_complexity + 2"
    )]
    async fn overdue_projects(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        kind: Option<DeadlineKind>,
        progress_reported: Option<bool>,
    ) -> ApiResult<OverdueProjectConnection> {
        viewer(ctx).require(&[Role::Department])?;
        let first = page_size(first)?;
        let after = after.as_deref().map(decode_cursor).transpose()?;
        let mut matching = standing_mark_condition();
        if let Some(kind) = kind {
            matching = matching.add(application::Column::OverdueKind.eq(kind.code()));
        }
        match progress_reported {
            Some(true) => {
                matching = matching.add(application::Column::ProgressReportedAt.is_not_null());
            }
            Some(false) => {
                matching = matching.add(application::Column::ProgressReportedAt.is_null());
            }
            None => {}
        }
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let total_count = crate::graphql::project_count(
            ctx,
            format!("overdue|{kind:?}|{progress_reported:?}"),
            matching.clone(),
        )
        .await?;
        let mut query = application::Entity::find()
            .filter(matching)
            .order_by_asc(application::Column::OverdueSince)
            .order_by_asc(application::Column::Id);
        if let Some((since, id)) = after {
            query = query.filter(
                Condition::any()
                    .add(application::Column::OverdueSince.gt(since))
                    .add(
                        Condition::all()
                            .add(application::Column::OverdueSince.eq(since))
                            .add(application::Column::Id.gt(id)),
                    ),
            );
        }
        let (items, has_next) = crate::service::paging::first(db, query, first).await?;
        Ok(OverdueProjectConnection {
            total_count,
            items,
            has_next,
            has_previous: after.is_some(),
        })
    }
}
