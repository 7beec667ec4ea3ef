//! Invitations (issue 12): a referent invites colleagues to its organisation by e-mail,
//! in its own role; the department invites its own staff and verifiers (and may invite
//! to any organisation). The e-mail carries a single-use link `/invito/<token>`: the
//! token is 32 random bytes, and `invitation` keeps only its SHA-256. The invited
//! person, logged in (password or identity provider), accepts it and gets the
//! membership. Unused invitations are reminded and expire (`onboarding::sweep`).
//!
//! The link travels in the outbox row of its e-mail (`delivery.payload`), because the
//! e-mail is rendered when sent and may be retried; that row is the one place the
//! token exists in clear, until the e-mail is delivered: the worker then erases the
//! link from the row (`without_link`). A reminder does not repeat the link.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::Engine;
use chrono::{Duration, Utc};
use nuvola_shared::notify::EmailAddress;
use nuvola_shared::onboarding::{check_body_name, invitable_roles, INVITATION_DAYS};
use nuvola_shared::{InvitationState, IpaCode, Role, VatNumber};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{self, Change};
use crate::entity::{administration, auth_token, invitation, membership, supplier};
use crate::service::auth::{token_hash, Principal};
use crate::service::onboarding::{grant, invalid, parse_err, OnboardingError};
use crate::service::outbox::{self, NewDelivery};

/// The delivery kinds of invitation e-mails.
pub const MAIL_INVITATION: &str = "INVITATION";
pub const MAIL_INVITATION_REMINDER: &str = "INVITATION_REMINDER";

/// What an invitation e-mail's outbox row holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationMail {
    pub invitation_id: i32,
    /// The path of the link, `/invito/<token>`; none in a reminder.
    pub path: Option<String>,
    pub organisation: String,
    pub role: String,
    pub inviter: String,
    pub expires_at: chrono::DateTime<Utc>,
}

/// An invitation e-mail's payload with its link erased, for a delivered e-mail; none
/// when the payload is not an invitation's.
pub fn without_link(payload: &str) -> Option<String> {
    let mut mail: InvitationMail = serde_json::from_str(payload).ok()?;
    mail.path = None;
    serde_json::to_string(&mail).ok()
}

/// What to invite to.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub email: String,
    pub role: Role,
    /// For the department inviting to an administration.
    pub ipa_code: Option<IpaCode>,
    /// For the department inviting to a supplier.
    pub supplier_vat: Option<VatNumber>,
    /// A verifier body's or a department office's name.
    pub body_name: Option<String>,
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    format!(
        "inv_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// The membership a session acts for, if it is a referent's.
async fn referent_membership(
    db: &impl ConnectionTrait,
    principal: &Principal,
) -> Result<Option<membership::Model>, DbErr> {
    let Some(id) = principal.membership_id else {
        return Ok(None);
    };
    membership::Entity::find_by_id(id)
        .filter(membership::Column::RemovedAt.is_null())
        .filter(membership::Column::IsReferent.eq(true))
        .one(db)
        .await
}

/// The organisation (administration, supplier) a principal manages the members of:
/// for the department, the one named (or none: the department's own staff and
/// verifiers); for anyone else, the organisation its session acts for, and only if it
/// is that organisation's referent (when `referent_only`) or a member.
pub async fn managed_organisation(
    db: &impl ConnectionTrait,
    principal: &Principal,
    ipa_code: Option<&IpaCode>,
    supplier_vat: Option<&VatNumber>,
    referent_only: bool,
) -> Result<(Option<i32>, Option<i32>), OnboardingError> {
    if principal.read_only {
        return Err(OnboardingError::Forbidden(
            "API tokens read as the public: they manage no organisation".to_owned(),
        ));
    }
    let named_admin = match ipa_code {
        Some(ipa) => Some(
            administration::Entity::find()
                .filter(administration::Column::IpaKey.eq(ipa.key()))
                .one(db)
                .await?
                .ok_or_else(|| {
                    invalid(
                        "ipaCode",
                        format!("no administration has the IPA code {ipa}"),
                    )
                })?
                .id,
        ),
        None => None,
    };
    let named_supplier = match supplier_vat {
        Some(vat) => Some(
            supplier::Entity::find()
                .filter(supplier::Column::VatNumber.eq(vat.as_str()))
                .one(db)
                .await?
                .ok_or_else(|| {
                    invalid(
                        "supplierVat",
                        format!("no supplier has the VAT number {vat}"),
                    )
                })?
                .id,
        ),
        None => None,
    };
    if principal.role == Role::Department {
        if named_admin.is_some() && named_supplier.is_some() {
            return Err(invalid(
                "supplierVat",
                "name one organisation: an administration or a supplier",
            ));
        }
        return Ok((named_admin, named_supplier));
    }
    if principal.membership_id.is_none() {
        return Err(OnboardingError::Forbidden(
            "choose the organisation you act for first (selectMembership)".to_owned(),
        ));
    }
    let own = if referent_only {
        referent_membership(db, principal).await?.ok_or_else(|| {
            OnboardingError::Forbidden(
                "only the organisation's referent (or the department) may manage its members"
                    .to_owned(),
            )
        })?
    } else {
        let id = principal.membership_id.unwrap_or_default();
        membership::Entity::find_by_id(id)
            .filter(membership::Column::RemovedAt.is_null())
            .one(db)
            .await?
            .ok_or_else(|| OnboardingError::Forbidden("the membership is gone".to_owned()))?
    };
    if own.administration_id.is_none() && own.supplier_id.is_none() {
        return Err(OnboardingError::Forbidden(
            "a verifier's membership has no members to manage".to_owned(),
        ));
    }
    if (named_admin.is_some() && named_admin != own.administration_id)
        || (named_supplier.is_some() && named_supplier != own.supplier_id)
    {
        return Err(OnboardingError::Forbidden(
            "you manage only the members of the organisation you act for".to_owned(),
        ));
    }
    Ok((own.administration_id, own.supplier_id))
}

async fn organisation_label(
    db: &impl ConnectionTrait,
    administration_id: Option<i32>,
    supplier_id: Option<i32>,
    role: Role,
    body_name: Option<&str>,
) -> Result<String, DbErr> {
    if let Some(id) = administration_id {
        if let Some(a) = administration::Entity::find_by_id(id).one(db).await? {
            return Ok(a.name);
        }
    }
    if let Some(id) = supplier_id {
        if let Some(s) = supplier::Entity::find_by_id(id).one(db).await? {
            return Ok(s.name);
        }
    }
    Ok(match (body_name, role) {
        (Some(name), _) => name.to_owned(),
        (None, Role::Verifier) => "Asseveratore".to_owned(),
        (None, _) => "Dipartimento per la trasformazione digitale".to_owned(),
    })
}

/// Writes the e-mail of an invitation (with its link) or of its reminder (`path` none)
/// into the outbox, in the caller's transaction.
pub async fn enqueue_mail(
    txn: &DatabaseTransaction,
    inv: &invitation::Model,
    path: Option<String>,
) -> Result<(), DbErr> {
    let role = Role::parse(&inv.role).unwrap_or(Role::Public);
    let organisation = organisation_label(
        txn,
        inv.administration_id,
        inv.supplier_id,
        role,
        inv.body_name.as_deref(),
    )
    .await?;
    let inviter = crate::entity::account::Entity::find_by_id(inv.invited_by)
        .one(txn)
        .await?
        .map(|a| a.display_name.unwrap_or(a.username))
        .unwrap_or_default();
    let reminder = path.is_none();
    let payload = InvitationMail {
        invitation_id: inv.id,
        path,
        organisation,
        role: inv.role.clone(),
        inviter,
        expires_at: inv.expires_at,
    };
    outbox::enqueue(
        txn,
        vec![NewDelivery {
            channel: outbox::EMAIL,
            recipient: inv.email.clone(),
            webhook_id: None,
            account_id: None,
            notification_id: None,
            event_id: format!(
                "invitation:{}:{}",
                inv.id,
                if reminder { "reminder" } else { "link" }
            ),
            kind: if reminder {
                nuvola_shared::DeliveryKind::InvitationReminder
            } else {
                nuvola_shared::DeliveryKind::Invitation
            },
            payload: serde_json::to_string(&payload).map_err(|e| DbErr::Custom(e.to_string()))?,
        }],
    )
    .await?;
    Ok(())
}

/// Invites someone by e-mail. Returns the invitation and its token (which the caller
/// never shows: it leaves only by e-mail).
#[tracing::instrument(skip(db, principal, new), fields(account = principal.account_id, role = %new.role))]
pub async fn invite(
    db: &DatabaseConnection,
    principal: &Principal,
    new: NewInvitation,
) -> Result<(invitation::Model, String), OnboardingError> {
    let body_name =
        check_body_name(new.body_name.as_deref()).map_err(|e| parse_err("bodyName", e))?;
    let txn = crate::db::begin_write(db).await?;
    let (administration_id, supplier_id) = managed_organisation(
        &txn,
        principal,
        new.ipa_code.as_ref(),
        new.supplier_vat.as_ref(),
        true,
    )
    .await?;
    let email = EmailAddress::parse(&new.email).map_err(|e| parse_err("email", e))?;
    let email = email.as_str().to_lowercase();
    // The role must fit the organisation.
    let fits = match (administration_id, supplier_id) {
        (Some(_), _) => new.role == Role::Administration,
        (None, Some(id)) => {
            let s = supplier::Entity::find_by_id(id).one(&txn).await?;
            let psn = s.is_some_and(|s| s.is_psn);
            new.role == if psn { Role::Psn } else { Role::Supplier }
        }
        (None, None) => matches!(new.role, Role::Department | Role::Verifier),
    };
    let allowed =
        principal.role == Role::Department || invitable_roles(principal.role).contains(&new.role);
    if !fits || !allowed {
        return Err(invalid(
            "role",
            format!(
                "the role {} does not fit this organisation: an administration invites ADMINISTRATION, a supplier SUPPLIER (PSN: PSN), the department DEPARTMENT or VERIFIER",
                new.role
            ),
        ));
    }
    let now = Utc::now();
    let waiting = invitation::Entity::find()
        .filter(invitation::Column::Email.eq(&email))
        .filter(invitation::Column::State.eq(InvitationState::Pending.code()))
        .filter(invitation::Column::ExpiresAt.gt(now))
        .filter(invitation::Column::Role.eq(new.role.code()))
        .all(&txn)
        .await?
        .into_iter()
        .any(|i| i.administration_id == administration_id && i.supplier_id == supplier_id);
    if waiting {
        return Err(OnboardingError::Conflict(format!(
            "an invitation for {email} to this organisation is already waiting: revoke it before sending another"
        )));
    }
    let token = new_token();
    let model = invitation::ActiveModel {
        token_hash: Set(token_hash(&token)),
        email: Set(email.clone()),
        role: Set(new.role.code().to_owned()),
        administration_id: Set(administration_id),
        supplier_id: Set(supplier_id),
        body_name: Set(body_name.clone()),
        invited_by: Set(principal.account_id),
        language: Set("it".to_owned()),
        state: Set(InvitationState::Pending.code().to_owned()),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(INVITATION_DAYS)),
        reminded_at: Set(None),
        accepted_by: Set(None),
        decided_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        &principal.actor(),
        Change {
            entity_type: nuvola_shared::EntityType::Invitation,
            entity_id: model.id.to_string(),
            action: "INVITATION_SENT",
            application_id: None,
            before: None,
            after: Some(json!({
                "email": email,
                "role": model.role,
                "administrationId": administration_id,
                "supplierId": supplier_id,
                "bodyName": body_name,
                "expiresAt": model.expires_at,
            })),
        },
    )
    .await?;
    enqueue_mail(&txn, &model, Some(format!("/invito/{token}"))).await?;
    txn.commit().await?;
    Ok((model, token))
}

/// The invitation a token names, whatever its state.
pub async fn by_token(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<invitation::Model>, DbErr> {
    let token = token.trim();
    if token.is_empty() || token.len() > 100 {
        return Ok(None);
    }
    invitation::Entity::find()
        .filter(invitation::Column::TokenHash.eq(token_hash(token)))
        .one(db)
        .await
}

/// The name of the organisation an invitation is for.
pub async fn organisation_of(
    db: &impl ConnectionTrait,
    inv: &invitation::Model,
) -> Result<String, DbErr> {
    organisation_label(
        db,
        inv.administration_id,
        inv.supplier_id,
        Role::parse(&inv.role).unwrap_or(Role::Public),
        inv.body_name.as_deref(),
    )
    .await
}

/// The logged-in person accepts an invitation: once, before it expires. The session in
/// use acts for the new membership when it acted for nobody.
#[tracing::instrument(skip(db, principal, token), fields(account = principal.account_id))]
pub async fn accept(
    db: &DatabaseConnection,
    principal: &Principal,
    token: &str,
) -> Result<membership::Model, OnboardingError> {
    if principal.read_only {
        return Err(OnboardingError::Forbidden(
            "API tokens act for no person: log in to accept an invitation".to_owned(),
        ));
    }
    let txn = crate::db::begin_write(db).await?;
    let inv = by_token(&txn, token).await?.ok_or_else(|| {
        OnboardingError::NotFound(
            "this invitation link is not valid: check that it was copied whole".to_owned(),
        )
    })?;
    let now = Utc::now();
    match InvitationState::parse(&inv.state) {
        Ok(InvitationState::Pending) if inv.expires_at > now => {}
        Ok(InvitationState::Accepted) => {
            return Err(OnboardingError::Conflict(
                "this invitation was used already: each link works once".to_owned(),
            ))
        }
        Ok(InvitationState::Revoked) => {
            return Err(OnboardingError::Conflict(
                "this invitation was revoked: ask your referent for a new one".to_owned(),
            ))
        }
        _ => {
            return Err(OnboardingError::Expired(format!(
                "this invitation expired on {}: ask your referent for a new one",
                inv.expires_at.format("%Y-%m-%d")
            )))
        }
    }
    let role =
        Role::parse(&inv.role).map_err(|e| OnboardingError::Db(DbErr::Custom(e.to_string())))?;
    let same = crate::service::membership::active_of(&txn, principal.account_id)
        .await?
        .into_iter()
        .any(|m| {
            m.role == inv.role
                && m.administration_id == inv.administration_id
                && m.supplier_id == inv.supplier_id
        });
    if same {
        return Err(OnboardingError::Conflict(
            "you already act for this organisation in this role".to_owned(),
        ));
    }
    let actor = principal.actor();
    let m = grant(
        &txn,
        principal.account_id,
        role,
        inv.administration_id,
        inv.supplier_id,
        inv.body_name.clone(),
        &actor,
    )
    .await?;
    // Single use, whatever races: only the row still PENDING is taken.
    let taken = invitation::Entity::update_many()
        .col_expr(
            invitation::Column::State,
            Expr::value(InvitationState::Accepted.code()),
        )
        .col_expr(
            invitation::Column::AcceptedBy,
            Expr::value(principal.account_id),
        )
        .col_expr(invitation::Column::DecidedAt, Expr::value(now))
        .filter(invitation::Column::Id.eq(inv.id))
        .filter(invitation::Column::State.eq(InvitationState::Pending.code()))
        .exec(&txn)
        .await?
        .rows_affected;
    if taken != 1 {
        return Err(OnboardingError::Conflict(
            "this invitation was used already: each link works once".to_owned(),
        ));
    }
    if principal.membership_id.is_none() {
        auth_token::Entity::update_many()
            .col_expr(auth_token::Column::MembershipId, Expr::value(m.id))
            .filter(auth_token::Column::Id.eq(principal.token_id))
            .exec(&txn)
            .await?;
    }
    audit::record(
        &txn,
        &actor,
        Change {
            entity_type: nuvola_shared::EntityType::Invitation,
            entity_id: inv.id.to_string(),
            action: "INVITATION_ACCEPTED",
            application_id: None,
            before: Some(json!({ "state": inv.state, "email": inv.email })),
            after: Some(json!({ "state": "ACCEPTED", "accountId": principal.account_id, "membershipId": m.id })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(m)
}

/// Revokes a pending invitation: its organisation's referent or the department.
#[tracing::instrument(skip(db, principal), fields(account = principal.account_id))]
pub async fn revoke(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i32,
) -> Result<invitation::Model, OnboardingError> {
    let txn = crate::db::begin_write(db).await?;
    let mine = if principal.role == Role::Department {
        None
    } else {
        Some(managed_organisation(&txn, principal, None, None, true).await?)
    };
    let inv = invitation::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| OnboardingError::NotFound(format!("no invitation has the id {id}")))?;
    if let Some((a, s)) = mine {
        if inv.administration_id != a || inv.supplier_id != s {
            return Err(OnboardingError::NotFound(format!(
                "no invitation of your organisation has the id {id}"
            )));
        }
    }
    if inv.state != InvitationState::Pending.code() {
        return Err(OnboardingError::Conflict(format!(
            "the invitation is {} already: only a pending one can be revoked",
            inv.state
        )));
    }
    let now = Utc::now();
    let mut active: invitation::ActiveModel = inv.clone().into();
    active.state = Set(InvitationState::Revoked.code().to_owned());
    active.decided_at = Set(Some(now));
    let updated = active.update(&txn).await?;
    audit::record(
        &txn,
        &principal.actor(),
        Change {
            entity_type: nuvola_shared::EntityType::Invitation,
            entity_id: id.to_string(),
            action: "INVITATION_REVOKED",
            application_id: None,
            before: Some(json!({ "state": inv.state })),
            after: Some(json!({ "state": updated.state })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// The invitations of an organisation (or the department's own, with none named),
/// newest first.
pub async fn of_organisation(
    db: &impl ConnectionTrait,
    administration_id: Option<i32>,
    supplier_id: Option<i32>,
) -> Result<Vec<invitation::Model>, DbErr> {
    let mut q = invitation::Entity::find().order_by_desc(invitation::Column::Id);
    q = match administration_id {
        Some(id) => q.filter(invitation::Column::AdministrationId.eq(id)),
        None => q.filter(invitation::Column::AdministrationId.is_null()),
    };
    q = match supplier_id {
        Some(id) => q.filter(invitation::Column::SupplierId.eq(id)),
        None => q.filter(invitation::Column::SupplierId.is_null()),
    };
    q.all(db).await
}

/// Removes a member: the department any membership; a referent those of the
/// organisation it acts for, but not its own (the department removes a referent). The
/// person's sessions acting for it end in the same transaction (`membership::remove`).
pub async fn remove_member(
    db: &DatabaseConnection,
    principal: &Principal,
    membership_id: i32,
) -> Result<membership::Model, OnboardingError> {
    if principal.role != Role::Department {
        let (a, s) = managed_organisation(db, principal, None, None, true).await?;
        let target = membership::Entity::find_by_id(membership_id)
            .filter(membership::Column::RemovedAt.is_null())
            .one(db)
            .await?
            .filter(|m| m.administration_id == a && m.supplier_id == s)
            .ok_or_else(|| {
                OnboardingError::NotFound(format!(
                    "no active member of your organisation has the membership id {membership_id}"
                ))
            })?;
        if Some(target.id) == principal.membership_id {
            return Err(OnboardingError::Forbidden(
                "a referent cannot remove themselves: ask the department".to_owned(),
            ));
        }
    }
    crate::service::membership::remove(db, membership_id, &principal.actor())
        .await
        .map_err(|e| match e {
            crate::service::membership::MembershipError::Db(e) => OnboardingError::Db(e),
            crate::service::membership::MembershipError::NotFound(m) => {
                OnboardingError::NotFound(m)
            }
            crate::service::membership::MembershipError::Forbidden(m) => {
                OnboardingError::Forbidden(m)
            }
            crate::service::membership::MembershipError::Invalid { field, message } => {
                OnboardingError::Invalid { field, message }
            }
        })
}

#[cfg(test)]
mod tests {
    use nuvola_shared::DeliveryKind;

    #[test]
    fn the_invitation_mails_kinds_are_delivery_kinds() {
        assert_eq!(DeliveryKind::Invitation.code(), super::MAIL_INVITATION);
        assert_eq!(
            DeliveryKind::InvitationReminder.code(),
            super::MAIL_INVITATION_REMINDER
        );
    }
}
