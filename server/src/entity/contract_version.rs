use sea_orm::entity::prelude::*;

/// One version of what a supplier contract says: version 1 as recorded, each correction
/// the next. Never updated: a correction adds a row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contract_version")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub contract_id: i32,
    pub version: i32,
    /// *Codice Identificativo Gara*; null when recorded without one through the API.
    pub cig: Option<String>,
    pub amount_eur: Option<i64>,
    pub signed_on: Date,
    /// The contract's document (kind CONTRACT) among the project's documents.
    pub document_id: Option<i32>,
    /// Why this version corrects the previous one (null for version 1).
    pub reason: Option<String>,
    pub recorded_by: Option<i32>,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
