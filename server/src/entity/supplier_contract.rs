use sea_orm::entity::prelude::*;

/// A supplier contract of a project; what it says is in its versions
/// ([`super::contract_version`]), the newest being `current_version`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "supplier_contract")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub application_id: i32,
    pub supplier_id: i32,
    /// The version shown: the last correction (1 when never corrected).
    pub current_version: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
