use async_graphql::{Context, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use nuvola_shared::Role;
use sea_orm::{DatabaseConnection, EntityTrait};

use crate::entity::{account, administration, auth_token, membership, supplier};
use crate::graphql::administration::object::Administration;
use crate::graphql::error::ApiResult;

/// A person's account. Visible to its owner and to the department. A person acts for
/// organisations through its memberships; a session acts for one of them at a time.
pub struct Account {
    pub model: account::Model,
    /// The membership that decides `role`, `administration` and `supplierVat`: the one
    /// the session in use acts for (for `me` and `login`), else the person's first.
    pub acting: Option<membership::Model>,
}

impl Account {
    /// An account seen from outside a session of it: it reads as its first membership.
    pub async fn first_membership(
        db: &DatabaseConnection,
        model: account::Model,
    ) -> ApiResult<Self> {
        let acting = crate::service::membership::active_of(db, model.id)
            .await?
            .into_iter()
            .next();
        Ok(Self { model, acting })
    }

    /// An account as a session of it sees it, acting for `membership_id`.
    pub async fn acting_for(
        db: &DatabaseConnection,
        model: account::Model,
        membership_id: Option<i32>,
    ) -> ApiResult<Self> {
        let acting = match membership_id {
            Some(id) => membership::Entity::find_by_id(id).one(db).await?,
            None => None,
        };
        Ok(Self { model, acting })
    }
}

#[Object]
impl Account {
    async fn username(&self) -> &str {
        &self.model.username
    }

    /// The name to show for the account, when set.
    async fn display_name(&self) -> Option<&str> {
        self.model.display_name.as_deref()
    }

    /// The fiscal code (codice fiscale) an identity provider asserted; null for
    /// accounts that only log in with a password.
    async fn fiscal_code(&self) -> Option<&str> {
        self.model.fiscal_code.as_deref()
    }

    /// The role of the membership the session acts for; PUBLIC while a person with
    /// several memberships has not picked one yet.
    async fn role(&self) -> Role {
        self.acting
            .as_ref()
            .and_then(|m| Role::parse(&m.role).ok())
            .unwrap_or(Role::Public)
    }

    /// A disabled account cannot log in and its tokens are revoked.
    async fn disabled(&self) -> bool {
        self.model.disabled
    }

    /// The body the session acts for, for an ADMINISTRATION membership.
    async fn administration(&self, ctx: &Context<'_>) -> ApiResult<Option<Administration>> {
        let Some(id) = self.acting.as_ref().and_then(|m| m.administration_id) else {
            return Ok(None);
        };
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(administration::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(Administration))
    }

    /// The VAT number of the supplier the session acts for (SUPPLIER or PSN).
    async fn supplier_vat(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        let Some(id) = self.acting.as_ref().and_then(|m| m.supplier_id) else {
            return Ok(None);
        };
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(supplier::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|s| s.vat_number))
    }

    /// The membership the session acts for; null until one is picked
    /// (`selectMembership`).
    async fn acting_as(&self) -> Option<Membership> {
        self.acting.clone().map(Membership)
    }

    /// Every organisation the person may act for, oldest first.
    async fn memberships(&self, ctx: &Context<'_>) -> ApiResult<Vec<Membership>> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(crate::service::membership::active_of(db, self.model.id)
            .await?
            .into_iter()
            .map(Membership)
            .collect())
    }
}

/// A person's right to act for an organisation in a role: an administration (by its IPA
/// code), a supplier (by its VAT number, PSN flagged), the department, a verifier body.
pub struct Membership(pub membership::Model);

#[Object]
impl Membership {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn role(&self) -> Role {
        Role::parse(&self.0.role).unwrap_or(Role::Public)
    }

    /// The body, for an ADMINISTRATION membership.
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

    /// The supplier's VAT number, for a SUPPLIER or PSN membership.
    async fn supplier_vat(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        Ok(self.supplier(ctx).await?.map(|s| s.vat_number))
    }

    /// The name of the organisation, to show in the picker: the body's, the supplier's,
    /// the verifier body's, or "Dipartimento per la trasformazione digitale".
    async fn organisation_name(&self, ctx: &Context<'_>) -> ApiResult<String> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        if let Some(id) = self.0.administration_id {
            if let Some(a) = administration::Entity::find_by_id(id).one(db).await? {
                return Ok(a.name);
            }
        }
        if let Some(s) = self.supplier(ctx).await? {
            return Ok(s.name);
        }
        if let Some(name) = &self.0.body_name {
            return Ok(name.clone());
        }
        Ok(match Role::parse(&self.0.role) {
            Ok(Role::Department) => "Dipartimento per la trasformazione digitale".to_owned(),
            Ok(Role::Verifier) => "Asseveratore".to_owned(),
            _ => self.0.role.clone(),
        })
    }

    /// The verifier body's or the department office's name, when recorded.
    async fn body_name(&self) -> Option<&str> {
        self.0.body_name.as_deref()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it was removed; null while active.
    async fn removed_at(&self) -> Option<DateTime<Utc>> {
        self.0.removed_at
    }

    /// The organisation's referent (its first approved person): invites colleagues
    /// and removes members.
    async fn is_referent(&self) -> bool {
        self.0.is_referent
    }
}

impl Membership {
    async fn supplier(&self, ctx: &Context<'_>) -> ApiResult<Option<supplier::Model>> {
        let Some(id) = self.0.supplier_id else {
            return Ok(None);
        };
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(supplier::Entity::find_by_id(id).one(db).await?)
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
