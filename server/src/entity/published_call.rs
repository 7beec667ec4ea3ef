use sea_orm::entity::prelude::*;

/// A call as an imported calls file (`avvisi.csv`) lists it, whatever its measure: the
/// catalogue that says which applications are of measure 1.2
/// (`opendata::CallCatalogue`). The programme's own calls are in `call`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "published_call")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub title: String,
    /// `nuvola_shared::call::title_key(title)`.
    #[sea_orm(unique)]
    pub title_key: String,
    pub measure: Option<String>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
