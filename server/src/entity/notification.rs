use sea_orm::entity::prelude::*;

/// A stored notification (outbox), addressed to one account (`account_id`) or to a group:
/// an administration's accounts (`recipient_role` ADMINISTRATION and `administration_id`)
/// or the department's (`recipient_role` DEPARTMENT). Read state is per account, in
/// `notification_read`; `read_at` is not used for group notifications.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub account_id: Option<i32>,
    pub recipient_role: Option<String>,
    pub administration_id: Option<i32>,
    pub application_id: Option<i32>,
    pub kind: String,
    /// The message in Italian.
    pub message: String,
    /// The same message in English; null for notifications raised before it was kept.
    pub message_en: Option<String>,
    pub created_at: DateTimeUtc,
    pub read_at: Option<DateTimeUtc>,
    /// When it was sent by e-mail (to the group's address, e.g. a body's PEC); null
    /// until a sender exists.
    pub delivered_at: Option<DateTimeUtc>,
    /// Unique: the same event for the same recipient is inserted once.
    pub dedupe_key: Option<String>,
    /// The deadline it is about, if any.
    pub due_on: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
