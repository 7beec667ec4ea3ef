use sea_orm::entity::prelude::*;

/// A login under way through an OpenID Connect provider: what the answer must match.
/// Used once, refused after ten minutes (`service::oidc`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "oidc_login")]
pub struct Model {
    /// The `state` sent to the provider, random, 43 characters.
    #[sea_orm(primary_key, auto_increment = false)]
    pub state: String,
    /// The id of the provider in the configuration.
    pub provider: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub created_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
