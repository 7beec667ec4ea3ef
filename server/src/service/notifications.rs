//! The notifications outbox, read per account.
//!
//! A notification is stored once per recipient group (an administration's accounts, or
//! the department's), not once per account: an account created later still finds its
//! body's history, and an e-mail sender (later: `delivered_at`) writes once to the
//! group's address, e.g. a body's PEC. Read state is per account, in
//! `notification_read`. A notification may also name one account (`account_id`).

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use nuvola_shared::Role;
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::entity::{notification, notification_read};
use crate::service::auth::Principal;

/// The most ids one `mark_read` may name.
pub const MAX_MARK: usize = 500;

#[derive(Debug, thiserror::Error)]
pub enum NotificationError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// The notifications addressed to `principal`: to its account; to its role as a whole
/// (no body named: the department's); or, for an administration's account, to its
/// body.
pub fn addressed_to(principal: &Principal) -> Condition {
    let mut any = Condition::any()
        .add(notification::Column::AccountId.eq(principal.account_id))
        .add(
            Condition::all()
                .add(notification::Column::AccountId.is_null())
                .add(notification::Column::RecipientRole.eq(principal.role.code()))
                .add(notification::Column::AdministrationId.is_null()),
        );
    if let (Role::Administration, Some(body)) = (principal.role, principal.administration_id) {
        any = any.add(
            Condition::all()
                .add(notification::Column::AccountId.is_null())
                .add(notification::Column::RecipientRole.eq(Role::Administration.code()))
                .add(notification::Column::AdministrationId.eq(body)),
        );
    }
    any
}

/// Not yet read by `account_id`.
fn unread_by(account_id: i32) -> Condition {
    Condition::all().add(
        notification::Column::Id.not_in_subquery(
            Query::select()
                .column(notification_read::Column::NotificationId)
                .from(notification_read::Entity)
                .and_where(notification_read::Column::AccountId.eq(account_id))
                .to_owned(),
        ),
    )
}

/// A notification with the moment the reader read it.
#[derive(Debug, Clone)]
pub struct Item {
    pub notification: notification::Model,
    pub read_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub items: Vec<Item>,
    pub has_next: bool,
}

/// A page of the principal's notifications, newest first; `after` is the id of the last
/// one of the previous page.
pub async fn page(
    db: &DatabaseConnection,
    principal: &Principal,
    unread_only: bool,
    first: u64,
    after: Option<i32>,
) -> Result<Page, DbErr> {
    let mut query = notification::Entity::find()
        .filter(addressed_to(principal))
        .order_by_desc(notification::Column::Id);
    if unread_only {
        query = query.filter(unread_by(principal.account_id));
    }
    if let Some(after) = after {
        query = query.filter(notification::Column::Id.lt(after));
    }
    let (rows, has_next) = crate::service::paging::first(db, query, first).await?;
    let ids: Vec<i32> = rows.iter().map(|n| n.id).collect();
    let reads: HashMap<i32, DateTime<Utc>> = if ids.is_empty() {
        HashMap::new()
    } else {
        notification_read::Entity::find()
            .filter(notification_read::Column::AccountId.eq(principal.account_id))
            .filter(notification_read::Column::NotificationId.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.notification_id, r.read_at))
            .collect()
    };
    Ok(Page {
        items: rows
            .into_iter()
            .map(|n| Item {
                read_at: reads.get(&n.id).copied(),
                notification: n,
            })
            .collect(),
        has_next,
    })
}

/// How many of the principal's notifications match, all or unread only.
pub async fn count(
    db: &DatabaseConnection,
    principal: &Principal,
    unread_only: bool,
) -> Result<u64, DbErr> {
    let mut query = notification::Entity::find().filter(addressed_to(principal));
    if unread_only {
        query = query.filter(unread_by(principal.account_id));
    }
    query.count(db).await
}

/// Marks notifications read for the principal: those named (every one must be its own,
/// or nothing changes and the first stranger is reported as not found), or all its
/// unread ones. Returns how many were newly marked.
///
/// No audit event: read receipts are a reader's own state, not project data, and
/// `notification_read` itself records who read what and when.
#[tracing::instrument(skip(db, principal), fields(user = %principal.username))]
pub async fn mark_read(
    db: &DatabaseConnection,
    principal: &Principal,
    ids: Option<Vec<i32>>,
) -> Result<u64, NotificationError> {
    let txn = crate::db::begin_write(db).await?;
    let targets: Vec<i32> = match ids {
        Some(ids) => {
            let wanted: BTreeSet<i32> = ids.into_iter().collect();
            if wanted.len() > MAX_MARK {
                return Err(NotificationError::Invalid(format!(
                    "name at most {MAX_MARK} notifications at a time"
                )));
            }
            if wanted.is_empty() {
                return Ok(0);
            }
            let own: BTreeSet<i32> = notification::Entity::find()
                .select_only()
                .column(notification::Column::Id)
                .filter(addressed_to(principal))
                .filter(notification::Column::Id.is_in(wanted.iter().copied()))
                .into_tuple::<i32>()
                .all(&txn)
                .await?
                .into_iter()
                .collect();
            if let Some(stranger) = wanted.difference(&own).next() {
                return Err(NotificationError::NotFound(format!(
                    "you have no notification with the id {stranger}"
                )));
            }
            own.into_iter().collect()
        }
        None => {
            notification::Entity::find()
                .select_only()
                .column(notification::Column::Id)
                .filter(addressed_to(principal))
                .filter(unread_by(principal.account_id))
                .into_tuple::<i32>()
                .all(&txn)
                .await?
        }
    };
    let now = Utc::now();
    let mut marked = 0;
    for chunk in targets.chunks(MAX_MARK) {
        let rows = chunk.iter().map(|id| notification_read::ActiveModel {
            notification_id: Set(*id),
            account_id: Set(principal.account_id),
            read_at: Set(now),
        });
        if let sea_orm::TryInsertResult::Inserted(n) = notification_read::Entity::insert_many(rows)
            .on_conflict_do_nothing()
            .exec_without_returning(&txn)
            .await?
        {
            marked += n;
        }
    }
    txn.commit().await?;
    Ok(marked)
}
