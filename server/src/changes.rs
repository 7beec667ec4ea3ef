//! The change feed: what GraphQL subscriptions hear, taken from the append-only `event`
//! table, the single source of change notifications.
//!
//! Every mutation writes its audit event inside its own transaction, so an event exists
//! for other connections exactly when its change is committed. One task per process (per
//! [`ChangeFeed`]) turns new events into [`Notice`]s and fans them out to every
//! subscriber through a tokio broadcast channel:
//!
//! - **PostgreSQL** (several replicas): a trigger (migration 000006) calls
//!   `pg_notify('nuvola_events', id)` after each insert; PostgreSQL delivers it at commit,
//!   to every replica's listener. The listener reconnects with backoff and then catches
//!   up from the last event it saw, so a dropped connection loses nothing.
//! - **SQLite** (one process): a poller reads the events after the last one it saw every
//!   [`POLL_INTERVAL`]. SQLite has one writer at a time, so ids are committed in order.
//!
//! The task starts with the first subscriber (or with the server's response cache, which
//! keeps its generation from the feed: [`Pulse`]) and stops when the feed is dropped. A
//! slow subscriber lags behind on its own (the broadcast channel skips for it, and it
//! logs); it never holds up the others or the feed.
//!
//! **How current the feed is.** Besides the notices, the feed keeps a [`Pulse`]: a counter
//! that moves whenever it hears of a commit, and the moment as of which it has heard of
//! every commit. On SQLite that moment is the start of the last poll that read everything
//! new. On PostgreSQL the task NOTIFYs itself every [`PULSE_INTERVAL`] on a channel of its
//! own, with the time it sent it as payload: PostgreSQL delivers the notifications of
//! different transactions in commit order, so hearing the pulse sent at `t` proves that the
//! notification of every commit finished before `t` has been heard too. A reader that
//! trusts the counter only while that moment is younger than [`STALE_AFTER`]
//! ([`Pulse::current`]) sees every commit at most that late, whatever happens to the
//! feed (a lost connection, a slow catch-up, a hung poll); normally much sooner: the
//! NOTIFY's latency (milliseconds) on PostgreSQL, one [`POLL_INTERVAL`] on SQLite.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Statement,
};
use serde_json::Value;
use tokio::sync::{broadcast, oneshot, watch};

use crate::entity::{application, call, event, planned_service};

/// The PostgreSQL channel the event trigger notifies.
pub const CHANNEL: &str = "nuvola_events";
/// How often the SQLite poller looks for new events.
pub const POLL_INTERVAL: Duration = Duration::from_millis(200);
/// How often the PostgreSQL listener proves that it is current (see [`Pulse`]).
pub const PULSE_INTERVAL: Duration = Duration::from_millis(250);
/// How long the feed may go without proving that it is current before
/// [`Pulse::current`] stops vouching for it: a few missed pulses or polls.
pub const STALE_AFTER: Duration = Duration::from_secs(1);
/// Notices a subscriber may fall behind before it skips some.
const CAPACITY: usize = 1024;
/// Events read per query.
const PAGE: u64 = 500;
/// After a reconnect, PostgreSQL catches up from this many ids before the last one seen:
/// a transaction that took its id earlier may commit later.
const OVERLAP: i32 = 1000;
/// The longest wait between two attempts to reach the database again. Short: an attempt
/// costs one connection attempt, and while the feed is down the replica is not ready
/// (`/readyz`) and caches nothing, so it should come back soon after the database does.
const MAX_BACKOFF: Duration = Duration::from_secs(2);
/// How long a new subscriber waits for the feed to start listening.
const READY_TIMEOUT: Duration = Duration::from_secs(5);

/// The audit actions subscribers hear of; the feed ignores the others.
pub const FORWARDED_ACTIONS: [&str; 3] = ["STATE_CHANGED", "STATUS_CHANGED", "IMPORT_UPDATE"];

/// The audit actions that can never alter a public answer (or a read-only API token's):
/// signing in and out, and API tokens. They do not move the generation ([`Pulse`]), so a
/// login does not empty every replica's public response cache. Anything not listed
/// moves it: a new action is public until said otherwise.
pub const PRIVATE_ACTIONS: [&str; 17] = [
    "LOGIN",
    "LOGIN_FAILED",
    "LOGOUT",
    "API_TOKEN_ISSUED",
    "API_TOKEN_REVOKED",
    // An import job's steps before it runs (its run writes the imports' own events).
    "IMPORT_FILE_UPLOADED",
    "IMPORT_CONFIRMED",
    "IMPORT_DISCARDED",
    // How notifications and webhooks reach people and programs: nothing public.
    "NOTIFICATION_CONTACT_CHANGED",
    "NOTIFICATION_PREFERENCE_CHANGED",
    "DIGEST_UNSUBSCRIBED",
    "WEBHOOK_REGISTERED",
    "WEBHOOK_REMOVED",
    "DELIVERY_REPLAYED",
    // Who acts for which organisation: never part of a public answer.
    "MEMBERSHIP_ADDED",
    "MEMBERSHIP_REMOVED",
    "MEMBERSHIP_SELECTED",
];

/// Whether an event of this action may change what PUBLIC reads.
pub fn is_public_change(action: &str) -> bool {
    !PRIVATE_ACTIONS.contains(&action)
}

/// `action NOT IN ('LOGIN', ...)`: the SQL form of [`is_public_change`] (the names are
/// constants, not input).
pub fn public_change_sql() -> String {
    let names: Vec<String> = PRIVATE_ACTIONS.iter().map(|a| format!("'{a}'")).collect();
    format!("action NOT IN ({})", names.join(", "))
}

/// A change as subscribers receive it: published once, shared by all of them.
#[derive(Debug, Clone)]
pub struct Notice {
    /// The id of the audit event.
    pub event_id: i32,
    /// When the change was made.
    pub at: DateTime<Utc>,
    /// The project concerned, as it is now: what the permission checks need (its owner,
    /// its verifier).
    pub project: application::Model,
    /// The title of the project's call.
    pub call_title: String,
    pub what: What,
}

/// What changed.
#[derive(Debug, Clone)]
pub enum What {
    /// A project moved to another state of its life cycle (codes of `ApplicationState`).
    ProjectState {
        state: String,
        previous: Option<String>,
    },
    /// A planned service moved to another migration status.
    ServiceStatus {
        /// The service as it is now (its supplier decides who may hear of it).
        service: Box<planned_service::Model>,
        status: String,
        previous: Option<String>,
        /// The service's version after the change.
        version: Option<i64>,
    },
}

/// The change feed of one process. Cheap to clone; the task behind it starts with the
/// first [`ChangeFeed::subscribe`] or [`ChangeFeed::start`] and ends when the last clone
/// is dropped.
#[derive(Clone)]
pub struct ChangeFeed {
    inner: Arc<Inner>,
}

struct Inner {
    db: DatabaseConnection,
    sender: broadcast::Sender<Arc<Notice>>,
    /// How current the feed is (see [`ChangeFeed::pulse`]).
    pulse: Arc<Pulse>,
    ready: watch::Receiver<bool>,
    /// What the task needs to start; taken by the first subscriber.
    start: Mutex<Option<Start>>,
    /// Dropped with the feed, which tells the task to stop.
    _stop: oneshot::Sender<()>,
}

struct Start {
    stop: oneshot::Receiver<()>,
    ready: watch::Sender<bool>,
}

impl ChangeFeed {
    pub fn new(db: DatabaseConnection) -> Self {
        let (sender, _) = broadcast::channel(CAPACITY);
        let (stop_tx, stop_rx) = oneshot::channel();
        let (ready_tx, ready_rx) = watch::channel(false);
        Self {
            inner: Arc::new(Inner {
                db,
                sender,
                pulse: Arc::new(Pulse::new()),
                ready: ready_rx,
                start: Mutex::new(Some(Start {
                    stop: stop_rx,
                    ready: ready_tx,
                })),
                _stop: stop_tx,
            }),
        }
    }

    /// A receiver of the notices published from now on. Starts the feed if needed and
    /// waits (a few seconds at most) until it listens, so that a change committed after
    /// this returns is heard.
    pub async fn subscribe(&self) -> broadcast::Receiver<Arc<Notice>> {
        let receiver = self.inner.sender.subscribe();
        self.start();
        let mut ready = self.inner.ready.clone();
        if tokio::time::timeout(READY_TIMEOUT, ready.wait_for(|r| *r))
            .await
            .is_err()
        {
            tracing::warn!("the change feed is not listening yet: early changes may be missed");
        }
        receiver
    }

    /// Starts the feed's task, if it is not running yet.
    pub fn start(&self) {
        let start = match self.inner.start.lock() {
            Ok(mut guard) => guard.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        if let Some(start) = start {
            let db = self.inner.db.clone();
            let sender = self.inner.sender.clone();
            let pulse = self.inner.pulse.clone();
            tokio::spawn(run(db, sender, pulse, start));
        }
    }

    /// How current the feed is: a generation that moves whenever an event commits, and
    /// whether the feed can vouch for it now. Caches of data read from the database are
    /// valid for one generation. Nothing moves until the feed is started.
    pub fn pulse(&self) -> Arc<Pulse> {
        self.inner.pulse.clone()
    }

    /// The database the feed reads (and subscriptions check permissions against).
    pub fn db(&self) -> &DatabaseConnection {
        &self.inner.db
    }
}

/// How current a change feed is, for caches of what the database holds: a generation that
/// moves whenever the feed hears of a commit that may change a public answer (not
/// [`PRIVATE_ACTIONS`]), and the moment as of which it has heard of
/// every commit (see the module's documentation). Written by the feed's task only.
#[derive(Debug)]
pub struct Pulse {
    /// Moves with every committed event heard; negative while the feed does not listen.
    generation: AtomicI64,
    /// [`clock_ms`] as of which every commit has been heard; 0 for never.
    current_as_of: AtomicU64,
}

impl Pulse {
    fn new() -> Self {
        Self {
            generation: AtomicI64::new(-1),
            current_as_of: AtomicU64::new(0),
        }
    }

    /// The generation, if the feed can vouch for it now: it listens, and it has heard of
    /// every commit made before [`STALE_AFTER`] ago. `None` before the feed's first
    /// tick, while it reconnects, and whenever it falls behind: then a cache must ask the
    /// database. Costs two atomic loads.
    pub fn current(&self) -> Option<i64> {
        let generation = self.generation.load(Ordering::Acquire);
        let as_of = self.current_as_of.load(Ordering::Acquire);
        let fresh = as_of > 0 && clock_ms().saturating_sub(as_of) <= STALE_AFTER.as_millis() as u64;
        (generation >= 0 && fresh).then_some(generation)
    }

    /// The generation, however old the feed's news; negative while the feed does not
    /// listen.
    pub fn generation(&self) -> i64 {
        self.generation.load(Ordering::Acquire)
    }

    /// A new generation, and the feed listens.
    fn set(&self, generation: i64) {
        self.generation.store(generation, Ordering::Release);
    }

    /// Every commit finished before `at` ([`clock_ms`]) has been heard, and counted in
    /// the generation.
    fn heard_as_of(&self, at: u64) {
        self.current_as_of.fetch_max(at, Ordering::AcqRel);
    }

    /// The feed stopped listening: nothing is vouched for until it hears again.
    fn lost(&self) {
        self.generation.store(-1, Ordering::Release);
        self.current_as_of.store(0, Ordering::Release);
    }
}

/// Milliseconds on this process's monotonic clock, from 1.
pub fn clock_ms() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    let start = START.get_or_init(Instant::now);
    u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX) + 1
}

async fn run(
    db: DatabaseConnection,
    sender: broadcast::Sender<Arc<Notice>>,
    pulse: Arc<Pulse>,
    start: Start,
) {
    let Start { mut stop, ready } = start;
    let pulses = PulseChannel::new();
    let mut feed = Reader {
        db: db.clone(),
        sender,
        pulse,
        pulse_channel: pulses.0.clone(),
        epoch: 0,
        last_seen: None,
        floor: 0,
        delivered: BTreeSet::new(),
    };
    let backend = feed.db.get_database_backend();
    tokio::select! {
        _ = &mut stop => {}
        _ = async {
            match backend {
                DatabaseBackend::Postgres => {
                    tokio::join!(feed.listen(&ready), send_pulses(&db, &pulses));
                }
                _ => feed.poll(&ready).await,
            }
        } => {}
    }
    tracing::debug!("change feed stopped");
}

/// The PostgreSQL channel of one feed's pulses: its own, so that other replicas do not
/// hear them.
struct PulseChannel(String);

impl PulseChannel {
    fn new() -> Self {
        static FEEDS: AtomicUsize = AtomicUsize::new(0);
        let micros = chrono::Utc::now().timestamp_micros();
        Self(format!(
            "nuvola_pulse_{}_{}_{micros}",
            std::process::id(),
            FEEDS.fetch_add(1, Ordering::Relaxed)
        ))
    }
}

/// PostgreSQL: every [`PULSE_INTERVAL`], a NOTIFY on the feed's own channel with the time
/// it is sent (see [`Pulse`]). Failures are only logged: the pulse stops vouching for the
/// feed after [`STALE_AFTER`] without one.
async fn send_pulses(db: &DatabaseConnection, channel: &PulseChannel) {
    let mut every = tokio::time::interval(PULSE_INTERVAL);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let sent = clock_ms();
        let notify = Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [channel.0.clone().into(), sent.to_string().into()],
        );
        if let Err(e) = db.execute(notify).await {
            tracing::debug!(error = %e, "change feed: sending a pulse");
        }
    }
}

/// The state of the feed's task.
struct Reader {
    db: DatabaseConnection,
    sender: broadcast::Sender<Arc<Notice>>,
    pulse: Arc<Pulse>,
    /// This feed's own channel for its pulses (PostgreSQL).
    pulse_channel: String,
    /// The last generation stored.
    epoch: i64,
    /// The highest event id seen (notified or read).
    last_seen: Option<i32>,
    /// The last event committed before the feed started: never published, even by a
    /// catch-up.
    floor: i32,
    /// Ids already published within the catch-up window (PostgreSQL only), so that a
    /// catch-up never publishes twice.
    delivered: BTreeSet<i32>,
}

impl Reader {
    /// SQLite: reads the events after the last one seen, every [`POLL_INTERVAL`].
    async fn poll(&mut self, ready: &watch::Sender<bool>) {
        let mut backoff = Duration::from_millis(250);
        loop {
            if self.last_seen.is_none() {
                match self.max_id().await {
                    Ok(id) => {
                        self.last_seen = Some(id);
                        ready.send_replace(true);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "change feed: reading the last event");
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(MAX_BACKOFF);
                        continue;
                    }
                }
            }
            let started = clock_ms();
            match self.read_after_last().await {
                Ok(full_page) => {
                    backoff = Duration::from_millis(250);
                    if full_page {
                        continue;
                    }
                    // Every event committed before this read started has been read (SQLite
                    // commits ids in order): the generation counts them all.
                    if self.pulse.generation() < 0 {
                        self.bump();
                    }
                    self.pulse.heard_as_of(started);
                }
                Err(_) if self.db.get_sqlite_connection_pool().is_closed() => return,
                Err(e) => {
                    self.pulse.lost();
                    tracing::warn!(error = %e, "change feed: reading new events");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    continue;
                }
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// One page of events after the last seen; whether the page was full.
    async fn read_after_last(&mut self) -> Result<bool, DbErr> {
        let after = self.last_seen.unwrap_or(0);
        let events = event::Entity::find()
            .filter(event::Column::Id.gt(after))
            .order_by_asc(event::Column::Id)
            .limit(PAGE)
            .all(&self.db)
            .await?;
        let full = events.len() as u64 == PAGE;
        if let Some(last) = events.last() {
            self.last_seen = Some(last.id);
            if events.iter().any(|e| is_public_change(&e.action)) {
                self.bump();
            }
        }
        for e in events {
            self.publish(e).await;
        }
        Ok(full)
    }

    /// PostgreSQL: LISTENs on [`CHANNEL`] through one connection of the pool;
    /// reconnects with backoff and catches up after a reconnect.
    async fn listen(&mut self, ready: &watch::Sender<bool>) {
        let mut backoff = Duration::from_millis(250);
        loop {
            let outcome = self.listen_once(ready).await;
            // Not listening: changes may go unheard until the next catch-up.
            self.pulse.lost();
            // The server closed its pool on the way out: nothing left to listen for.
            if self.db.get_postgres_connection_pool().is_closed() {
                return;
            }
            match outcome {
                Ok(()) => backoff = Duration::from_millis(250),
                Err(e) => {
                    tracing::warn!(error = %e, retry_in_ms = backoff.as_millis() as u64, "change feed: the PostgreSQL listener failed");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
    }

    /// One listening connection, until it is lost.
    async fn listen_once(&mut self, ready: &watch::Sender<bool>) -> anyhow::Result<()> {
        let pool = self.db.get_postgres_connection_pool();
        let mut listener = PgListener::connect_with(pool).await?;
        // Reconnections are ours to make (then to catch up), not the listener's.
        listener.eager_reconnect(false);
        listener
            .listen_all([CHANNEL, self.pulse_channel.as_str()])
            .await?;
        // Listening first, then reading: nothing committed in between is missed.
        match self.last_seen {
            None => {
                self.floor = self.max_id().await?;
                self.last_seen = Some(self.floor);
            }
            Some(last) => {
                tracing::info!(after = last, "change feed: reconnected, catching up");
                self.catch_up(last.saturating_sub(OVERLAP).max(self.floor))
                    .await?;
            }
        }
        // Listening and caught up: a new generation, unlike any before the outage.
        self.bump();
        ready.send_replace(true);
        loop {
            let Some(first) = listener.try_recv().await? else {
                anyhow::bail!("the listening connection was lost");
            };
            let mut ids: Vec<i32> = Vec::new();
            let mut pulse: Option<u64> = None;
            let mut heard = Some(first);
            while let Some(n) = heard.take() {
                if n.channel() == self.pulse_channel {
                    pulse = pulse.max(n.payload().parse().ok());
                } else {
                    ids.extend(n.payload().parse::<i32>().ok());
                }
                if ids.len() < PAGE as usize {
                    heard = listener.next_buffered();
                }
            }
            if let Some(&max) = ids.iter().max() {
                self.last_seen = Some(self.last_seen.map_or(max, |l| l.max(max)));
            }
            // What the notified events are (committed: they are there), read before the
            // pulse is counted, so that the generation has moved for them by then.
            let events = if ids.is_empty() {
                Vec::new()
            } else {
                event::Entity::find()
                    .filter(event::Column::Id.is_in(ids.clone()))
                    .order_by_asc(event::Column::Id)
                    .all(&self.db)
                    .await?
            };
            // Only a change that may alter a public answer moves the generation; an
            // event that cannot be read is taken to be one.
            if events.len() < ids.len() || events.iter().any(|e| is_public_change(&e.action)) {
                self.bump();
            }
            // Heard after every notification of a commit that finished before it was
            // sent (commit order), and those are counted now.
            if let Some(sent) = pulse {
                self.pulse.heard_as_of(sent);
            }
            if events.is_empty() {
                continue;
            }
            for e in events {
                if FORWARDED_ACTIONS.contains(&e.action.as_str()) {
                    self.publish_once(e).await;
                }
            }
            self.forget_old();
        }
    }

    /// Publishes the forwarded events after `after` not published yet.
    async fn catch_up(&mut self, after: i32) -> Result<(), DbErr> {
        let mut cursor = after;
        loop {
            let events = event::Entity::find()
                .filter(event::Column::Id.gt(cursor))
                .filter(event::Column::Action.is_in(FORWARDED_ACTIONS))
                .order_by_asc(event::Column::Id)
                .limit(PAGE)
                .all(&self.db)
                .await?;
            let Some(last) = events.last().map(|e| e.id) else {
                break;
            };
            cursor = last;
            self.last_seen = Some(self.last_seen.map_or(last, |l| l.max(last)));
            let full = events.len() as u64 == PAGE;
            for e in events {
                self.publish_once(e).await;
            }
            if !full {
                break;
            }
        }
        self.forget_old();
        Ok(())
    }

    /// A new generation, never used before by this feed (an outage stores -1 in
    /// between, the epoch keeps counting).
    fn bump(&mut self) {
        self.epoch += 1;
        self.pulse.set(self.epoch);
    }

    async fn publish_once(&mut self, e: event::Model) {
        if self.delivered.insert(e.id) {
            self.publish(e).await;
        }
    }

    fn forget_old(&mut self) {
        if let Some(last) = self.last_seen {
            self.delivered = self.delivered.split_off(&last.saturating_sub(OVERLAP));
        }
    }

    async fn max_id(&self) -> Result<i32, DbErr> {
        let max: Option<Option<i32>> = event::Entity::find()
            .select_only()
            .column_as(event::Column::Id.max(), "max_id")
            .into_tuple()
            .one(&self.db)
            .await?;
        Ok(max.flatten().unwrap_or(0))
    }

    /// Turns an event into a notice and sends it to every subscriber (nobody listening
    /// is not an error).
    async fn publish(&self, e: event::Model) {
        // Nobody subscribed (the feed may run for the response cache alone): no notice to
        // build. A subscriber counts from `subscribe`, before it waits for the feed.
        if !FORWARDED_ACTIONS.contains(&e.action.as_str()) || self.sender.receiver_count() == 0 {
            return;
        }
        match notice_of(&self.db, &e).await {
            Ok(Some(notice)) => {
                let _ = self.sender.send(Arc::new(notice));
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "change feed: reading what an event is about"),
        }
    }
}

fn field(json: Option<&str>, name: &str) -> Option<Value> {
    let value: Value = serde_json::from_str(json?).ok()?;
    value.get(name).cloned()
}

fn text(json: Option<&str>, name: &str) -> Option<String> {
    field(json, name).and_then(|v| v.as_str().map(str::to_owned))
}

/// The notice an event makes, if subscribers hear of it.
async fn notice_of(db: &DatabaseConnection, e: &event::Model) -> Result<Option<Notice>, DbErr> {
    let before = e.before_json.as_deref();
    let after = e.after_json.as_deref();
    let what = match (e.entity_type.as_str(), e.action.as_str()) {
        ("application", "STATE_CHANGED" | "IMPORT_UPDATE") => {
            let Some(state) = text(after, "state") else {
                return Ok(None);
            };
            let previous = text(before, "state");
            // A re-import that changed other columns is not a change of state.
            if previous.as_deref() == Some(state.as_str()) {
                return Ok(None);
            }
            What::ProjectState { state, previous }
        }
        ("planned_service", "STATUS_CHANGED") => {
            let (Some(status), Ok(id)) = (text(after, "status"), e.entity_id.parse::<i32>()) else {
                return Ok(None);
            };
            let Some(service) = planned_service::Entity::find_by_id(id).one(db).await? else {
                return Ok(None);
            };
            What::ServiceStatus {
                previous: text(before, "status"),
                version: field(after, "version").and_then(|v| v.as_i64()),
                service: Box::new(service),
                status,
            }
        }
        _ => return Ok(None),
    };
    let project_id = match (&what, e.application_id) {
        (_, Some(id)) => id,
        (What::ServiceStatus { service, .. }, None) => service.application_id,
        (What::ProjectState { .. }, None) => match e.entity_id.parse() {
            Ok(id) => id,
            Err(_) => return Ok(None),
        },
    };
    let Some((project, Some(call))) = application::Entity::find_by_id(project_id)
        .find_also_related(call::Entity)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(Notice {
        event_id: e.id,
        at: e.occurred_at,
        project,
        call_title: call.title,
        what,
    }))
}
