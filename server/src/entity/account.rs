use sea_orm::entity::prelude::*;

/// A person (or a system) that logs in: with a password, an identity provider, or both.
/// What it may do comes from its memberships (`membership`), not from `role`,
/// `administration_id` and `supplier_id`, which keep what the account was created with.
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
    /// The fiscal code an identity provider asserted (upper case, no `TINIT-`).
    pub fiscal_code: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
