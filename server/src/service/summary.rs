//! Summaries: answers that are expensive to compute (totals and breakdowns over tens of
//! thousands of projects), kept per replica for one data generation of the change feed
//! ([`crate::changes::Pulse`]) and computed again on the first read after the feed hears of
//! a commit that may change a public answer.
//!
//! **Staleness.** A summary is served only while the feed vouches for its generation, so it
//! reflects every commit at most [`crate::changes::STALE_AFTER`] (1 s) old, usually within
//! milliseconds (PostgreSQL's NOTIFY) or one poll (200 ms, SQLite). While the feed cannot
//! vouch (not started, reconnecting, behind) every read computes. This process's own
//! changes count at once ([`Summaries::changed_here`]): whoever changed something sees it
//! in the next answer, without waiting for the feed. Replicas keep their own
//! summaries and agree because each follows the same feed: there is no state a replica
//! holds that another would contradict for longer than that second.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use sea_orm::DbErr;

/// Answers kept per generation, at most, for each kind of summary.
const KEPT: usize = 256;

/// A data generation: the change feed's, then how many changes this process made.
pub type Generation = (i64, u64);

/// The answers of one kind of summary for the current generation, by key (the filter and
/// whatever else the answer depends on).
#[derive(Debug)]
pub struct Memo<V> {
    kept: Mutex<(Generation, HashMap<String, Arc<V>>)>,
}

impl<V> Default for Memo<V> {
    fn default() -> Self {
        Self {
            kept: Mutex::new(((i64::MIN, 0), HashMap::new())),
        }
    }
}

impl<V> Memo<V> {
    /// The answer for `key` in `generation`, computed by `compute` if this replica has not
    /// kept it. Without a generation (the feed cannot vouch for one) it always computes.
    /// Two readers that miss at once both compute; the answers are the same.
    pub async fn get<F, Fut>(
        &self,
        generation: Option<Generation>,
        key: String,
        compute: F,
    ) -> Result<Arc<V>, DbErr>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, DbErr>>,
    {
        if let Some(g) = generation {
            if let Ok(kept) = self.kept.lock() {
                if kept.0 == g {
                    if let Some(v) = kept.1.get(&key) {
                        return Ok(v.clone());
                    }
                }
            }
        }
        // Read after the generation was taken: what is computed is at least as new as it.
        let v = Arc::new(compute().await?);
        if let Some(g) = generation {
            if let Ok(mut kept) = self.kept.lock() {
                if kept.0 < g {
                    *kept = (g, HashMap::new());
                }
                if kept.0 == g && kept.1.len() < KEPT {
                    kept.1.insert(key, v.clone());
                }
            }
        }
        Ok(v)
    }
}

/// Every kind of summary a replica keeps; one per server.
#[derive(Debug, Default)]
pub struct Summaries {
    /// Changes this process committed that may alter a public answer.
    local: AtomicU64,
    /// The national dashboard, by filter, day and length of its overdue list.
    pub dashboard: Memo<crate::service::dashboard::Dashboard>,
    /// `stats`: totals by state of a filter.
    pub totals: Memo<crate::service::applications::Totals>,
    /// Counts: a public list's `totalCount` by filter, the overdue projects' by condition.
    pub counts: Memo<i64>,
    /// Every call by id (a few dozen): the calls of a page of projects.
    pub calls: Memo<HashMap<i32, crate::entity::call::Model>>,
}

impl Summaries {
    /// The generation summaries may be served for, given the feed's (`None` while the
    /// feed cannot vouch for one: then every read computes).
    pub fn generation(&self, feed: Option<i64>) -> Option<Generation> {
        feed.map(|g| (g, self.local.load(Ordering::Acquire)))
    }

    /// A change that may alter a public answer was committed by this process: its own
    /// readers must see it at once, without waiting for the change feed.
    pub fn changed_here(&self) {
        self.local.fetch_add(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    async fn read(memo: &Memo<i64>, calls: &AtomicUsize, g: Option<i64>, key: &str) -> i64 {
        let g = g.map(|g| (g, 0));
        *memo
            .get(g, key.to_owned(), || async {
                Ok(calls.fetch_add(1, Ordering::SeqCst) as i64)
            })
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn an_answer_is_kept_for_its_generation_and_key_only() {
        let memo = Memo::default();
        let calls = AtomicUsize::new(0);
        assert_eq!(read(&memo, &calls, Some(1), "a").await, 0);
        assert_eq!(read(&memo, &calls, Some(1), "a").await, 0, "kept");
        assert_eq!(
            read(&memo, &calls, Some(1), "b").await,
            1,
            "another key computes"
        );
        assert_eq!(
            read(&memo, &calls, Some(2), "a").await,
            2,
            "a new generation computes"
        );
        assert_eq!(read(&memo, &calls, Some(2), "a").await, 2);
        assert_eq!(
            read(&memo, &calls, Some(1), "a").await,
            3,
            "an older one is not kept"
        );
        assert_eq!(
            read(&memo, &calls, None, "a").await,
            4,
            "no generation: always"
        );
        assert_eq!(read(&memo, &calls, None, "a").await, 5);
        assert_eq!(read(&memo, &calls, Some(2), "a").await, 2);
    }

    #[tokio::test]
    async fn a_change_made_here_counts_at_once() {
        let summaries = Summaries::default();
        let calls = AtomicUsize::new(0);
        let read = |g: Option<Generation>| {
            summaries.counts.get(g, "a".to_owned(), || async {
                Ok(calls.fetch_add(1, Ordering::SeqCst) as i64)
            })
        };
        let g = summaries.generation(Some(5));
        assert_eq!(*read(g).await.unwrap(), 0);
        assert_eq!(*read(summaries.generation(Some(5))).await.unwrap(), 0);
        summaries.changed_here();
        assert_eq!(*read(summaries.generation(Some(5))).await.unwrap(), 1);
        assert_eq!(summaries.generation(None), None);
    }

    #[tokio::test]
    async fn an_error_is_not_kept() {
        let memo: Memo<i64> = Memo::default();
        let failed = memo
            .get(Some((1, 0)), "a".into(), || async {
                Err(DbErr::Custom("down".into()))
            })
            .await;
        assert!(failed.is_err());
        let v = memo
            .get(Some((1, 0)), "a".into(), || async { Ok(7) })
            .await
            .unwrap();
        assert_eq!(*v, 7);
    }
}
