//! The append-only audit log: every change of state or data, who, when, before and after.
//! Events are only ever inserted, inside the transaction of the change they describe.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde_json::Value;

use crate::entity::{application, event};

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
    pub entity_type: nuvola_shared::EntityType,
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

/// Whether a person's event on a project is news of its progress: everything but what
/// the open data says (a department's import through the web is still the open data).
/// `PROGRESS_REPORTED_BACKFILL` in the migrations applies the same rule to past events.
pub fn reports_progress(action: &str) -> bool {
    !action.starts_with("IMPORT_")
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
    // A person's change to a project is news of its progress: from now on a deadline
    // it misses is a delay, no longer "avanzamento non comunicato".
    if actor.account_id.is_some() {
        let mut projects: Vec<i32> = changes
            .iter()
            .filter(|c| reports_progress(c.action))
            .filter_map(|c| c.application_id)
            .collect();
        projects.sort_unstable();
        projects.dedup();
        for chunk in projects.chunks(500) {
            application::Entity::update_many()
                .col_expr(application::Column::ProgressReportedAt, Expr::value(now))
                .filter(application::Column::Id.is_in(chunk.iter().copied()))
                .filter(application::Column::ProgressReportedAt.is_null())
                .exec(db)
                .await?;
        }
    }
    let models: Vec<event::ActiveModel> = changes
        .into_iter()
        .map(|c| event::ActiveModel {
            occurred_at: Set(now),
            actor_account_id: Set(actor.account_id),
            actor_role: Set(actor.role.clone()),
            actor_name: Set(Some(actor.name.clone())),
            entity_type: Set(c.entity_type.stored()),
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

#[cfg(test)]
mod tests {
    use super::reports_progress;

    #[test]
    fn an_import_is_not_news_of_progress_and_a_persons_change_is() {
        for action in ["IMPORT_CREATE", "IMPORT_UPDATE", "IMPORT_OPEN_DATA"] {
            assert!(!reports_progress(action), "{action}");
        }
        for action in [
            "PLAN_SERVICE_ADDED",
            "CONTRACT_RECORDED",
            "STATUS_CHANGED",
            "STATE_CHANGED",
        ] {
            assert!(reports_progress(action), "{action}");
        }
    }
}
