use sea_orm::entity::prelude::*;

/// A person's right to act for an organisation in a role (an administration, a
/// supplier, the department, a verifier body). Removed memberships are kept, with the
/// moment of their removal.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "membership")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The person (account) that holds it.
    pub account_id: i32,
    pub role: String,
    pub administration_id: Option<i32>,
    pub supplier_id: Option<i32>,
    /// The name of a verifier body or of the department's office, when there is one.
    pub body_name: Option<String>,
    pub created_at: DateTimeUtc,
    pub removed_at: Option<DateTimeUtc>,
    /// The organisation's referent (the first approved person of it): invites
    /// colleagues and removes members.
    pub is_referent: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
