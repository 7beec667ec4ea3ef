use sea_orm::entity::prelude::*;

/// How an account wants notifications of one kind: IMMEDIATE e-mail, a daily DIGEST, or
/// IN_APP only. No row: the default of the kind (`nuvola_shared::notify`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_preference")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    pub mode: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
