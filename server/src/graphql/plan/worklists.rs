//! The signed-in person's own lists, a page at a time (Relay cursor connections with
//! totals and filters, issue 14): `myProjectsConnection` and `myServices`. See
//! [`crate::service::worklists`].

use std::collections::HashMap;

use async_graphql::{Context, InputObject, Object};
use nuvola_shared::api::{parse_search, ParsedServiceFilter, ServiceFilter};
use nuvola_shared::{ApplicationState, Role, ServiceState};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::entity::{application, planned_service};
use crate::graphql::application::object::{Application, PageInfo};
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::pagination::{self, page_size, DEFAULT_PAGE_SIZE};
use crate::graphql::plan::object::PlannedService;
use crate::graphql::viewer::viewer;
use crate::service::auth::Principal;
use crate::service::worklists::{self, Page, ProjectFilter};

const PROJECT_CURSOR: &str = "my-project:";
const SERVICE_CURSOR: &str = "my-service:";

fn decode(prefix: &str, cursor: &str) -> ApiResult<i32> {
    pagination::decode_cursor(prefix, cursor, |id| id.parse().ok())
}

/// Which of your projects to list; the criteria combine with AND.
#[derive(InputObject, Default, Debug, Clone)]
#[graphql(name = "MyProjectFilter")]
pub struct MyProjectFilterInput {
    /// Part of the CUP or of the body's name (case does not matter; at most 100
    /// characters).
    pub search: Option<String>,
    pub state: Option<ApplicationState>,
}

impl MyProjectFilterInput {
    fn parse(self) -> ApiResult<ProjectFilter> {
        Ok(ProjectFilter {
            search: parse_search(self.search.as_deref())
                .map_err(|e| ApiError::from_parse("filter.search", e))?,
            state: self.state,
        })
    }
}

/// Which of your planned services to list (or to move, with
/// `updateServiceStatusesByFilter`); the criteria combine with AND.
#[derive(InputObject, Default, Debug, Clone)]
#[graphql(name = "ServiceFilter")]
pub struct ServiceFilterInput {
    /// Part of the service's name, the body's name or the project's CUP (case does not
    /// matter; at most 100 characters).
    pub search: Option<String>,
    pub status: Option<ServiceState>,
    /// The body's region, as the open data writes it ("Emilia-Romagna").
    pub region: Option<String>,
}

impl ServiceFilterInput {
    pub fn parse(self) -> ApiResult<ParsedServiceFilter> {
        ServiceFilter {
            search: self.search,
            status: self.status,
            region: self.region,
        }
        .parse()
        .map_err(|e| {
            let field = if e.field == "search" {
                "filter.search"
            } else {
                "filter.region"
            };
            ApiError::from_parse(field, e)
        })
    }
}

#[derive(Default)]
pub struct WorklistQuery;

#[Object]
impl WorklistQuery {
    /// The projects you work on, oldest first, a page at a time, with their total: an
    /// administration's own projects, the projects where a supplier (or PSN) holds a
    /// service, the projects assigned to a verifier. `first` is at most 100 (default
    /// 20); pass a page's `endCursor` as `after` for the next.
    #[graphql(
        complexity = "first.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, 100) as usize * child_complexity + 2"
    )]
    async fn my_projects_connection(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<MyProjectFilterInput>,
    ) -> ApiResult<ProjectConnection> {
        let principal = viewer(ctx).require(&[
            Role::Administration,
            Role::Supplier,
            Role::Psn,
            Role::Verifier,
        ])?;
        let first = page_size(first)?;
        let after = after
            .as_deref()
            .map(|c| decode(PROJECT_CURSOR, c))
            .transpose()?;
        let filter = filter.unwrap_or_default().parse()?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let page = worklists::project_page(db, principal, &filter, first, after).await?;
        Ok(ProjectConnection {
            principal: principal.clone(),
            filter,
            page,
            has_previous: after.is_some(),
        })
    }

    /// The planned services you work on, in a stable order, a page at a time, with
    /// their total: a supplier's (or PSN's) own services, across every administration
    /// and project; an administration's services of its projects. Never another
    /// supplier's. `first` is at most 100 (default 20); pass a page's `endCursor` as
    /// `after` for the next.
    #[graphql(
        complexity = "first.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, 100) as usize * child_complexity + 2"
    )]
    async fn my_services(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<ServiceFilterInput>,
    ) -> ApiResult<ServiceConnection> {
        let principal = viewer(ctx).require(&[Role::Administration, Role::Supplier, Role::Psn])?;
        let first = page_size(first)?;
        let after = after
            .as_deref()
            .map(|c| decode(SERVICE_CURSOR, c))
            .transpose()?;
        let filter = filter.unwrap_or_default().parse()?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let page = worklists::service_page(db, principal, &filter, first, after).await?;
        Ok(ServiceConnection {
            principal: principal.clone(),
            filter,
            page,
            has_previous: after.is_some(),
        })
    }
}

/// A page of your projects.
pub struct ProjectConnection {
    principal: Principal,
    filter: ProjectFilter,
    page: Page<application::Model>,
    has_previous: bool,
}

#[Object]
impl ProjectConnection {
    /// How many of your projects match the filter, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(worklists::project_count(db, &self.principal, &self.filter).await?)
    }

    async fn edges(&self) -> Vec<ProjectEdge> {
        self.page
            .items
            .iter()
            .map(|p| ProjectEdge {
                cursor: pagination::encode_cursor(PROJECT_CURSOR, p.id),
                node: Application::from(p.clone()),
            })
            .collect()
    }

    async fn page_info(&self) -> PageInfo {
        let cursor = |p: &application::Model| pagination::encode_cursor(PROJECT_CURSOR, p.id);
        PageInfo {
            has_next_page: self.page.has_next,
            has_previous_page: self.has_previous,
            start_cursor: self.page.items.first().map(cursor),
            end_cursor: self.page.items.last().map(cursor),
        }
    }
}

/// One of your projects, with its cursor.
pub struct ProjectEdge {
    cursor: String,
    node: Application,
}

#[Object]
impl ProjectEdge {
    /// Pass it as `after` to get the projects that follow this one.
    async fn cursor(&self) -> &str {
        &self.cursor
    }

    async fn node(&self) -> &Application {
        &self.node
    }
}

/// A page of your planned services.
pub struct ServiceConnection {
    principal: Principal,
    filter: ParsedServiceFilter,
    page: Page<planned_service::Model>,
    has_previous: bool,
}

#[Object]
impl ServiceConnection {
    /// How many of your services match the filter, across all pages: the number
    /// `updateServiceStatusesByFilter` expects as `expectedCount`.
    async fn total_count(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(worklists::service_count(db, &self.principal, &self.filter).await?)
    }

    async fn edges(&self, ctx: &Context<'_>) -> ApiResult<Vec<ServiceEdge>> {
        // The page's projects in one query, only when asked for.
        let projects: HashMap<i32, application::Model> =
            if ctx.look_ahead().field("project").exists() && !self.page.items.is_empty() {
                let db = ctx.data_unchecked::<DatabaseConnection>();
                application::Entity::find()
                    .filter(
                        application::Column::Id
                            .is_in(self.page.items.iter().map(|s| s.application_id)),
                    )
                    .all(db)
                    .await?
                    .into_iter()
                    .map(|p| (p.id, p))
                    .collect()
            } else {
                HashMap::new()
            };
        Ok(self
            .page
            .items
            .iter()
            .map(|s| ServiceEdge {
                cursor: pagination::encode_cursor(SERVICE_CURSOR, s.id),
                project: projects.get(&s.application_id).cloned(),
                node: PlannedService(s.clone()),
            })
            .collect())
    }

    async fn page_info(&self) -> PageInfo {
        let cursor = |s: &planned_service::Model| pagination::encode_cursor(SERVICE_CURSOR, s.id);
        PageInfo {
            has_next_page: self.page.has_next,
            has_previous_page: self.has_previous,
            start_cursor: self.page.items.first().map(cursor),
            end_cursor: self.page.items.last().map(cursor),
        }
    }
}

/// One of your planned services, with its project and its cursor.
pub struct ServiceEdge {
    cursor: String,
    node: PlannedService,
    project: Option<application::Model>,
}

#[Object]
impl ServiceEdge {
    /// Pass it as `after` to get the services that follow this one.
    async fn cursor(&self) -> &str {
        &self.cursor
    }

    async fn node(&self) -> &PlannedService {
        &self.node
    }

    /// The project the service belongs to.
    async fn project(&self) -> ApiResult<Application> {
        self.project
            .clone()
            .map(Application::from)
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("a service's project vanished")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_of_one_list_are_refused_by_the_other() {
        let c = pagination::encode_cursor(SERVICE_CURSOR, 7);
        assert_eq!(decode(SERVICE_CURSOR, &c).unwrap(), 7);
        assert!(decode(PROJECT_CURSOR, &c).is_err());
        assert!(decode(SERVICE_CURSOR, "garbage").is_err());
    }
}
