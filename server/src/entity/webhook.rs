use sea_orm::entity::prelude::*;

/// An organisation's (or the department's) HTTPS endpoint and the event kinds it wants.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// ADMINISTRATION, SUPPLIER, PSN or DEPARTMENT: what the owner may read decides what
    /// the webhook carries.
    pub owner_role: String,
    pub administration_id: Option<i32>,
    pub supplier_id: Option<i32>,
    pub url: String,
    /// The HMAC-SHA256 signing secret, shown once to the owner; kept in clear because
    /// signing needs it.
    pub secret: String,
    /// Comma-separated event kinds.
    pub kinds: String,
    pub active: bool,
    pub created_by: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
