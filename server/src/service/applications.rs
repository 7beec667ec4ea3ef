//! Reading applications: filtered pages, counts and aggregates.

use nuvola_shared::api::ParsedFilter;
use nuvola_shared::Cup;
use sea_orm::sea_query::{Alias, Expr, Func, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, RelationTrait, Select,
};

use crate::entity::positional::{Columns, Positional, Width};
use crate::entity::{administration, application, call};
use crate::service::paging;

/// One page of applications, in id order.
#[derive(Debug, Clone)]
pub struct Page {
    pub items: Vec<application::Model>,
    pub has_next: bool,
    /// The bodies of the page's applications, one per item, when [`page`] was asked
    /// for them.
    pub bodies: Option<Vec<administration::Model>>,
}

/// The applications a filter keeps. Region and type are the body's, copied onto each
/// project by the database (migration `m20261203_000102_application_place`): a page of a
/// region reads `ix_application_region_id` in id order, with no join. The title lives on
/// the call: a sub-select of one id.
pub fn filtered(filter: &ParsedFilter) -> Select<application::Entity> {
    let mut select = application::Entity::find();
    if let Some(state) = filter.state {
        select = select.filter(application::Column::State.eq(state.code()));
    }
    if let Some(region) = filter.region {
        select = select.filter(
            Expr::col((application::Entity, Alias::new("administration_region"))).eq(region.name()),
        );
    }
    if let Some(t) = filter.administration_type {
        select = select.filter(
            Expr::col((application::Entity, Alias::new("administration_type"))).eq(t.code()),
        );
    }
    if let Some(title) = &filter.call_title {
        let sub = Query::select()
            .column(call::Column::Id)
            .from(call::Entity)
            .and_where(call::Column::Title.eq(title.as_str()))
            .to_owned();
        select = select.filter(application::Column::CallId.in_subquery(sub));
    }
    select
}

/// A page of the applications `filter` keeps, after the id `after`; with the body of each
/// application joined in the same query when `with_bodies` (a page that shows its bodies
/// costs one query, not two), at `width`. The rows are read by position
/// ([`crate::entity::positional`]).
#[tracing::instrument(level = "debug", skip(db))]
pub async fn page(
    db: &impl ConnectionTrait,
    filter: &ParsedFilter,
    first: u64,
    after: Option<i32>,
    with_bodies: bool,
    width: Width,
) -> Result<Page, DbErr> {
    // The ids first, then their rows: choosing the page reads only indexes and sorts ids,
    // not every matching row (a region has thousands of applications).
    let mut ids = filtered(filter)
        .select_only()
        .column(application::Column::Id);
    if let Some(after) = after {
        ids = ids.filter(application::Column::Id.gt(after));
    }
    let ids = ids
        .order_by_asc(application::Column::Id)
        .limit(first + 1)
        .into_query();
    // The rows' columns are named here and read by position (see `entity::positional`).
    let mut rows = application::Model::select(application::Entity::find().select_only(), width);
    if with_bodies {
        rows = administration::Model::select(rows, width).join(
            JoinType::InnerJoin,
            application::Relation::Administration.def(),
        );
    }
    let statement = rows
        .filter(application::Column::Id.in_subquery(ids))
        .order_by_asc(application::Column::Id)
        .build(db.get_database_backend());
    let rows = db
        .query_all(paging::with_literal_limit(statement, first + 1))
        .await?;
    let mut items = Vec::with_capacity(rows.len());
    let mut bodies = Vec::with_capacity(if with_bodies { rows.len() } else { 0 });
    for row in &rows {
        let mut columns = Columns::new(row);
        items.push(application::Model::decode(&mut columns, width)?);
        if with_bodies {
            bodies.push(administration::Model::decode(&mut columns, width)?);
        }
    }
    let has_next = items.len() as u64 > first;
    items.truncate(first as usize);
    bodies.truncate(first as usize);
    let bodies = with_bodies.then_some(bodies);
    Ok(Page {
        items,
        has_next,
        bodies,
    })
}

#[tracing::instrument(level = "debug", skip(db))]
pub async fn count(db: &impl ConnectionTrait, filter: &ParsedFilter) -> Result<i64, DbErr> {
    let n: Option<i64> = filtered(filter)
        .select_only()
        .column_as(
            Expr::col((application::Entity, application::Column::Id)).count(),
            "n",
        )
        .into_tuple()
        .one(db)
        .await?;
    Ok(n.unwrap_or(0))
}

/// Totals of a filter, overall and by state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Totals {
    pub applications: i64,
    pub amount_eur: i64,
    pub administrations: i64,
    /// (state code, applications, amount), in no particular order.
    pub by_state: Vec<(String, i64, i64)>,
}

fn sum_as_bigint(col: application::Column) -> SimpleExpr {
    // PostgreSQL sums BIGINT into NUMERIC; both databases agree on BIGINT.
    Func::cast_as(
        Func::coalesce([
            Func::sum(Expr::col((application::Entity, col))).into(),
            Expr::val(0).into(),
        ]),
        Alias::new("BIGINT"),
    )
    .into()
}

#[tracing::instrument(level = "debug", skip(db))]
pub async fn totals(db: &impl ConnectionTrait, filter: &ParsedFilter) -> Result<Totals, DbErr> {
    let by_state: Vec<(String, i64, i64)> = filtered(filter)
        .select_only()
        .column(application::Column::State)
        .column_as(
            Expr::col((application::Entity, application::Column::Id)).count(),
            "n",
        )
        .column_as(sum_as_bigint(application::Column::AmountEur), "amount")
        .group_by(application::Column::State)
        .into_tuple()
        .all(db)
        .await?;
    let administrations: Option<i64> = filtered(filter)
        .select_only()
        .column_as(
            SimpleExpr::from(Func::count_distinct(Expr::col((
                application::Entity,
                application::Column::AdministrationId,
            )))),
            "n",
        )
        .into_tuple()
        .one(db)
        .await?;
    Ok(Totals {
        applications: by_state.iter().map(|s| s.1).sum(),
        amount_eur: by_state.iter().map(|s| s.2).sum(),
        administrations: administrations.unwrap_or(0),
        by_state,
    })
}

/// An application by CUP. A CUP may appear in two calls (a body that renounced and was
/// funded again): without a call title, the most recent application wins.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn by_cup(
    db: &impl ConnectionTrait,
    cup: &Cup,
    call_title: Option<&str>,
) -> Result<Option<application::Model>, DbErr> {
    let mut query = application::Entity::find().filter(application::Column::Cup.eq(cup.as_str()));
    if let Some(title) = call_title {
        let sub = Query::select()
            .column(call::Column::Id)
            .from(call::Entity)
            .and_where(call::Column::Title.eq(title))
            .to_owned();
        query = query.filter(application::Column::CallId.in_subquery(sub));
    }
    query.order_by_desc(application::Column::Id).one(db).await
}
