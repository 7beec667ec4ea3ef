//! The lists a signed-in person works through, a page at a time and filtered in the
//! database (issue 14): the projects of one's own ([`project_page`]) and the planned
//! services of one's own ([`service_page`]), each with its total. A supplier (or PSN)
//! sees only the services assigned to it, an administration only those of its projects,
//! in every page and every total: the scope is a condition of the query, never a filter
//! applied afterwards.
//!
//! Pages are keyset pages on the primary key (`id > after ORDER BY id LIMIT n + 1`),
//! so page 200 costs what page 1 costs; the indexes they use are in the migration
//! `m20261201_000201_worklist_indexes`.

use nuvola_shared::api::ParsedServiceFilter;
use nuvola_shared::{ApplicationState, Role};
use sea_orm::sea_query::{Expr, Func, IntoIden, LikeExpr, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationTrait, Select,
};

use crate::entity::{administration, application, planned_service};
use crate::service::auth::Principal;
use crate::service::plan::PlanServiceError;

/// One page of a list, in id order.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_next: bool,
}

/// Which of one's projects to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectFilter {
    /// Lower-cased part of the CUP or of the body's name.
    pub search: Option<String>,
    pub state: Option<ApplicationState>,
}

/// `%text%` for LIKE, with `%`, `_` and `\` taken literally.
fn contains(text: &str) -> LikeExpr {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    LikeExpr::new(pattern).escape('\\')
}

/// `lower(column) LIKE '%text%'`.
fn lower_contains(
    table: impl IntoIden + 'static,
    column: impl IntoIden + 'static,
    text: &str,
) -> SimpleExpr {
    Expr::expr(Func::lower(Expr::col((table, column)))).like(contains(text))
}

/// The projects `principal` works on, unfiltered: an administration's own, those where
/// a supplier (or PSN) holds a service, those assigned to a verifier.
fn my_projects(principal: &Principal) -> Result<Select<application::Entity>, PlanServiceError> {
    let query = application::Entity::find();
    Ok(match principal.role {
        Role::Administration => query.filter(
            application::Column::AdministrationId.eq(principal.administration_id.unwrap_or(-1)),
        ),
        Role::Verifier => {
            query.filter(application::Column::VerifierAccountId.eq(principal.account_id))
        }
        Role::Supplier | Role::Psn => {
            let holding = Query::select()
                .column(planned_service::Column::ApplicationId)
                .from(planned_service::Entity)
                .and_where(
                    planned_service::Column::SupplierId.eq(principal.supplier_id.unwrap_or(-1)),
                )
                .to_owned();
            query.filter(application::Column::Id.in_subquery(holding))
        }
        _ => {
            return Err(PlanServiceError::Forbidden(
                "no projects of your own".to_owned(),
            ))
        }
    })
}

fn filtered_projects(
    principal: &Principal,
    filter: &ProjectFilter,
) -> Result<Select<application::Entity>, PlanServiceError> {
    let mut query = my_projects(principal)?;
    if let Some(state) = filter.state {
        query = query.filter(application::Column::State.eq(state.code()));
    }
    if let Some(text) = &filter.search {
        query = query
            .join(
                JoinType::InnerJoin,
                application::Relation::Administration.def(),
            )
            .filter(
                Condition::any()
                    .add(lower_contains(
                        application::Entity,
                        application::Column::Cup,
                        text,
                    ))
                    .add(lower_contains(
                        administration::Entity,
                        administration::Column::Name,
                        text,
                    )),
            );
    }
    Ok(query)
}

/// A page of the projects `principal` works on, oldest first.
pub async fn project_page(
    db: &impl ConnectionTrait,
    principal: &Principal,
    filter: &ProjectFilter,
    first: u64,
    after: Option<i32>,
) -> Result<Page<application::Model>, PlanServiceError> {
    let query = filtered_projects(principal, filter)?;
    Ok(keyset_page(db, query, application::Column::Id, first, after).await?)
}

/// How many projects the filter keeps, across all pages.
pub async fn project_count(
    db: &impl ConnectionTrait,
    principal: &Principal,
    filter: &ProjectFilter,
) -> Result<i64, PlanServiceError> {
    let query = filtered_projects(principal, filter)?;
    Ok(count(db, query, application::Column::Id).await?)
}

/// The planned services `principal` works on that `filter` keeps: for a supplier (or
/// PSN) those assigned to it, for an administration those of its projects; anyone else
/// FORBIDDEN.
pub fn filtered_services(
    principal: &Principal,
    filter: &ParsedServiceFilter,
) -> Result<Select<planned_service::Entity>, PlanServiceError> {
    let mut query = planned_service::Entity::find();
    let mut joined = false;
    match principal.role {
        Role::Supplier | Role::Psn => {
            let Some(supplier) = principal.supplier_id else {
                return Err(PlanServiceError::Forbidden(
                    "this account is not linked to a supplier".to_owned(),
                ));
            };
            query = query.filter(planned_service::Column::SupplierId.eq(supplier));
        }
        Role::Administration => {
            query = query
                .join(
                    JoinType::InnerJoin,
                    planned_service::Relation::Application.def(),
                )
                .filter(
                    application::Column::AdministrationId
                        .eq(principal.administration_id.unwrap_or(-1)),
                );
            joined = true;
        }
        _ => {
            return Err(PlanServiceError::Forbidden(
                "only suppliers, PSN and administrations have services of their own".to_owned(),
            ))
        }
    }
    if let Some(status) = filter.status {
        query = query.filter(planned_service::Column::Status.eq(status.code()));
    }
    if filter.region.is_some() || filter.search.is_some() {
        if !joined {
            query = query.join(
                JoinType::InnerJoin,
                planned_service::Relation::Application.def(),
            );
        }
        query = query.join(
            JoinType::InnerJoin,
            application::Relation::Administration.def(),
        );
    }
    if let Some(region) = filter.region {
        query = query.filter(administration::Column::Region.eq(region.name()));
    }
    if let Some(text) = &filter.search {
        query = query.filter(
            Condition::any()
                .add(lower_contains(
                    planned_service::Entity,
                    planned_service::Column::Name,
                    text,
                ))
                .add(lower_contains(
                    administration::Entity,
                    administration::Column::Name,
                    text,
                ))
                .add(lower_contains(
                    application::Entity,
                    application::Column::Cup,
                    text,
                )),
        );
    }
    Ok(query)
}

/// A page of the services `principal` works on, in id order.
pub async fn service_page(
    db: &impl ConnectionTrait,
    principal: &Principal,
    filter: &ParsedServiceFilter,
    first: u64,
    after: Option<i32>,
) -> Result<Page<planned_service::Model>, PlanServiceError> {
    let query = filtered_services(principal, filter)?;
    Ok(keyset_page(db, query, planned_service::Column::Id, first, after).await?)
}

/// How many services the filter keeps, across all pages.
pub async fn service_count(
    db: &impl ConnectionTrait,
    principal: &Principal,
    filter: &ParsedServiceFilter,
) -> Result<i64, PlanServiceError> {
    let query = filtered_services(principal, filter)?;
    Ok(count(db, query, planned_service::Column::Id).await?)
}

/// The rows of `query` after the id `after`, at most `first`, in id order, and whether
/// more follow.
async fn keyset_page<E>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    id: E::Column,
    first: u64,
    after: Option<i32>,
) -> Result<Page<E::Model>, sea_orm::DbErr>
where
    E: EntityTrait,
{
    let query = match after {
        Some(after) => query.filter(id.gt(after)),
        None => query,
    };
    let (items, has_next) =
        crate::service::paging::first(db, query.order_by_asc(id), first).await?;
    Ok(Page { items, has_next })
}

/// How many rows `query` keeps.
async fn count<E>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    id: E::Column,
) -> Result<i64, sea_orm::DbErr>
where
    E: EntityTrait,
{
    let n: Option<i64> = query
        .select_only()
        .column_as(Expr::col((E::default(), id)).count(), "n")
        .into_tuple()
        .one(db)
        .await?;
    Ok(n.unwrap_or(0))
}

/// The ids of every service the filter keeps, in id order, at most `limit` (ask for
/// one more than you accept to know that there are too many).
pub async fn service_ids(
    db: &impl ConnectionTrait,
    principal: &Principal,
    filter: &ParsedServiceFilter,
    limit: u64,
) -> Result<Vec<i32>, PlanServiceError> {
    Ok(filtered_services(principal, filter)?
        .select_only()
        .column(planned_service::Column::Id)
        .order_by_asc(planned_service::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_take_wildcards_literally() {
        let like = contains("50%_a\\b");
        let sql = sea_orm::sea_query::Query::select()
            .expr(Expr::val("x").like(like))
            .to_string(sea_orm::sea_query::SqliteQueryBuilder);
        assert!(sql.contains(r"'%50\%\_a\\b%'"), "{sql}");
        assert!(sql.contains(r"ESCAPE '\'"), "{sql}");
    }
}
