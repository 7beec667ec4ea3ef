//! A cache of public query responses, so that the open-data pages everyone reads do not
//! run the same SQL again and again.
//!
//! Correct across replicas by construction: an entry is kept only for the *data
//! generation* it was computed at, and the generation is read from the shared database
//! (or its change feed) on every request. Every change of data writes an audit event in
//! its own transaction, so the generation moves with every commit that could change a
//! response; on a new generation the cache is emptied. Only anonymous (PUBLIC) and
//! read-only token requests for queries are cached: the same request gets the same
//! answer for everyone with that role, and nothing per-user is ever stored.
//!
//! The generation on SQLite is the newest event id: SQLite has one writer at a time and
//! assigns ids in commit order. On PostgreSQL ids come from a sequence and may commit out
//! of order, so the newest id is not a safe generation there: the change feed's counter
//! is, moved by NOTIFY, which PostgreSQL delivers at commit, in commit order. Between a
//! commit and its notification (milliseconds) a replica may still answer from the old
//! generation; while the feed's connection is down nothing is cached.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use actix_web::web::Bytes;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, Statement};

/// At most this many responses are kept.
const MAX_ENTRIES: usize = 1024;
/// At most this many bytes of responses are kept.
const MAX_BYTES: usize = 32 * 1024 * 1024;
/// Responses larger than this are not kept.
const MAX_ENTRY_BYTES: usize = 512 * 1024;

/// Where the current data generation comes from.
#[derive(Clone)]
pub enum Generation {
    /// The newest event id, read on each request (SQLite only).
    NewestEvent,
    /// A counter kept by a change feed that sees commits in order; negative while the
    /// feed is down (then nothing is cached).
    Feed(Arc<AtomicI64>),
    /// No safe generation: the cache is off.
    Off,
}

impl Generation {
    /// The safe source for this database: the newest event on SQLite, the change feed
    /// (started here) on PostgreSQL.
    pub fn for_database(db: &DatabaseConnection, feed: &crate::changes::ChangeFeed) -> Self {
        match db.get_database_backend() {
            DatabaseBackend::Sqlite => Generation::NewestEvent,
            DatabaseBackend::Postgres => {
                feed.start();
                Generation::Feed(feed.generation())
            }
            _ => Generation::Off,
        }
    }
}

/// When a response was computed: the data generation and the number of local changes
/// made by this process so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    generation: i64,
    /// Answers count days (`daysLeft`): a new day is a new generation too.
    day: chrono::NaiveDate,
    local: u64,
}

#[derive(Default)]
struct Inner {
    generation: i64,
    day: chrono::NaiveDate,
    local: u64,
    bytes: usize,
    entries: HashMap<Bytes, Bytes>,
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

    async fn generation(&self, db: &DatabaseConnection) -> Result<Option<i64>, DbErr> {
        match &self.source {
            Generation::Off => Ok(None),
            Generation::Feed(counter) => {
                let g = counter.load(Ordering::Acquire);
                Ok((g >= 0).then_some(g))
            }
            Generation::NewestEvent => {
                let row = db
                    .query_one(Statement::from_string(
                        db.get_database_backend(),
                        "SELECT COALESCE(MAX(id), 0) AS g FROM event",
                    ))
                    .await?;
                Ok(Some(match row {
                    Some(row) => row.try_get::<i64>("", "g")?,
                    None => 0,
                }))
            }
        }
    }

    /// The response kept for `request` at `ticket`.
    pub fn get(&self, ticket: Ticket, request: &Bytes) -> Option<Bytes> {
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
        inner.entries.get(request).cloned()
    }

    /// Keeps `response` for `request`, computed at `ticket` (taken before the query ran,
    /// so the response is at least that new). A change since then drops it.
    pub fn put(&self, ticket: Ticket, request: Bytes, response: Bytes) {
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
        inner.entries.insert(request, response);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(generation: i64, local: u64) -> Ticket {
        Ticket {
            generation,
            day: chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            local,
        }
    }

    #[test]
    fn a_new_generation_empties_the_cache() {
        let cache = PublicCache::new(Generation::Off);
        let q = Bytes::from_static(b"{\"query\":\"{ stats { applications } }\"}");
        let answer = Bytes::from_static(b"{\"data\":1}");
        assert_eq!(cache.get(at(1, 0), &q), None);
        cache.put(at(1, 0), q.clone(), answer.clone());
        assert_eq!(cache.get(at(1, 0), &q), Some(answer.clone()));
        assert_eq!(cache.get(at(2, 0), &q), None);
        // A response computed at an older generation is not kept.
        cache.put(at(1, 0), q.clone(), answer.clone());
        assert_eq!(cache.get(at(2, 0), &q), None);
    }

    #[test]
    fn a_change_made_here_drops_what_was_read_before_it() {
        let cache = PublicCache::new(Generation::Off);
        let q = Bytes::from_static(b"{}");
        let answer = Bytes::from_static(b"{\"data\":1}");
        cache.put(at(1, 0), q.clone(), answer.clone());
        cache.changed_here();
        assert_eq!(cache.get(at(1, 1), &q), None);
        // A query that started before the change does not put its answer back.
        cache.put(at(1, 0), q.clone(), answer.clone());
        assert_eq!(cache.get(at(1, 1), &q), None);
        cache.put(at(1, 1), q.clone(), answer.clone());
        assert_eq!(cache.get(at(1, 1), &q), Some(answer));
    }
}
