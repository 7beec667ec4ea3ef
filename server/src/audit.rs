//! The append-only audit log: every change of state or data, who, when, before and after.
//! Events are only ever inserted, inside the transaction of the change they describe.

use chrono::Utc;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};
use serde_json::Value;

use crate::entity::event;

/// Who is acting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub account_id: Option<i32>,
    /// A role code, or `SYSTEM` for an operator's command on the server machine.
    pub role: String,
    pub name: String,
}

impl Actor {
    /// An operator running a `nuvola` command on the server machine.
    pub fn system(command: &str) -> Self {
        Self {
            account_id: None,
            role: "SYSTEM".to_owned(),
            name: command.to_owned(),
        }
    }
}

/// What changed.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub entity_type: &'a str,
    pub entity_id: String,
    pub action: &'a str,
    pub application_id: Option<i32>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

pub async fn record(
    db: &impl ConnectionTrait,
    actor: &Actor,
    change: Change<'_>,
) -> Result<(), DbErr> {
    record_many(db, actor, vec![change]).await
}

/// Records several events in one statement per 500, and writes the webhook deliveries
/// they cause into the outbox, in the same transaction (`service::webhooks`).
pub async fn record_many(
    db: &impl ConnectionTrait,
    actor: &Actor,
    changes: Vec<Change<'_>>,
) -> Result<(), DbErr> {
    crate::service::webhooks::enqueue_for_changes(db, &changes).await?;
    let now = Utc::now();
    let models: Vec<event::ActiveModel> = changes
        .into_iter()
        .map(|c| event::ActiveModel {
            occurred_at: Set(now),
            actor_account_id: Set(actor.account_id),
            actor_role: Set(actor.role.clone()),
            actor_name: Set(Some(actor.name.clone())),
            entity_type: Set(c.entity_type.to_owned()),
            entity_id: Set(c.entity_id),
            action: Set(c.action.to_owned()),
            application_id: Set(c.application_id),
            before_json: Set(c.before.map(|v| v.to_string())),
            after_json: Set(c.after.map(|v| v.to_string())),
            ..Default::default()
        })
        .collect();
    for chunk in models.chunks(500) {
        event::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}
