//! Accounts (persons): creating them (`nuvola user add`, the demo) with argon2id password
//! hashes and their first membership, or none (role PUBLIC: a person who will ask for
//! access, `service::onboarding`).

use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
use argon2::Argon2;
use chrono::Utc;
use nuvola_shared::{IpaCode, Role, VatNumber};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use serde_json::json;

use crate::audit::{self, Actor, Change};
use crate::entity::account;
use crate::service::membership::{self, MembershipError, Organisation};

/// The shortest password accepted.
pub const MIN_PASSWORD_LEN: usize = 10;

/// What is needed to create an account.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub role: Role,
    pub username: String,
    pub password: String,
    /// Required for ADMINISTRATION.
    pub ipa_code: Option<IpaCode>,
    /// Required for SUPPLIER and PSN.
    pub supplier_vat: Option<VatNumber>,
    pub display_name: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{0}")]
    Invalid(String),
    #[error("the username {0:?} is taken")]
    Taken(String),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    #[error("hashing the password: {0}")]
    Hash(String),
}

/// Checks a username: 3 to 80 characters among letters, digits, `.`, `_`, `-`, `@`.
pub fn parse_username(input: &str) -> Result<String, AccountError> {
    let s = input.trim();
    let ok_chars = s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if !(3..=80).contains(&s.len()) || !ok_chars {
        return Err(AccountError::Invalid(format!(
            "username {s:?} must be 3 to 80 characters: letters, digits, '.', '_', '-', '@'"
        )));
    }
    Ok(s.to_lowercase())
}

pub fn hash_password(password: &str) -> Result<String, AccountError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AccountError::Hash(e.to_string()))
}

/// Creates an account (a person) with its first membership, bound to its body or
/// supplier, in one transaction with its audit events; with the role PUBLIC, a person
/// with no membership.
#[tracing::instrument(skip(db, new), fields(role = %new.role, username = %new.username))]
pub async fn create(
    db: &DatabaseConnection,
    new: NewAccount,
    actor: &Actor,
) -> Result<account::Model, AccountError> {
    let username = parse_username(&new.username)?;
    // PUBLIC: a person who acts for nobody yet, and asks for access after logging in
    // (`/richiedi-accesso`); no IPA code or VAT number then.
    let person_only = new.role == Role::Public;
    if person_only && (new.ipa_code.is_some() || new.supplier_vat.is_some()) {
        return Err(AccountError::Invalid(
            "a person created with the role PUBLIC acts for no organisation: leave out the IPA code and the VAT number".into(),
        ));
    }
    if new.password.chars().count() < MIN_PASSWORD_LEN {
        return Err(AccountError::Invalid(format!(
            "the password must have at least {MIN_PASSWORD_LEN} characters"
        )));
    }
    let txn = crate::db::begin_write(db).await?;
    let org = Organisation {
        role: new.role,
        ipa_code: new.ipa_code.clone(),
        supplier_vat: new.supplier_vat.clone(),
        body_name: None,
    };
    let (administration_id, supplier_id) = if person_only {
        (None, None)
    } else {
        membership::resolve(&txn, &org).await.map_err(|e| match e {
            MembershipError::Db(e) => AccountError::Db(e),
            other => AccountError::Invalid(other.to_string()),
        })?
    };
    if account::Entity::find()
        .filter(account::Column::Username.eq(&username))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(AccountError::Taken(username));
    }
    let now = Utc::now();
    let model = account::ActiveModel {
        username: Set(username.clone()),
        password_hash: Set(hash_password(&new.password)?),
        role: Set(new.role.code().to_owned()),
        administration_id: Set(administration_id),
        supplier_id: Set(supplier_id),
        display_name: Set(new.display_name.clone()),
        disabled: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        Change {
            entity_type: nuvola_shared::EntityType::Account,
            entity_id: model.id.to_string(),
            action: "CREATE_ACCOUNT",
            application_id: None,
            before: None,
            after: Some(json!({
                "username": username,
                "role": new.role.code(),
                "administrationId": administration_id,
                "supplierId": supplier_id,
            })),
        },
    )
    .await?;
    if !person_only {
        membership::insert(&txn, model.id, &org, actor)
            .await
            .map_err(|e| match e {
                MembershipError::Db(e) => AccountError::Db(e),
                other => AccountError::Invalid(other.to_string()),
            })?;
    }
    txn.commit().await?;
    Ok(model)
}
