use async_graphql::{Context, Object, ID};
use nuvola_shared::{IpaCode, Role, VatNumber};
use sea_orm::{DatabaseConnection, EntityTrait};

use super::object::{Account, ApiToken, IssuedApiToken, Membership, Session};
use crate::entity::account;
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::scalars::Date;
use crate::graphql::viewer::{request_meta, viewer};
use crate::service::auth::{self, AuthError};
use crate::service::membership::{self, MembershipError, Organisation};

/// The name of the session cookie the SPA uses instead of storing the token.
pub const SESSION_COOKIE: &str = "nuvola_session";

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::InvalidCredentials => ApiError::Unauthenticated(e.to_string()),
            AuthError::RateLimited { retry_after_secs } => ApiError::RateLimited {
                message: e.to_string(),
                retry_after_secs,
            },
            AuthError::Invalid(m) => ApiError::invalid("input", m),
            AuthError::NotFound(m) => ApiError::NotFound(m),
            AuthError::Db(e) => ApiError::internal(e),
        }
    }
}

impl From<MembershipError> for ApiError {
    fn from(e: MembershipError) -> Self {
        match e {
            MembershipError::Invalid { field, message } => ApiError::invalid(field, message),
            MembershipError::NotFound(m) => ApiError::NotFound(m),
            MembershipError::Forbidden(m) => ApiError::Forbidden(m),
            MembershipError::Db(e) => ApiError::internal(e),
        }
    }
}

fn parse_id(id: &ID) -> ApiResult<i32> {
    id.parse()
        .map_err(|_| ApiError::invalid("id", "not the id of a membership"))
}

/// The session cookie: never readable by scripts, never sent cross-site, HTTPS only
/// (browsers accept Secure cookies from http://localhost too).
pub(crate) fn session_cookie(value: &str, max_age_secs: i64) -> String {
    format!("{SESSION_COOKIE}={value}; Path=/; Max-Age={max_age_secs}; HttpOnly; SameSite=Strict; Secure")
}

#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Opens a session. Returns a bearer token and also sets it as a secure, HttpOnly,
    /// SameSite cookie for the browser. Attempts are limited per username and address.
    async fn login(
        &self,
        ctx: &Context<'_>,
        username: String,
        password: String,
    ) -> ApiResult<Session> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let address = request_meta(ctx).address;
        let (issued, account) = auth::login(db, &username, &password, address).await?;
        let max_age = auth::SESSION_HOURS * 3600;
        ctx.append_http_header("Set-Cookie", session_cookie(&issued.token, max_age));
        let account = Account::acting_for(db, account, issued.model.membership_id).await?;
        Ok(Session {
            token: issued.token,
            expires_at: issued.model.expires_at,
            account,
        })
    }

    /// Closes the session of the token in use and clears the cookie.
    async fn logout(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        let principal = viewer(ctx).require_writer(&Role::ALL)?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        auth::logout(db, principal).await?;
        ctx.append_http_header("Set-Cookie", session_cookie("", 0));
        Ok(true)
    }

    /// Makes the session in use act for one of the person's memberships: the pick after
    /// login ("Seleziona l'ente per cui operare") and any later switch, without logging
    /// in again. Every permission then follows that membership's role and organisation.
    async fn select_membership(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Account> {
        let principal = viewer(ctx).require_writer(&Role::ALL)?;
        let id = parse_id(&id)?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let chosen = membership::select(db, principal, id).await?;
        let model = account::Entity::find_by_id(principal.account_id)
            .one(db)
            .await?
            .ok_or_else(|| ApiError::NotFound("the account is gone".to_owned()))?;
        Ok(Account {
            model,
            acting: Some(chosen),
        })
    }

    /// Gives a person (by username) a membership: an organisation and a role in it.
    /// `ipaCode` for ADMINISTRATION, `supplierVat` for SUPPLIER and PSN. DEPARTMENT only.
    async fn add_membership(
        &self,
        ctx: &Context<'_>,
        username: String,
        role: Role,
        ipa_code: Option<String>,
        supplier_vat: Option<String>,
        body_name: Option<String>,
    ) -> ApiResult<Membership> {
        let principal = viewer(ctx).require_writer(&[Role::Department])?;
        let org = Organisation {
            role,
            ipa_code: ipa_code
                .as_deref()
                .map(IpaCode::parse)
                .transpose()
                .map_err(|e| ApiError::from_parse("ipaCode", e))?,
            supplier_vat: supplier_vat
                .as_deref()
                .map(VatNumber::parse)
                .transpose()
                .map_err(|e| ApiError::from_parse("supplierVat", e))?,
            body_name,
        };
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(Membership(
            membership::add(db, &username, &org, &principal.actor()).await?,
        ))
    }

    /// Removes a membership. The person's sessions acting for it end at once, on every
    /// replica. The department removes any; an organisation's referent removes the
    /// members of the organisation it acts for, except itself.
    async fn remove_membership(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Membership> {
        let principal = viewer(ctx).require_writer(&[
            Role::Department,
            Role::Administration,
            Role::Supplier,
            Role::Psn,
        ])?;
        let id = parse_id(&id)?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(Membership(
            crate::service::invitations::remove_member(db, principal, id).await?,
        ))
    }

    /// Disables (or re-enables) an account: it can no longer log in and its tokens stop
    /// working at once. DEPARTMENT only.
    async fn set_account_disabled(
        &self,
        ctx: &Context<'_>,
        username: String,
        disabled: bool,
    ) -> ApiResult<Account> {
        let principal = viewer(ctx).require_writer(&[Role::Department])?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let account = auth::set_disabled(db, &username, disabled, &principal.actor()).await?;
        Account::first_membership(db, account).await
    }

    /// Issues a read-only API token for a third party, valid until the end of
    /// `expiresOn` (at most a year). DEPARTMENT only. The token is shown once.
    async fn issue_api_token(
        &self,
        ctx: &Context<'_>,
        name: String,
        expires_on: Date,
    ) -> ApiResult<IssuedApiToken> {
        let principal = viewer(ctx).require_writer(&[Role::Department])?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let issued = auth::issue_api_token(db, principal, &name, expires_on.0).await?;
        Ok(IssuedApiToken {
            token: issued.token,
            api_token: ApiToken(issued.model),
        })
    }

    /// Revokes a third-party API token. DEPARTMENT only.
    async fn revoke_api_token(&self, ctx: &Context<'_>, id: ID) -> ApiResult<ApiToken> {
        let principal = viewer(ctx).require_writer(&[Role::Department])?;
        let id: i32 = id
            .parse()
            .map_err(|_| ApiError::invalid("id", "not the id of an API token"))?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(ApiToken(
            auth::revoke_api_token(db, id, &principal.actor()).await?,
        ))
    }
}
