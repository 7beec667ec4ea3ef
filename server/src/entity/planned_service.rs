use sea_orm::entity::prelude::*;

/// One line of a migration plan (*piano di migrazione*).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "planned_service")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub application_id: i32,
    pub catalogue_service_id: Option<i32>,
    pub name: String,
    pub data_class: String,
    pub modality: Option<String>,
    pub origin: Option<String>,
    pub destination: Option<String>,
    pub offering_id: Option<i32>,
    pub supplier_id: Option<i32>,
    /// `nuvola_shared::ServiceState` code.
    pub status: String,
    pub contract_on: Option<Date>,
    /// The supplier contract that covers it ([`super::supplier_contract`]).
    pub contract_id: Option<i32>,
    pub cutover_start: Option<DateTimeUtc>,
    pub cutover_end: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::application::Entity",
        from = "Column::ApplicationId",
        to = "super::application::Column::Id"
    )]
    Application,
}

impl Related<super::application::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Application.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
