use sea_orm::entity::prelude::*;

/// A person or system that logs in.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub administration_id: Option<i32>,
    pub supplier_id: Option<i32>,
    pub display_name: Option<String>,
    pub disabled: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Where e-mail notifications go; none: in the web application only.
    pub email: Option<String>,
    /// `it` or `en`: the language of its e-mail.
    pub language: String,
    /// The newest notification id a daily digest already covered.
    pub digest_cursor: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
