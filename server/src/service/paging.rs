//! Paged reads with their `LIMIT` written into the SQL.
//!
//! PostgreSQL plans a prepared statement afresh at every execution while its generic
//! plan looks costlier than the custom ones, and a `LIMIT $n` makes it look so (the
//! planner assumes a tenth of the rows): planning was a third of PostgreSQL's time for
//! the public list of projects. With the page size written in (one of a few hundred
//! values at most, so as many statements per query shape), PostgreSQL keeps one plan per
//! statement. The lists paged by cursor read through here.

use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QuerySelect, QueryTrait, Select};

/// The statement with its last parameter, the page's `LIMIT`, written into the SQL. A
/// statement of another shape (an `OFFSET` after the limit, another last value) is left
/// as it is.
pub fn with_literal_limit(mut statement: sea_orm::Statement, limit: u64) -> sea_orm::Statement {
    let Some(values) = statement.values.as_mut() else {
        return statement;
    };
    let placeholder = match statement.db_backend {
        sea_orm::DbBackend::Postgres => format!("LIMIT ${}", values.0.len()),
        _ => "LIMIT ?".to_owned(),
    };
    let Some(at) = statement.sql.rfind(&placeholder) else {
        return statement;
    };
    // The limit's must be the last placeholder (`$n` is; on SQLite, where every one is
    // `?`, a `LIMIT ? OFFSET ?` ends with the offset's).
    if statement.sql[at + placeholder.len()..].contains(['?', '$']) {
        return statement;
    }
    if values.0.last() != Some(&sea_orm::Value::from(limit)) {
        return statement;
    }
    values.0.pop();
    statement
        .sql
        .replace_range(at..at + placeholder.len(), &format!("LIMIT {limit}"));
    statement
}

/// The first `limit` rows of `select`, with the limit written into the SQL.
pub async fn all<E: EntityTrait>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    limit: u64,
) -> Result<Vec<E::Model>, DbErr> {
    let statement = select.limit(limit).build(db.get_database_backend());
    E::find()
        .from_raw_sql(with_literal_limit(statement, limit))
        .all(db)
        .await
}

/// A page of `select`: its first `first` rows and whether more follow (one more row is
/// read to know), with the limit written into the SQL.
pub async fn first<E: EntityTrait>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    first: u64,
) -> Result<(Vec<E::Model>, bool), DbErr> {
    let mut items = all(db, select, first + 1).await?;
    let has_next = items.len() as u64 > first;
    items.truncate(usize::try_from(first).unwrap_or(usize::MAX));
    Ok((items, has_next))
}
