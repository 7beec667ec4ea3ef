use sea_orm::entity::prelude::*;

/// One message to send (the outbox): an e-mail to an address or a webhook call, written
/// in the transaction of the change that causes it and sent by the outbox worker.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "delivery")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// EMAIL or WEBHOOK.
    pub channel: String,
    /// The e-mail address or the endpoint's URL.
    pub recipient: String,
    pub webhook_id: Option<i32>,
    pub account_id: Option<i32>,
    pub notification_id: Option<i32>,
    /// Stable across retries and replays: the receiver's de-duplication key.
    pub event_id: String,
    pub kind: String,
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    /// PENDING, DELIVERED or FAILED.
    pub status: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub locked_until: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_answer: Option<String>,
    pub created_at: DateTimeUtc,
    pub delivered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
