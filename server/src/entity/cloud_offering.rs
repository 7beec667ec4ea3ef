use sea_orm::entity::prelude::*;

/// A qualified cloud offering of a supplier.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cloud_offering")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub supplier_id: i32,
    pub code: String,
    pub name: String,
    pub service_model: String,
    pub deployment_model: String,
    pub max_data_class: String,
    pub qualification_level: Option<String>,
    pub qualified_on: Option<Date>,
    pub qualified_until: Option<Date>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
