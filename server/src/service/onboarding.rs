//! Onboarding (issue 12): a person who logs in acting for nobody asks to act for an
//! administration (by IPA code) or for a supplier (a known one, or one the request
//! registers, by its VAT number); the department approves (the membership, and the
//! supplier row for a new supplier, in the same transaction) or rejects with a reason.
//! The first approved person of an organisation is its referent. Every step writes its
//! audit event; the requester is told by a notification of its own (and by e-mail
//! through the outbox when it has an address), the department by one to its role.
//!
//! Waiting requests are reminded to the department and then expire, and so are
//! invitations (`service::invitations`), by [`sweep`], which the serve's periodic task
//! runs: it takes the `onboarding` row of `scheduled_job` first, in its transaction, so
//! replicas take turns and each re-reads what is left to do.

use chrono::{DateTime, Duration, Utc};
use nuvola_shared::notify::EmailAddress;
use nuvola_shared::onboarding::{
    check_note, check_reason, check_supplier_name, INVITATION_REMIND_DAYS_LEFT,
    REQUEST_EXPIRE_AFTER_DAYS, REQUEST_REMIND_AFTER_DAYS,
};
use nuvola_shared::{
    AccessRequestState, IpaCode, NotificationKind, OrganisationKind, ParseError, Role, VatNumber,
};
use sea_orm::sea_query::{Expr, Func, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::json;

use crate::audit::{self, Actor, Change};
use crate::entity::{
    account, administration, auth_token, invitation, membership, notification, onboarding_request,
    scheduled_job, supplier,
};
use crate::service::auth::{Principal, KIND_SESSION};

/// The periodic job's row in `scheduled_job`.
pub const JOB: &str = "onboarding";

#[derive(Debug, thiserror::Error)]
pub enum OnboardingError {
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
    #[error("{0}")]
    Conflict(String),
    /// Too late: an invitation past its expiry.
    #[error("{0}")]
    Expired(String),
    #[error(transparent)]
    Db(#[from] DbErr),
}

pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> OnboardingError {
    OnboardingError::Invalid {
        field,
        message: message.into(),
    }
}

pub(crate) fn parse_err(field: &'static str, e: ParseError) -> OnboardingError {
    invalid(field, e.to_string())
}

/// What a person asks for: exactly one of an administration or a supplier.
#[derive(Debug, Clone, Default)]
pub struct NewRequest {
    pub ipa_code: Option<IpaCode>,
    pub supplier_vat: Option<VatNumber>,
    /// Needed when the supplier is not known yet.
    pub supplier_name: Option<String>,
    pub supplier_email: Option<String>,
    pub note: Option<String>,
}

/// The name of the organisation of a request.
pub async fn organisation_name(
    db: &impl ConnectionTrait,
    r: &onboarding_request::Model,
) -> Result<String, DbErr> {
    if let Some(id) = r.administration_id {
        if let Some(a) = administration::Entity::find_by_id(id).one(db).await? {
            return Ok(a.name);
        }
    }
    if let Some(id) = r.supplier_id {
        if let Some(s) = supplier::Entity::find_by_id(id).one(db).await? {
            return Ok(s.name);
        }
    }
    Ok(r.supplier_name
        .clone()
        .or_else(|| r.supplier_vat.clone())
        .unwrap_or_default())
}

/// Whether the person already holds an active membership of this organisation.
async fn already_member(
    db: &impl ConnectionTrait,
    account_id: i32,
    administration_id: Option<i32>,
    supplier_id: Option<i32>,
) -> Result<bool, DbErr> {
    if administration_id.is_none() && supplier_id.is_none() {
        return Ok(false);
    }
    Ok(crate::service::membership::active_of(db, account_id)
        .await?
        .iter()
        .any(|m| {
            (administration_id.is_some() && m.administration_id == administration_id)
                || (supplier_id.is_some() && m.supplier_id == supplier_id)
        }))
}

/// A notification to one person (`account_id`) or to the department (`None`), with the
/// e-mails it causes, in the caller's transaction. A `dedupe_key` already used is left
/// alone (a second guard against a reminder sent twice).
pub(crate) async fn notify(
    txn: &DatabaseTransaction,
    account_id: Option<i32>,
    kind: NotificationKind,
    message: String,
    message_en: String,
    dedupe_key: String,
) -> Result<(), DbErr> {
    let row = notification::ActiveModel {
        account_id: Set(account_id),
        recipient_role: Set(if account_id.is_none() {
            Some(Role::Department.code().to_owned())
        } else {
            None
        }),
        administration_id: Set(None),
        application_id: Set(None),
        kind: Set(kind.code().to_owned()),
        message: Set(message),
        message_en: Set(Some(message_en)),
        created_at: Set(Utc::now()),
        read_at: Set(None),
        delivered_at: Set(None),
        dedupe_key: Set(Some(dedupe_key.clone())),
        due_on: Set(None),
        ..Default::default()
    };
    notification::Entity::insert(row)
        .on_conflict(
            OnConflict::column(notification::Column::DedupeKey)
                .do_nothing()
                .to_owned(),
        )
        .do_nothing()
        .exec_without_returning(txn)
        .await?;
    if let Some(note) = notification::Entity::find()
        .filter(notification::Column::DedupeKey.eq(dedupe_key))
        .one(txn)
        .await?
    {
        crate::service::preferences::email_new_notifications(txn, &[note]).await?;
    }
    Ok(())
}

fn snapshot(r: &onboarding_request::Model) -> serde_json::Value {
    json!({
        "accountId": r.account_id,
        "kind": r.kind,
        "role": r.role,
        "administrationId": r.administration_id,
        "supplierId": r.supplier_id,
        "supplierVat": r.supplier_vat,
        "supplierName": r.supplier_name,
        "state": r.state,
    })
}

/// Whether a database error is the partial unique index of pending requests.
fn is_pending_clash(e: &DbErr) -> bool {
    let text = e.to_string();
    text.contains("ux_onboarding_request_pending")
        || text.contains("UNIQUE constraint failed: onboarding_request")
}

/// A person asks to act for an organisation. One pending request per person and
/// organisation; a person who already acts for it is refused too.
#[tracing::instrument(skip(db, principal, new), fields(account = principal.account_id))]
pub async fn submit(
    db: &DatabaseConnection,
    principal: &Principal,
    new: NewRequest,
) -> Result<onboarding_request::Model, OnboardingError> {
    if principal.read_only {
        return Err(OnboardingError::Forbidden(
            "API tokens act for no person: log in to ask for access".to_owned(),
        ));
    }
    let note = check_note(new.note.as_deref()).map_err(|e| parse_err("note", e))?;
    let txn = crate::db::begin_write(db).await?;
    let (kind, role, administration_id, supplier_id, vat, name, email, key, org_name) = match (
        &new.ipa_code,
        &new.supplier_vat,
    ) {
        (Some(ipa), None) => {
            let body = administration::Entity::find()
                .filter(administration::Column::IpaKey.eq(ipa.key()))
                .one(&txn)
                .await?
                .ok_or_else(|| {
                    invalid(
                        "ipaCode",
                        format!("no administration has the IPA code {ipa}"),
                    )
                })?;
            (
                OrganisationKind::Administration,
                Role::Administration,
                Some(body.id),
                None,
                None,
                None,
                None,
                format!("ADMINISTRATION:{}", body.id),
                body.name,
            )
        }
        (None, Some(vat)) => {
            let known = supplier::Entity::find()
                .filter(supplier::Column::VatNumber.eq(vat.as_str()))
                .one(&txn)
                .await?;
            let key = format!("SUPPLIER:{vat}");
            match known {
                Some(s) => (
                    OrganisationKind::Supplier,
                    if s.is_psn { Role::Psn } else { Role::Supplier },
                    None,
                    Some(s.id),
                    Some(vat.as_str().to_owned()),
                    Some(s.name.clone()),
                    None,
                    key,
                    s.name,
                ),
                None => {
                    let name = check_supplier_name(new.supplier_name.as_deref().unwrap_or(""))
                            .map_err(|_| {
                                invalid(
                                    "supplierName",
                                    format!(
                                        "no supplier has the VAT number {vat} yet: give its name (2 to 200 characters) to register it"
                                    ),
                                )
                            })?;
                    let email = new
                        .supplier_email
                        .as_deref()
                        .map(str::trim)
                        .filter(|e| !e.is_empty())
                        .map(EmailAddress::parse)
                        .transpose()
                        .map_err(|e| parse_err("supplierEmail", e))?
                        .map(|e| e.as_str().to_owned());
                    (
                        OrganisationKind::Supplier,
                        Role::Supplier,
                        None,
                        None,
                        Some(vat.as_str().to_owned()),
                        Some(name.clone()),
                        email,
                        key,
                        name,
                    )
                }
            }
        }
        (Some(_), Some(_)) => {
            return Err(invalid(
                "supplierVat",
                "ask for one organisation at a time: an administration or a supplier",
            ))
        }
        (None, None) => {
            return Err(invalid(
                "ipaCode",
                "name the administration (IPA code) or the supplier (VAT number) to act for",
            ))
        }
    };
    if already_member(&txn, principal.account_id, administration_id, supplier_id).await? {
        return Err(OnboardingError::Conflict(format!(
            "you already act for {org_name}"
        )));
    }
    let pending = onboarding_request::Entity::find()
        .filter(onboarding_request::Column::AccountId.eq(principal.account_id))
        .filter(onboarding_request::Column::OrganisationKey.eq(&key))
        .filter(onboarding_request::Column::State.eq(AccessRequestState::Pending.code()))
        .one(&txn)
        .await?;
    if pending.is_some() {
        return Err(OnboardingError::Conflict(format!(
            "you already asked to act for {org_name}: wait for the department's decision or withdraw that request"
        )));
    }
    let now = Utc::now();
    let model = onboarding_request::ActiveModel {
        account_id: Set(principal.account_id),
        kind: Set(kind.code().to_owned()),
        role: Set(role.code().to_owned()),
        administration_id: Set(administration_id),
        supplier_id: Set(supplier_id),
        supplier_vat: Set(vat),
        supplier_name: Set(name),
        supplier_email: Set(email),
        organisation_key: Set(key),
        note: Set(note),
        state: Set(AccessRequestState::Pending.code().to_owned()),
        reason: Set(None),
        decided_by: Set(None),
        decided_at: Set(None),
        reminded_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if is_pending_clash(&e) {
            OnboardingError::Conflict(format!(
                "you already asked to act for {org_name}: wait for the department's decision or withdraw that request"
            ))
        } else {
            OnboardingError::Db(e)
        }
    })?;
    audit::record(
        &txn,
        &principal.actor(),
        Change {
            entity_type: nuvola_shared::EntityType::OnboardingRequest,
            entity_id: model.id.to_string(),
            action: "ACCESS_REQUESTED",
            application_id: None,
            before: None,
            after: Some(snapshot(&model)),
        },
    )
    .await?;
    let who = principal
        .display_name
        .clone()
        .unwrap_or_else(|| principal.username.clone());
    notify(
        &txn,
        None,
        NotificationKind::AccessRequested,
        format!("{who} chiede di operare per {org_name}: la richiesta attende la decisione del Dipartimento."),
        format!("{who} asks to act for {org_name}: the request waits for the department's decision."),
        format!("ACCESS_REQUESTED:{}", model.id),
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// The requests of one person, newest first.
pub async fn mine(
    db: &DatabaseConnection,
    account_id: i32,
) -> Result<Vec<onboarding_request::Model>, DbErr> {
    onboarding_request::Entity::find()
        .filter(onboarding_request::Column::AccountId.eq(account_id))
        .order_by_desc(onboarding_request::Column::Id)
        .all(db)
        .await
}

/// The filters of the department's queue.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub state: Option<AccessRequestState>,
    pub kind: Option<OrganisationKind>,
    /// Words of the person's name, username or fiscal code, or of the organisation's
    /// name, IPA code or VAT number, ignoring case.
    pub search: Option<String>,
}

/// A page of the queue.
#[derive(Debug, Clone)]
pub struct QueuePage {
    pub items: Vec<onboarding_request::Model>,
    pub total: u64,
    pub has_next: bool,
}

fn lower_like(
    col: impl sea_orm::sea_query::IntoColumnRef,
    pattern: &str,
) -> sea_orm::sea_query::SimpleExpr {
    Expr::expr(Func::lower(Expr::col(col))).like(pattern)
}

fn queue_condition(filter: &QueueFilter) -> Condition {
    let mut cond = Condition::all();
    if let Some(state) = filter.state {
        cond = cond.add(onboarding_request::Column::State.eq(state.code()));
    }
    if let Some(kind) = filter.kind {
        cond = cond.add(onboarding_request::Column::Kind.eq(kind.code()));
    }
    if let Some(search) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        // LIKE's wildcards in the search are taken literally by dropping them.
        let words: String = search
            .chars()
            .filter(|c| *c != '%' && *c != '_' && !c.is_control())
            .collect::<String>()
            .to_lowercase();
        let pattern = format!("%{words}%");
        let people = Query::select()
            .column(account::Column::Id)
            .from(account::Entity)
            .cond_where(
                Condition::any()
                    .add(lower_like(
                        (account::Entity, account::Column::Username),
                        &pattern,
                    ))
                    .add(lower_like(
                        (account::Entity, account::Column::DisplayName),
                        &pattern,
                    ))
                    .add(lower_like(
                        (account::Entity, account::Column::FiscalCode),
                        &pattern,
                    )),
            )
            .to_owned();
        let bodies = Query::select()
            .column(administration::Column::Id)
            .from(administration::Entity)
            .cond_where(
                Condition::any()
                    .add(lower_like(
                        (administration::Entity, administration::Column::Name),
                        &pattern,
                    ))
                    .add(lower_like(
                        (administration::Entity, administration::Column::IpaKey),
                        &pattern,
                    )),
            )
            .to_owned();
        cond = cond.add(
            Condition::any()
                .add(onboarding_request::Column::AccountId.in_subquery(people))
                .add(onboarding_request::Column::AdministrationId.in_subquery(bodies))
                .add(lower_like(
                    (
                        onboarding_request::Entity,
                        onboarding_request::Column::SupplierName,
                    ),
                    &pattern,
                ))
                .add(lower_like(
                    (
                        onboarding_request::Entity,
                        onboarding_request::Column::SupplierVat,
                    ),
                    &pattern,
                )),
        );
    }
    cond
}

/// The department's queue: oldest first (the longest waiting on top), a page after the
/// id `after`, with the total of the filter.
pub async fn queue(
    db: &DatabaseConnection,
    filter: &QueueFilter,
    first: u64,
    after: Option<i32>,
) -> Result<QueuePage, DbErr> {
    let cond = queue_condition(filter);
    let total = onboarding_request::Entity::find()
        .filter(cond.clone())
        .count(db)
        .await?;
    let mut q = onboarding_request::Entity::find()
        .filter(cond)
        .order_by_asc(onboarding_request::Column::Id);
    if let Some(after) = after {
        q = q.filter(onboarding_request::Column::Id.gt(after));
    }
    let (items, has_next) = crate::service::paging::first(db, q, first).await?;
    Ok(QueuePage {
        items,
        total,
        has_next,
    })
}

async fn pending_for_update(
    txn: &DatabaseTransaction,
    id: i32,
) -> Result<onboarding_request::Model, OnboardingError> {
    let r = onboarding_request::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| OnboardingError::NotFound(format!("no request has the id {id}")))?;
    if r.state != AccessRequestState::Pending.code() {
        return Err(OnboardingError::Conflict(format!(
            "the request {id} is {} already: only a pending request can be decided or withdrawn",
            r.state
        )));
    }
    Ok(r)
}

async fn set_state(
    txn: &DatabaseTransaction,
    r: &onboarding_request::Model,
    state: AccessRequestState,
    decided_by: Option<i32>,
    reason: Option<String>,
) -> Result<onboarding_request::Model, DbErr> {
    let now = Utc::now();
    let mut active: onboarding_request::ActiveModel = r.clone().into();
    active.state = Set(state.code().to_owned());
    active.decided_by = Set(decided_by);
    active.decided_at = Set(Some(now));
    active.reason = Set(reason);
    active.updated_at = Set(now);
    active.update(txn).await
}

/// The person withdraws a pending request of theirs.
#[tracing::instrument(skip(db, principal), fields(account = principal.account_id))]
pub async fn withdraw(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i32,
) -> Result<onboarding_request::Model, OnboardingError> {
    let txn = crate::db::begin_write(db).await?;
    let r = pending_for_update(&txn, id).await?;
    if r.account_id != principal.account_id {
        return Err(OnboardingError::NotFound(format!(
            "you have no request with the id {id}"
        )));
    }
    let updated = set_state(&txn, &r, AccessRequestState::Withdrawn, None, None).await?;
    audit::record(
        &txn,
        &principal.actor(),
        Change {
            entity_type: nuvola_shared::EntityType::OnboardingRequest,
            entity_id: id.to_string(),
            action: "ACCESS_REQUEST_WITHDRAWN",
            application_id: None,
            before: Some(snapshot(&r)),
            after: Some(snapshot(&updated)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Whether the organisation already has an active referent.
pub async fn has_referent(
    db: &impl ConnectionTrait,
    administration_id: Option<i32>,
    supplier_id: Option<i32>,
) -> Result<bool, DbErr> {
    let mut q = membership::Entity::find()
        .filter(membership::Column::RemovedAt.is_null())
        .filter(membership::Column::IsReferent.eq(true));
    match (administration_id, supplier_id) {
        (Some(a), _) => q = q.filter(membership::Column::AdministrationId.eq(a)),
        (None, Some(s)) => q = q.filter(membership::Column::SupplierId.eq(s)),
        (None, None) => return Ok(false),
    }
    Ok(q.one(db).await?.is_some())
}

/// Gives a person a membership in the caller's transaction: the organisation's referent
/// when it has none yet (administrations and suppliers); its sessions that act for
/// nobody act for it from now on, when it is the person's only one.
pub(crate) async fn grant(
    txn: &DatabaseTransaction,
    account_id: i32,
    role: Role,
    administration_id: Option<i32>,
    supplier_id: Option<i32>,
    body_name: Option<String>,
    actor: &Actor,
) -> Result<membership::Model, OnboardingError> {
    let referent = (administration_id.is_some() || supplier_id.is_some())
        && !has_referent(txn, administration_id, supplier_id).await?;
    let now = Utc::now();
    let model = membership::ActiveModel {
        account_id: Set(account_id),
        role: Set(role.code().to_owned()),
        administration_id: Set(administration_id),
        supplier_id: Set(supplier_id),
        body_name: Set(body_name.clone()),
        created_at: Set(now),
        removed_at: Set(None),
        is_referent: Set(referent),
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
                "role": role.code(),
                "administrationId": administration_id,
                "supplierId": supplier_id,
                "bodyName": body_name,
                "isReferent": referent,
            })),
        },
    )
    .await?;
    let all = crate::service::membership::active_of(txn, account_id).await?;
    if all.len() == 1 {
        auth_token::Entity::update_many()
            .col_expr(auth_token::Column::MembershipId, Expr::value(model.id))
            .filter(auth_token::Column::AccountId.eq(account_id))
            .filter(auth_token::Column::Kind.eq(KIND_SESSION))
            .filter(auth_token::Column::MembershipId.is_null())
            .filter(auth_token::Column::RevokedAt.is_null())
            .exec(txn)
            .await?;
    }
    Ok(model)
}

/// The department approves a request: the membership (and the supplier, for a new one)
/// exist from this commit on. Nobody decides their own request.
#[tracing::instrument(skip(db, principal), fields(account = principal.account_id))]
pub async fn approve(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i32,
) -> Result<onboarding_request::Model, OnboardingError> {
    let txn = crate::db::begin_write(db).await?;
    let r = pending_for_update(&txn, id).await?;
    if r.account_id == principal.account_id {
        return Err(OnboardingError::Forbidden(
            "nobody may decide their own request: another person of the department must".to_owned(),
        ));
    }
    let actor = principal.actor();
    let role =
        Role::parse(&r.role).map_err(|e| OnboardingError::Db(DbErr::Custom(e.to_string())))?;
    let mut supplier_id = r.supplier_id;
    if r.kind == OrganisationKind::Supplier.code() && supplier_id.is_none() {
        let vat = r.supplier_vat.clone().unwrap_or_default();
        let existing = supplier::Entity::find()
            .filter(supplier::Column::VatNumber.eq(&vat))
            .one(&txn)
            .await?;
        supplier_id = Some(match existing {
            // Registered meanwhile (by another request): the person joins it.
            Some(s) => s.id,
            None => {
                let now = Utc::now();
                let s = supplier::ActiveModel {
                    vat_number: Set(vat.clone()),
                    name: Set(r.supplier_name.clone().unwrap_or_else(|| vat.clone())),
                    is_psn: Set(false),
                    qualified_until: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                audit::record(
                    &txn,
                    &actor,
                    Change {
                        entity_type: nuvola_shared::EntityType::Supplier,
                        entity_id: s.id.to_string(),
                        action: "SUPPLIER_REGISTERED",
                        application_id: None,
                        before: None,
                        after: Some(json!({
                            "vatNumber": s.vat_number,
                            "name": s.name,
                            "email": r.supplier_email,
                            "requestId": r.id,
                        })),
                    },
                )
                .await?;
                s.id
            }
        });
    }
    if already_member(&txn, r.account_id, r.administration_id, supplier_id).await? {
        return Err(OnboardingError::Conflict(
            "the person already acts for this organisation: reject or let them withdraw the request".to_owned(),
        ));
    }
    let membership = grant(
        &txn,
        r.account_id,
        role,
        r.administration_id,
        supplier_id,
        None,
        &actor,
    )
    .await?;
    let mut active: onboarding_request::ActiveModel = r.clone().into();
    active.supplier_id = Set(supplier_id);
    let r2 = active.update(&txn).await?;
    let updated = set_state(
        &txn,
        &r2,
        AccessRequestState::Approved,
        Some(principal.account_id),
        None,
    )
    .await?;
    audit::record(
        &txn,
        &actor,
        Change {
            entity_type: nuvola_shared::EntityType::OnboardingRequest,
            entity_id: id.to_string(),
            action: "ACCESS_REQUEST_APPROVED",
            application_id: None,
            before: Some(snapshot(&r)),
            after: Some(json!({
                "state": updated.state,
                "membershipId": membership.id,
                "isReferent": membership.is_referent,
                "supplierId": supplier_id,
            })),
        },
    )
    .await?;
    let org = organisation_name(&txn, &updated).await?;
    let (referent_it, referent_en) = if membership.is_referent {
        (
            " Sei il referente dell'ente: puoi invitare i colleghi dalla pagina dei membri.",
            " You are its referent: you can invite colleagues from the members page.",
        )
    } else {
        ("", "")
    };
    notify(
        &txn,
        Some(r.account_id),
        NotificationKind::AccessApproved,
        format!("Il Dipartimento ha approvato la tua richiesta: ora operi per {org}.{referent_it}"),
        format!("The department approved your request: you now act for {org}.{referent_en}"),
        format!("ACCESS_APPROVED:{id}"),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// The department rejects a request with its reason, which the person reads.
#[tracing::instrument(skip(db, principal, reason), fields(account = principal.account_id))]
pub async fn reject(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i32,
    reason: &str,
) -> Result<onboarding_request::Model, OnboardingError> {
    let reason = check_reason(reason).map_err(|e| parse_err("reason", e))?;
    let txn = crate::db::begin_write(db).await?;
    let r = pending_for_update(&txn, id).await?;
    if r.account_id == principal.account_id {
        return Err(OnboardingError::Forbidden(
            "nobody may decide their own request: another person of the department must".to_owned(),
        ));
    }
    let updated = set_state(
        &txn,
        &r,
        AccessRequestState::Rejected,
        Some(principal.account_id),
        Some(reason.clone()),
    )
    .await?;
    audit::record(
        &txn,
        &principal.actor(),
        Change {
            entity_type: nuvola_shared::EntityType::OnboardingRequest,
            entity_id: id.to_string(),
            action: "ACCESS_REQUEST_REJECTED",
            application_id: None,
            before: Some(snapshot(&r)),
            after: Some(json!({ "state": updated.state, "reason": reason })),
        },
    )
    .await?;
    let org = organisation_name(&txn, &updated).await?;
    notify(
        &txn,
        Some(r.account_id),
        NotificationKind::AccessRejected,
        format!(
            "Il Dipartimento ha respinto la tua richiesta di operare per {org}. Motivo: {reason}"
        ),
        format!("The department rejected your request to act for {org}. Reason: {reason}"),
        format!("ACCESS_REJECTED:{id}"),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// What a [`sweep`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Requests the department was reminded of (in one notification).
    pub requests_reminded: usize,
    pub requests_expired: usize,
    pub invitations_reminded: usize,
    pub invitations_expired: usize,
}

/// Takes the job's row lock for the rest of the transaction (and records the run).
async fn lock(txn: &DatabaseTransaction, now: DateTime<Utc>) -> Result<(), DbErr> {
    let touch = || {
        scheduled_job::Entity::update_many()
            .col_expr(
                scheduled_job::Column::LastRunOn,
                Expr::value(now.date_naive()),
            )
            .col_expr(scheduled_job::Column::LastRunAt, Expr::value(now))
            .filter(scheduled_job::Column::Name.eq(JOB))
    };
    if touch().exec(txn).await?.rows_affected == 0 {
        scheduled_job::Entity::insert(scheduled_job::ActiveModel {
            name: Set(JOB.to_owned()),
            last_run_on: Set(None),
            last_run_at: Set(None),
        })
        .on_conflict_do_nothing()
        .exec_without_returning(txn)
        .await?;
        touch().exec(txn).await?;
    }
    Ok(())
}

/// Reminds and expires what waits too long, as of `now`: requests pending for
/// `REQUEST_REMIND_AFTER_DAYS` are reminded to the department (one notification for
/// all, again every as many days), those pending for `REQUEST_EXPIRE_AFTER_DAYS` expire
/// (the person is told); invitations within `INVITATION_REMIND_DAYS_LEFT` days of their
/// expiry are reminded to the invitee once, by e-mail, and expire at their expiry.
/// Replica-safe: the `onboarding` row of `scheduled_job` is taken first, in the same
/// transaction, and what was done is marked in it (`reminded_at`, the state).
#[tracing::instrument(skip(db))]
pub async fn sweep(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<SweepReport, DbErr> {
    let mut report = SweepReport::default();
    let txn = crate::db::begin_write(db).await?;
    lock(&txn, now).await?;
    let system = Actor::system("onboarding");

    // Requests that waited too long expire.
    let expired = onboarding_request::Entity::find()
        .filter(onboarding_request::Column::State.eq(AccessRequestState::Pending.code()))
        .filter(
            onboarding_request::Column::CreatedAt
                .lte(now - Duration::days(REQUEST_EXPIRE_AFTER_DAYS)),
        )
        .all(&txn)
        .await?;
    for r in &expired {
        let updated = set_state(&txn, r, AccessRequestState::Expired, None, None).await?;
        audit::record(
            &txn,
            &system,
            Change {
                entity_type: nuvola_shared::EntityType::OnboardingRequest,
                entity_id: r.id.to_string(),
                action: "ACCESS_REQUEST_EXPIRED",
                application_id: None,
                before: Some(snapshot(r)),
                after: Some(snapshot(&updated)),
            },
        )
        .await?;
        let org = organisation_name(&txn, r).await?;
        notify(
            &txn,
            Some(r.account_id),
            NotificationKind::AccessRequestExpired,
            format!("La tua richiesta di operare per {org} è scaduta dopo {REQUEST_EXPIRE_AFTER_DAYS} giorni senza decisione: puoi presentarla di nuovo."),
            format!("Your request to act for {org} expired after {REQUEST_EXPIRE_AFTER_DAYS} days without a decision: you may ask again."),
            format!("ACCESS_REQUEST_EXPIRED:{}", r.id),
        )
        .await?;
        report.requests_expired += 1;
    }

    // Requests waiting long enough are reminded to the department, each again only
    // after as many days.
    let due = now - Duration::days(REQUEST_REMIND_AFTER_DAYS);
    let waiting = onboarding_request::Entity::find()
        .filter(onboarding_request::Column::State.eq(AccessRequestState::Pending.code()))
        .filter(onboarding_request::Column::CreatedAt.lte(due))
        .filter(
            Condition::any()
                .add(onboarding_request::Column::RemindedAt.is_null())
                .add(onboarding_request::Column::RemindedAt.lte(due)),
        )
        .order_by_asc(onboarding_request::Column::Id)
        .all(&txn)
        .await?;
    if !waiting.is_empty() {
        let ids: Vec<i32> = waiting.iter().map(|r| r.id).collect();
        onboarding_request::Entity::update_many()
            .col_expr(onboarding_request::Column::RemindedAt, Expr::value(now))
            .filter(onboarding_request::Column::Id.is_in(ids.clone()))
            .exec(&txn)
            .await?;
        let n = waiting.len();
        let oldest = waiting.iter().map(|r| r.created_at).min().unwrap_or(now);
        let days = (now - oldest).num_days();
        let (it, en) = if n == 1 {
            (
                format!("Una richiesta di accesso attende la decisione del Dipartimento da {days} giorni."),
                format!("One request for access has waited {days} days for the department's decision."),
            )
        } else {
            (
                format!("{n} richieste di accesso attendono la decisione del Dipartimento, la più vecchia da {days} giorni."),
                format!("{n} requests for access wait for the department's decision, the oldest for {days} days."),
            )
        };
        notify(
            &txn,
            None,
            NotificationKind::AccessRequestsWaiting,
            it,
            en,
            format!(
                "ACCESS_REQUESTS_WAITING:{}:{}:{n}",
                now.date_naive(),
                ids.iter().max().copied().unwrap_or_default()
            ),
        )
        .await?;
        report.requests_reminded = n;
    }

    // Invitations past their expiry expire.
    let stale = invitation::Entity::find()
        .filter(invitation::Column::State.eq(nuvola_shared::InvitationState::Pending.code()))
        .filter(invitation::Column::ExpiresAt.lte(now))
        .all(&txn)
        .await?;
    for inv in &stale {
        invitation::Entity::update_many()
            .col_expr(
                invitation::Column::State,
                Expr::value(nuvola_shared::InvitationState::Expired.code()),
            )
            .col_expr(invitation::Column::DecidedAt, Expr::value(now))
            .filter(invitation::Column::Id.eq(inv.id))
            .exec(&txn)
            .await?;
        audit::record(
            &txn,
            &system,
            Change {
                entity_type: nuvola_shared::EntityType::Invitation,
                entity_id: inv.id.to_string(),
                action: "INVITATION_EXPIRED",
                application_id: None,
                before: Some(json!({ "state": inv.state, "expiresAt": inv.expires_at })),
                after: Some(json!({ "state": "EXPIRED" })),
            },
        )
        .await?;
        report.invitations_expired += 1;
    }

    // Invitations about to expire are reminded to the invitee, once.
    let soon = invitation::Entity::find()
        .filter(invitation::Column::State.eq(nuvola_shared::InvitationState::Pending.code()))
        .filter(invitation::Column::ExpiresAt.gt(now))
        .filter(
            invitation::Column::ExpiresAt.lte(now + Duration::days(INVITATION_REMIND_DAYS_LEFT)),
        )
        .filter(invitation::Column::RemindedAt.is_null())
        .all(&txn)
        .await?;
    for inv in &soon {
        invitation::Entity::update_many()
            .col_expr(invitation::Column::RemindedAt, Expr::value(now))
            .filter(invitation::Column::Id.eq(inv.id))
            .exec(&txn)
            .await?;
        crate::service::invitations::enqueue_mail(&txn, inv, None).await?;
        report.invitations_reminded += 1;
    }
    txn.commit().await?;
    if report != SweepReport::default() {
        tracing::info!(?report, "onboarding reminders and expiries");
    }
    Ok(report)
}

/// A public, paged search of administrations by name or IPA code (the onboarding
/// form's picker): at most `first` after the first `offset`, by name.
pub async fn search_administrations(
    db: &DatabaseConnection,
    text: &str,
    first: u64,
    offset: u64,
) -> Result<(Vec<administration::Model>, u64), OnboardingError> {
    let words: String = text
        .trim()
        .chars()
        .filter(|c| *c != '%' && *c != '_' && !c.is_control())
        .collect::<String>()
        .to_lowercase();
    if words.chars().count() < 2 {
        return Err(invalid(
            "text",
            "type at least 2 characters of the name or of the IPA code",
        ));
    }
    if words.chars().count() > 100 {
        return Err(invalid("text", "a search has at most 100 characters"));
    }
    let pattern = format!("%{words}%");
    let cond = Condition::any()
        .add(lower_like(
            (administration::Entity, administration::Column::Name),
            &pattern,
        ))
        .add(lower_like(
            (administration::Entity, administration::Column::IpaKey),
            &pattern,
        ));
    let total = administration::Entity::find()
        .filter(cond.clone())
        .count(db)
        .await?;
    let items = administration::Entity::find()
        .filter(cond)
        .order_by_asc(administration::Column::Name)
        .order_by_asc(administration::Column::Id)
        .offset(offset)
        .limit(first)
        .all(db)
        .await?;
    Ok((items, total))
}
