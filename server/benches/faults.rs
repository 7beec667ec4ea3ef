//! The fault test: three replicas of the release server behind HAProxy
//! (`deploy/haproxy.cfg`) on one PostgreSQL, under a mixed load (public reads, supplier
//! questionnaires sent with idempotency keys and retried until acknowledged, service
//! status moves, subscribers over WebSocket). During the load one replica is killed with
//! SIGKILL, then PostgreSQL restarts. The report gives the requests served, the errors
//! and their time window; the run fails when an acknowledged write is missing or was
//! applied twice, or when a subscriber did not come back and hear changes again.
//!
//! `cargo bench -p nuvola-server --bench faults` (part of `make bench`). It needs Debian's
//! `haproxy` and PostgreSQL's server programs (`initdb`, `pg_ctl`, found with
//! `pg_config --bindir`): the test runs its own PostgreSQL cluster in a temporary folder
//! on a free port, so restarting it disturbs nothing else. Settings:
//! `NUVOLA_FAULTS_SECONDS` (default 30), `NUVOLA_FAULTS_WRITERS` (default 4).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use futures_util::{SinkExt, StreamExt};
use nuvola_shared::ServiceState;
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

/// The demo's schools' supplier: it has a project half migrated (`demo::stage_work_to_do`).
const SUPPLIER: (&str, &str) = ("fornitore.scuole", "fornitore-demo-2026");
const READ: &str = r#"query { applications(first: 50, filter: {region: "Lombardia"}) { totalCount edges { node { cup state administration { name } call { title } } } pageInfo { hasNextPage endCursor } } }"#;
const SERVICES: &str =
    "query { myProjects { cup state plan { id status version supplier { vatNumber } } } }";
const ASSESS: &str = "mutation($a: AssessmentInput!) { submitAssessment(input: $a) { version } }";
const MOVE: &str =
    "mutation($s: ServiceStatusInput!) { updateServiceStatus(input: $s) { id version status } }";
const HEAR: &str = "subscription { serviceStatusChanged { serviceId status version } }";

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process killed when dropped.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A PostgreSQL cluster of the test's own.
struct Postgres {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
}

impl Postgres {
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            // initdb and the server refuse to run as root.
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    fn options(&self) -> String {
        format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c max_connections=200",
            self.port,
            self.dir.display()
        )
    }

    fn run(&self, program: &str, args: &[&str]) -> Result<()> {
        let out = self
            .command(program)
            .args(args)
            .output()
            .with_context(|| format!("running {program}"))?;
        if !out.status.success() {
            bail!(
                "{program} {args:?} failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(())
    }

    fn start_new(dir: &Path) -> Result<Self> {
        let bindir = Command::new("pg_config")
            .arg("--bindir")
            .output()
            .ok()
            .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
            .filter(|p| p.join("initdb").exists())
            .or_else(|| {
                std::fs::read_dir("/usr/lib/postgresql")
                    .ok()?
                    .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
                    .find(|p| p.join("initdb").exists())
            })
            .context("PostgreSQL's initdb was not found (pg_config --bindir)")?;
        let pg = Self {
            dir: dir.to_path_buf(),
            bin: bindir,
            port: free_port(),
            as_postgres: running_as_root(),
        };
        if pg.as_postgres {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir)
                .status()?;
            if !status.success() {
                bail!("chown of {} failed", dir.display());
            }
        }
        let data = dir.join("data");
        pg.run(
            "initdb",
            &[
                "-D",
                &data.to_string_lossy(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
        )?;
        pg.run(
            "pg_ctl",
            &[
                "-D",
                &data.to_string_lossy(),
                "-l",
                &dir.join("postgres.log").to_string_lossy(),
                "-o",
                &pg.options(),
                "-w",
                "start",
            ],
        )?;
        Ok(pg)
    }

    fn restart(&self) -> Result<()> {
        let data = self.dir.join("data");
        self.run(
            "pg_ctl",
            &[
                "-D",
                &data.to_string_lossy(),
                "-l",
                &self.dir.join("postgres.log").to_string_lossy(),
                "-o",
                &self.options(),
                "-m",
                "fast",
                "-w",
                "restart",
            ],
        )
    }

    fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        let _ = self.run(
            "pg_ctl",
            &["-D", &data.to_string_lossy(), "-m", "immediate", "stop"],
        );
    }
}

/// What happened to one kind of request.
#[derive(Default)]
struct Tally {
    ok: u64,
    errors: u64,
    first_error: Option<f64>,
    last_error: Option<f64>,
    samples: Vec<String>,
}

#[derive(Default)]
struct Stats {
    kinds: HashMap<&'static str, Tally>,
}

struct Run {
    started: Instant,
    stop: AtomicBool,
    stats: Mutex<Stats>,
    lb: String,
    http: reqwest::Client,
}

impl Run {
    fn now(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    fn ok(&self, kind: &'static str) {
        self.stats.lock().unwrap().kinds.entry(kind).or_default().ok += 1;
    }

    fn error(&self, kind: &'static str, what: String) {
        let t = self.now();
        let mut stats = self.stats.lock().unwrap();
        let tally = stats.kinds.entry(kind).or_default();
        tally.errors += 1;
        tally.first_error.get_or_insert(t);
        tally.last_error = Some(t);
        if tally.samples.len() < 3 && !tally.samples.iter().any(|s| s == &what) {
            tally.samples.push(what);
        }
    }

    /// One GraphQL request through the balancer: the data, or why not.
    async fn graphql(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> Result<Value, String> {
        let mut req = self
            .http
            .post(format!("{}/graphql", self.lb))
            .timeout(Duration::from_secs(10))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.map_err(|e| format!("transport: {e}"))?;
        let status = res.status().as_u16();
        let body: Value = res
            .json()
            .await
            .map_err(|e| format!("HTTP {status}, not JSON: {e}"))?;
        if let Some(error) = body["errors"].get(0) {
            let code = error["extensions"]["code"].as_str().unwrap_or("?");
            return Err(format!("HTTP {status} {code}"));
        }
        Ok(body["data"].clone())
    }
}

/// A replica of the release server.
struct Replica {
    port: u16,
    process: Option<Guard>,
}

fn start_replica(bin: &Path, database: &str, dir: &Path, n: usize, demo: bool) -> Result<Replica> {
    let port = free_port();
    let log = std::fs::File::create(dir.join(format!("replica{n}.log")))?;
    let mut cmd = Command::new(bin);
    cmd.args(["serve", "--database", database, "--bind"])
        .arg(format!("127.0.0.1:{port}"))
        .args([
            "--trust-proxy",
            "--rate-limit",
            "0",
            "--deadline-check-secs",
            "0",
            "--storage",
        ])
        .arg(dir.join("files"))
        .arg("--static-dir")
        .arg(dir)
        .stdout(log.try_clone()?)
        .stderr(log)
        .stdin(Stdio::null());
    if demo {
        cmd.arg("--demo");
    }
    let child = cmd.spawn().context("starting a replica")?;
    Ok(Replica {
        port,
        process: Some(Guard(child)),
    })
}

async fn until_ok(url: &str, within: Duration) -> Result<()> {
    let started = Instant::now();
    loop {
        if let Ok(res) = reqwest::get(url).await {
            if res.status().is_success() {
                return Ok(());
            }
        }
        if started.elapsed() > within {
            bail!("{url} did not answer 200 within {within:?}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn login(run: &Run) -> Result<String> {
    let data = run
        .graphql(
            None,
            "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }",
            json!({ "u": SUPPLIER.0, "p": SUPPLIER.1 }),
        )
        .await
        .map_err(anyhow::Error::msg)?;
    Ok(data["login"]["token"]
        .as_str()
        .context("no token")?
        .to_owned())
}

async fn reader(run: Arc<Run>) {
    while !run.stop.load(Ordering::Relaxed) {
        match run.graphql(None, READ, json!({})).await {
            Ok(_) => run.ok("public reads"),
            Err(e) => {
                run.error("public reads", e);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

/// A write the writer sent: acknowledged or given up after retrying for a minute.
struct Sent {
    tag: String,
    acknowledged: bool,
    attempts: u32,
}

/// Sends questionnaires to `service`, each with its own idempotency key, retrying the
/// same key until the server acknowledges it.
async fn writer(
    run: Arc<Run>,
    token: String,
    n: usize,
    service: String,
    mut latest: i64,
    id: u64,
) -> Vec<Sent> {
    let mut sent = Vec::new();
    let mut seq = 0;
    while !run.stop.load(Ordering::Relaxed) {
        seq += 1;
        let tag = format!("faults-{id}-{n}-{seq}");
        let variables = json!({ "a": {
            "serviceId": service, "latestVersion": latest, "applicationName": tag,
            "users": seq, "idempotencyKey": tag,
        }});
        let first = Instant::now();
        let mut attempts = 0;
        let acknowledged = loop {
            attempts += 1;
            match run.graphql(Some(&token), ASSESS, variables.clone()).await {
                Ok(data) => {
                    run.ok("questionnaires");
                    latest = data["submitAssessment"]["version"]
                        .as_i64()
                        .unwrap_or(latest + 1);
                    break true;
                }
                Err(e) => {
                    run.error("questionnaires", e);
                    if first.elapsed() > Duration::from_secs(60) {
                        break false;
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        };
        sent.push(Sent {
            tag,
            acknowledged,
            attempts,
        });
        if !acknowledged {
            break;
        }
    }
    sent
}

/// Moves one service on to MIGRATING, then round MIGRATING → TESTING → FAILED →
/// MIGRATING, so that subscribers always have something to hear.
async fn mover(
    run: Arc<Run>,
    token: String,
    service: String,
    mut status: ServiceState,
    mut version: i64,
    moved: Arc<AtomicU64>,
) {
    while !run.stop.load(Ordering::Relaxed) {
        let next = match status {
            ServiceState::NotStarted => ServiceState::Assessed,
            ServiceState::Assessed | ServiceState::Failed => ServiceState::Migrating,
            ServiceState::Testing => ServiceState::Failed,
            _ => ServiceState::Testing,
        };
        let variables =
            json!({ "s": { "id": service, "version": version, "status": next.code() } });
        match run.graphql(Some(&token), MOVE, variables).await {
            Ok(data) => {
                run.ok("status moves");
                moved.fetch_add(1, Ordering::Relaxed);
                version = data["updateServiceStatus"]["version"]
                    .as_i64()
                    .unwrap_or(version + 1);
                status = next;
            }
            Err(e) => {
                run.error("status moves", e);
                // Read it again: the move may have applied before the answer was lost.
                if let Ok(data) = run.graphql(Some(&token), SERVICES, json!({})).await {
                    if let Some((s, v)) = find_service(&data, &service) {
                        status = s;
                        version = v;
                    }
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

fn find_service(data: &Value, id: &str) -> Option<(ServiceState, i64)> {
    data["myProjects"]
        .as_array()?
        .iter()
        .find_map(|p| {
            p["plan"].as_array()?.iter().find_map(|s| {
                (s["id"].as_str() == Some(id)).then(|| {
                    (
                        ServiceState::parse(s["status"].as_str().unwrap_or_default()).ok(),
                        s["version"].as_i64(),
                    )
                })
            })
        })
        .and_then(|(s, v)| Some((s?, v?)))
}

/// What a subscriber lived through.
#[derive(Default)]
struct Heard {
    connections: u64,
    reloads: u64,
    changes: u64,
    last_change: f64,
}

/// Listens to service changes; when the connection ends, reconnects and reloads.
async fn subscriber(run: Arc<Run>, token: String, heard: Arc<Mutex<Heard>>) {
    let ws_url = format!("{}/graphql/ws", run.lb.replacen("http", "ws", 1));
    while !run.stop.load(Ordering::Relaxed) {
        let mut request = ws_url.as_str().into_client_request().unwrap();
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        let connected = tokio::time::timeout(
            Duration::from_secs(5),
            tokio_tungstenite::connect_async(request),
        )
        .await;
        let Ok(Ok((mut socket, _))) = connected else {
            run.error("subscriptions", "connect failed".into());
            tokio::time::sleep(Duration::from_millis(300)).await;
            continue;
        };
        let init = json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } });
        let subscribe = json!({ "type": "subscribe", "id": "s", "payload": { "query": HEAR } });
        if socket.send(Message::text(init.to_string())).await.is_err()
            || socket
                .send(Message::text(subscribe.to_string()))
                .await
                .is_err()
        {
            run.error("subscriptions", "sending failed".into());
            continue;
        }
        let reconnect = heard.lock().unwrap().connections > 0;
        heard.lock().unwrap().connections += 1;
        run.ok("subscriptions");
        if reconnect {
            // Reload what may have changed while the connection was down.
            match run.graphql(Some(&token), SERVICES, json!({})).await {
                Ok(_) => heard.lock().unwrap().reloads += 1,
                Err(e) => run.error("subscriptions", format!("reload: {e}")),
            }
        }
        loop {
            if run.stop.load(Ordering::Relaxed) {
                return;
            }
            let next = tokio::time::timeout(Duration::from_millis(500), socket.next()).await;
            match next {
                Err(_) => continue,
                Ok(Some(Ok(Message::Text(text)))) => {
                    let m: Value = serde_json::from_str(&text).unwrap_or_default();
                    match m["type"].as_str() {
                        Some("next") => {
                            let mut h = heard.lock().unwrap();
                            h.changes += 1;
                            h.last_change = run.now();
                        }
                        Some("ping") => {
                            let _ = socket
                                .send(Message::text(json!({ "type": "pong" }).to_string()))
                                .await;
                        }
                        Some("error") | Some("complete") => {
                            run.error("subscriptions", format!("ended: {text}"));
                            break;
                        }
                        _ => {}
                    }
                }
                Ok(Some(Ok(Message::Close(_)))) | Ok(None) | Ok(Some(Err(_))) => {
                    run.error("subscriptions", "connection closed".into());
                    break;
                }
                Ok(Some(Ok(_))) => {}
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn main() -> ExitCode {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    match rt.block_on(fault_test()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("fault test: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn fault_test() -> Result<bool> {
    let seconds: u64 = env_or("NUVOLA_FAULTS_SECONDS", 30);
    let writers: usize = env_or("NUVOLA_FAULTS_WRITERS", 4);
    let kill_at = Duration::from_secs(seconds / 5);
    let restart_at = Duration::from_secs(seconds * 9 / 20);
    let dir = tempfile::tempdir()?;
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>Nuvola</title>",
    )?;
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_nuvola"));
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");

    println!("fault test: starting PostgreSQL, three replicas and HAProxy");
    let pg_dir = dir.path().join("pg");
    std::fs::create_dir_all(&pg_dir)?;
    let pg = Postgres::start_new(&pg_dir)?;
    let admin = Database::connect(pg.url("postgres")).await?;
    admin.execute_unprepared("CREATE DATABASE nuvola").await?;
    admin.close().await?;
    let database = pg.url("nuvola");

    let mut replicas = vec![start_replica(&bin, &database, dir.path(), 1, true)?];
    until_ok(
        &format!("http://127.0.0.1:{}/readyz", replicas[0].port),
        Duration::from_secs(120),
    )
    .await?;
    for n in 2..=3 {
        replicas.push(start_replica(&bin, &database, dir.path(), n, false)?);
    }
    for r in &replicas {
        until_ok(
            &format!("http://127.0.0.1:{}/readyz", r.port),
            Duration::from_secs(60),
        )
        .await?;
    }
    let lb_port = free_port();
    let haproxy_log = std::fs::File::create(dir.path().join("haproxy.log"))?;
    let _haproxy = Guard(
        Command::new("haproxy")
            .arg("-db")
            .arg("-f")
            .arg(repo.join("deploy/haproxy.cfg"))
            .env("NUVOLA_LISTEN", format!("127.0.0.1:{lb_port}"))
            .env(
                "NUVOLA_REPLICA_1",
                format!("127.0.0.1:{}", replicas[0].port),
            )
            .env(
                "NUVOLA_REPLICA_2",
                format!("127.0.0.1:{}", replicas[1].port),
            )
            .env(
                "NUVOLA_REPLICA_3",
                format!("127.0.0.1:{}", replicas[2].port),
            )
            .stdout(haproxy_log.try_clone()?)
            .stderr(haproxy_log)
            .spawn()
            .context("starting haproxy (Debian package haproxy)")?,
    );
    let lb = format!("http://127.0.0.1:{lb_port}");
    if let Err(e) = until_ok(&format!("{lb}/healthz"), Duration::from_secs(20)).await {
        let log = std::fs::read_to_string(dir.path().join("haproxy.log")).unwrap_or_default();
        bail!("{e}; HAProxy said:\n{log}");
    }

    let run = Arc::new(Run {
        started: Instant::now(),
        stop: AtomicBool::new(false),
        stats: Mutex::new(Stats::default()),
        lb: lb.clone(),
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .build()?,
    });
    let token = login(&run).await?;
    // The supplier's services that may still move: writers and the mover take one each.
    let data = run
        .graphql(Some(&token), SERVICES, json!({}))
        .await
        .map_err(anyhow::Error::msg)?;
    let mut open: Vec<(String, ServiceState, i64)> = Vec::new();
    for p in data["myProjects"].as_array().into_iter().flatten() {
        for s in p["plan"].as_array().into_iter().flatten() {
            let status = ServiceState::parse(s["status"].as_str().unwrap_or_default());
            if let (Ok(status), Some(id), Some(version)) =
                (status, s["id"].as_str(), s["version"].as_i64())
            {
                if !matches!(status, ServiceState::Migrated) {
                    open.push((id.to_owned(), status, version));
                }
            }
        }
    }
    let mut all_services: Vec<String> = data["myProjects"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| matches!(p["state"].as_str(), Some("CONTRACTED" | "MIGRATING")))
        .flat_map(|p| p["plan"].as_array().cloned().unwrap_or_default())
        .filter_map(|s| s["id"].as_str().map(str::to_owned))
        .collect();
    let Some(moving) = open.first().cloned() else {
        bail!("the demo supplier has no service left to move: {data}");
    };
    all_services.retain(|s| s != &moving.0);
    if all_services.len() < writers {
        bail!(
            "the demo supplier has {} services, {writers} writers need one each",
            all_services.len()
        );
    }

    let run_id = std::process::id() as u64;
    let moved = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..6 {
        tasks.push(tokio::spawn(reader(run.clone())));
    }
    let mut writer_tasks = Vec::new();
    for (n, service) in all_services.iter().take(writers).enumerate() {
        let latest = latest_assessment(&database, service).await?;
        writer_tasks.push(tokio::spawn(writer(
            run.clone(),
            token.clone(),
            n,
            service.clone(),
            latest,
            run_id,
        )));
    }
    tasks.push(tokio::spawn(mover(
        run.clone(),
        token.clone(),
        moving.0.clone(),
        moving.1,
        moving.2,
        moved.clone(),
    )));
    let mut hearers = Vec::new();
    for _ in 0..3 {
        let heard = Arc::new(Mutex::new(Heard::default()));
        hearers.push(heard.clone());
        tasks.push(tokio::spawn(subscriber(run.clone(), token.clone(), heard)));
    }

    tokio::time::sleep(kill_at).await;
    let killed_at = run.now();
    drop(replicas[1].process.take());
    println!("  t={killed_at:5.1} s  replica 2 killed (SIGKILL)");
    tokio::time::sleep(restart_at.saturating_sub(kill_at)).await;
    let restart_began = run.now();
    let pg_restart = tokio::task::spawn_blocking(move || pg.restart().map(|()| pg)).await??;
    let restart_done = run.now();
    println!("  t={restart_began:5.1} s  PostgreSQL restarting (fast); accepting again at t={restart_done:.1} s");
    tokio::time::sleep(Duration::from_secs(seconds).saturating_sub(run.started.elapsed())).await;
    run.stop.store(true, Ordering::Relaxed);
    let ended = run.now();
    for t in tasks {
        let _ = t.await;
    }
    let mut sent = Vec::new();
    for t in writer_tasks {
        sent.extend(t.await?);
    }

    // Every acknowledged write is there exactly once; nothing was applied twice.
    let db = Database::connect(&database).await?;
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT application_name, COUNT(*) AS n FROM assessment WHERE application_name LIKE 'faults-{run_id}-%' GROUP BY application_name"),
        ))
        .await?;
    let mut counts: HashMap<String, i64> = HashMap::new();
    for row in rows {
        counts.insert(row.try_get("", "application_name")?, row.try_get("", "n")?);
    }
    db.close().await?;
    let acknowledged: Vec<&Sent> = sent.iter().filter(|s| s.acknowledged).collect();
    let retried = acknowledged.iter().filter(|s| s.attempts > 1).count();
    let missing: Vec<&str> = acknowledged
        .iter()
        .filter(|s| counts.get(&s.tag).copied().unwrap_or(0) == 0)
        .map(|s| s.tag.as_str())
        .collect();
    let twice: Vec<(&String, &i64)> = counts.iter().filter(|(_, n)| **n > 1).collect();
    let given_up = sent.len() - acknowledged.len();

    println!("fault test report ({ended:.1} s of load, 3 replicas behind HAProxy, one PostgreSQL)");
    let stats = run.stats.lock().unwrap();
    let mut kinds: Vec<_> = stats.kinds.iter().collect();
    kinds.sort_by_key(|(k, _)| *k);
    for (kind, t) in kinds {
        let window = match (t.first_error, t.last_error) {
            (Some(a), Some(b)) => format!(
                ", errors between t={a:.1} s and t={b:.1} s: {}",
                t.samples.join("; ")
            ),
            _ => String::new(),
        };
        println!(
            "  {kind:<15} {:>7} served, {:>5} errors{window}",
            t.ok, t.errors
        );
    }
    println!(
        "  writes: {} acknowledged ({retried} after retries with the same idempotency key), {given_up} given up; missing: {}, applied twice: {}",
        acknowledged.len(),
        missing.len(),
        twice.len()
    );
    let mut subscribers_ok = true;
    for (i, h) in hearers.iter().enumerate() {
        let h = h.lock().unwrap();
        let back = h.last_change > restart_done;
        subscribers_ok &= back;
        println!(
            "  subscriber {}: {} connections, {} reloads, {} changes heard, last at t={:.1} s{}",
            i + 1,
            h.connections,
            h.reloads,
            h.changes,
            h.last_change,
            if back {
                ""
            } else {
                "  <- heard nothing after the restart"
            }
        );
    }
    println!("  status moves applied: {}", moved.load(Ordering::Relaxed));
    drop(pg_restart);

    let passed =
        missing.is_empty() && twice.is_empty() && subscribers_ok && !acknowledged.is_empty();
    if !missing.is_empty() {
        println!("FAILED: acknowledged writes missing: {missing:?}");
    }
    if !twice.is_empty() {
        println!("FAILED: writes applied twice: {twice:?}");
    }
    if !subscribers_ok {
        println!("FAILED: a subscriber did not come back");
    }
    println!("fault test: {}", if passed { "passed" } else { "FAILED" });
    Ok(passed)
}

/// The latest questionnaire version of `service` (0 for none).
async fn latest_assessment(database: &str, service: &str) -> Result<i64> {
    let db = Database::connect(database).await?;
    let row = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COALESCE(MAX(version), 0) AS v FROM assessment WHERE planned_service_id = {}", service.parse::<i64>()?),
        ))
        .await?
        .context("no row")?;
    let v: i32 = row.try_get("", "v")?;
    db.close().await?;
    Ok(v.into())
}
