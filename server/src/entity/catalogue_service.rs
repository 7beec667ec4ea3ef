use sea_orm::entity::prelude::*;

/// A service of the catalogue from which plans are made (anagrafe, protocollo…).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "catalogue_service")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub target_type: String,
    pub code: String,
    pub name: String,
    pub description: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
