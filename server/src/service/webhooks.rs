//! Webhooks for third parties: an organisation (or the department, for public events)
//! registers an endpoint and the event kinds it wants; each change of those kinds that
//! the owner may read becomes a delivery in the outbox, in the change's own transaction
//! (`audit::record_many` calls [`enqueue_for_changes`]), and the outbox worker POSTs it,
//! signed:
//!
//! ```text
//! Nuvola-Webhook-Id:        evt_…   (the same on every retry and replay: de-duplicate on it)
//! Nuvola-Webhook-Event:     PROJECT_STATE_CHANGED
//! Nuvola-Webhook-Timestamp: 1764460800          (Unix seconds of this attempt)
//! Nuvola-Webhook-Signature: v1=hex(HMAC-SHA256(secret, "{timestamp}.{body}"))
//! ```
//!
//! What a webhook carries is decided by the rules of `service::access` for its owner,
//! as if the owner had asked through the API: a supplier hears only of its own services
//! and the projects it works on, never of verification requests; an administration only
//! of its own projects; the department of everything.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::time::Duration;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use chrono::Utc;
use hmac::{Hmac, Mac};
use nuvola_shared::notify::{is_public, WebhookEvent, WebhookUrl};
use nuvola_shared::{EntityType, ParseError, Role};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::audit::{self, Change};
use crate::entity::{application, delivery, document, planned_service, webhook};
use crate::service::access::{self, PlanScope};
use crate::service::auth::Principal;
use crate::service::outbox::{self, Answer, NewDelivery};

/// The most webhooks one organisation may register.
pub const MAX_WEBHOOKS: u64 = 10;

/// The signature of `body` sent at `timestamp` (Unix seconds), as the
/// `Nuvola-Webhook-Signature` header carries it: `v1=` and the lowercase hex of
/// HMAC-SHA256 keyed by the webhook's secret over `"{timestamp}.{body}"`.
pub fn sign(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        // HMAC takes keys of any length; this branch cannot be taken.
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Sends webhook deliveries over HTTP(S).
#[derive(Clone)]
pub struct WebhookSender {
    client: reqwest::Client,
    /// Whether endpoints on private and loopback addresses are called (tests, development);
    /// off in production mode.
    allow_private: bool,
}

impl WebhookSender {
    pub fn new(allow_private: bool, timeout: Duration) -> anyhow::Result<Self> {
        let mut builder = reqwest::Client::builder();
        if !allow_private {
            // The connection itself goes only to public addresses: a name that resolved
            // to a public address for the check below and to a private one a moment
            // later (DNS rebinding) is refused when connecting.
            builder = builder.dns_resolver(std::sync::Arc::new(PublicOnly));
        }
        let client = builder
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            // A redirect could lead anywhere, private addresses included.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Nuvola-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            client,
            allow_private,
        })
    }

    /// One attempt: POST the body, signed now; a 2xx answer is a success.
    pub async fn send(&self, hook: &webhook::Model, d: &delivery::Model) -> Answer {
        if !self.allow_private {
            if let Err(why) = resolves_publicly(&d.recipient).await {
                return Answer::failed(why);
            }
        }
        let timestamp = Utc::now().timestamp();
        let result = self
            .client
            .post(&d.recipient)
            .header("content-type", "application/json")
            .header("nuvola-webhook-id", &d.event_id)
            .header("nuvola-webhook-event", &d.kind)
            .header("nuvola-webhook-timestamp", timestamp.to_string())
            .header(
                "nuvola-webhook-signature",
                sign(&hook.secret, timestamp, &d.payload),
            )
            .body(d.payload.clone())
            .send()
            .await;
        match result {
            Ok(response) => {
                let status = response.status();
                let body = response.text().await.unwrap_or_default();
                let start: String = body.chars().take(200).collect();
                let text = format!("HTTP {}: {}", status.as_u16(), start.trim());
                if status.is_success() {
                    Answer::ok(text)
                } else {
                    Answer::failed(text)
                }
            }
            Err(e) => Answer::failed(describe(&e)),
        }
    }
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "no answer in time".to_owned()
    } else if e.is_connect() {
        "could not connect".to_owned()
    } else {
        format!("request failed: {e}")
    }
}

/// The resolver of production's webhook client: a name's addresses, refused whole when
/// any of them is not public.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            // The port is the URL's: the connector sets it on each address.
            let addresses: Vec<std::net::SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            all_public(addresses.iter().map(|a| a.ip()))?;
            let addrs: reqwest::dns::Addrs = Box::new(addresses.into_iter());
            Ok(addrs)
        })
    }
}

/// In production, the endpoint's name must resolve to public addresses only.
async fn resolves_publicly(url: &str) -> Result<(), String> {
    let parsed = WebhookUrl::parse(url, false).map_err(|e| e.reason)?;
    let host = parsed.host().to_owned();
    let port = if url.to_ascii_lowercase().starts_with("http://") {
        80
    } else {
        443
    };
    let addresses: Vec<IpAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|_| "the endpoint's name does not resolve".to_owned())?
            .map(|a| a.ip())
            .collect(),
    };
    all_public(addresses).map_err(str::to_owned)
}

/// The rule of both checks: a name with no address, or any address that is not public,
/// is refused.
fn all_public(addresses: impl IntoIterator<Item = IpAddr>) -> Result<(), &'static str> {
    let mut any = false;
    for ip in addresses {
        if !is_public(ip) {
            return Err(REFUSED_PRIVATE);
        }
        any = true;
    }
    if any {
        Ok(())
    } else {
        Err(REFUSED_PRIVATE)
    }
}

const REFUSED_PRIVATE: &str = "refused: the endpoint resolves to a private or loopback address";

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{field}: {error}")]
    Invalid {
        field: &'static str,
        error: ParseError,
    },
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// The roles that may own a webhook: organisations and the department.
pub const OWNERS: [Role; 4] = [
    Role::Administration,
    Role::Supplier,
    Role::Psn,
    Role::Department,
];

fn owner_of(principal: &Principal) -> Result<(), WebhookError> {
    if principal.read_only || !OWNERS.contains(&principal.role) {
        return Err(WebhookError::Forbidden(
            "only an organisation or the department registers webhooks".to_owned(),
        ));
    }
    Ok(())
}

/// Whether `principal` owns `hook` (any account of the same organisation does).
pub fn owns(principal: &Principal, hook: &webhook::Model) -> bool {
    if principal.read_only || hook.owner_role != principal.role.code() {
        return false;
    }
    match principal.role {
        Role::Department => true,
        Role::Administration => {
            principal.administration_id.is_some()
                && hook.administration_id == principal.administration_id
        }
        Role::Supplier | Role::Psn => {
            principal.supplier_id.is_some() && hook.supplier_id == principal.supplier_id
        }
        _ => false,
    }
}

fn owned_by(principal: &Principal) -> sea_orm::Condition {
    let mut c = sea_orm::Condition::all().add(webhook::Column::OwnerRole.eq(principal.role.code()));
    match principal.role {
        Role::Administration => {
            c = c.add(webhook::Column::AdministrationId.eq(principal.administration_id))
        }
        Role::Supplier | Role::Psn => {
            c = c.add(webhook::Column::SupplierId.eq(principal.supplier_id))
        }
        _ => {}
    }
    c
}

/// A new webhook and its signing secret, shown this once.
pub struct Registered {
    pub webhook: webhook::Model,
    pub secret: String,
}

/// Registers an endpoint for the caller's organisation. `allow_private` is off in
/// production: then only HTTPS, and no name or address that is private or loopback.
#[tracing::instrument(skip(db, principal, kinds), fields(user = %principal.username))]
pub async fn register(
    db: &DatabaseConnection,
    principal: &Principal,
    url: &str,
    kinds: &[String],
    allow_private: bool,
) -> Result<Registered, WebhookError> {
    let url = WebhookUrl::parse(url, allow_private).map_err(|error| WebhookError::Invalid {
        field: "url",
        error,
    })?;
    let mut events = Vec::new();
    for k in kinds {
        let e = WebhookEvent::parse(k).map_err(|error| WebhookError::Invalid {
            field: "kinds",
            error,
        })?;
        if !events.contains(&e) {
            events.push(e);
        }
    }
    if events.is_empty() {
        return Err(WebhookError::Invalid {
            field: "kinds",
            error: ParseError::new("kinds", "", "name at least one event kind"),
        });
    }
    owner_of(principal)?;
    if !allow_private {
        resolves_publicly(url.as_str())
            .await
            .map_err(|why| WebhookError::Invalid {
                field: "url",
                error: ParseError::new("url", url.as_str(), why),
            })?;
    }
    let mut bytes = [0u8; 24];
    OsRng.fill_bytes(&mut bytes);
    let secret = format!("whsec_{}", hex::encode(bytes));
    let txn = crate::db::begin_write(db).await?;
    let existing = webhook::Entity::find()
        .filter(owned_by(principal))
        .filter(webhook::Column::Active.eq(true))
        .count(&txn)
        .await?;
    if existing >= MAX_WEBHOOKS {
        return Err(WebhookError::Conflict(format!(
            "an organisation may have at most {MAX_WEBHOOKS} webhooks: remove one first"
        )));
    }
    let (administration_id, supplier_id) = match principal.role {
        Role::Administration => (principal.administration_id, None),
        Role::Supplier | Role::Psn => (None, principal.supplier_id),
        _ => (None, None),
    };
    let kinds: Vec<&str> = events.iter().map(|e| e.code()).collect();
    let model = webhook::ActiveModel {
        owner_role: Set(principal.role.code().to_owned()),
        administration_id: Set(administration_id),
        supplier_id: Set(supplier_id),
        url: Set(url.as_str().to_owned()),
        secret: Set(secret.clone()),
        kinds: Set(kinds.join(",")),
        active: Set(true),
        created_by: Set(Some(principal.account_id)),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        &principal.actor(),
        Change {
            entity_type: nuvola_shared::EntityType::Webhook,
            entity_id: model.id.to_string(),
            action: "WEBHOOK_REGISTERED",
            application_id: None,
            before: None,
            after: Some(json!({ "url": model.url, "kinds": kinds })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(Registered {
        webhook: model,
        secret,
    })
}

/// The caller's organisation's webhooks (active ones), oldest first.
pub async fn list(
    db: &DatabaseConnection,
    principal: &Principal,
) -> Result<Vec<webhook::Model>, WebhookError> {
    owner_of(principal)?;
    Ok(webhook::Entity::find()
        .filter(owned_by(principal))
        .filter(webhook::Column::Active.eq(true))
        .order_by_asc(webhook::Column::Id)
        .all(db)
        .await?)
}

/// Removes (deactivates) one of the caller's webhooks; its deliveries stay readable
/// in the log, and pending ones fail at their next attempt.
pub async fn remove(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i32,
) -> Result<webhook::Model, WebhookError> {
    owner_of(principal)?;
    let txn = crate::db::begin_write(db).await?;
    let hook = webhook::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .filter(|h| owns(principal, h) && h.active)
        .ok_or_else(|| WebhookError::NotFound("you have no webhook with this id".to_owned()))?;
    let mut active: webhook::ActiveModel = hook.clone().into();
    active.active = Set(false);
    let updated = active.update(&txn).await?;
    audit::record(
        &txn,
        &principal.actor(),
        Change {
            entity_type: nuvola_shared::EntityType::Webhook,
            entity_id: hook.id.to_string(),
            action: "WEBHOOK_REMOVED",
            application_id: None,
            before: Some(json!({ "url": hook.url })),
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// The deliveries of one of the caller's webhooks, newest first.
pub async fn deliveries(
    db: &DatabaseConnection,
    hook_id: i32,
    failed_only: bool,
    first: u64,
) -> Result<Vec<delivery::Model>, DbErr> {
    let mut q = delivery::Entity::find()
        .filter(delivery::Column::WebhookId.eq(hook_id))
        .order_by_desc(delivery::Column::Id);
    if failed_only {
        q = q.filter(delivery::Column::Status.eq(outbox::FAILED));
    }
    q.limit(first).all(db).await
}

/// Sends one delivery again: the owner of its webhook replays any of them, the
/// department resends any delivery (e-mail or webhook). Same event id and body.
#[tracing::instrument(skip(db, principal), fields(user = %principal.username))]
pub async fn replay(
    db: &DatabaseConnection,
    principal: &Principal,
    delivery_id: i32,
) -> Result<delivery::Model, WebhookError> {
    if principal.read_only {
        return Err(WebhookError::Forbidden(
            "API tokens are read-only".to_owned(),
        ));
    }
    let txn = crate::db::begin_write(db).await?;
    let not_found = || WebhookError::NotFound("you have no delivery with this id".to_owned());
    let d = delivery::Entity::find_by_id(delivery_id)
        .one(&txn)
        .await?
        .ok_or_else(not_found)?;
    let allowed = if principal.role == Role::Department {
        true
    } else {
        match d.webhook_id {
            Some(id) => webhook::Entity::find_by_id(id)
                .one(&txn)
                .await?
                .is_some_and(|h| owns(principal, &h)),
            None => false,
        }
    };
    if !allowed {
        if OWNERS.contains(&principal.role) {
            return Err(not_found());
        }
        return Err(WebhookError::Forbidden(
            "only the owner of a webhook or the department sends a delivery again".to_owned(),
        ));
    }
    if d.status == outbox::PENDING {
        return Err(WebhookError::Conflict(
            "this delivery is still being sent".to_owned(),
        ));
    }
    outbox::requeue(&txn, &d).await?;
    audit::record(
        &txn,
        &principal.actor(),
        Change {
            entity_type: nuvola_shared::EntityType::Delivery,
            entity_id: d.id.to_string(),
            action: "DELIVERY_REPLAYED",
            application_id: None,
            before: Some(json!({ "status": d.status, "attempts": d.attempts })),
            after: Some(json!({ "status": outbox::PENDING })),
        },
    )
    .await?;
    let updated = delivery::Entity::find_by_id(d.id)
        .one(&txn)
        .await?
        .ok_or_else(not_found)?;
    txn.commit().await?;
    Ok(updated)
}

/// Failed deliveries of every channel, newest first (the department's view).
pub async fn failed(db: &DatabaseConnection, first: u64) -> Result<Vec<delivery::Model>, DbErr> {
    delivery::Entity::find()
        .filter(delivery::Column::Status.eq(outbox::FAILED))
        .order_by_desc(delivery::Column::Id)
        .limit(first)
        .all(db)
        .await
}

/// The webhook event an audited change is, if any.
fn event_of(change: &Change<'_>) -> Option<WebhookEvent> {
    Some(match (change.entity_type, change.action) {
        (EntityType::Application, "STATE_CHANGED") => WebhookEvent::ProjectStateChanged,
        (EntityType::PlannedService, "STATUS_CHANGED") => WebhookEvent::ServiceStatusChanged,
        (EntityType::VerificationRequest, "VERIFICATION_REQUEST_OPENED")
        | (EntityType::VerificationRequest, "VERIFICATION_REQUEST_REOPENED") => {
            WebhookEvent::RequestOpened
        }
        (EntityType::VerificationRequest, "VERIFICATION_REQUEST_ANSWERED") => {
            WebhookEvent::RequestAnswered
        }
        (EntityType::Document, "DOCUMENT_UPLOADED") => WebhookEvent::DocumentUploaded,
        _ => return None,
    })
}

/// The owner of a webhook as the access rules see it.
fn owner_principal(hook: &webhook::Model) -> Option<Principal> {
    Some(Principal {
        account_id: 0,
        username: format!("webhook-{}", hook.id),
        display_name: None,
        role: Role::parse(&hook.owner_role).ok()?,
        administration_id: hook.administration_id,
        supplier_id: hook.supplier_id,
        token_id: 0,
        read_only: false,
        membership_id: None,
    })
}

fn text(v: Option<&Value>, key: &str) -> Value {
    v.and_then(|v| v.get(key)).cloned().unwrap_or(Value::Null)
}

/// Writes a delivery for every active webhook that wants one of `changes` and whose
/// owner may read it, in the caller's transaction (called by `audit::record_many`).
pub async fn enqueue_for_changes(
    db: &impl ConnectionTrait,
    changes: &[Change<'_>],
) -> Result<(), DbErr> {
    let relevant: Vec<(WebhookEvent, &Change<'_>)> = changes
        .iter()
        .filter_map(|c| event_of(c).map(|e| (e, c)))
        .filter(|(_, c)| c.application_id.is_some())
        .collect();
    if relevant.is_empty() {
        return Ok(());
    }
    let hooks = webhook::Entity::find()
        .filter(webhook::Column::Active.eq(true))
        .all(db)
        .await?;
    if hooks.is_empty() {
        return Ok(());
    }
    let project_ids: HashSet<i32> = relevant
        .iter()
        .filter_map(|(_, c)| c.application_id)
        .collect();
    let projects: HashMap<i32, application::Model> = application::Entity::find()
        .filter(application::Column::Id.is_in(project_ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    // Which supplier works on which service of these projects.
    let services: HashMap<i32, planned_service::Model> = planned_service::Entity::find()
        .filter(planned_service::Column::ApplicationId.is_in(project_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let now = Utc::now();
    let mut items = Vec::new();
    for (event, change) in relevant {
        let Some(project) = change.application_id.and_then(|id| projects.get(&id)) else {
            continue;
        };
        let entity_id: Option<i32> = change.entity_id.parse().ok();
        let mut data = json!({ "cup": project.cup });
        let mut document = None;
        match event {
            WebhookEvent::ProjectStateChanged => {
                data["state"] = text(change.after.as_ref(), "state");
                data["previousState"] = text(change.before.as_ref(), "state");
            }
            WebhookEvent::ServiceStatusChanged => {
                let service = entity_id.and_then(|id| services.get(&id));
                data["serviceId"] = json!(change.entity_id);
                data["name"] = json!(service.map(|s| s.name.clone()));
                data["status"] = text(change.after.as_ref(), "status");
                data["previousStatus"] = text(change.before.as_ref(), "status");
            }
            WebhookEvent::RequestOpened | WebhookEvent::RequestAnswered => {
                data["requestId"] = json!(change.entity_id);
                data["title"] = text(change.after.as_ref(), "title");
                data["dueOn"] = text(change.after.as_ref(), "dueOn");
                data["state"] = text(change.after.as_ref(), "state");
            }
            WebhookEvent::DocumentUploaded => {
                let Some(id) = entity_id else { continue };
                let Some(doc) = document::Entity::find_by_id(id).one(db).await? else {
                    continue;
                };
                data["documentId"] = json!(change.entity_id);
                data["kind"] = json!(doc.kind);
                data["fileName"] = json!(doc.file_name);
                data["sizeBytes"] = json!(doc.size_bytes);
                data["sha256"] = json!(doc.sha256);
                document = Some(doc);
            }
        }
        for hook in &hooks {
            if !hook.kinds.split(',').any(|k| k == event.code()) {
                continue;
            }
            let Some(owner) = owner_principal(hook) else {
                continue;
            };
            let may_read = match event {
                WebhookEvent::ProjectStateChanged => {
                    match access::plan_scope(Some(&owner), project) {
                        PlanScope::Whole => true,
                        PlanScope::SupplierServices(id) => services
                            .values()
                            .any(|s| s.application_id == project.id && s.supplier_id == Some(id)),
                        PlanScope::Nothing => false,
                    }
                }
                WebhookEvent::ServiceStatusChanged => {
                    match access::plan_scope(Some(&owner), project) {
                        PlanScope::Whole => true,
                        PlanScope::SupplierServices(id) => entity_id
                            .and_then(|s| services.get(&s))
                            .is_some_and(|s| s.supplier_id == Some(id)),
                        PlanScope::Nothing => false,
                    }
                }
                WebhookEvent::RequestOpened | WebhookEvent::RequestAnswered => {
                    access::sees_verification(Some(&owner), project)
                }
                WebhookEvent::DocumentUploaded => match &document {
                    Some(doc) => {
                        crate::service::documents::may_read(db, Some(&owner), project, doc).await?
                    }
                    None => false,
                },
            };
            if !may_read {
                continue;
            }
            let mut bytes = [0u8; 16];
            OsRng.fill_bytes(&mut bytes);
            let event_id = format!("evt_{}", hex::encode(bytes));
            let body = json!({
                "id": event_id,
                "type": event.code(),
                "createdAt": now,
                "data": data,
            });
            items.push(NewDelivery {
                channel: outbox::WEBHOOK,
                recipient: hook.url.clone(),
                webhook_id: Some(hook.id),
                account_id: None,
                notification_id: None,
                event_id,
                kind: nuvola_shared::DeliveryKind::webhook(event),
                payload: body.to_string(),
            });
        }
    }
    if !items.is_empty() {
        outbox::enqueue(db, items).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use reqwest::dns::Resolve;

    use super::PublicOnly;

    #[tokio::test]
    async fn the_production_resolver_refuses_a_name_of_a_loopback_address() {
        let Ok(name) = "localhost".parse::<reqwest::dns::Name>() else {
            panic!("a name");
        };
        let refused = PublicOnly.resolve(name).await.err().map(|e| e.to_string());
        assert_eq!(
            refused.as_deref(),
            Some("refused: the endpoint resolves to a private or loopback address")
        );
    }
}
