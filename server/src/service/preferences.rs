//! How each account is told: its e-mail address and language, its mode per kind of
//! notification (immediate e-mail, daily digest, in the web application only), the
//! e-mail deliveries a new notification causes, the daily digest, and the one-click
//! unsubscribe link of digests.
//!
//! Mandatory notices (`nuvola_shared::notify::NotificationKind::mandatory`: a request or
//! a missed deadline that puts the funding at risk) cannot be set to IN_APP, and the
//! unsubscribe link leaves them alone.

use std::collections::HashMap;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use chrono::{NaiveDate, Utc};
use hmac::{Hmac, Mac};
use nuvola_shared::notify::{
    DeliveryMode, EmailAddress, Language, NotificationKind, NOTIFICATION_KINDS,
};
use nuvola_shared::{ParseError, Role};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;
use sha2::Sha256;

use crate::audit::{self, Actor, Change};
use crate::entity::{
    account, app_secret, membership, notification, notification_preference, scheduled_job,
};
use crate::service::auth::Principal;
use crate::service::mail::MailPayload;
use crate::service::outbox::{self, NewDelivery};

/// The row of the daily digest in `scheduled_job`.
pub const DIGEST_JOB: &str = "digests";

#[derive(Debug, thiserror::Error)]
pub enum PreferenceError {
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{field}: {error}")]
    Invalid {
        field: &'static str,
        error: ParseError,
    },
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// An account's settings as its preferences page shows them.
#[derive(Debug, Clone)]
pub struct Settings {
    pub email: Option<String>,
    pub language: Language,
    /// Every kind, with the mode in force (the default where none was chosen).
    pub modes: Vec<(NotificationKind, DeliveryMode)>,
}

fn writer(principal: &Principal) -> Result<(), PreferenceError> {
    if principal.read_only {
        return Err(PreferenceError::Forbidden(
            "API tokens are read-only: log in as a person to make changes".to_owned(),
        ));
    }
    Ok(())
}

/// The modes chosen by `accounts`, per (account, kind).
async fn chosen(
    db: &impl ConnectionTrait,
    accounts: Vec<i32>,
) -> Result<HashMap<(i32, String), DeliveryMode>, DbErr> {
    if accounts.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(notification_preference::Entity::find()
        .filter(notification_preference::Column::AccountId.is_in(accounts))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|p| {
            DeliveryMode::parse(&p.mode)
                .ok()
                .map(|m| ((p.account_id, p.kind), m))
        })
        .collect())
}

/// The mode in force for one account and kind: the chosen one, or the default; a
/// mandatory kind is never IN_APP.
fn mode_of(
    chosen: &HashMap<(i32, String), DeliveryMode>,
    account: i32,
    kind: &str,
) -> DeliveryMode {
    let parsed = NotificationKind::parse(kind).ok();
    let mode = chosen
        .get(&(account, kind.to_owned()))
        .copied()
        .or_else(|| parsed.map(NotificationKind::default_mode))
        .unwrap_or(DeliveryMode::Immediate);
    match parsed {
        Some(k) if k.check_mode(mode).is_err() => DeliveryMode::Immediate,
        _ => mode,
    }
}

pub async fn settings(
    db: &DatabaseConnection,
    principal: &Principal,
) -> Result<Settings, PreferenceError> {
    let acc = account::Entity::find_by_id(principal.account_id)
        .one(db)
        .await?
        .ok_or_else(|| PreferenceError::NotFound("the account is gone".to_owned()))?;
    let chosen = chosen(db, vec![acc.id]).await?;
    Ok(Settings {
        email: acc.email.clone(),
        language: Language::parse(&acc.language).unwrap_or(Language::It),
        modes: NOTIFICATION_KINDS
            .into_iter()
            .map(|k| (k, mode_of(&chosen, acc.id, k.code)))
            .collect(),
    })
}

/// Chooses how the caller is told of one kind. A mandatory kind refuses IN_APP.
#[tracing::instrument(skip(db, principal), fields(user = %principal.username))]
pub async fn set_mode(
    db: &DatabaseConnection,
    principal: &Principal,
    kind: &str,
    mode: DeliveryMode,
) -> Result<Settings, PreferenceError> {
    let kind = NotificationKind::parse(kind).map_err(|error| PreferenceError::Invalid {
        field: "kind",
        error,
    })?;
    kind.check_mode(mode)
        .map_err(|error| PreferenceError::Invalid {
            field: "mode",
            error,
        })?;
    writer(principal)?;
    let txn = crate::db::begin_write(db).await?;
    let before = chosen(&txn, vec![principal.account_id]).await?;
    let before = mode_of(&before, principal.account_id, kind.code);
    notification_preference::Entity::insert(notification_preference::ActiveModel {
        account_id: Set(principal.account_id),
        kind: Set(kind.code.to_owned()),
        mode: Set(mode.code().to_owned()),
        updated_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::columns([
            notification_preference::Column::AccountId,
            notification_preference::Column::Kind,
        ])
        .update_columns([
            notification_preference::Column::Mode,
            notification_preference::Column::UpdatedAt,
        ])
        .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    audit::record(
        &txn,
        &principal.actor(),
        Change {
            entity_type: nuvola_shared::EntityType::Account,
            entity_id: principal.account_id.to_string(),
            action: "NOTIFICATION_PREFERENCE_CHANGED",
            application_id: None,
            before: Some(json!({ "kind": kind.code, "mode": before.code() })),
            after: Some(json!({ "kind": kind.code, "mode": mode.code() })),
        },
    )
    .await?;
    txn.commit().await?;
    settings(db, principal).await
}

/// Sets where the caller's e-mail goes (none: nowhere) and in which language.
#[tracing::instrument(skip(db, principal, email), fields(user = %principal.username))]
pub async fn set_contact(
    db: &DatabaseConnection,
    principal: &Principal,
    email: Option<&str>,
    language: &str,
) -> Result<Settings, PreferenceError> {
    let email = email
        .filter(|e| !e.trim().is_empty())
        .map(EmailAddress::parse)
        .transpose()
        .map_err(|error| PreferenceError::Invalid {
            field: "email",
            error,
        })?;
    let language = Language::parse(language).map_err(|error| PreferenceError::Invalid {
        field: "language",
        error,
    })?;
    writer(principal)?;
    let txn = crate::db::begin_write(db).await?;
    account::Entity::update_many()
        .col_expr(
            account::Column::Email,
            Expr::value(email.as_ref().map(|e| e.as_str().to_owned())),
        )
        .col_expr(account::Column::Language, Expr::value(language.code()))
        .col_expr(account::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(account::Column::Id.eq(principal.account_id))
        .exec(&txn)
        .await?;
    // The address itself stays out of the audit log: it is personal data.
    audit::record(
        &txn,
        &principal.actor(),
        Change {
            entity_type: nuvola_shared::EntityType::Account,
            entity_id: principal.account_id.to_string(),
            action: "NOTIFICATION_CONTACT_CHANGED",
            application_id: None,
            before: None,
            after: Some(json!({ "email": email.is_some(), "language": language.code() })),
        },
    )
    .await?;
    txn.commit().await?;
    settings(db, principal).await
}

/// A principal for a person acting for one of its memberships, to ask what is
/// addressed to it.
fn as_principal(a: &account::Model, m: &membership::Model) -> Option<Principal> {
    Some(Principal {
        account_id: a.id,
        username: a.username.clone(),
        display_name: None,
        role: Role::parse(&m.role).ok()?,
        administration_id: m.administration_id,
        supplier_id: m.supplier_id,
        token_id: 0,
        read_only: false,
        membership_id: Some(m.id),
    })
}

/// Whether a notification reaches a person with an address, and as which of its
/// memberships (a notification named to the person reaches it as its first one).
fn reached_as<'m>(
    n: &notification::Model,
    a: &account::Model,
    memberships: &'m [membership::Model],
) -> Option<Option<&'m membership::Model>> {
    if a.disabled || a.email.is_none() {
        return None;
    }
    let own = || memberships.iter().filter(move |m| m.account_id == a.id);
    match n.account_id {
        Some(id) => (id == a.id).then(|| own().next()),
        None => own()
            .find(|m| {
                n.recipient_role.as_deref() == Some(m.role.as_str())
                    && (n.administration_id.is_none() || n.administration_id == m.administration_id)
            })
            .map(Some),
    }
}

/// The active memberships of these persons, oldest first.
async fn memberships_of(
    db: &impl ConnectionTrait,
    accounts: Vec<i32>,
) -> Result<Vec<membership::Model>, DbErr> {
    membership::Entity::find()
        .filter(membership::Column::AccountId.is_in(accounts))
        .filter(membership::Column::RemovedAt.is_null())
        .order_by_asc(membership::Column::Id)
        .all(db)
        .await
}

/// Writes the immediate e-mails that new notifications cause, in the caller's
/// transaction: one per person reached (through any of its memberships) that has an
/// address and wants this kind at once. Digests and in-app-only are left to
/// [`run_digests`] and the web application.
pub async fn email_new_notifications(
    db: &impl ConnectionTrait,
    notes: &[notification::Model],
) -> Result<usize, DbErr> {
    email_if(db, notes, |chosen, account, note| {
        mode_of(chosen, account, &note.kind) == DeliveryMode::Immediate
    })
    .await
}

/// Writes the immediate e-mails of a summary of reminders (`DEADLINE_REMINDERS_SUMMARY`),
/// which has no preference of its own: a person reached gets it at once when it wants
/// at least one of the `summed` kinds at once. Whoever wants them in the digest finds
/// the reminders themselves there; whoever wants them in the web application only gets
/// no e-mail.
pub async fn email_reminder_summary(
    db: &impl ConnectionTrait,
    summary: &notification::Model,
    summed: &[String],
) -> Result<usize, DbErr> {
    email_if(db, std::slice::from_ref(summary), |chosen, account, _| {
        summed
            .iter()
            .any(|kind| mode_of(chosen, account, kind) == DeliveryMode::Immediate)
    })
    .await
}

/// One immediate e-mail per note and person reached with an address for whom `wants`
/// holds.
async fn email_if(
    db: &impl ConnectionTrait,
    notes: &[notification::Model],
    wants: impl Fn(&HashMap<(i32, String), DeliveryMode>, i32, &notification::Model) -> bool,
) -> Result<usize, DbErr> {
    if notes.is_empty() {
        return Ok(0);
    }
    let mut roles: Vec<String> = notes
        .iter()
        .filter_map(|n| n.recipient_role.clone())
        .collect();
    roles.sort();
    roles.dedup();
    let mut wanted: Vec<i32> = notes.iter().filter_map(|n| n.account_id).collect();
    wanted.extend(
        membership::Entity::find()
            .filter(membership::Column::RemovedAt.is_null())
            .filter(membership::Column::Role.is_in(roles))
            .all(db)
            .await?
            .into_iter()
            .map(|m| m.account_id),
    );
    wanted.sort_unstable();
    wanted.dedup();
    let candidates = account::Entity::find()
        .filter(account::Column::Email.is_not_null())
        .filter(account::Column::Disabled.eq(false))
        .filter(account::Column::Id.is_in(wanted))
        .all(db)
        .await?;
    if candidates.is_empty() {
        return Ok(0);
    }
    let memberships = memberships_of(db, candidates.iter().map(|a| a.id).collect()).await?;
    let chosen = chosen(db, candidates.iter().map(|a| a.id).collect()).await?;
    let mut items = Vec::new();
    for n in notes {
        for a in &candidates {
            let Some(acting) = reached_as(n, a, &memberships) else {
                continue;
            };
            if !wants(&chosen, a.id, n) {
                continue;
            }
            let Some(email) = &a.email else { continue };
            let payload = MailPayload {
                account_id: a.id,
                role: acting.map_or_else(|| a.role.clone(), |m| m.role.clone()),
                language: a.language.clone(),
                notification_id: Some(n.id),
                digest: Vec::new(),
            };
            items.push(NewDelivery {
                channel: outbox::EMAIL,
                recipient: email.clone(),
                webhook_id: None,
                account_id: Some(a.id),
                notification_id: Some(n.id),
                event_id: format!("notification:{}:account:{}", n.id, a.id),
                kind: nuvola_shared::DeliveryKind::from_stored(&n.kind),
                payload: serde_json::to_string(&payload)
                    .map_err(|e| DbErr::Custom(e.to_string()))?,
            });
        }
    }
    outbox::enqueue(db, items).await
}

/// Sends each account that chose a digest for some kind one e-mail listing what it was
/// notified of, of those kinds, since its last digest. Once a day across replicas: the
/// run takes the `digests` row of `scheduled_job` and skips a day already done. Returns
/// how many digests it wrote.
#[tracing::instrument(skip(db))]
pub async fn run_digests(db: &DatabaseConnection, today: NaiveDate) -> Result<usize, DbErr> {
    let txn = crate::db::begin_write(db).await?;
    let claimed = scheduled_job::Entity::update_many()
        .col_expr(scheduled_job::Column::LastRunOn, Expr::value(today))
        .col_expr(scheduled_job::Column::LastRunAt, Expr::value(Utc::now()))
        .filter(scheduled_job::Column::Name.eq(DIGEST_JOB))
        .filter(
            Condition::any()
                .add(scheduled_job::Column::LastRunOn.is_null())
                .add(scheduled_job::Column::LastRunOn.lt(today)),
        )
        .exec(&txn)
        .await?;
    if claimed.rows_affected == 0 {
        return Ok(0);
    }
    let wanting: Vec<i32> = notification_preference::Entity::find()
        .filter(notification_preference::Column::Mode.eq(DeliveryMode::Digest.code()))
        .all(&txn)
        .await?
        .into_iter()
        .map(|p| p.account_id)
        .collect();
    let accounts = account::Entity::find()
        .filter(account::Column::Id.is_in(wanting))
        .filter(account::Column::Email.is_not_null())
        .filter(account::Column::Disabled.eq(false))
        .order_by_asc(account::Column::Id)
        .all(&txn)
        .await?;
    let chosen = chosen(&txn, accounts.iter().map(|a| a.id).collect()).await?;
    let memberships = memberships_of(&txn, accounts.iter().map(|a| a.id).collect()).await?;
    let mut written = 0;
    for a in &accounts {
        let Some(email) = &a.email else { continue };
        // What reaches the person through any of its memberships.
        let own: Vec<&membership::Model> = memberships
            .iter()
            .filter(|m| m.account_id == a.id)
            .collect();
        let addressed = own.iter().filter_map(|m| as_principal(a, m)).fold(
            Condition::any().add(notification::Column::AccountId.eq(a.id)),
            |any, p| any.add(crate::service::notifications::addressed_to(&p)),
        );
        let kinds: Vec<&str> = NOTIFICATION_KINDS
            .iter()
            .map(|k| k.code)
            .filter(|k| mode_of(&chosen, a.id, k) == DeliveryMode::Digest)
            .collect();
        let notes = notification::Entity::find()
            .filter(addressed)
            .filter(notification::Column::Id.gt(a.digest_cursor))
            .filter(notification::Column::Kind.is_in(kinds))
            .order_by_asc(notification::Column::Id)
            .all(&txn)
            .await?;
        let Some(last) = notes.last().map(|n| n.id) else {
            continue;
        };
        let payload = MailPayload {
            account_id: a.id,
            role: own
                .first()
                .map_or_else(|| a.role.clone(), |m| m.role.clone()),
            language: a.language.clone(),
            notification_id: None,
            digest: notes.iter().map(|n| n.id).collect(),
        };
        written += outbox::enqueue(
            &txn,
            vec![NewDelivery {
                channel: outbox::EMAIL,
                recipient: email.clone(),
                webhook_id: None,
                account_id: Some(a.id),
                notification_id: None,
                event_id: format!("digest:{}:{today}", a.id),
                kind: nuvola_shared::DeliveryKind::Digest,
                payload: serde_json::to_string(&payload)
                    .map_err(|e| DbErr::Custom(e.to_string()))?,
            }],
        )
        .await?;
        account::Entity::update_many()
            .col_expr(account::Column::DigestCursor, Expr::value(last))
            .filter(account::Column::Id.eq(a.id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(written)
}

/// The key of unsubscribe links, made once and shared by every replica.
async fn link_key(db: &impl ConnectionTrait) -> Result<String, DbErr> {
    const NAME: &str = "unsubscribe";
    if let Some(s) = app_secret::Entity::find_by_id(NAME.to_owned())
        .one(db)
        .await?
    {
        return Ok(s.value);
    }
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    app_secret::Entity::insert(app_secret::ActiveModel {
        name: Set(NAME.to_owned()),
        value: Set(hex::encode(bytes)),
    })
    .on_conflict(
        OnConflict::column(app_secret::Column::Name)
            .do_nothing()
            .to_owned(),
    )
    .do_nothing()
    .exec_without_returning(db)
    .await?;
    app_secret::Entity::find_by_id(NAME.to_owned())
        .one(db)
        .await?
        .map(|s| s.value)
        .ok_or_else(|| DbErr::RecordNotFound("the unsubscribe key".to_owned()))
}

fn mac(key: &str, account_id: i32) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).ok()?;
    mac.update(format!("unsubscribe:{account_id}").as_bytes());
    Some(mac)
}

/// The token of an account's unsubscribe link: HMAC-SHA256 of the account id under the
/// shared key. It does one thing (switch digests off) and never expires.
pub async fn unsubscribe_token(
    db: &impl ConnectionTrait,
    account_id: i32,
) -> Result<String, DbErr> {
    let key = link_key(db).await?;
    Ok(mac(&key, account_id)
        .map(|m| hex::encode(m.finalize().into_bytes()))
        .unwrap_or_default())
}

/// Switches the account's digests off (every kind in DIGEST that may be switched off
/// goes to IN_APP), if `token` is its unsubscribe token. Returns how many kinds changed;
/// NotFound for a wrong token.
pub async fn unsubscribe(
    db: &DatabaseConnection,
    account_id: i32,
    token: &str,
) -> Result<usize, PreferenceError> {
    let bad = || PreferenceError::NotFound("this unsubscribe link is not valid".to_owned());
    let key = link_key(db).await?;
    let given = hex::decode(token.trim()).map_err(|_| bad())?;
    mac(&key, account_id)
        .ok_or_else(bad)?
        .verify_slice(&given)
        .map_err(|_| bad())?;
    let txn = crate::db::begin_write(db).await?;
    let acc = account::Entity::find_by_id(account_id)
        .one(&txn)
        .await?
        .ok_or_else(bad)?;
    let chosen = chosen(&txn, vec![acc.id]).await?;
    let off: Vec<&str> = NOTIFICATION_KINDS
        .iter()
        .filter(|k| !k.mandatory && mode_of(&chosen, acc.id, k.code) == DeliveryMode::Digest)
        .map(|k| k.code)
        .collect();
    let now = Utc::now();
    for kind in &off {
        notification_preference::Entity::update_many()
            .col_expr(
                notification_preference::Column::Mode,
                Expr::value(DeliveryMode::InApp.code()),
            )
            .col_expr(notification_preference::Column::UpdatedAt, Expr::value(now))
            .filter(notification_preference::Column::AccountId.eq(acc.id))
            .filter(notification_preference::Column::Kind.eq(*kind))
            .exec(&txn)
            .await?;
    }
    audit::record(
        &txn,
        &Actor {
            account_id: Some(acc.id),
            role: acc.role.clone(),
            name: acc.username.clone(),
        },
        Change {
            entity_type: nuvola_shared::EntityType::Account,
            entity_id: acc.id.to_string(),
            action: "DIGEST_UNSUBSCRIBED",
            application_id: None,
            before: Some(json!({ "digest": off })),
            after: Some(json!({ "mode": DeliveryMode::InApp.code() })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(off.len())
}
