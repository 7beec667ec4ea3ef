use sea_orm::entity::prelude::*;

/// An invitation to act for an organisation in a role, sent by e-mail as a single-use
/// link. Only the SHA-256 of the link's token is kept.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invitation")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub token_hash: String,
    pub email: String,
    pub role: String,
    pub administration_id: Option<i32>,
    pub supplier_id: Option<i32>,
    pub body_name: Option<String>,
    pub invited_by: i32,
    pub language: String,
    /// PENDING, ACCEPTED, REVOKED or EXPIRED.
    pub state: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub reminded_at: Option<DateTimeUtc>,
    pub accepted_by: Option<i32>,
    pub decided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
