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
//! of order, so the newest id is not a safe generation there: the cache is off unless a
//! change feed that sees commits in order supplies one (see [`Generation`]).

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
    /// The safe source for this database.
    pub fn for_database(db: &DatabaseConnection) -> Self {
        match db.get_database_backend() {
            DatabaseBackend::Sqlite => Generation::NewestEvent,
            _ => Generation::Off,
        }
    }
}

#[derive(Default)]
struct Inner {
    generation: i64,
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

    /// The generation of the data now, or `None` when nothing may be cached.
    pub async fn generation(&self, db: &DatabaseConnection) -> Result<Option<i64>, DbErr> {
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

    /// The response kept for `request` at `generation`.
    pub fn get(&self, generation: i64, request: &Bytes) -> Option<Bytes> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if inner.generation != generation {
            *inner = Inner {
                generation,
                ..Inner::default()
            };
            return None;
        }
        inner.entries.get(request).cloned()
    }

    /// Keeps `response` for `request`, computed at `generation` (read before the query
    /// ran, so the response is at least that new).
    pub fn put(&self, generation: i64, request: Bytes, response: Bytes) {
        if response.len() > MAX_ENTRY_BYTES {
            return;
        }
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if inner.generation != generation {
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

    #[test]
    fn a_new_generation_empties_the_cache() {
        let cache = PublicCache::new(Generation::Off);
        let q = Bytes::from_static(b"{\"query\":\"{ stats { applications } }\"}");
        assert_eq!(cache.get(1, &q), None);
        cache.put(1, q.clone(), Bytes::from_static(b"{\"data\":1}"));
        assert_eq!(cache.get(1, &q).as_deref(), Some(&b"{\"data\":1}"[..]));
        assert_eq!(cache.get(2, &q), None);
        // A response computed at an older generation is not kept.
        cache.put(1, q.clone(), Bytes::from_static(b"{\"data\":1}"));
        assert_eq!(cache.get(2, &q), None);
    }
}
