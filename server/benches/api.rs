//! Latency of the explorer's query under load: `applications(first: 50, filter:
//! {region: "Lombardia"})` with each application's administration and call, from 32
//! concurrent keep-alive clients over HTTP, against the real server (`http::start`) on a
//! fresh SQLite file and a fresh PostgreSQL database filled with the bundled open data.
//!
//! Two mixes per database, because the server keeps a cache of public responses
//! (`http::cache`) and one query sent over and over measures only its hits:
//!
//! - **same query, cache on**: the query above, again and again (what a popular page
//!   costs once it is cached);
//! - **20 regions × 3 pages, cache off** (`ServeOptions::response_cache = false`): each
//!   client rotates through the first three pages (with `after` cursors) of every region,
//!   so every request runs its SQL: what a request costs when it is not in the cache
//!   (after any change of data, or for a page nobody asked for since).
//!
//! `cargo bench -p nuvola-server --bench api` (or `make bench`). Target: p99 under 10 ms
//! at 32 clients.
//!
//! `NUVOLA_BENCH_SECONDS` (default 10) measured after 2 s of warm-up, per mix,
//! `NUVOLA_BENCH_CLIENTS` (default 32), `NUVOLA_BENCH_POSTGRES` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`: a server where the bench may create and
//! drop a database; skipped when it does not answer).
//!
//! The server runs as `nuvola serve` does: its actix workers on their own threads, one per
//! core. The clients run on this process's tokio runtime and share the same cores, so the
//! figures include the clients' cost. No tracing subscriber is installed unless `RUST_LOG`
//! is set (e.g. `RUST_LOG=error`, which prints the cause of any INTERNAL error on stderr):
//! the access log stays quiet. The rate limit is off (one address hammering is the point). On PostgreSQL
//! the tables are analyzed after the load, as autovacuum does within a minute: the steady
//! state is measured.
//!
//! The clients send their next request as soon as the last one is answered, so the mean
//! latency is clients / throughput: a p99 under 10 ms at 32 clients needs well over 3,200
//! requests/s.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use hdrhistogram::Histogram;
use indicatif::ProgressBar;
use nuvola_server::audit::Actor;
use nuvola_server::http::ServeOptions;
use nuvola_server::service::import;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection};
use serde_json::{json, Value};

const QUERY: &str = r#"query { applications(first: 50, filter: {region: "Lombardia"}) { totalCount edges { cursor node { cup amountEur state fundedOn administration { ipaCode name type region } call { title } } } pageInfo { hasNextPage endCursor } } }"#;

const PAGE: usize = 50;
/// Pages per region in the uncached mix.
const PAGES_PER_REGION: usize = 3;
const WARM_UP: Duration = Duration::from_secs(2);
const TARGET_P99_MS: f64 = 10.0;
const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Fills an empty, migrated database with the bundled calls and applications.
async fn fill(db: &DatabaseConnection) -> Result<()> {
    let actor = Actor::system("bench");
    let hidden = ProgressBar::hidden();
    for (name, bytes) in [
        ("avvisi.csv", nuvola_server::demo::CALLS_CSV),
        ("candidature_12.csv", nuvola_server::demo::APPLICATIONS_CSV),
    ] {
        import::import_file(db, name, bytes, &actor, &hidden)
            .await
            .with_context(|| format!("importing {name}"))?;
    }
    if db.get_database_backend() == DatabaseBackend::Postgres {
        // Autovacuum analyzes freshly loaded tables within a minute or so; until then
        // the planner has no statistics and picks nested loops. Measure the steady state.
        db.execute_unprepared("ANALYZE")
            .await
            .context("analyzing the tables")?;
    }
    Ok(())
}

/// One request of a mix: the JSON body and the number of edges its answer must have.
#[derive(Clone)]
struct Request {
    body: Vec<u8>,
    edges: usize,
}

/// The query of the explorer for `region`, one page of [`PAGE`] after `after`.
fn page_query(region: &str, after: Option<&str>) -> String {
    let after = after.map_or(String::new(), |c| format!(", after: {c:?}"));
    QUERY
        .replacen("region: \"Lombardia\"", &format!("region: {region:?}"), 1)
        .replacen("first: 50", &format!("first: {PAGE}{after}"), 1)
}

/// The same query over and over.
fn same_query() -> Result<Vec<Request>> {
    Ok(vec![Request {
        body: serde_json::to_vec(&json!({ "query": QUERY }))?,
        edges: PAGE,
    }])
}

/// The first [`PAGES_PER_REGION`] pages of each of the 20 regions, interleaved (page 1 of
/// every region, then page 2, ...), with the edges each answer has: asked once here.
async fn region_pages(url: &str) -> Result<Vec<Request>> {
    let http = reqwest::Client::new();
    let mut by_page: Vec<Vec<Request>> = vec![Vec::new(); PAGES_PER_REGION];
    for region in nuvola_shared::Region::all() {
        let mut after: Option<String> = None;
        for slot in by_page.iter_mut() {
            let body = serde_json::to_vec(
                &json!({ "query": page_query(region.name(), after.as_deref()) }),
            )?;
            let answer: Value = http
                .post(url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.clone())
                .send()
                .await?
                .json()
                .await?;
            let page = &answer["data"]["applications"];
            let edges = page["edges"].as_array().map_or(0, Vec::len);
            if edges == 0 {
                bail!(
                    "no applications in {} for {}: {answer}",
                    region.name(),
                    String::from_utf8_lossy(&body)
                );
            }
            slot.push(Request { body, edges });
            if page["pageInfo"]["hasNextPage"] != Value::Bool(true) {
                break;
            }
            after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        }
    }
    Ok(by_page.into_iter().flatten().collect())
}

/// Why a response did not count as a success, if it did not.
async fn check(response: reqwest::Result<reqwest::Response>, want: usize) -> Result<u64, String> {
    let response = response.map_err(|e| format!("request: {e}"))?;
    let status = response.status();
    let body: Value = response
        .json()
        .await
        .map_err(|e| format!("HTTP {status}, body: {e}"))?;
    if status != reqwest::StatusCode::OK {
        return Err(format!("HTTP {status}: {body}"));
    }
    if let Some(errors) = body.get("errors") {
        return Err(format!("GraphQL errors: {errors}"));
    }
    let page = &body["data"]["applications"];
    let edges = page["edges"].as_array().map_or(0, Vec::len);
    match page["totalCount"].as_u64() {
        Some(total) if edges == want => Ok(total),
        _ => Err(format!("{edges} edges instead of {want}")),
    }
}

/// What one client saw in the measured window.
struct ClientResult {
    latencies: Histogram<u64>,
    errors: u64,
    first_error: Option<String>,
    total_count: u64,
}

/// One client on its own keep-alive connection: requests back to back until `until`,
/// going round `requests` from `start`; the latencies (microseconds) of requests started
/// after `measure_from` are kept.
async fn client(
    url: String,
    requests: std::sync::Arc<Vec<Request>>,
    start: usize,
    measure_from: Instant,
    until: Instant,
) -> Result<ClientResult> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .build()
        .context("building the HTTP client")?;
    let mut next = start;
    let mut result = ClientResult {
        latencies: Histogram::new_with_bounds(1, 60_000_000, 3)?,
        errors: 0,
        first_error: None,
        total_count: 0,
    };
    loop {
        let started = Instant::now();
        if started >= until {
            return Ok(result);
        }
        let Some(request) = requests.get(next % requests.len().max(1)) else {
            bail!("no requests to send");
        };
        next += 1;
        let outcome = check(
            http.post(&url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(request.body.clone())
                .send()
                .await,
            request.edges,
        )
        .await;
        let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        if started < measure_from {
            continue;
        }
        match outcome {
            Ok(total) => {
                result.latencies.saturating_record(micros.max(1));
                result.total_count = total;
            }
            Err(e) => {
                result.errors += 1;
                result.first_error.get_or_insert(e);
            }
        }
    }
}

/// What a run of `clients` concurrent clients saw.
struct Run {
    clients: usize,
    window: Duration,
    latencies: Histogram<u64>,
    errors: u64,
    first_error: Option<String>,
    total_count: u64,
}

impl Run {
    fn p99_ms(&self) -> f64 {
        self.latencies.value_at_quantile(0.99) as f64 / 1000.0
    }

    fn print(&self, label: &str) {
        let ms = |micros: u64| micros as f64 / 1000.0;
        let h = &self.latencies;
        println!(
            "{label}, {:>2} client(s), {:>2} s: {:>5.0} requests/s  p50 {:>7.2} ms  p90 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms  errors {} (totalCount {})",
            self.clients,
            self.window.as_secs(),
            h.len() as f64 / self.window.as_secs_f64(),
            ms(h.value_at_quantile(0.5)),
            ms(h.value_at_quantile(0.9)),
            self.p99_ms(),
            ms(h.max()),
            self.errors,
            self.total_count,
        );
        if let Some(e) = &self.first_error {
            println!("  first error: {e}");
        }
    }
}

/// `clients` clients for `warm_up` then `window`; only the window is recorded. Client
/// `i` starts at request `i` of the mix, so that they do not move in step.
async fn run(
    url: &str,
    requests: &[Request],
    clients: usize,
    warm_up: Duration,
    window: Duration,
) -> Result<Run> {
    let measure_from = Instant::now() + warm_up;
    let until = measure_from + window;
    let requests = std::sync::Arc::new(requests.to_vec());
    let tasks: Vec<_> = (0..clients)
        .map(|i| {
            tokio::spawn(client(
                url.to_owned(),
                requests.clone(),
                i * 7,
                measure_from,
                until,
            ))
        })
        .collect();
    let mut run = Run {
        clients,
        window,
        latencies: Histogram::new_with_bounds(1, 60_000_000, 3)?,
        errors: 0,
        first_error: None,
        total_count: 0,
    };
    for task in tasks {
        let seen = task.await??;
        run.latencies.add(&seen.latencies)?;
        run.errors += seen.errors;
        run.total_count = run.total_count.max(seen.total_count);
        run.first_error = run.first_error.or(seen.first_error);
    }
    Ok(run)
}

/// The mixes measured on each database.
#[derive(Clone, Copy)]
enum Mix {
    /// [`QUERY`] again and again, response cache on.
    SameQueryCached,
    /// Every region's first pages in turn, response cache off.
    RegionPagesUncached,
}

impl Mix {
    fn label(self) -> &'static str {
        match self {
            Mix::SameQueryCached => "same query, cache on",
            Mix::RegionPagesUncached => "20 regions x 3 pages, cache off",
        }
    }
}

/// Each mix gets a server and a connection pool of its own. A PostgreSQL connection
/// belongs to the tokio runtime that opened it: one opened by an actix worker of the first
/// server dies with that worker's runtime, and a second server handed it by a shared pool
/// fails the request ("A Tokio 1.x context was found, but it is being shutdown"): the
/// INTERNAL errors once seen on some page of the uncached mix.
async fn measure(backend: &str, url: &str) -> Result<()> {
    for mix in [Mix::SameQueryCached, Mix::RegionPagesUncached] {
        let db = nuvola_server::db::connect(url).await?;
        let measured = measure_mix(backend, db.clone(), mix).await;
        db.close().await?;
        measured?;
    }
    Ok(())
}

async fn measure_mix(backend: &str, db: DatabaseConnection, mix: Mix) -> Result<()> {
    let clients: usize = env_or("NUVOLA_BENCH_CLIENTS", 32);
    let seconds: u64 = env_or("NUVOLA_BENCH_SECONDS", 10);
    let options = ServeOptions {
        requests_per_minute: 0,
        storage_dir: std::env::temp_dir().join("nuvola-bench-files"),
        response_cache: matches!(mix, Mix::SameQueryCached),
        ..ServeOptions::new("127.0.0.1:0", PathBuf::from("/nonexistent"))
    };
    let (server, addr) = nuvola_server::http::start(db, options)?;
    let handle = server.handle();
    let serving = tokio::spawn(server);
    let url = format!("http://{addr}/graphql");

    let requests = match mix {
        Mix::SameQueryCached => same_query(),
        Mix::RegionPagesUncached => region_pages(&url).await,
    };
    let loaded = match &requests {
        Ok(requests) => {
            run(
                &url,
                requests,
                clients,
                WARM_UP,
                Duration::from_secs(seconds.max(1)),
            )
            .await
        }
        Err(e) => Err(anyhow::anyhow!("preparing the requests: {e:#}")),
    };
    // One client alone: the time a request takes without queueing behind the others.
    let alone = match (&loaded, &requests) {
        (Ok(_), Ok(requests)) => {
            Some(run(&url, requests, 1, Duration::ZERO, Duration::from_secs(3)).await)
        }
        _ => None,
    };
    handle.stop(true).await;
    serving.await?.context("serving")?;

    let label = format!("{backend}, {}", mix.label());
    let loaded = loaded?;
    loaded.print(&label);
    if let Some(alone) = alone {
        alone?.print(&label);
    }
    let pass =
        !loaded.latencies.is_empty() && loaded.errors == 0 && loaded.p99_ms() < TARGET_P99_MS;
    println!(
        "  target: p99 < {TARGET_P99_MS:.0} ms at 32 clients, no errors: {}",
        if pass { "PASS" } else { "OVER" }
    );
    Ok(())
}

async fn sqlite() -> Result<()> {
    let dir = tempfile::tempdir().context("creating a temporary folder")?;
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    let db = nuvola_server::db::connect_and_migrate(&url).await?;
    fill(&db).await?;
    db.close().await?;
    measure("SQLite", &url).await
}

/// `admin` with its database name replaced by `name` (query parameters kept).
fn with_database(admin: &str, name: &str) -> String {
    let (base, query) = admin.split_once('?').map_or((admin, ""), |(b, q)| (b, q));
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    if query.is_empty() {
        format!("{server}/{name}")
    } else {
        format!("{server}/{name}?{query}")
    }
}

async fn postgres() -> Result<()> {
    let admin_url =
        std::env::var("NUVOLA_BENCH_POSTGRES").unwrap_or_else(|_| DEFAULT_POSTGRES.to_owned());
    let mut options = ConnectOptions::new(admin_url.clone());
    options
        .max_connections(1)
        .connect_timeout(Duration::from_secs(3))
        .sqlx_logging(false);
    let admin = match Database::connect(options).await {
        Ok(db) => db,
        Err(e) => {
            println!(
                "PostgreSQL: skipped: {} does not answer ({e}); set NUVOLA_BENCH_POSTGRES",
                nuvola_server::db::redact(&admin_url)
            );
            return Ok(());
        }
    };
    let name = format!("nuvola_bench_api_{}", std::process::id());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .with_context(|| format!("creating the database {name}"))?;
    let result = async {
        let url = with_database(&admin_url, &name);
        let db = nuvola_server::db::connect_and_migrate(&url).await?;
        fill(&db).await?;
        db.close().await?;
        measure("PostgreSQL", &url).await?;
        anyhow::Ok(())
    }
    .await;
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .with_context(|| format!("dropping the database {name}"))?;
    result
}

fn main() -> Result<()> {
    if std::env::var_os("RUST_LOG").is_some() {
        nuvola_server::telemetry::init("error");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    runtime.block_on(async {
        println!("POST /graphql {QUERY}");
        println!(
            "mixes: the same query with the response cache on; the first {PAGES_PER_REGION} pages of each of the 20 regions in turn with the cache off"
        );
        let sqlite = sqlite().await;
        if let Err(e) = &sqlite {
            println!("SQLite: failed: {e:#}");
        }
        postgres().await?;
        if sqlite.is_err() {
            bail!("the SQLite bench failed");
        }
        Ok(())
    })
}
