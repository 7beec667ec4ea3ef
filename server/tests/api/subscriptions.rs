//! Subscriptions over `GET /graphql/ws` (graphql-transport-ws): changes reach subscribers
//! once committed, on SQLite and PostgreSQL, across two real `nuvola serve` processes on
//! one PostgreSQL database; each subscriber hears only what it may see.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use nuvola_server::audit::{self, Actor, Change};
use nuvola_server::entity::{application, planned_service, supplier};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::contract::{contract, planned, CONTRACT, DEMO_VAT};
use crate::helpers::{both, Backend};
use crate::permissions::{ask, world, World, PASSWORD, SCHOOL_CUP};

pub(crate) const STATES: &str = "subscription($cup: String) { projectStateChanged(cup: $cup) { cup callTitle state previousState at } }";
const SERVICES: &str = "subscription($cup: String) { serviceStatusChanged(cup: $cup) { cup callTitle serviceId name status previousStatus version at } }";
const WAIT: Duration = Duration::from_secs(10);

/// A graphql-transport-ws client.
pub(crate) struct Ws {
    pub(crate) socket: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl Ws {
    /// Connects and initialises with `init` as the payload; the close reason on refusal.
    pub(crate) async fn connect(
        addr: &str,
        init: Value,
        cookie: Option<&str>,
    ) -> Result<Ws, String> {
        Self::connect_with("graphql-transport-ws", addr, init, cookie).await
    }

    async fn connect_with(
        protocol: &str,
        addr: &str,
        init: Value,
        cookie: Option<&str>,
    ) -> Result<Ws, String> {
        let mut request = format!("ws://{addr}/graphql/ws")
            .into_client_request()
            .unwrap();
        request
            .headers_mut()
            .insert("sec-websocket-protocol", protocol.parse().unwrap());
        if let Some(token) = cookie {
            request
                .headers_mut()
                .insert("cookie", format!("nuvola_session={token}").parse().unwrap());
        }
        let (socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        let mut ws = Ws { socket };
        ws.send(json!({ "type": "connection_init", "payload": init }))
            .await;
        match ws.receive(WAIT).await {
            Ok(m) if m["type"] == "connection_ack" => Ok(ws),
            Ok(m) => panic!("unexpected message {m}"),
            Err(reason) => Err(reason),
        }
    }

    async fn send(&mut self, message: Value) {
        self.socket
            .send(Message::Text(message.to_string().into()))
            .await
            .unwrap();
    }

    pub(crate) async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        self.send(json!({ "type": "subscribe", "id": id, "payload": { "query": query, "variables": variables } }))
            .await;
    }

    /// The next GraphQL message, or the close reason.
    async fn receive(&mut self, timeout: Duration) -> Result<Value, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = tokio::time::timeout(left, self.socket.next())
                .await
                .map_err(|_| "timed out".to_owned())?;
            match message {
                Some(Ok(Message::Text(text))) => {
                    let value: Value = serde_json::from_str(&text).unwrap();
                    if value["type"] == "ka" {
                        continue;
                    }
                    if value["type"] == "ping" {
                        self.send(json!({ "type": "pong" })).await;
                        continue;
                    }
                    return Ok(value);
                }
                Some(Ok(Message::Close(frame))) => {
                    return Err(frame.map(|f| f.reason.to_string()).unwrap_or_default())
                }
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e.to_string()),
                None => return Err("closed".to_owned()),
            }
        }
    }

    /// The payload of the next `next` message of subscription `id`.
    async fn next_of(&mut self, id: &str) -> Value {
        let m = self.receive(WAIT).await.unwrap_or_else(|e| {
            panic!("no message for subscription {id}: {e}");
        });
        assert_eq!(m["id"], id, "{m}");
        assert_eq!(m["type"], "next", "{m}");
        m["payload"].clone()
    }

    /// Nothing arrives for `wait`.
    async fn silent_for(&mut self, wait: Duration) {
        match self.receive(wait).await {
            Err(e) if e == "timed out" => {}
            other => panic!("expected silence, got {other:?}"),
        }
    }
}

fn token_init(token: &str) -> Value {
    json!({ "token": token })
}

/// Waits until the server at `addr` has `n` subscriptions listening (the gauge of its
/// `/metrics`; a separate process has its own). In-process tests share one gauge, so they
/// wait for at least `n` and a little more.
async fn listening(addr: &str, n: i64) {
    let deadline = Instant::now() + WAIT;
    loop {
        let body = reqwest::get(format!("http://{addr}/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let active = body
            .lines()
            .find_map(|l| l.strip_prefix("nuvola_subscriptions_active "))
            .and_then(|v| v.trim().parse::<i64>().ok())
            .unwrap_or(0);
        if active >= n {
            tokio::time::sleep(Duration::from_millis(200)).await;
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{addr}: {active} subscriptions listening, expected {n}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The planned services of the school, in plan order.
async fn school_services(db: &DatabaseConnection) -> Vec<planned_service::Model> {
    let school = application::Entity::find()
        .filter(application::Column::Cup.eq(SCHOOL_CUP))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    planned_service::Entity::find()
        .filter(planned_service::Column::ApplicationId.eq(school.id))
        .order_by_asc(planned_service::Column::Id)
        .all(db)
        .await
        .unwrap()
}

/// Assigns a service to PSN, as a contract would.
async fn assign_to_psn(db: &DatabaseConnection, service_id: i32) {
    let psn = supplier::Entity::find()
        .filter(supplier::Column::VatNumber.eq("16825251008"))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let service = planned_service::Entity::find_by_id(service_id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let mut active: planned_service::ActiveModel = service.into();
    active.supplier_id = Set(Some(psn.id));
    active.update(db).await.unwrap();
}

/// Moves a planned service to `status` with its audit event, in one transaction, as the
/// supplier's status mutation does.
async fn change_status(db: &DatabaseConnection, service_id: i32, status: &str) {
    let txn = db.begin().await.unwrap();
    let service = planned_service::Entity::find_by_id(service_id)
        .one(&txn)
        .await
        .unwrap()
        .unwrap();
    let (before, version) = (service.status.clone(), service.version + 1);
    let application_id = service.application_id;
    let mut active: planned_service::ActiveModel = service.into();
    active.status = Set(status.to_owned());
    active.version = Set(version);
    active.update(&txn).await.unwrap();
    audit::record(
        &txn,
        &Actor::system("test"),
        Change {
            entity_type: nuvola_shared::EntityType::PlannedService,
            entity_id: service_id.to_string(),
            action: "STATUS_CHANGED",
            application_id: Some(application_id),
            before: Some(json!({ "status": before })),
            after: Some(json!({ "status": status, "version": version })),
        },
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
}

both! {
    async fn a_subscriber_hears_of_a_state_change_made_through_the_api(backend: Backend) {
        let w = world(backend).await;
        let addr = w.app.addr.to_string();
        let mut public = Ws::connect(&addr, json!({}), None).await.unwrap();
        public.subscribe("school", STATES, json!({ "cup": SCHOOL_CUP })).await;
        public.subscribe("all", STATES, json!({})).await;
        listening(&addr, 2).await;

        let services = planned(&w).await;
        let r = ask(&w, Some("scuola"), CONTRACT, contract(DEMO_VAT, "2023-01-16", &services)).await;
        assert!(r["errors"].is_null(), "{r}");

        let mut ids = Vec::new();
        for _ in 0..2 {
            let m = public.receive(WAIT).await.unwrap();
            assert_eq!(m["type"], "next", "{m}");
            let change = &m["payload"]["data"]["projectStateChanged"];
            assert_eq!(change["cup"], SCHOOL_CUP, "{m}");
            assert_eq!(change["callTitle"], "1.2 Abilitazione al Cloud - Scuole - Aprile 2022");
            assert_eq!(change["state"], "CONTRACTED");
            assert_eq!(change["previousState"], "FUNDED");
            assert!(change["at"].as_str().is_some());
            ids.push(m["id"].as_str().unwrap().to_owned());
        }
        ids.sort();
        assert_eq!(ids, ["all", "school"]);
    }
}

both! {
    async fn a_supplier_hears_only_of_its_own_services(backend: Backend) {
        let w = world(backend).await;
        let addr = w.app.addr.to_string();
        let services = school_services(&w.t.db).await;
        // The first service is the demo supplier's (the world assigned it); the third goes to PSN.
        let (theirs, psns) = (services[0].id, services[2].id);
        assign_to_psn(&w.t.db, psns).await;

        // Three ways in: a token in the payload, an Authorization entry, the session cookie.
        let fornitore = w.app.login("fornitore", PASSWORD).await;
        let mut supplier_ws = Ws::connect(&addr, token_init(&fornitore), None).await.unwrap();
        supplier_ws.subscribe("mine", SERVICES, json!({})).await;
        let psn = w.app.login("psn", PASSWORD).await;
        let mut psn_ws = Ws::connect(&addr, json!({ "Authorization": format!("Bearer {psn}") }), None).await.unwrap();
        psn_ws.subscribe("mine", SERVICES, json!({ "cup": SCHOOL_CUP })).await;
        let school = w.app.login("scuola", PASSWORD).await;
        let mut school_ws = Ws::connect(&addr, json!({}), Some(&school)).await.unwrap();
        school_ws.subscribe("plan", SERVICES, json!({ "cup": SCHOOL_CUP })).await;
        listening(&addr, 3).await;

        change_status(&w.t.db, psns, "ASSESSED").await;
        change_status(&w.t.db, theirs, "ASSESSED").await;
        change_status(&w.t.db, psns, "MIGRATING").await;

        // The demo supplier hears of its own service only: the first it hears is the second change.
        let m = supplier_ws.next_of("mine").await;
        let change = &m["data"]["serviceStatusChanged"];
        assert_eq!(change["serviceId"], theirs.to_string(), "{m}");
        assert_eq!(change["status"], "ASSESSED");
        assert_eq!(change["previousStatus"], "NOT_STARTED");
        assert_eq!(change["version"], services[0].version + 1);
        assert_eq!(change["cup"], SCHOOL_CUP);
        assert_eq!(change["name"], services[0].name.as_str());
        // PSN hears of its two changes, not of the one in between.
        let m = psn_ws.next_of("mine").await;
        assert_eq!(m["data"]["serviceStatusChanged"]["serviceId"], psns.to_string(), "{m}");
        assert_eq!(m["data"]["serviceStatusChanged"]["status"], "ASSESSED");
        let m = psn_ws.next_of("mine").await;
        assert_eq!(m["data"]["serviceStatusChanged"]["serviceId"], psns.to_string(), "{m}");
        assert_eq!(m["data"]["serviceStatusChanged"]["status"], "MIGRATING");
        // The administration hears of all three.
        let statuses: Vec<Value> = [
            school_ws.next_of("plan").await,
            school_ws.next_of("plan").await,
            school_ws.next_of("plan").await,
        ]
        .iter()
        .map(|m| m["data"]["serviceStatusChanged"]["status"].clone())
        .collect();
        assert_eq!(statuses, ["ASSESSED", "ASSESSED", "MIGRATING"]);
        supplier_ws.silent_for(Duration::from_millis(500)).await;
    }
}

both! {
    async fn service_changes_are_refused_to_who_may_not_see_the_plan(backend: Backend) {
        let w = world(backend).await;
        let addr = w.app.addr.to_string();
        let code = |m: &Value| m["payload"]["errors"][0]["extensions"]["code"].as_str().map(str::to_owned);

        let mut public = Ws::connect(&addr, json!({}), None).await.unwrap();
        for (id, variables) in [("one", json!({ "cup": SCHOOL_CUP })), ("any", json!({}))] {
            public.subscribe(id, SERVICES, variables).await;
            let m = public.receive(WAIT).await.unwrap();
            assert_eq!((m["id"].as_str(), code(&m).as_deref()), (Some(id), Some("FORBIDDEN")), "{m}");
            assert_eq!(public.receive(WAIT).await.unwrap()["type"], "complete");
        }
        // Another body, and a supplier without a service in the project.
        for who in ["genova", "psn"] {
            let token = w.app.login(who, PASSWORD).await;
            let mut ws = Ws::connect(&addr, token_init(&token), None).await.unwrap();
            ws.subscribe("one", SERVICES, json!({ "cup": SCHOOL_CUP })).await;
            let m = ws.receive(WAIT).await.unwrap();
            assert_eq!(code(&m).as_deref(), Some("FORBIDDEN"), "{who}: {m}");
        }
        // An unknown project, for anyone.
        public.subscribe("unknown", STATES, json!({ "cup": "J11B22000000001" })).await;
        let m = public.receive(WAIT).await.unwrap();
        assert_eq!(code(&m).as_deref(), Some("NOT_FOUND"), "{m}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_token_closes_the_connection() {
    let w = world(Backend::Sqlite).await;
    let addr = w.app.addr.to_string();
    for init in [
        json!({ "token": "not-a-token" }),
        json!({ "Authorization": "Bearer not-a-token" }),
    ] {
        let reason = Ws::connect(&addr, init, None).await.err().expect("refused");
        assert!(reason.starts_with("UNAUTHENTICATED"), "{reason}");
    }
    // A stale session cookie falls back to PUBLIC, as on POST /graphql.
    assert!(Ws::connect(&addr, json!({}), Some("stale-cookie"))
        .await
        .is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_legacy_graphql_ws_protocol_works_too() {
    let w = world(Backend::Sqlite).await;
    let addr = w.app.addr.to_string();
    let mut ws = Ws::connect_with("graphql-ws", &addr, json!({}), None)
        .await
        .unwrap();
    ws.send(json!({ "type": "start", "id": "1", "payload": { "query": STATES, "variables": { "cup": SCHOOL_CUP } } }))
        .await;
    listening(&addr, 1).await;
    let services = planned(&w).await;
    let r = ask(
        &w,
        Some("scuola"),
        CONTRACT,
        contract(DEMO_VAT, "2023-01-16", &services),
    )
    .await;
    assert!(r["errors"].is_null(), "{r}");
    let m = ws.receive(WAIT).await.unwrap();
    assert_eq!(m["type"], "data", "{m}");
    assert_eq!(
        m["payload"]["data"]["projectStateChanged"]["state"],
        "CONTRACTED"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_holds_a_bounded_number_of_subscriptions_and_only_subscriptions() {
    let w = world(Backend::Sqlite).await;
    let addr = w.app.addr.to_string();
    let mut ws = Ws::connect(&addr, json!({}), None).await.unwrap();
    let max = nuvola_server::graphql::live::MAX_SUBSCRIPTIONS_PER_CONNECTION;
    for i in 0..=max {
        ws.subscribe(&format!("s{i}"), STATES, json!({})).await;
    }
    let m = ws.receive(WAIT).await.unwrap();
    assert_eq!(
        m["payload"]["errors"][0]["extensions"]["code"], "RATE_LIMITED",
        "{m}"
    );
    assert_eq!(ws.receive(WAIT).await.unwrap()["type"], "complete");
    ws.silent_for(Duration::from_millis(300)).await;

    // Queries and mutations go to POST /graphql, where the rate limit applies.
    ws.subscribe("q", "{ stats { applications } }", json!({}))
        .await;
    let m = ws.receive(WAIT).await.unwrap();
    assert_eq!(
        m["payload"]["errors"][0]["extensions"]["code"], "BAD_REQUEST",
        "{m}"
    );
}

/// A `nuvola serve` process of its own, killed when dropped.
pub(crate) struct Replica {
    pub(crate) addr: String,
    child: Child,
    _stdout: BufReader<ChildStdout>,
}

impl Replica {
    pub(crate) async fn start(database: &str, static_dir: &std::path::Path) -> Replica {
        Self::start_with(database, static_dir, &[]).await
    }

    /// A replica started with more options of `nuvola serve`.
    pub(crate) async fn start_with(
        database: &str,
        static_dir: &std::path::Path,
        options: &[&str],
    ) -> Replica {
        let mut child = Command::new(env!("CARGO_BIN_EXE_nuvola"))
            .args([
                "serve",
                "--database",
                database,
                "--bind",
                "127.0.0.1:0",
                "--static-dir",
            ])
            .arg(static_dir)
            .args(options)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (addr, stdout) = tokio::task::spawn_blocking(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            loop {
                line.clear();
                assert!(
                    reader.read_line(&mut line).unwrap() > 0,
                    "the replica stopped before listening"
                );
                if let Some(url) = line.trim().strip_prefix("Nuvola is listening on http://") {
                    return (url.trim_end_matches('/').to_owned(), reader);
                }
            }
        })
        .await
        .unwrap();
        Replica {
            addr,
            child,
            _stdout: stdout,
        }
    }

    async fn graphql(&self, token: &str, query: &str, variables: Value) -> Value {
        reqwest::Client::new()
            .post(format!("http://{}/graphql", self.addr))
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

impl Replica {
    /// Sends SIGTERM, as an orchestrator stopping the replica would.
    pub(crate) fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits (`within` at most) for the process to exit; its status.
    pub(crate) async fn exited_within(
        &mut self,
        within: Duration,
    ) -> Option<std::process::ExitStatus> {
        let started = Instant::now();
        while started.elapsed() < within {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_made_on_one_replica_reaches_the_subscribers_of_another() {
    let w: World = world(Backend::Postgres).await;
    let a = Replica::start(&w.t.url, w.app.static_dir.path()).await;
    let b = Replica::start(&w.t.url, w.app.static_dir.path()).await;
    let services = school_services(&w.t.db).await;
    let (theirs, psns) = (services[0].id, services[2].id);
    assign_to_psn(&w.t.db, psns).await;

    // Subscribers on A: the public, the demo supplier, PSN.
    let mut public = Ws::connect(&a.addr, json!({}), None).await.unwrap();
    public
        .subscribe("school", STATES, json!({ "cup": SCHOOL_CUP }))
        .await;
    let fornitore = w.app.login("fornitore", PASSWORD).await;
    let mut supplier_ws = Ws::connect(&a.addr, token_init(&fornitore), None)
        .await
        .unwrap();
    supplier_ws.subscribe("mine", SERVICES, json!({})).await;
    let psn = w.app.login("psn", PASSWORD).await;
    let mut psn_ws = Ws::connect(&a.addr, token_init(&psn), None).await.unwrap();
    psn_ws.subscribe("mine", SERVICES, json!({})).await;
    // A is a process of its own: its gauge counts exactly these three.
    listening(&a.addr, 3).await;

    // The contract is recorded through B.
    let planned_services = planned(&w).await;
    let school = w.app.login("scuola", PASSWORD).await;
    let started = Instant::now();
    let r = b
        .graphql(
            &school,
            CONTRACT,
            contract(DEMO_VAT, "2023-01-16", &planned_services),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let m = public.next_of("school").await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    let change = &m["data"]["projectStateChanged"];
    assert_eq!(
        (change["state"].as_str(), change["previousState"].as_str()),
        (Some("CONTRACTED"), Some("FUNDED")),
        "{m}"
    );

    // Status changes committed elsewhere reach A's subscribers, each only its own.
    change_status(&w.t.db, psns, "ASSESSED").await;
    change_status(&w.t.db, theirs, "ASSESSED").await;
    let m = supplier_ws.next_of("mine").await;
    assert_eq!(
        m["data"]["serviceStatusChanged"]["serviceId"],
        theirs.to_string(),
        "{m}"
    );
    let m = psn_ws.next_of("mine").await;
    assert_eq!(
        m["data"]["serviceStatusChanged"]["serviceId"],
        psns.to_string(),
        "{m}"
    );
    psn_ws.silent_for(Duration::from_millis(500)).await;
    supplier_ws.silent_for(Duration::from_millis(100)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_feed_catches_up_after_losing_its_postgres_connection() {
    use sea_orm::ConnectionTrait;
    let w = world(Backend::Postgres).await;
    let addr = w.app.addr.to_string();
    let theirs = school_services(&w.t.db).await[0].id;
    // A change from before anyone subscribed: never delivered, not even by a catch-up.
    change_status(&w.t.db, theirs, "ASSESSED").await;
    let token = w.app.login("fornitore", PASSWORD).await;
    let mut ws = Ws::connect(&addr, token_init(&token), None).await.unwrap();
    ws.subscribe("mine", SERVICES, json!({})).await;
    listening(&addr, 1).await;

    // The listening connection dies; a change is committed before the feed reconnects.
    let killed =
        w.t.db
            .query_one(sea_orm::Statement::from_string(
                sea_orm::DatabaseBackend::Postgres,
                "SELECT COUNT(pg_terminate_backend(pid)) AS n FROM pg_stat_activity
             WHERE datname = current_database() AND query ILIKE 'LISTEN%'",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap();
    assert_eq!(killed, 1);
    change_status(&w.t.db, theirs, "MIGRATING").await;
    let m = ws.next_of("mine").await;
    assert_eq!(
        m["data"]["serviceStatusChanged"]["status"], "MIGRATING",
        "{m}"
    );
    // Once reconnected, notifications flow again, and nothing is delivered twice.
    change_status(&w.t.db, theirs, "TESTING").await;
    let m = ws.next_of("mine").await;
    assert_eq!(
        m["data"]["serviceStatusChanged"]["status"], "TESTING",
        "{m}"
    );
    ws.silent_for(Duration::from_millis(500)).await;
}
