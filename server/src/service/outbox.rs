//! The outbox: every e-mail and webhook call is first a `delivery` row, written in the
//! transaction of the change (or notification) that causes it, then sent by a worker
//! that runs in every replica of `nuvola serve`.
//!
//! ```text
//! change ── txn { rows + event + notification + delivery (PENDING) } ── COMMIT
//! worker (each replica) ── claim: UPDATE … SET locked_until = now + LEASE, attempts + 1
//!                                 WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)  (PostgreSQL)
//!                                 one UPDATE under SQLite's single write lock      (SQLite)
//!        ── send (SMTP / HTTPS POST, at most `concurrency` at once)
//!        ── txn { DELIVERED | PENDING again with next_attempt_at = now + backoff | FAILED,
//!                 + one delivery_attempt row with the peer's answer }
//! ```
//!
//! At least once, never zero times: a replica that dies after sending and before
//! marking leaves the row PENDING with its lease, and another worker sends it again once
//! the lease expires; receivers de-duplicate by the event id (`Nuvola-Webhook-Id`).
//! Exactly once in the ordinary case: a claimed row is locked (PostgreSQL) or written
//! under the one write lock (SQLite) and leased, so no two workers take it together.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use sea_orm::sea_query::{Expr, LockBehavior, LockType, OnConflict, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryTrait,
};

use crate::entity::{delivery, delivery_attempt, webhook};
use crate::service::mail::Mailer;
use crate::service::webhooks::{self, WebhookSender};

/// The channels of a delivery.
pub const EMAIL: &str = "EMAIL";
pub const WEBHOOK: &str = "WEBHOOK";

/// The states of a delivery.
pub const PENDING: &str = "PENDING";
pub const DELIVERED: &str = "DELIVERED";
pub const FAILED: &str = "FAILED";

/// Attempts before a delivery fails for good (with the default backoff: about 4 hours).
pub const DEFAULT_MAX_ATTEMPTS: i32 = 8;

/// A delivery to write.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub channel: &'static str,
    pub recipient: String,
    pub webhook_id: Option<i32>,
    pub account_id: Option<i32>,
    pub notification_id: Option<i32>,
    pub event_id: String,
    /// What it carries (stored as its code).
    pub kind: nuvola_shared::DeliveryKind,
    pub payload: String,
}

/// Writes deliveries in the caller's transaction; one already written for the same
/// channel, recipient and event is left alone. Returns how many were new.
pub async fn enqueue(db: &impl ConnectionTrait, items: Vec<NewDelivery>) -> Result<usize, DbErr> {
    let now = Utc::now();
    let mut inserted = 0;
    let models: Vec<delivery::ActiveModel> = items
        .into_iter()
        .map(|d| delivery::ActiveModel {
            channel: Set(d.channel.to_owned()),
            recipient: Set(d.recipient),
            webhook_id: Set(d.webhook_id),
            account_id: Set(d.account_id),
            notification_id: Set(d.notification_id),
            event_id: Set(d.event_id),
            kind: Set(d.kind.code().to_owned()),
            payload: Set(d.payload),
            status: Set(PENDING.to_owned()),
            attempts: Set(0),
            max_attempts: Set(DEFAULT_MAX_ATTEMPTS),
            next_attempt_at: Set(now),
            locked_until: Set(None),
            last_answer: Set(None),
            created_at: Set(now),
            delivered_at: Set(None),
            ..Default::default()
        })
        .collect();
    for chunk in models.chunks(200) {
        let result = delivery::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([
                    delivery::Column::Channel,
                    delivery::Column::Recipient,
                    delivery::Column::EventId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .do_nothing()
            .exec_without_returning(db)
            .await?;
        if let sea_orm::TryInsertResult::Inserted(n) = result {
            inserted += usize::try_from(n).unwrap_or(usize::MAX);
        }
    }
    Ok(inserted)
}

/// How the worker sends, retries and gives up.
#[derive(Clone)]
pub struct WorkerConfig {
    /// E-mail over SMTP; none: e-mail is off and EMAIL rows wait, unclaimed.
    pub mailer: Option<Arc<Mailer>>,
    pub webhooks: WebhookSender,
    /// The wait after the first failed attempt; it doubles after each one.
    pub base_backoff: Duration,
    /// The longest wait between two attempts.
    pub max_backoff: Duration,
    /// How long a claimed row is the claimer's: longer than a send may take.
    pub lease: Duration,
    /// Rows claimed at once.
    pub batch: u64,
    /// Sends in flight at once.
    pub concurrency: usize,
    /// The pause when nothing is due.
    pub poll: Duration,
}

impl WorkerConfig {
    /// The production defaults: 30 s doubling to 1 h, leases of 2 minutes, a look for due
    /// rows every 100 ms when idle (one indexed query).
    pub fn new(mailer: Option<Arc<Mailer>>, webhooks: WebhookSender) -> Self {
        Self {
            mailer,
            webhooks,
            base_backoff: Duration::from_secs(30),
            max_backoff: Duration::from_secs(3600),
            lease: Duration::from_secs(120),
            batch: 50,
            concurrency: 16,
            poll: Duration::from_millis(100),
        }
    }

    /// The wait before attempt `attempts + 1`, after `attempts` failed ones.
    pub fn backoff(&self, attempts: i32) -> Duration {
        let exponent = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
        self.base_backoff
            .saturating_mul(2u32.saturating_pow(exponent))
            .min(self.max_backoff)
    }
}

/// The outcome of one attempt: the peer's answer, and whether it was a success.
#[derive(Debug, Clone)]
pub struct Answer {
    pub ok: bool,
    pub text: String,
}

impl Answer {
    pub fn ok(text: impl Into<String>) -> Self {
        Self {
            ok: true,
            text: text.into(),
        }
    }
    pub fn failed(text: impl Into<String>) -> Self {
        Self {
            ok: false,
            text: text.into(),
        }
    }
}

/// Claims up to `config.batch` due deliveries for this worker (see the module's notes).
pub async fn claim(
    db: &DatabaseConnection,
    config: &WorkerConfig,
    now: DateTime<Utc>,
) -> Result<Vec<delivery::Model>, DbErr> {
    let lease = chrono::Duration::from_std(config.lease).unwrap_or(chrono::Duration::minutes(2));
    let mut channels = vec![WEBHOOK];
    if config.mailer.is_some() {
        channels.push(EMAIL);
    }
    let mut due = Query::select();
    due.column(delivery::Column::Id)
        .from(delivery::Entity)
        .and_where(delivery::Column::Status.eq(PENDING))
        .and_where(delivery::Column::NextAttemptAt.lte(now))
        .and_where(delivery::Column::Channel.is_in(channels))
        .cond_where(
            Condition::any()
                .add(delivery::Column::LockedUntil.is_null())
                .add(delivery::Column::LockedUntil.lt(now)),
        )
        .order_by(delivery::Column::NextAttemptAt, sea_orm::Order::Asc)
        .order_by(delivery::Column::Id, sea_orm::Order::Asc)
        .limit(config.batch);
    if db.get_database_backend() == DatabaseBackend::Postgres {
        // Replicas claiming at the same moment skip each other's rows instead of waiting.
        due.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    // On SQLite the one UPDATE runs under the database's single write lock: two workers
    // take turns, and the second sees the first's lease.
    let mut update = delivery::Entity::update_many()
        .col_expr(delivery::Column::LockedUntil, Expr::value(now + lease))
        .col_expr(
            delivery::Column::Attempts,
            Expr::col(delivery::Column::Attempts).add(1),
        )
        .filter(delivery::Column::Id.in_subquery(due.to_owned()))
        .into_query();
    // RETURNING by hand: SQLite has it (3.35+), sea-orm only uses it there behind a
    // feature that would change every insert.
    update.returning_all();
    let statement = db.get_database_backend().build(&update);
    delivery::Model::find_by_statement(statement).all(db).await
}

/// Claims, sends and records one batch; returns how many deliveries it attempted.
pub async fn run_once(db: &DatabaseConnection, config: &WorkerConfig) -> Result<usize, DbErr> {
    let claimed = claim(db, config, Utc::now()).await?;
    if claimed.is_empty() {
        return Ok(0);
    }
    let hook_ids: Vec<i32> = claimed.iter().filter_map(|d| d.webhook_id).collect();
    let hooks: HashMap<i32, webhook::Model> = if hook_ids.is_empty() {
        HashMap::new()
    } else {
        webhook::Entity::find()
            .filter(webhook::Column::Id.is_in(hook_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|h| (h.id, h))
            .collect()
    };
    let hooks = &hooks;
    let results: Vec<(delivery::Model, Answer, Duration)> = futures_util::stream::iter(claimed)
        .map(|d| async move {
            let started = Instant::now();
            let answer = send(db, config, hooks, &d).await;
            (d, answer, started.elapsed())
        })
        .buffer_unordered(config.concurrency.max(1))
        .collect()
        .await;
    record(db, config, &results).await?;
    Ok(results.len())
}

async fn send(
    db: &DatabaseConnection,
    config: &WorkerConfig,
    hooks: &HashMap<i32, webhook::Model>,
    d: &delivery::Model,
) -> Answer {
    match d.channel.as_str() {
        WEBHOOK => match d.webhook_id.and_then(|id| hooks.get(&id)) {
            Some(hook) if hook.active => config.webhooks.send(hook, d).await,
            _ => Answer::failed("the webhook was removed"),
        },
        EMAIL => match &config.mailer {
            Some(mailer)
                if d.kind == crate::service::invitations::MAIL_INVITATION
                    || d.kind == crate::service::invitations::MAIL_INVITATION_REMINDER =>
            {
                match serde_json::from_str::<crate::service::invitations::InvitationMail>(
                    &d.payload,
                ) {
                    Ok(mail) => {
                        mailer
                            .send(crate::service::mail::invitation(
                                mailer.public_url(),
                                &d.recipient,
                                &mail,
                            ))
                            .await
                    }
                    Err(e) => {
                        tracing::error!(delivery = d.id, error = %e, "reading an invitation e-mail failed");
                        Answer::failed("the message could not be prepared")
                    }
                }
            }
            Some(mailer) => match crate::service::mail::render(db, mailer, d).await {
                Ok(Some(email)) => mailer.send(email).await,
                Ok(None) => Answer::failed("nothing to send: the notification is gone"),
                Err(e) => {
                    tracing::error!(delivery = d.id, error = %e, "rendering an e-mail failed");
                    Answer::failed("the message could not be prepared")
                }
            },
            None => Answer::failed("e-mail is not configured"),
        },
        other => Answer::failed(format!("unknown channel {other}")),
    }
}

/// Marks each attempted delivery and records its attempt, in one transaction.
async fn record(
    db: &DatabaseConnection,
    config: &WorkerConfig,
    results: &[(delivery::Model, Answer, Duration)],
) -> Result<(), DbErr> {
    let now = Utc::now();
    let txn = crate::db::begin_write(db).await?;
    let mut attempts = Vec::with_capacity(results.len());
    for (d, answer, took) in results {
        let text: String = answer.text.chars().take(500).collect();
        let mut update = delivery::Entity::update_many()
            .col_expr(
                delivery::Column::LockedUntil,
                Expr::value(None::<DateTime<Utc>>),
            )
            .col_expr(delivery::Column::LastAnswer, Expr::value(text.clone()));
        if answer.ok {
            update = update
                .col_expr(delivery::Column::Status, Expr::value(DELIVERED))
                .col_expr(delivery::Column::DeliveredAt, Expr::value(now));
            // An invitation's link is a credential: once its e-mail is delivered, the
            // outbox forgets it (`invitation` keeps only the token's hash).
            if d.kind == crate::service::invitations::MAIL_INVITATION {
                if let Some(forgotten) = crate::service::invitations::without_link(&d.payload) {
                    update = update.col_expr(delivery::Column::Payload, Expr::value(forgotten));
                }
            }
        } else if d.attempts >= d.max_attempts {
            update = update.col_expr(delivery::Column::Status, Expr::value(FAILED));
        } else {
            let wait = chrono::Duration::from_std(config.backoff(d.attempts))
                .unwrap_or(chrono::Duration::hours(1));
            update = update.col_expr(delivery::Column::NextAttemptAt, Expr::value(now + wait));
        }
        // Only while it is still this claim's: a row that another worker re-claimed
        // after the lease ran out, or that was replayed meanwhile, keeps its new state.
        update
            .filter(delivery::Column::Id.eq(d.id))
            .filter(delivery::Column::Status.eq(PENDING))
            .filter(delivery::Column::Attempts.eq(d.attempts))
            .exec(&txn)
            .await?;
        if answer.ok {
            crate::metrics::delivery_sent(&d.channel);
        } else {
            crate::metrics::delivery_failed(&d.channel);
        }
        attempts.push(delivery_attempt::ActiveModel {
            delivery_id: Set(d.id),
            number: Set(d.attempts),
            at: Set(now),
            ok: Set(answer.ok),
            answer: Set(text),
            millis: Set(i32::try_from(took.as_millis()).unwrap_or(i32::MAX)),
            ..Default::default()
        });
    }
    for chunk in attempts.chunks(200) {
        delivery_attempt::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await
}

/// Runs the worker until the task is aborted: a batch after another while there is
/// work, a pause of `config.poll` when there is none or after an error.
pub fn spawn_worker(db: DatabaseConnection, config: WorkerConfig) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match run_once(&db, &config).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => {
                    tracing::error!(error = %e, "the outbox worker failed; it tries again");
                }
            }
            tokio::time::sleep(config.poll).await;
        }
    })
}

/// Puts a delivery back in the queue for one more attempt now (a replay, or the
/// department's resend of a failed one); the event id stays, so the receiver can tell.
pub async fn requeue(db: &impl ConnectionTrait, delivery: &delivery::Model) -> Result<(), DbErr> {
    delivery::Entity::update_many()
        .col_expr(delivery::Column::Status, Expr::value(PENDING))
        .col_expr(delivery::Column::NextAttemptAt, Expr::value(Utc::now()))
        .col_expr(
            delivery::Column::LockedUntil,
            Expr::value(None::<DateTime<Utc>>),
        )
        // One more attempt than it has had, whatever the bound was.
        .col_expr(
            delivery::Column::MaxAttempts,
            Expr::value(delivery.attempts + 1),
        )
        .filter(delivery::Column::Id.eq(delivery.id))
        .exec(db)
        .await?;
    Ok(())
}

/// The attempts of a delivery, oldest first.
pub async fn attempts(
    db: &impl ConnectionTrait,
    delivery_id: i32,
) -> Result<Vec<delivery_attempt::Model>, DbErr> {
    use sea_orm::QueryOrder;
    delivery_attempt::Entity::find()
        .filter(delivery_attempt::Column::DeliveryId.eq(delivery_id))
        .order_by_asc(delivery_attempt::Column::Id)
        .all(db)
        .await
}

pub use webhooks::sign;

#[cfg(test)]
mod tests {
    use super::*;

    fn config(base_ms: u64, max_ms: u64) -> WorkerConfig {
        let mut c = WorkerConfig::new(
            None,
            WebhookSender::new(true, Duration::from_secs(5)).expect("an HTTP client"),
        );
        c.base_backoff = Duration::from_millis(base_ms);
        c.max_backoff = Duration::from_millis(max_ms);
        c
    }

    #[test]
    fn the_wait_doubles_after_each_failed_attempt_up_to_its_cap() {
        let c = config(30_000, 3_600_000);
        let waits: Vec<u64> = (1..=9).map(|n| c.backoff(n).as_secs()).collect();
        assert_eq!(
            waits,
            vec![30, 60, 120, 240, 480, 960, 1920, 3600, 3600],
            "30 s doubling, capped at one hour"
        );
        for n in 1..7 {
            assert_eq!(c.backoff(n + 1), c.backoff(n) * 2, "after attempt {n}");
        }
    }

    #[test]
    fn the_production_defaults_start_at_30_seconds_and_stop_at_an_hour() {
        let c = WorkerConfig::new(
            None,
            WebhookSender::new(true, Duration::from_secs(5)).expect("an HTTP client"),
        );
        assert_eq!(c.backoff(1), Duration::from_secs(30));
        assert_eq!(c.backoff(i32::MAX), Duration::from_secs(3600));
    }

    #[test]
    fn no_attempt_yet_or_a_nonsense_count_waits_the_base_and_a_huge_one_the_cap() {
        let c = config(20, 640);
        assert_eq!(c.backoff(0), Duration::from_millis(20));
        assert_eq!(c.backoff(-5), Duration::from_millis(20));
        assert_eq!(c.backoff(1_000), Duration::from_millis(640));
    }
}
