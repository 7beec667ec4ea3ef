use sea_orm::entity::prelude::*;

/// A public body (*ente*).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "administration")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// As published (case kept).
    pub ipa_code: String,
    /// Lower-case IPA code, unique.
    pub ipa_key: String,
    pub name: String,
    pub type_code: String,
    /// The `tipologia_ente` label as published.
    pub type_label: Option<String>,
    pub comune: Option<String>,
    pub comune_istat: Option<String>,
    pub provincia: Option<String>,
    pub provincia_istat: Option<String>,
    pub region: String,
    pub region_istat: Option<String>,
    pub population: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::application::Entity")]
    Application,
}

impl Related<super::application::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Application.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
