//! The public response cache and the change feed it takes its generation from: a change
//! committed elsewhere (another replica, `nuvola import` in another process) reaches the
//! cached answers within the feed's bound; while the feed cannot vouch for its
//! generation, the database is asked on every request.

use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use nuvola_server::audit::Actor;
use nuvola_server::changes::{ChangeFeed, STALE_AFTER};
use nuvola_server::http::cache::{Generation, PublicCache, Ticket};
use nuvola_server::service::import;
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use serde_json::{json, Value};

use crate::helpers::{both, Backend, TestDb, GENOVA_HEADER, GENOVA_ROW};
use crate::subscriptions::Replica;

const GENOVA_CUP: &str = "B31C22000060007";
const AMOUNT: &str = "query($cup: String!) { application(cup: $cup) { amountEur } }";
/// The bound, with room for a loaded machine to answer the request that sees it.
const WITHIN: Duration = Duration::from_millis(STALE_AFTER.as_millis() as u64 + 1500);

/// Re-imports Genova's row with another amount through a connection of its own, as
/// `nuvola import` in another process (or another replica) would.
async fn change_amount_elsewhere(t: &TestDb, amount: i64) {
    let other = nuvola_server::db::connect(&t.url).await.unwrap();
    let row = GENOVA_ROW.replace(",4566860.0,", &format!(",{amount}.0,"));
    assert_ne!(row, GENOVA_ROW);
    let csv = format!("{GENOVA_HEADER}\n{row}\n");
    let report = import::import_file(
        &other,
        "genova.csv",
        csv.as_bytes(),
        &Actor::system("test"),
        &ProgressBar::hidden(),
    )
    .await
    .unwrap();
    assert_eq!(report.updated, 1);
    other.close().await.unwrap();
}

async fn public_amount(addr: &str) -> i64 {
    let r: Value = reqwest::Client::new()
        .post(format!("http://{addr}/graphql"))
        .json(&json!({ "query": AMOUNT, "variables": { "cup": GENOVA_CUP } }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["data"]["application"]["amountEur"]
        .as_i64()
        .unwrap_or_else(|| panic!("{r}"))
}

async fn ticket(cache: &PublicCache, t: &TestDb) -> Option<Ticket> {
    cache.ticket(&t.db).await.unwrap()
}

/// Waits (5 s at most) until the feed vouches for the generation: a ticket without a
/// database round trip.
async fn from_the_feed(cache: &PublicCache, t: &TestDb) -> Ticket {
    let started = Instant::now();
    loop {
        if let Some(ticket) = ticket(cache, t).await.filter(Ticket::from_feed) {
            return ticket;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the feed never vouched for its generation"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

both! {
    async fn a_change_committed_by_another_process_reaches_the_cached_answer_within_the_bound(backend: Backend) {
        let t = TestDb::with_calls_and_one_body(backend).await;
        let static_dir = tempfile::tempdir().unwrap();
        std::fs::write(static_dir.path().join("index.html"), "<!doctype html>").unwrap();
        let a = Replica::start(&t.url, static_dir.path()).await;
        // Asked again and again: answered from A's cache.
        for _ in 0..5 {
            assert_eq!(public_amount(&a.addr).await, 4_566_860);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        change_amount_elsewhere(&t, 4_566_861).await;
        let changed = Instant::now();
        while public_amount(&a.addr).await != 4_566_861 {
            assert!(changed.elapsed() < WITHIN, "still the old amount after {:?}", changed.elapsed());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

both! {
    async fn the_cache_asks_the_database_until_the_feed_vouches_for_its_generation(backend: Backend) {
        let t = TestDb::with_calls_and_one_body(backend).await;
        let feed = ChangeFeed::new(t.db.clone());
        let cache = PublicCache::new(Generation::Feed {
            pulse: feed.pulse(),
            backend: t.db.get_database_backend(),
        });
        // The feed is not started: it vouches for nothing.
        match backend {
            Backend::Sqlite => {
                // The newest event is read on every request: a change made elsewhere is
                // seen at once.
                let before = ticket(&cache, &t).await.unwrap();
                assert!(!before.from_feed());
                change_amount_elsewhere(&t, 1).await;
                assert_ne!(ticket(&cache, &t).await.unwrap(), before);
            }
            Backend::Postgres => {
                // No listener, no safe generation: nothing is cached.
                assert_eq!(ticket(&cache, &t).await, None);
            }
        }
        // Started, it vouches within a poll or a pulse; a change made elsewhere moves the
        // generation within the bound.
        feed.start();
        let current = from_the_feed(&cache, &t).await;
        assert_eq!(ticket(&cache, &t).await, Some(current), "nothing changed");
        change_amount_elsewhere(&t, 2).await;
        let changed = Instant::now();
        while ticket(&cache, &t).await == Some(current) {
            assert!(changed.elapsed() < WITHIN, "the generation did not move in {:?}", changed.elapsed());
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_cached_while_the_postgres_listener_is_down_and_caching_resumes_after() {
    let t = TestDb::with_calls_and_one_body(Backend::Postgres).await;
    let feed = ChangeFeed::new(t.db.clone());
    let cache = PublicCache::new(Generation::for_database(&t.db, &feed));
    let before = from_the_feed(&cache, &t).await;

    let killed =
        t.db.query_one(Statement::from_string(
            DatabaseBackend::Postgres,
            "SELECT COUNT(pg_terminate_backend(pid)) AS n FROM pg_stat_activity
             WHERE datname = current_database() AND query ILIKE 'LISTEN%'",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(killed, 1);
    // The feed notices within moments (it reconnects after a back-off): no ticket, so
    // every request runs its SQL and sees what is committed meanwhile.
    let started = Instant::now();
    while ticket(&cache, &t).await.is_some_and(|now| now == before) {
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "the feed still vouches after losing its connection"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    change_amount_elsewhere(&t, 3).await;
    // Reconnected and caught up: a generation unlike any before the outage.
    let after = from_the_feed(&cache, &t).await;
    assert_ne!(after, before);
}

both! {
    async fn signing_in_and_out_elsewhere_leaves_the_public_generation_alone(backend: Backend) {
        let t = TestDb::with_calls_and_one_body(backend).await;
        crate::helpers::add_account(&t.db, nuvola_shared::Role::Department, "dtd.cache", "password-123", None).await;
        let feed = ChangeFeed::new(t.db.clone());
        let cache = PublicCache::new(Generation::for_database(&t.db, &feed));
        let current = from_the_feed(&cache, &t).await;
        // Another replica signs a user in and out, and a guess fails: events are written,
        // but no public answer can change.
        let other = nuvola_server::db::connect(&t.url).await.unwrap();
        let (_, account) = nuvola_server::service::auth::login(&other, "dtd.cache", "password-123", None)
            .await
            .unwrap();
        assert!(nuvola_server::service::auth::login(&other, "dtd.cache", "wrong", None).await.is_err());
        let events = t.count_where("event", "action IN ('LOGIN', 'LOGIN_FAILED')").await;
        assert_eq!(events, 2);
        assert!(account.id > 0);
        // Long enough for the feed to hear of them (a poll or a pulse, many times over).
        tokio::time::sleep(Duration::from_millis(1200)).await;
        assert_eq!(from_the_feed(&cache, &t).await, current, "a login emptied the public cache");
        // A change that can alter a public answer still moves it.
        change_amount_elsewhere(&t, 3).await;
        let changed = Instant::now();
        while ticket(&cache, &t).await == Some(current) {
            assert!(changed.elapsed() < WITHIN, "the generation did not move in {:?}", changed.elapsed());
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        other.close().await.unwrap();
    }
}
