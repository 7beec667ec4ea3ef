//! Reading applications: filtered pages, counts and aggregates.

use nuvola_shared::api::ParsedFilter;
use nuvola_shared::Cup;
use sea_orm::sea_query::{Alias, Expr, Func, Order, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::entity::{administration, application, call};

/// One page of applications, in id order.
#[derive(Debug, Clone)]
pub struct Page {
    pub items: Vec<application::Model>,
    pub has_next: bool,
}

/// The SQL condition of a filter. Region and type live on the body, the title on the
/// call: both are sub-selects on indexed columns.
pub fn condition(filter: &ParsedFilter) -> Condition {
    let mut cond = Condition::all();
    if let Some(state) = filter.state {
        cond = cond.add(application::Column::State.eq(state.code()));
    }
    if filter.region.is_some() || filter.administration_type.is_some() {
        let mut sub = Query::select();
        sub.column(administration::Column::Id)
            .from(administration::Entity);
        if let Some(region) = filter.region {
            sub.and_where(administration::Column::Region.eq(region.name()));
        }
        if let Some(t) = filter.administration_type {
            sub.and_where(administration::Column::TypeCode.eq(t.code()));
        }
        cond = cond.add(application::Column::AdministrationId.in_subquery(sub.to_owned()));
    }
    if let Some(title) = &filter.call_title {
        let sub = Query::select()
            .column(call::Column::Id)
            .from(call::Entity)
            .and_where(call::Column::Title.eq(title.as_str()))
            .to_owned();
        cond = cond.add(application::Column::CallId.in_subquery(sub));
    }
    cond
}

#[tracing::instrument(skip(db))]
pub async fn page(
    db: &impl ConnectionTrait,
    filter: &ParsedFilter,
    first: u64,
    after: Option<i32>,
) -> Result<Page, DbErr> {
    // The ids first, then their rows: picking the page reads only the indexes and sorts
    // ids, not every matching row (a region has thousands of applications).
    let mut ids = Query::select();
    ids.column(application::Column::Id)
        .from(application::Entity)
        .cond_where(condition(filter));
    if let Some(after) = after {
        ids.and_where(application::Column::Id.gt(after));
    }
    ids.order_by(application::Column::Id, Order::Asc)
        .limit(first + 1);
    let mut items = application::Entity::find()
        .filter(application::Column::Id.in_subquery(ids))
        .order_by_asc(application::Column::Id)
        .all(db)
        .await?;
    let has_next = items.len() as u64 > first;
    items.truncate(first as usize);
    Ok(Page { items, has_next })
}

#[tracing::instrument(skip(db))]
pub async fn count(db: &impl ConnectionTrait, filter: &ParsedFilter) -> Result<i64, DbErr> {
    let n: Option<i64> = application::Entity::find()
        .select_only()
        .column_as(Expr::col(application::Column::Id).count(), "n")
        .filter(condition(filter))
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
        Func::coalesce([Func::sum(Expr::col(col)).into(), Expr::val(0).into()]),
        Alias::new("BIGINT"),
    )
    .into()
}

#[tracing::instrument(skip(db))]
pub async fn totals(db: &impl ConnectionTrait, filter: &ParsedFilter) -> Result<Totals, DbErr> {
    let cond = condition(filter);
    let by_state: Vec<(String, i64, i64)> = application::Entity::find()
        .select_only()
        .column(application::Column::State)
        .column_as(Expr::col(application::Column::Id).count(), "n")
        .column_as(sum_as_bigint(application::Column::AmountEur), "amount")
        .filter(cond.clone())
        .group_by(application::Column::State)
        .into_tuple()
        .all(db)
        .await?;
    let administrations: Option<i64> = application::Entity::find()
        .select_only()
        .column_as(
            SimpleExpr::from(Func::count_distinct(Expr::col(
                application::Column::AdministrationId,
            ))),
            "n",
        )
        .filter(cond)
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
#[tracing::instrument(skip(db))]
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
