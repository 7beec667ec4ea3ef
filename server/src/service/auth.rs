//! Logging in and out, bearer tokens, third-party API tokens, disabling accounts.
//!
//! A token is 32 random bytes shown once to its holder; the database keeps only its
//! SHA-256, so a leaked database does not leak usable tokens. Every token expires and can
//! be revoked. Login attempts are limited per username and per address in the database,
//! so the limit holds across replicas.

use std::net::IpAddr;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordVerifier};
use argon2::Argon2;
use base64::Engine;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use nuvola_shared::Role;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::audit::{self, Actor, Change};
use crate::entity::{account, auth_token, membership};
use crate::ratelimit::{self, Limit};
use crate::service::membership as memberships;

/// How long a login session lasts.
pub const SESSION_HOURS: i64 = 12;
/// The longest life of a third-party API token.
pub const API_TOKEN_MAX_DAYS: i64 = 366;
/// Login attempts allowed per username in [`LOGIN_WINDOW_MINUTES`].
pub const LOGIN_ATTEMPTS_PER_USER: u32 = 5;
/// Login attempts allowed per address in [`LOGIN_WINDOW_MINUTES`].
pub const LOGIN_ATTEMPTS_PER_ADDRESS: u32 = 30;
pub const LOGIN_WINDOW_MINUTES: i64 = 15;

/// The kinds of token.
pub const KIND_SESSION: &str = "SESSION";
pub const KIND_API: &str = "API";

/// Who a valid token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub account_id: i32,
    pub username: String,
    pub display_name: Option<String>,
    pub role: Role,
    pub administration_id: Option<i32>,
    pub supplier_id: Option<i32>,
    pub token_id: i32,
    /// Third-party API tokens read, never write.
    pub read_only: bool,
    /// The membership the session acts for: `role`, `administration_id` and
    /// `supplier_id` are its. None while a person with several has not picked one (the
    /// role is then PUBLIC), and for API tokens.
    pub membership_id: Option<i32>,
}

impl Principal {
    pub fn actor(&self) -> Actor {
        Actor {
            account_id: Some(self.account_id),
            role: self.role.code().to_owned(),
            name: self.username.clone(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Unknown username, wrong password or disabled account: deliberately one answer.
    #[error("wrong username or password")]
    InvalidCredentials,
    #[error("too many login attempts: try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// A new token, returned once.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub token: String,
    pub model: auth_token::Model,
}

fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    format!(
        "nvl_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

async fn insert_token(
    db: &impl ConnectionTrait,
    account_id: i32,
    membership_id: Option<i32>,
    kind: &str,
    name: Option<String>,
    expires_at: DateTime<Utc>,
) -> Result<IssuedToken, DbErr> {
    let token = new_secret();
    let model = auth_token::ActiveModel {
        account_id: Set(account_id),
        token_hash: Set(token_hash(&token)),
        kind: Set(kind.to_owned()),
        name: Set(name),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
        last_used_at: Set(None),
        created_at: Set(Utc::now()),
        membership_id: Set(membership_id),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(IssuedToken { token, model })
}

/// A hash to verify against when the username does not exist, so that the answer takes
/// as long as for a wrong password (no username probing by timing).
fn dummy_hash() -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| {
            crate::service::accounts::hash_password("not-a-password-of-anyone").unwrap_or_default()
        })
        .clone()
}

fn verify_password(password: String, hash: String) -> bool {
    PasswordHash::new(&hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Checks a username and password and opens a session.
#[tracing::instrument(skip(db, password))]
pub async fn login(
    db: &DatabaseConnection,
    username: &str,
    password: &str,
    address: Option<IpAddr>,
) -> Result<(IssuedToken, account::Model), AuthError> {
    let username = username.trim().to_lowercase();
    if username.is_empty() || username.len() > 80 {
        return Err(AuthError::InvalidCredentials);
    }
    let now = Utc::now();
    let window = Limit {
        max: LOGIN_ATTEMPTS_PER_USER,
        window: Duration::minutes(LOGIN_WINDOW_MINUTES),
    };
    let user_key = format!("login:user:{username}");
    let per_user = ratelimit::hit_database(db, &user_key, window, now).await?;
    let per_address = match address {
        Some(addr) => Some(
            ratelimit::hit_database(
                db,
                &format!("login:addr:{addr}"),
                Limit {
                    max: LOGIN_ATTEMPTS_PER_ADDRESS,
                    ..window
                },
                now,
            )
            .await?,
        ),
        None => None,
    };
    for decision in std::iter::once(per_user).chain(per_address) {
        if !decision.allowed {
            tracing::warn!(%username, ?address, "login refused: too many attempts");
            return Err(AuthError::RateLimited {
                retry_after_secs: decision.reset_secs.max(1),
            });
        }
    }

    let found = account::Entity::find()
        .filter(account::Column::Username.eq(&username))
        .one(db)
        .await?;
    let hash = found
        .as_ref()
        .map_or_else(dummy_hash, |a| a.password_hash.clone());
    let password = password.to_owned();
    // argon2 takes tens of milliseconds of CPU: off the async workers.
    let matches = tokio::task::spawn_blocking(move || verify_password(password, hash))
        .await
        .unwrap_or(false);
    let account = match found {
        Some(a) if matches && !a.disabled => a,
        other => {
            let txn = crate::db::begin_write(db).await?;
            audit::record(
                &txn,
                &Actor {
                    account_id: None,
                    role: Role::Public.code().to_owned(),
                    name: address.map_or_else(|| "unknown".to_owned(), |a| a.to_string()),
                },
                Change {
                    entity_type: nuvola_shared::EntityType::Account,
                    entity_id: other.map_or_else(|| username.clone(), |a| a.id.to_string()),
                    action: "LOGIN_FAILED",
                    application_id: None,
                    before: None,
                    after: Some(json!({ "username": username })),
                },
            )
            .await?;
            txn.commit().await?;
            return Err(AuthError::InvalidCredentials);
        }
    };

    let issued = open_session(db, &account).await?;
    ratelimit::reset_database(db, &user_key).await?;
    Ok((issued, account))
}

/// Opens a session for a person who proved who they are (a password, an identity
/// provider), with its `LOGIN` event. A person with one active membership acts for it at
/// once; with several, the session acts for none until the person picks one
/// (`membership::select`).
pub async fn open_session(
    db: &DatabaseConnection,
    account: &account::Model,
) -> Result<IssuedToken, DbErr> {
    open_session_via(db, account, None).await
}

/// [`open_session`], saying in the `LOGIN` event which identity provider the person
/// came through (`None`: a password).
pub async fn open_session_via(
    db: &DatabaseConnection,
    account: &account::Model,
    provider: Option<&str>,
) -> Result<IssuedToken, DbErr> {
    let txn = crate::db::begin_write(db).await?;
    let memberships = memberships::active_of(&txn, account.id).await?;
    let acting = match memberships.as_slice() {
        [only] => Some(only),
        _ => None,
    };
    let issued = insert_token(
        &txn,
        account.id,
        acting.map(|m| m.id),
        KIND_SESSION,
        None,
        Utc::now() + Duration::hours(SESSION_HOURS),
    )
    .await?;
    let role = acting
        .and_then(|m| Role::parse(&m.role).ok())
        .unwrap_or(Role::Public);
    audit::record(
        &txn,
        &Actor {
            account_id: Some(account.id),
            role: role.code().to_owned(),
            name: account.username.clone(),
        },
        Change {
            entity_type: nuvola_shared::EntityType::AuthToken,
            entity_id: issued.model.id.to_string(),
            action: "LOGIN",
            application_id: None,
            before: None,
            after: Some({
                let mut after = json!({
                    "expiresAt": issued.model.expires_at,
                    "membershipId": acting.map(|m| m.id),
                    "memberships": memberships.len(),
                });
                if let (Some(provider), Some(map)) = (provider, after.as_object_mut()) {
                    map.insert("provider".to_owned(), json!(provider));
                }
                after
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(issued)
}

/// The principal of a bearer token, if the token is valid: known, not revoked, not
/// expired, and its account not disabled.
pub async fn authenticate(
    db: &DatabaseConnection,
    token: &str,
) -> Result<Option<Principal>, DbErr> {
    let now = Utc::now();
    let Some(stored) = auth_token::Entity::find()
        .filter(auth_token::Column::TokenHash.eq(token_hash(token)))
        .filter(auth_token::Column::RevokedAt.is_null())
        .filter(auth_token::Column::ExpiresAt.gt(now))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Some(account) = account::Entity::find_by_id(stored.account_id)
        .filter(account::Column::Disabled.eq(false))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let read_only = stored.kind == KIND_API;
    // A session acts for its membership, which must still be the person's and active
    // (removing one revokes its sessions too; this is the second guard).
    let acting = match (stored.membership_id, read_only) {
        (Some(id), false) => {
            let Some(m) = membership::Entity::find_by_id(id)
                .filter(membership::Column::AccountId.eq(account.id))
                .filter(membership::Column::RemovedAt.is_null())
                .one(db)
                .await?
            else {
                return Ok(None);
            };
            let Ok(role) = Role::parse(&m.role) else {
                tracing::error!(membership = m.id, role = %m.role, "membership with an unknown role");
                return Ok(None);
            };
            Some((m, role))
        }
        _ => None,
    };
    Ok(Some(Principal {
        account_id: account.id,
        // A third party's token reads what the public reads, under its own name and limits;
        // it never inherits the powers of the department account that issued it.
        username: match (&stored.name, read_only) {
            (Some(name), true) => format!("api:{name}"),
            _ => account.username,
        },
        display_name: account.display_name,
        role: acting.as_ref().map_or(Role::Public, |(_, role)| *role),
        administration_id: acting.as_ref().and_then(|(m, _)| m.administration_id),
        supplier_id: acting.as_ref().and_then(|(m, _)| m.supplier_id),
        token_id: stored.id,
        read_only,
        membership_id: acting.map(|(m, _)| m.id),
    }))
}

/// Revokes the token a principal is using (logout).
pub async fn logout(db: &DatabaseConnection, principal: &Principal) -> Result<(), DbErr> {
    let txn = crate::db::begin_write(db).await?;
    revoke_tokens(&txn, auth_token::Column::Id.eq(principal.token_id)).await?;
    audit::record(
        &txn,
        &principal.actor(),
        Change {
            entity_type: nuvola_shared::EntityType::AuthToken,
            entity_id: principal.token_id.to_string(),
            action: "LOGOUT",
            application_id: None,
            before: None,
            after: None,
        },
    )
    .await?;
    txn.commit().await
}

async fn revoke_tokens(
    db: &impl ConnectionTrait,
    which: sea_orm::sea_query::SimpleExpr,
) -> Result<u64, DbErr> {
    Ok(auth_token::Entity::update_many()
        .col_expr(auth_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(which)
        .filter(auth_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?
        .rows_affected)
}

/// Disables or re-enables an account; disabling revokes all its tokens at once.
pub async fn set_disabled(
    db: &DatabaseConnection,
    username: &str,
    disabled: bool,
    actor: &Actor,
) -> Result<account::Model, AuthError> {
    let username = username.trim().to_lowercase();
    let txn = crate::db::begin_write(db).await?;
    let current = account::Entity::find()
        .filter(account::Column::Username.eq(&username))
        .one(&txn)
        .await?
        .ok_or_else(|| AuthError::NotFound(format!("no account is called {username:?}")))?;
    if actor.account_id == Some(current.id) && disabled {
        return Err(AuthError::Invalid(
            "an account cannot disable itself".to_owned(),
        ));
    }
    let mut active: account::ActiveModel = current.clone().into();
    active.disabled = Set(disabled);
    active.updated_at = Set(Utc::now());
    let updated = active.update(&txn).await?;
    let revoked = if disabled {
        revoke_tokens(&txn, auth_token::Column::AccountId.eq(current.id)).await?
    } else {
        0
    };
    audit::record(
        &txn,
        actor,
        Change {
            entity_type: nuvola_shared::EntityType::Account,
            entity_id: current.id.to_string(),
            action: if disabled {
                "ACCOUNT_DISABLED"
            } else {
                "ACCOUNT_ENABLED"
            },
            application_id: None,
            before: Some(json!({ "disabled": current.disabled })),
            after: Some(json!({ "disabled": disabled, "tokensRevoked": revoked })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Issues a read-only token for a third party, held by the issuing department account.
pub async fn issue_api_token(
    db: &DatabaseConnection,
    issuer: &Principal,
    name: &str,
    expires_on: NaiveDate,
) -> Result<IssuedToken, AuthError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(AuthError::Invalid(
            "the name of a token must have 1 to 120 characters".to_owned(),
        ));
    }
    let today = Utc::now().date_naive();
    if expires_on <= today {
        return Err(AuthError::Invalid(format!(
            "the expiry {expires_on} must be after today ({today})"
        )));
    }
    if expires_on > today + Duration::days(API_TOKEN_MAX_DAYS) {
        return Err(AuthError::Invalid(format!(
            "an API token lives at most {API_TOKEN_MAX_DAYS} days"
        )));
    }
    let expires_at = expires_on
        .and_hms_opt(23, 59, 59)
        .map(|t| t.and_utc())
        .ok_or_else(|| AuthError::Invalid("invalid expiry".to_owned()))?;
    let txn = crate::db::begin_write(db).await?;
    let issued = insert_token(
        &txn,
        issuer.account_id,
        None,
        KIND_API,
        Some(name.to_owned()),
        expires_at,
    )
    .await?;
    audit::record(
        &txn,
        &issuer.actor(),
        Change {
            entity_type: nuvola_shared::EntityType::AuthToken,
            entity_id: issued.model.id.to_string(),
            action: "API_TOKEN_ISSUED",
            application_id: None,
            before: None,
            after: Some(json!({ "name": name, "expiresAt": expires_at })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(issued)
}

/// The API tokens issued so far, newest first.
pub async fn api_tokens(db: &DatabaseConnection) -> Result<Vec<auth_token::Model>, DbErr> {
    auth_token::Entity::find()
        .filter(auth_token::Column::Kind.eq(KIND_API))
        .order_by_desc(auth_token::Column::Id)
        .all(db)
        .await
}

/// Revokes an API token by its id.
pub async fn revoke_api_token(
    db: &DatabaseConnection,
    id: i32,
    actor: &Actor,
) -> Result<auth_token::Model, AuthError> {
    let txn = crate::db::begin_write(db).await?;
    let token = auth_token::Entity::find_by_id(id)
        .filter(auth_token::Column::Kind.eq(KIND_API))
        .one(&txn)
        .await?
        .ok_or_else(|| AuthError::NotFound(format!("no API token has the id {id}")))?;
    revoke_tokens(&txn, auth_token::Column::Id.eq(id)).await?;
    audit::record(
        &txn,
        actor,
        Change {
            entity_type: nuvola_shared::EntityType::AuthToken,
            entity_id: id.to_string(),
            action: "API_TOKEN_REVOKED",
            application_id: None,
            before: Some(json!({ "revokedAt": token.revoked_at })),
            after: None,
        },
    )
    .await?;
    let updated = auth_token::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AuthError::NotFound(format!("no API token has the id {id}")))?;
    txn.commit().await?;
    Ok(updated)
}
