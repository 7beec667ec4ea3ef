//! A cache of public query responses, so that the open-data pages everyone reads do not
//! run the same SQL again and again.
//!
//! Correct across replicas by construction: an entry is kept only for the *data
//! generation* it was computed at. Every change of data writes an audit event in its own
//! transaction, so the generation moves with every commit that could change a response;
//! on a new generation the cache is emptied. Only anonymous (PUBLIC) and read-only token
//! requests for queries are cached, each audience apart: the same request gets the same
//! answer for everyone in it, and nothing per-user is ever stored.
//!
//! **Where the generation comes from.** Normally from the process's change feed
//! ([`crate::changes::Pulse`]), in memory: a hit costs no database round trip. The feed
//! hears every commit, this process's or another's (another replica on PostgreSQL;
//! `nuvola import` or `nuvola deadlines` on the same SQLite file), and vouches for its
//! generation only while it has heard of every commit older than
//! [`crate::changes::STALE_AFTER`]. So a change made elsewhere reaches this cache within
//! the NOTIFY's latency on PostgreSQL (milliseconds) or one poll on SQLite
//! ([`crate::changes::POLL_INTERVAL`]), and never later than `STALE_AFTER`, whatever
//! happens to the feed. This process's own mutations empty the cache at once
//! ([`PublicCache::changed_here`]).
//!
//! While the feed cannot vouch (before its first tick, while it reconnects, when it falls
//! behind), the generation is read from the database on every request, as it was before
//! the feed kept it: on SQLite the newest event id (one writer at a time, ids in commit
//! order); on PostgreSQL the newest event id with the count of events just below it (ids
//! come from a sequence and may commit out of order: a late commit adds to the count) and
//! the feed's counter. While the PostgreSQL listener is disconnected, nothing is cached.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::web::Bytes;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, Statement};

use crate::changes::{ChangeFeed, Pulse};

/// At most this many responses are kept.
const MAX_ENTRIES: usize = 1024;
/// At most this many bytes of responses are kept.
const MAX_BYTES: usize = 32 * 1024 * 1024;
/// Responses larger than this are not kept.
const MAX_ENTRY_BYTES: usize = 512 * 1024;

/// Where the current data generation comes from.
#[derive(Clone)]
pub enum Generation {
    /// The change feed's generation while it vouches for it; else the database's,
    /// read on each request (the query depends on the database).
    Feed {
        pulse: Arc<Pulse>,
        backend: DatabaseBackend,
    },
    /// No safe generation: the cache is off.
    Off,
}

impl Generation {
    /// The change feed of this process (started here), for this database.
    pub fn for_database(db: &DatabaseConnection, feed: &ChangeFeed) -> Self {
        match db.get_database_backend() {
            backend @ (DatabaseBackend::Sqlite | DatabaseBackend::Postgres) => {
                feed.start();
                Generation::Feed {
                    pulse: feed.pulse(),
                    backend,
                }
            }
            _ => Generation::Off,
        }
    }
}

/// A data generation, as the feed counts it or as the database shows it: never equal to
/// one another, so that a move from one source to the other empties the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Stamp {
    #[default]
    None,
    Feed(i64),
    Database([i64; 3]),
}

/// Who a cached response is for. Third-party API tokens read what PUBLIC reads, but
/// their answers are kept apart all the same: one audience never gets another's entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    Public,
    ApiToken,
}

/// When a response was computed: the data generation and the number of local changes
/// made by this process so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    generation: Stamp,
    /// Answers count days (`daysLeft`): a new day is a new generation too.
    day: chrono::NaiveDate,
    local: u64,
}

impl Ticket {
    /// Whether the generation came from the change feed (no database round trip).
    pub fn from_feed(&self) -> bool {
        matches!(self.generation, Stamp::Feed(_))
    }
}

#[derive(Default)]
struct Inner {
    generation: Stamp,
    day: chrono::NaiveDate,
    local: u64,
    bytes: usize,
    entries: HashMap<(Audience, Bytes), Bytes>,
}

/// The cache of one server process.
pub struct PublicCache {
    source: Generation,
    inner: Mutex<Inner>,
}

impl PublicCache {
    pub fn new(source: Generation) -> Self {
        Self {
            source,
            inner: Mutex::new(Inner::default()),
        }
    }

    /// The ticket of the data now, or `None` when nothing may be cached.
    pub async fn ticket(&self, db: &DatabaseConnection) -> Result<Option<Ticket>, DbErr> {
        let local = self.lock().local;
        let day = chrono::Utc::now().date_naive();
        Ok(self.generation(db).await?.map(|generation| Ticket {
            generation,
            day,
            local,
        }))
    }

    /// A change was committed by this process: its own readers must see it at once,
    /// without waiting for the change feed.
    pub fn changed_here(&self) {
        let mut inner = self.lock();
        inner.local += 1;
        inner.entries.clear();
        inner.bytes = 0;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn generation(&self, db: &DatabaseConnection) -> Result<Option<Stamp>, DbErr> {
        let Generation::Feed { pulse, backend } = &self.source else {
            return Ok(None);
        };
        if let Some(generation) = pulse.current() {
            return Ok(Some(Stamp::Feed(generation)));
        }
        match backend {
            DatabaseBackend::Postgres => {
                let feed = pulse.generation();
                if feed < 0 {
                    return Ok(None);
                }
                // The feed has fallen behind but still listens. The newest event and how
                // many events sit just below it change at the commit itself (a
                // transaction that commits out of id order adds to the count).
                let public = crate::changes::public_change_sql();
                let (newest, recent) = newest_events(
                    db,
                    &format!(
                        "SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) AS newest, COUNT(*) AS recent FROM event \
                         WHERE {public} AND id > (SELECT COALESCE(MAX(id), 0) FROM event WHERE {public}) - 1000"
                    ),
                )
                .await?;
                Ok(Some(Stamp::Database([feed, newest, recent])))
            }
            _ => {
                let (newest, _) = newest_events(
                    db,
                    &format!(
                        "SELECT COALESCE(MAX(id), 0) AS newest, 0 AS recent FROM event WHERE {}",
                        crate::changes::public_change_sql()
                    ),
                )
                .await?;
                Ok(Some(Stamp::Database([newest, 0, 0])))
            }
        }
    }

    /// The response kept for `request` (the raw body) asked by `audience` at `ticket`.
    pub fn get(&self, ticket: Ticket, audience: Audience, request: &Bytes) -> Option<Bytes> {
        let mut inner = self.lock();
        if (inner.generation, inner.day) != (ticket.generation, ticket.day) {
            let local = inner.local;
            *inner = Inner {
                generation: ticket.generation,
                day: ticket.day,
                local,
                ..Inner::default()
            };
            return None;
        }
        inner.entries.get(&(audience, request.clone())).cloned()
    }

    /// Keeps `response` for `request`, computed at `ticket` (taken before the query ran,
    /// so the response is at least that new). A change since then drops it.
    pub fn put(&self, ticket: Ticket, audience: Audience, request: Bytes, response: Bytes) {
        if response.len() > MAX_ENTRY_BYTES {
            return;
        }
        let mut inner = self.lock();
        if (inner.generation, inner.day, inner.local)
            != (ticket.generation, ticket.day, ticket.local)
        {
            return;
        }
        let size = request.len() + response.len();
        if inner.entries.len() >= MAX_ENTRIES || inner.bytes + size > MAX_BYTES {
            inner.entries.clear();
            inner.bytes = 0;
        }
        inner.bytes += size;
        inner.entries.insert((audience, request), response);
    }
}

async fn newest_events(db: &DatabaseConnection, sql: &str) -> Result<(i64, i64), DbErr> {
    let row = db
        .query_one(Statement::from_string(db.get_database_backend(), sql))
        .await?;
    match row {
        Some(row) => Ok((
            row.try_get::<i64>("", "newest")?,
            row.try_get::<i64>("", "recent")?,
        )),
        None => Ok((0, 0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: Audience = Audience::Public;

    fn at(generation: i64, local: u64) -> Ticket {
        Ticket {
            generation: Stamp::Feed(generation),
            day: chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            local,
        }
    }

    #[test]
    fn a_new_generation_empties_the_cache() {
        let cache = PublicCache::new(Generation::Off);
        let q = Bytes::from_static(b"{\"query\":\"{ stats { applications } }\"}");
        let answer = Bytes::from_static(b"{\"data\":1}");
        assert_eq!(cache.get(at(1, 0), P, &q), None);
        cache.put(at(1, 0), P, q.clone(), answer.clone());
        assert_eq!(cache.get(at(1, 0), P, &q), Some(answer.clone()));
        assert_eq!(cache.get(at(2, 0), P, &q), None);
        // A response computed at an older generation is not kept.
        cache.put(at(1, 0), P, q.clone(), answer.clone());
        assert_eq!(cache.get(at(2, 0), P, &q), None);
    }

    #[test]
    fn a_change_made_here_drops_what_was_read_before_it() {
        let cache = PublicCache::new(Generation::Off);
        let q = Bytes::from_static(b"{}");
        let answer = Bytes::from_static(b"{\"data\":1}");
        cache.put(at(1, 0), P, q.clone(), answer.clone());
        cache.changed_here();
        assert_eq!(cache.get(at(1, 1), P, &q), None);
        // A query that started before the change does not put its answer back.
        cache.put(at(1, 0), P, q.clone(), answer.clone());
        assert_eq!(cache.get(at(1, 1), P, &q), None);
        cache.put(at(1, 1), P, q.clone(), answer.clone());
        assert_eq!(cache.get(at(1, 1), P, &q), Some(answer));
    }

    #[test]
    fn one_audience_never_gets_another_audiences_answer() {
        let cache = PublicCache::new(Generation::Off);
        let q = Bytes::from_static(b"{\"query\":\"{ me { username } }\"}");
        let answer = Bytes::from_static(b"{\"data\":1}");
        assert_eq!(cache.get(at(1, 0), Audience::ApiToken, &q), None);
        cache.put(at(1, 0), Audience::ApiToken, q.clone(), answer.clone());
        assert_eq!(cache.get(at(1, 0), P, &q), None);
        assert_eq!(cache.get(at(1, 0), Audience::ApiToken, &q), Some(answer));
    }

    #[test]
    fn a_generation_read_from_the_database_is_never_the_feeds() {
        let cache = PublicCache::new(Generation::Off);
        let q = Bytes::from_static(b"{}");
        let answer = Bytes::from_static(b"{\"data\":1}");
        assert_eq!(cache.get(at(1, 0), P, &q), None);
        cache.put(at(1, 0), P, q.clone(), answer.clone());
        assert_eq!(cache.get(at(1, 0), P, &q), Some(answer.clone()));
        let mut from_database = at(1, 0);
        from_database.generation = Stamp::Database([1, 0, 0]);
        assert_eq!(cache.get(from_database, P, &q), None);
        // Back to the feed: what was kept before the switch is gone.
        assert_eq!(cache.get(at(1, 0), P, &q), None);
    }
}
