use sea_orm::entity::prelude::*;

/// An append-only audit event: who did what, when, before and after.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub occurred_at: DateTimeUtc,
    pub actor_account_id: Option<i32>,
    pub actor_role: String,
    pub actor_name: Option<String>,
    pub entity_type: String,
    pub entity_id: String,
    pub action: String,
    pub application_id: Option<i32>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
