//! Fixed-window rate limits.
//!
//! - **Login attempts** are counted in the database (`rate_limit` table, one atomic
//!   upsert per attempt), so that every replica sees the same count: spreading password
//!   guesses over replicas gains nothing. A login costs a password hash anyway; one more
//!   statement is nothing next to it.
//! - **API requests** are counted in memory, per replica ([`ApiLimiter`]): no database
//!   round trip per request, and the limit keeps working while the database is down.
//!   The guarantee is per replica: a client whose requests a load balancer spreads over N
//!   replicas may make up to N times the limit per window in all. Operators who need a
//!   cluster-wide figure set the limit to it divided by the number of replicas (a
//!   round-robin balancer spreads a client evenly). This limit protects the replicas
//!   from floods; it is not an accounting quota.
//! - **SPID/CIE logins** (`/auth/oidc/*`, each hit writes a pending login or a
//!   refusal's event) are counted in memory too, per address, with a budget of their own
//!   ([`crate::http::OIDC_HITS_PER_MINUTE`]), so a flood is refused before the database.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Statement};

/// What a hit on a counter decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u32,
    /// Hits left in the current window.
    pub remaining: u32,
    /// Seconds until the window resets.
    pub reset_secs: u64,
}

/// A limit: at most `max` hits per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: u32,
    pub window: Duration,
}

impl Limit {
    pub const fn per_minute(max: u32) -> Self {
        Self {
            max,
            window: Duration::minutes(1),
        }
    }

    fn decide(self, hits: u32, window_start: DateTime<Utc>, now: DateTime<Utc>) -> Decision {
        let reset = (window_start + self.window - now).num_seconds().max(0) as u64;
        Decision {
            allowed: hits <= self.max,
            limit: self.max,
            remaining: self.max.saturating_sub(hits),
            reset_secs: reset,
        }
    }
}

/// Counts a hit on `key` in the database and decides. Atomic across replicas.
pub async fn hit_database(
    db: &impl ConnectionTrait,
    key: &str,
    limit: Limit,
    now: DateTime<Utc>,
) -> Result<Decision, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => {
            "INSERT INTO rate_limit (bucket_key, window_start, hits) VALUES ($1, $2, 1) \
             ON CONFLICT (bucket_key) DO UPDATE SET \
               hits = CASE WHEN rate_limit.window_start <= $3 THEN 1 ELSE rate_limit.hits + 1 END, \
               window_start = CASE WHEN rate_limit.window_start <= $3 THEN excluded.window_start \
                              ELSE rate_limit.window_start END \
             RETURNING hits, window_start"
        }
        _ => {
            "INSERT INTO rate_limit (bucket_key, window_start, hits) VALUES (?1, ?2, 1) \
             ON CONFLICT (bucket_key) DO UPDATE SET \
               hits = CASE WHEN rate_limit.window_start <= ?3 THEN 1 ELSE rate_limit.hits + 1 END, \
               window_start = CASE WHEN rate_limit.window_start <= ?3 THEN excluded.window_start \
                              ELSE rate_limit.window_start END \
             RETURNING hits, window_start"
        }
    };
    let row = db
        .query_one(Statement::from_sql_and_values(
            backend,
            sql,
            [key.into(), now.into(), (now - limit.window).into()],
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("rate_limit upsert returned no row".into()))?;
    let hits: i32 = row.try_get("", "hits")?;
    let window_start: DateTime<Utc> = row.try_get("", "window_start")?;
    Ok(limit.decide(hits.max(0) as u32, window_start, now))
}

/// Forgets a counter (after a successful login, the username's failures no longer count).
pub async fn reset_database(db: &impl ConnectionTrait, key: &str) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => "DELETE FROM rate_limit WHERE bucket_key = $1",
        _ => "DELETE FROM rate_limit WHERE bucket_key = ?1",
    };
    db.execute(Statement::from_sql_and_values(backend, sql, [key.into()]))
        .await?;
    Ok(())
}

/// Deletes the counters whose window ended before `before`.
pub async fn purge_database(
    db: &impl ConnectionTrait,
    before: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => "DELETE FROM rate_limit WHERE window_start < $1",
        _ => "DELETE FROM rate_limit WHERE window_start < ?1",
    };
    Ok(db
        .execute(Statement::from_sql_and_values(
            backend,
            sql,
            [before.into()],
        ))
        .await?
        .rows_affected())
}

/// Window start and hits, per key.
type Counters = HashMap<String, (DateTime<Utc>, u32)>;

/// The API's request limiter: fixed windows counted in this process's memory, whatever
/// the database (see the module's documentation for what it guarantees across replicas).
#[derive(Clone)]
pub enum ApiLimiter {
    Off,
    Memory {
        limit: Limit,
        counters: Arc<Mutex<Counters>>,
    },
}

/// Beyond this many counters in memory, expired ones are swept.
const MEMORY_SWEEP_AT: usize = 10_000;

impl ApiLimiter {
    /// `per_minute` requests per window and key in this replica; 0 turns limits off.
    pub fn per_minute(per_minute: u32) -> Self {
        if per_minute == 0 {
            return ApiLimiter::Off;
        }
        ApiLimiter::Memory {
            limit: Limit::per_minute(per_minute),
            counters: Arc::default(),
        }
    }

    /// Counts one request of `key`; `None` when limits are off.
    pub fn hit(&self, key: &str) -> Option<Decision> {
        let now = Utc::now();
        match self {
            ApiLimiter::Off => None,
            ApiLimiter::Memory { limit, counters } => {
                // A poisoned lock only means another request panicked while counting;
                // the counters are still counters.
                let mut counters = counters.lock().unwrap_or_else(|e| e.into_inner());
                if counters.len() > MEMORY_SWEEP_AT {
                    counters.retain(|_, (start, _)| *start + limit.window > now);
                }
                let entry = counters.entry(key.to_owned()).or_insert((now, 0));
                if entry.0 + limit.window <= now {
                    *entry = (now, 0);
                }
                entry.1 = entry.1.saturating_add(1);
                Some(limit.decide(entry.1, entry.0, now))
            }
        }
    }
}
