use sea_orm::entity::prelude::*;

/// One attempt at a delivery and the peer's answer.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "delivery_attempt")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub delivery_id: i32,
    pub number: i32,
    pub at: DateTimeUtc,
    pub ok: bool,
    #[sea_orm(column_type = "Text")]
    pub answer: String,
    pub millis: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
