use async_graphql::{Context, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, EntityTrait};

use crate::entity::{account, administration, auth_token, supplier};
use crate::graphql::administration::object::Administration;
use crate::graphql::error::ApiResult;

/// A person's or organisation's account. Visible to its owner and to the department.
pub struct Account(pub account::Model);

#[Object]
impl Account {
    async fn username(&self) -> &str {
        &self.0.username
    }

    /// The name to show for the account, when set.
    async fn display_name(&self) -> Option<&str> {
        self.0.display_name.as_deref()
    }

    async fn role(&self) -> nuvola_shared::Role {
        nuvola_shared::Role::parse(&self.0.role).unwrap_or(nuvola_shared::Role::Public)
    }

    /// A disabled account cannot log in and its tokens are revoked.
    async fn disabled(&self) -> bool {
        self.0.disabled
    }

    /// The body an ADMINISTRATION account acts for.
    async fn administration(&self, ctx: &Context<'_>) -> ApiResult<Option<Administration>> {
        let Some(id) = self.0.administration_id else {
            return Ok(None);
        };
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(administration::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(Administration))
    }

    /// The VAT number of the supplier a SUPPLIER or PSN account acts for.
    async fn supplier_vat(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        let Some(id) = self.0.supplier_id else {
            return Ok(None);
        };
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(supplier::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|s| s.vat_number))
    }
}

/// An open session. Keep the token secret: it acts as you until it expires or you log
/// out. Browsers also receive it as an HttpOnly cookie and need not store it.
#[derive(SimpleObject)]
pub struct Session {
    /// Send it as `Authorization: Bearer TOKEN`.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub account: Account,
}

/// A read-only token issued to a third party.
pub struct ApiToken(pub auth_token::Model);

#[Object]
impl ApiToken {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Who or what it was issued to.
    async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }

    /// When it was revoked; null while valid.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
}

/// A new API token. The token itself is shown only here, once.
#[derive(SimpleObject)]
pub struct IssuedApiToken {
    pub token: String,
    pub api_token: ApiToken,
}
