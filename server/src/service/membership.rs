//! Memberships: a person (an `account`) acts for an organisation in a role. A session
//! records the membership it acts for (`auth_token.membership_id`), picked after login
//! when the person holds several and switchable without logging in again; every
//! permission rule reads the membership of the session, never the person alone.
//! Removing a membership ends that person's sessions for it in the same transaction:
//! sessions are rows, so every replica refuses them from that commit on.

use chrono::Utc;
use nuvola_shared::{IpaCode, Role, VatNumber};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;

use crate::audit::{self, Actor, Change};
use crate::entity::{account, administration, auth_token, membership, supplier};
use crate::service::auth::{Principal, KIND_SESSION};

#[derive(Debug, thiserror::Error)]
pub enum MembershipError {
    /// The field to blame and why.
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Forbidden(String),
    #[error(transparent)]
    Db(#[from] DbErr),
}

fn invalid(field: &'static str, message: impl Into<String>) -> MembershipError {
    MembershipError::Invalid {
        field,
        message: message.into(),
    }
}

/// The organisation of a membership, as asked for.
#[derive(Debug, Clone)]
pub struct Organisation {
    pub role: Role,
    /// Required for ADMINISTRATION, refused otherwise.
    pub ipa_code: Option<IpaCode>,
    /// Required for SUPPLIER and PSN, refused otherwise.
    pub supplier_vat: Option<VatNumber>,
    /// The verifier body's or the department office's name, if any.
    pub body_name: Option<String>,
}

/// The rows an organisation names: (administration id, supplier id), checked against
/// the role (an ADMINISTRATION needs its IPA code, a SUPPLIER or PSN its VAT number, and
/// PSN only for the supplier flagged PSN).
pub async fn resolve(
    db: &impl ConnectionTrait,
    org: &Organisation,
) -> Result<(Option<i32>, Option<i32>), MembershipError> {
    if org.role == Role::Public {
        return Err(invalid(
            "role",
            "PUBLIC is the role of anyone without an account",
        ));
    }
    let administration_id = match (org.role, &org.ipa_code) {
        (Role::Administration, Some(ipa)) => Some(
            administration::Entity::find()
                .filter(administration::Column::IpaKey.eq(ipa.key()))
                .one(db)
                .await?
                .ok_or_else(|| invalid("ipa", format!("no administration has the IPA code {ipa}")))?
                .id,
        ),
        (Role::Administration, None) => {
            return Err(invalid(
                "ipa",
                "an ADMINISTRATION membership needs the IPA code of its body",
            ))
        }
        (_, Some(_)) => {
            return Err(invalid(
                "ipa",
                "an IPA code is only for ADMINISTRATION memberships",
            ))
        }
        (_, None) => None,
    };
    let supplier_id = match (org.role.is_supplier(), &org.supplier_vat) {
        (true, Some(vat)) => {
            let s = supplier::Entity::find()
                .filter(supplier::Column::VatNumber.eq(vat.as_str()))
                .one(db)
                .await?
                .ok_or_else(|| {
                    invalid("supplier", format!("no supplier has the VAT number {vat}"))
                })?;
            if (org.role == Role::Psn) != s.is_psn {
                return Err(invalid(
                    "role",
                    format!(
                        "the supplier {vat} {} PSN: use the role {}",
                        if s.is_psn { "is" } else { "is not" },
                        if s.is_psn { "PSN" } else { "SUPPLIER" }
                    ),
                ));
            }
            Some(s.id)
        }
        (true, None) => {
            return Err(invalid(
                "supplier",
                "a SUPPLIER or PSN membership needs the supplier's VAT number",
            ))
        }
        (false, Some(_)) => {
            return Err(invalid(
                "supplier",
                "a VAT number is only for SUPPLIER and PSN memberships",
            ))
        }
        (false, None) => None,
    };
    Ok((administration_id, supplier_id))
}

fn body_name(org: &Organisation) -> Result<Option<String>, MembershipError> {
    let Some(name) = org
        .body_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    else {
        return Ok(None);
    };
    if name.chars().count() > 200 {
        return Err(invalid(
            "bodyName",
            "a body's name has at most 200 characters",
        ));
    }
    Ok(Some(name.to_owned()))
}

/// Inserts a membership for an account in the caller's transaction, with its
/// `MEMBERSHIP_ADDED` event. An active membership of the same organisation and role is
/// refused.
pub async fn insert(
    txn: &impl ConnectionTrait,
    account_id: i32,
    org: &Organisation,
    actor: &Actor,
) -> Result<membership::Model, MembershipError> {
    let (administration_id, supplier_id) = resolve(txn, org).await?;
    let body = body_name(org)?;
    let same = active_of(txn, account_id).await?.into_iter().any(|m| {
        m.role == org.role.code()
            && m.administration_id == administration_id
            && m.supplier_id == supplier_id
            && m.body_name == body
    });
    if same {
        return Err(invalid(
            "role",
            "the person already acts for this organisation in this role",
        ));
    }
    let model = membership::ActiveModel {
        account_id: Set(account_id),
        role: Set(org.role.code().to_owned()),
        administration_id: Set(administration_id),
        supplier_id: Set(supplier_id),
        body_name: Set(body.clone()),
        created_at: Set(Utc::now()),
        removed_at: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    audit::record(
        txn,
        actor,
        Change {
            entity_type: nuvola_shared::EntityType::Membership,
            entity_id: model.id.to_string(),
            action: "MEMBERSHIP_ADDED",
            application_id: None,
            before: None,
            after: Some(json!({
                "accountId": account_id,
                "role": org.role.code(),
                "administrationId": administration_id,
                "supplierId": supplier_id,
                "bodyName": body,
            })),
        },
    )
    .await?;
    Ok(model)
}

/// Gives the person with this username a membership (`nuvola membership add`, the
/// department).
#[tracing::instrument(skip(db, actor))]
pub async fn add(
    db: &DatabaseConnection,
    username: &str,
    org: &Organisation,
    actor: &Actor,
) -> Result<membership::Model, MembershipError> {
    let username = username.trim().to_lowercase();
    let txn = crate::db::begin_write(db).await?;
    let person = account::Entity::find()
        .filter(account::Column::Username.eq(&username))
        .one(&txn)
        .await?
        .ok_or_else(|| MembershipError::NotFound(format!("no account is called {username:?}")))?;
    let model = insert(&txn, person.id, org, actor).await?;
    txn.commit().await?;
    Ok(model)
}

/// Removes a membership and ends at once every session acting for it.
#[tracing::instrument(skip(db, actor))]
pub async fn remove(
    db: &DatabaseConnection,
    id: i32,
    actor: &Actor,
) -> Result<membership::Model, MembershipError> {
    let txn = crate::db::begin_write(db).await?;
    let current = membership::Entity::find_by_id(id)
        .filter(membership::Column::RemovedAt.is_null())
        .one(&txn)
        .await?
        .ok_or_else(|| {
            MembershipError::NotFound(format!("no active membership has the id {id}"))
        })?;
    let now = Utc::now();
    let mut active: membership::ActiveModel = current.clone().into();
    active.removed_at = Set(Some(now));
    let updated = active.update(&txn).await?;
    let ended = auth_token::Entity::update_many()
        .col_expr(auth_token::Column::RevokedAt, Expr::value(now))
        .filter(auth_token::Column::MembershipId.eq(id))
        .filter(auth_token::Column::Kind.eq(KIND_SESSION))
        .filter(auth_token::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected;
    audit::record(
        &txn,
        actor,
        Change {
            entity_type: nuvola_shared::EntityType::Membership,
            entity_id: id.to_string(),
            action: "MEMBERSHIP_REMOVED",
            application_id: None,
            before: Some(json!({
                "accountId": current.account_id,
                "role": current.role,
                "administrationId": current.administration_id,
                "supplierId": current.supplier_id,
            })),
            after: Some(json!({ "removedAt": now, "sessionsEnded": ended })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// The active memberships of a person, oldest first.
pub async fn active_of(
    db: &impl ConnectionTrait,
    account_id: i32,
) -> Result<Vec<membership::Model>, DbErr> {
    membership::Entity::find()
        .filter(membership::Column::AccountId.eq(account_id))
        .filter(membership::Column::RemovedAt.is_null())
        .order_by_asc(membership::Column::Id)
        .all(db)
        .await
}

/// Every active membership of an organisation (or of everyone, for the department's
/// overview): filtered by administration or supplier when given.
pub async fn of_organisation(
    db: &impl ConnectionTrait,
    administration_id: Option<i32>,
    supplier_id: Option<i32>,
) -> Result<Vec<membership::Model>, DbErr> {
    let mut q = membership::Entity::find().filter(membership::Column::RemovedAt.is_null());
    if let Some(id) = administration_id {
        q = q.filter(membership::Column::AdministrationId.eq(id));
    }
    if let Some(id) = supplier_id {
        q = q.filter(membership::Column::SupplierId.eq(id));
    }
    q.order_by_asc(membership::Column::Id).all(db).await
}

/// Makes the session in use act for one of the person's active memberships (the first
/// pick after login, or a switch). Third-party API tokens have no membership to pick.
#[tracing::instrument(skip(db, principal), fields(account = principal.account_id))]
pub async fn select(
    db: &DatabaseConnection,
    principal: &Principal,
    membership_id: i32,
) -> Result<membership::Model, MembershipError> {
    if principal.read_only {
        return Err(MembershipError::Forbidden(
            "API tokens read as the public: they act for no organisation".to_owned(),
        ));
    }
    let txn = crate::db::begin_write(db).await?;
    let chosen = membership::Entity::find_by_id(membership_id)
        .filter(membership::Column::AccountId.eq(principal.account_id))
        .filter(membership::Column::RemovedAt.is_null())
        .one(&txn)
        .await?
        .ok_or_else(|| {
            MembershipError::NotFound(format!(
                "you hold no active membership with the id {membership_id}"
            ))
        })?;
    auth_token::Entity::update_many()
        .col_expr(auth_token::Column::MembershipId, Expr::value(chosen.id))
        .filter(auth_token::Column::Id.eq(principal.token_id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        &principal.actor(),
        Change {
            entity_type: nuvola_shared::EntityType::AuthToken,
            entity_id: principal.token_id.to_string(),
            action: "MEMBERSHIP_SELECTED",
            application_id: None,
            before: Some(json!({ "membershipId": principal.membership_id })),
            after: Some(json!({ "membershipId": chosen.id, "role": chosen.role })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(chosen)
}

/// Gives every account that holds no membership at all the one it was created with
/// (its `role`, `administration_id`, `supplier_id`): what the migration did for the
/// accounts of its day, for accounts written in bulk (`nuvola seed-national`).
pub async fn backfill(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    Ok(db
        .execute_unprepared(
            "INSERT INTO membership (account_id, role, administration_id, supplier_id, created_at) \
             SELECT a.id, a.role, a.administration_id, a.supplier_id, a.created_at FROM account a \
             WHERE NOT EXISTS (SELECT 1 FROM membership m WHERE m.account_id = a.id)",
        )
        .await?
        .rows_affected())
}
