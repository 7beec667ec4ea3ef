//! Failing fast and recovering by itself: with the database unreachable, requests answer
//! `UNAVAILABLE` (503) within 2 s, `/healthz` and `/readyz` within 1 s; when it is back,
//! everything resumes without a restart.
//!
//! The shared PostgreSQL server is never stopped (other tests use it): the server under
//! test reaches it through [`DbProxy`], a TCP forwarder the test cuts (the port refuses
//! connections and every open one is closed, as when PostgreSQL stops) and restores.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sea_orm::ConnectionTrait;
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{watch, Mutex};
use tokio::task::JoinHandle;

use crate::helpers::{add_account, both, error_code, Backend, TestApp, TestDb};

/// A TCP forwarder to the database that a test can cut and restore.
pub struct DbProxy {
    pub addr: SocketAddr,
    target: SocketAddr,
    accepting: Mutex<Option<JoinHandle<()>>>,
    /// Moves on every cut: each forwarded connection ends when it does.
    cuts: Arc<watch::Sender<u64>>,
}

impl DbProxy {
    pub async fn start(target: SocketAddr) -> Self {
        let listener = listen("127.0.0.1:0".parse().unwrap());
        let addr = listener.local_addr().unwrap();
        let cuts = Arc::new(watch::channel(0).0);
        let accepting = tokio::spawn(forward(listener, target, cuts.clone()));
        Self {
            addr,
            target,
            accepting: Mutex::new(Some(accepting)),
            cuts,
        }
    }

    /// The database goes away: the port refuses connections, open ones are closed.
    pub async fn cut(&self) {
        if let Some(accepting) = self.accepting.lock().await.take() {
            accepting.abort();
            let _ = accepting.await;
        }
        self.cuts.send_modify(|n| *n += 1);
    }

    /// The database is back, on the same address.
    pub async fn restore(&self) {
        let mut accepting = self.accepting.lock().await;
        if accepting.is_none() {
            let listener = listen(self.addr);
            *accepting = Some(tokio::spawn(forward(
                listener,
                self.target,
                self.cuts.clone(),
            )));
        }
    }

    /// `url` (a PostgreSQL URL) through this proxy.
    pub fn url(&self, url: &str) -> String {
        let (scheme_and_user, rest) = url.split_once('@').unwrap();
        let (_, path) = rest.split_once('/').unwrap();
        format!("{scheme_and_user}@{}/{path}", self.addr)
    }
}

fn listen(addr: SocketAddr) -> TcpListener {
    let socket = TcpSocket::new_v4().unwrap();
    // The port is reused at once on restore (its closed connections linger in TIME_WAIT).
    socket.set_reuseaddr(true).unwrap();
    socket.bind(addr).unwrap();
    socket.listen(128).unwrap()
}

async fn forward(listener: TcpListener, target: SocketAddr, cuts: Arc<watch::Sender<u64>>) {
    loop {
        let Ok((mut inbound, _)) = listener.accept().await else {
            continue;
        };
        let mut cut = cuts.subscribe();
        tokio::spawn(async move {
            let Ok(mut upstream) = TcpStream::connect(target).await else {
                return;
            };
            tokio::select! {
                _ = tokio::io::copy_bidirectional(&mut inbound, &mut upstream) => {}
                _ = cut.changed() => {}
            }
        });
    }
}

/// The address of the test PostgreSQL server in `url`.
fn pg_target(url: &str) -> SocketAddr {
    let (_, rest) = url.split_once('@').unwrap();
    let (host, _) = rest.split_once('/').unwrap();
    let host = host.replace("localhost", "127.0.0.1");
    host.parse().unwrap()
}

const AMOUNT: &str = "query($cup: String!) { application(cup: $cup) { amountEur } }";
const GENOVA_CUP: &str = "B31C22000060007";

/// A GET, with its status, body and duration.
async fn get(app: &TestApp, path: &str) -> (u16, String, Duration) {
    let started = Instant::now();
    let res = app.client.get(app.url(path)).send().await.unwrap();
    let status = res.status().as_u16();
    let body = res.text().await.unwrap();
    (status, body, started.elapsed())
}

/// A GraphQL request, with its status, body and duration.
async fn timed_graphql(
    app: &TestApp,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> (u16, Value, Duration) {
    let started = Instant::now();
    let (status, body) = app.graphql_as(token, query, variables).await;
    (status, body, started.elapsed())
}

/// Waits (`within` at most) until `/readyz` says ready; how long it took.
async fn until_ready(app: &TestApp, within: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let (status, body, _) = get(app, "/readyz").await;
        if status == 200 {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "not ready after {within:?}: {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_postgres_unreachable_requests_answer_unavailable_fast_and_everything_resumes_when_it_returns(
) {
    let t = TestDb::with_calls_and_one_body(Backend::Postgres).await;
    add_account(
        &t.db,
        nuvola_shared::Role::Department,
        "dtd.outage",
        "password-123",
        None,
    )
    .await;
    let proxy = DbProxy::start(pg_target(&t.url)).await;
    let db = nuvola_server::db::connect(&proxy.url(&t.url))
        .await
        .unwrap();
    let app = TestApp::start(&db).await;
    until_ready(&app, Duration::from_secs(10)).await;
    let token = app.login("dtd.outage", "password-123").await;
    let (status, body, _) = timed_graphql(&app, None, AMOUNT, json!({ "cup": GENOVA_CUP })).await;
    assert_eq!(status, 200, "{body}");

    proxy.cut().await;
    // Past the change feed's staleness bound: a cached public answer is no longer vouched
    // for, so the database is asked.
    tokio::time::sleep(Duration::from_millis(1200)).await;

    for (who, token) in [("PUBLIC", None), ("a signed-in user", Some(token.as_str()))] {
        for query in [
            AMOUNT,
            "query($cup: String!) { application(cup: $cup) { cup state } }",
        ] {
            let (status, body, took) =
                timed_graphql(&app, token, query, json!({ "cup": GENOVA_CUP })).await;
            eprintln!("database down, {who}: {status} in {took:?}");
            assert_eq!(status, 503, "{who}: {body}");
            assert_eq!(
                error_code(&body).as_deref(),
                Some("UNAVAILABLE"),
                "{who}: {body}"
            );
            let message = body["errors"][0]["message"].as_str().unwrap();
            assert!(message.contains("temporarily unavailable"), "{message}");
            assert!(took < Duration::from_secs(2), "{who}: answered in {took:?}");
        }
    }
    // A mutation too (it needs the token checked, then a write).
    let (status, body, took) =
        timed_graphql(&app, Some(&token), "mutation { logout }", json!({})).await;
    assert_eq!(
        (status, error_code(&body).as_deref()),
        (503, Some("UNAVAILABLE")),
        "{body}"
    );
    assert!(
        took < Duration::from_secs(2),
        "mutation answered in {took:?}"
    );

    let (status, body, took) = get(&app, "/healthz").await;
    eprintln!("database down, /healthz: {status} in {took:?}");
    assert_eq!(status, 503, "{body}");
    assert!(
        took < Duration::from_secs(1),
        "/healthz answered in {took:?}"
    );
    let (status, body, took) = get(&app, "/readyz").await;
    eprintln!("database down, /readyz: {status} in {took:?}: {body}");
    assert_eq!(status, 503, "{body}");
    assert!(
        took < Duration::from_secs(1),
        "/readyz answered in {took:?}"
    );
    let readiness: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(readiness["database"], "unavailable", "{body}");
    assert_eq!(readiness["changeFeed"], "behind", "{body}");

    // Back: the same server, no restart, answers again; the feed listens again.
    proxy.restore().await;
    let restored = Instant::now();
    loop {
        let (status, body, _) =
            timed_graphql(&app, Some(&token), AMOUNT, json!({ "cup": GENOVA_CUP })).await;
        if status == 200 {
            assert_eq!(body["data"]["application"]["amountEur"], 4566860, "{body}");
            break;
        }
        assert!(
            restored.elapsed() < Duration::from_secs(10),
            "still failing: {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!(
        "requests succeed again {:?} after the database returned",
        restored.elapsed()
    );
    until_ready(&app, Duration::from_secs(10)).await;
    eprintln!(
        "ready again {:?} after the database returned",
        restored.elapsed()
    );
    let (status, _, _) = get(&app, "/healthz").await;
    assert_eq!(status, 200);
}

both! {
    async fn readiness_names_what_is_not_ready(backend: Backend) {
        let t = TestDb::with_calls_and_one_body(backend).await;
        let app = TestApp::start(&t.db).await;
        let took = until_ready(&app, Duration::from_secs(10)).await;
        let (status, body, took_once) = get(&app, "/readyz").await;
        assert_eq!(status, 200, "{body}");
        assert!(took_once < Duration::from_secs(1));
        let readiness: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            readiness,
            json!({ "ready": true, "database": "ok", "migrations": "ok", "changeFeed": "ok" }),
            "{body} (ready after {took:?})"
        );
        let (status, body, took) = get(&app, "/healthz").await;
        assert_eq!((status, body.as_str()), (200, "ok"));
        assert!(took < Duration::from_secs(1));

        // A migration this build knows is not applied: not ready, and it says which.
        let last = nuvola_server::db::pending_migrations(&t.db).await.unwrap();
        assert!(last.is_empty());
        let row = t
            .db
            .query_one(sea_orm::Statement::from_string(
                t.db.get_database_backend(),
                "SELECT version FROM seaql_migrations ORDER BY version DESC LIMIT 1",
            ))
            .await
            .unwrap()
            .unwrap();
        let version: String = row.try_get("", "version").unwrap();
        t.db.execute_unprepared(&format!("DELETE FROM seaql_migrations WHERE version = '{version}'"))
            .await
            .unwrap();
        let (status, body, took) = get(&app, "/readyz").await;
        assert_eq!(status, 503, "{body}");
        assert!(took < Duration::from_secs(1));
        let readiness: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(readiness["ready"], false);
        assert_eq!(readiness["database"], "ok");
        assert_eq!(readiness["migrations"], format!("pending: {version}"), "{body}");
    }
}
