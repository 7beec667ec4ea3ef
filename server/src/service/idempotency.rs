//! Idempotency keys for the mutations that create things: a client that retries a
//! request (a timeout, a lost response) with the same key gets the first result back
//! instead of a duplicate. The key is stored in the transaction of the change, so a
//! change and its key commit together or not at all; the unique (account, key) index
//! lets only one of two concurrent requests with the same key through.
//!
//! A key is kept for [`KEEP`]: long enough for any retry; the periodic task of `nuvola
//! serve` (see `deadlines::spawn_periodic`) forgets older ones with [`purge`].

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr,
    EntityTrait, QueryFilter, SqlErr,
};
use serde_json::Value;

use crate::entity::idempotency_key;
use crate::service::auth::Principal;
use crate::service::plan::{invalid, PlanServiceError};

/// How long a key is remembered: a client retries within minutes, not days.
pub const KEEP: TimeDelta = TimeDelta::days(7);

/// Forgets the keys stored before `cutoff` (`Utc::now() - KEEP` in the periodic task);
/// returns how many. One statement: replicas running it at once simply share the work.
pub async fn purge(db: &impl ConnectionTrait, cutoff: DateTime<Utc>) -> Result<u64, DbErr> {
    let deleted = idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::CreatedAt.lt(cutoff))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected)
}

/// Checks a client's key: 8 to 100 letters, digits, `-` or `_` (a UUID fits).
pub fn parse(key: Option<String>) -> Result<Option<String>, PlanServiceError> {
    match key {
        None => Ok(None),
        Some(k)
            if (8..=100).contains(&k.len())
                && k.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
        {
            Ok(Some(k))
        }
        Some(_) => Err(invalid(
            "idempotencyKey",
            "use 8 to 100 letters, digits, '-' or '_' (a UUID, for instance)",
        )),
    }
}

/// The stored result of an earlier request with this key, if there was one. The same
/// key used for another operation is a client bug: CONFLICT.
pub async fn recall(
    txn: &DatabaseTransaction,
    principal: &Principal,
    key: Option<&str>,
    operation: &str,
) -> Result<Option<Value>, PlanServiceError> {
    let Some(key) = key else {
        return Ok(None);
    };
    let Some(found) = idempotency_key::Entity::find()
        .filter(idempotency_key::Column::AccountId.eq(principal.account_id))
        .filter(idempotency_key::Column::Key.eq(key))
        .one(txn)
        .await?
    else {
        return Ok(None);
    };
    if found.operation != operation {
        return Err(PlanServiceError::Conflict(format!(
            "this idempotency key was used for {}: use a new key for a new request",
            found.operation
        )));
    }
    serde_json::from_str(&found.response_json)
        .map(Some)
        .map_err(|e| sea_orm::DbErr::Custom(format!("stored idempotent response: {e}")).into())
}

/// Stores the result of `operation` under the client's key, in the change's transaction.
pub async fn remember(
    txn: &DatabaseTransaction,
    principal: &Principal,
    key: Option<&str>,
    operation: &str,
    response: &Value,
) -> Result<(), PlanServiceError> {
    let Some(key) = key else {
        return Ok(());
    };
    idempotency_key::ActiveModel {
        account_id: Set(principal.account_id),
        key: Set(key.to_owned()),
        operation: Set(operation.to_owned()),
        response_json: Set(response.to_string()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map_err(|e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => PlanServiceError::Conflict(
            "a request with this idempotency key is being processed: retry in a moment".to_owned(),
        ),
        _ => e.into(),
    })?;
    Ok(())
}

/// The ids a stored response names.
pub fn ids(response: &Value) -> Vec<i32> {
    response
        .get("ids")
        .and_then(Value::as_array)
        .map(|ids| {
            ids.iter()
                .filter_map(|v| v.as_i64().and_then(|n| i32::try_from(n).ok()))
                .collect()
        })
        .unwrap_or_default()
}
