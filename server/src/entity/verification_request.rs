use sea_orm::entity::prelude::*;

/// A document request of a verifier (*richiesta*).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "verification_request")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub application_id: i32,
    pub opened_by: Option<i32>,
    pub title: String,
    pub body: String,
    pub due_on: Date,
    pub state: String,
    pub opened_at: DateTimeUtc,
    pub answered_at: Option<DateTimeUtc>,
    /// The administration's note with its answer.
    pub answer_note: Option<String>,
    pub answered_by: Option<i32>,
    pub closed_at: Option<DateTimeUtc>,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
