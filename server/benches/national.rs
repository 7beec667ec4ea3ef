//! The figures of issue 14, on the demo data and on the national data set
//! (`nuvola seed-national`), on SQLite and PostgreSQL, with the response cache off:
//!
//! - the department's dashboard (the page's own query, as the department): p95, target 25 ms;
//! - the public list of 50 projects with a filter and its total (the first three pages of
//!   each region in turn), 32 concurrent clients: p99, target 50 ms;
//! - a project page with its plan and the latest 50 history events (the page's own
//!   query, as the department, over the 20 projects with the longest histories): p95,
//!   target 20 ms;
//! - a supplier's bulk status change of 500 services (`updateServiceStatuses`, as the
//!   seeded supplier with 5,000 projects; on the demo data as the schools' supplier, with
//!   the services it has): each of six moves (MIGRATING → TESTING → FAILED → MIGRATING,
//!   twice, so the data ends as it began), target 500 ms.
//!
//! The national data set is seeded once per database and kept between runs, keyed by the
//! seed and the schema (the newest migration): `target/bench-national/national-<seed>-
//! <migration>.db` for SQLite and the PostgreSQL database `nuvola_bench_national_<seed>_
//! <n>` (n: the number of migrations). A seed is written under a temporary name and renamed
//! when complete, so an interrupted seed is never reused. Older keys are removed.
//!
//! `cargo bench -p nuvola-server --bench national` (part of `make bench`).
//! `NUVOLA_BENCH_SEED` (default 2026), `NUVOLA_BENCH_SECONDS` (default 10, the
//! concurrent mix), `NUVOLA_BENCH_POSTGRES` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`), `NUVOLA_BENCH_ONLY` (`sqlite` or
//! `postgres`), `NUVOLA_BENCH_SCALE` (default 1.0; a smaller data set for a quick look).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use hdrhistogram::Histogram;
use indicatif::ProgressBar;
use nuvola_migrations::MigratorTrait;
use nuvola_server::http::ServeOptions;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{json, Value};

const PUBLIC_QUERY: &str = r#"query { applications(first: 50, filter: {region: "Lombardia"}) { totalCount edges { cursor node { cup amountEur state fundedOn administration { ipaCode name type region } call { title } } } pageInfo { hasNextPage endCursor } } }"#;

/// The department's dashboard page (frontend/src/pages/dashboard.rs).
const DASHBOARD: &str = r#"query Dashboard {
  stats { applications amountEur administrations byState { state applications amountEur } }
  dashboard {
    byRegion { key applications amountEur administrations }
    byCall { key applications amountEur administrations }
    byType { key applications amountEur administrations }
    monthly { month funded renounced paid amountEur }
    paidAdministrations targetAdministrations progressNotReportedCount
  }
  overdueProjects(first: 20, progressReported: true) {
    totalCount
    edges { node { cup state administration { name region } call { title } overdue { kind dueOn daysLate } } }
  }
  pendingRenunciations(first: 20) {
    totalCount
    projects { cup administration { name } renunciationRequest { reason requestedAt } }
  }
}"#;

/// A project's page (frontend/src/pages/administration.rs), with its plan and the latest
/// 50 events of its history.
const PROJECT: &str = r#"query Project($cup: String!) {
  application(cup: $cup) {
    cup amountEur state fundedOn decree version stateReason renunciationRequest { requestedAt reason }
    history(first: 50) { id at action entityType actorRole actorName subject before after }
    administration { name ipaCode type typeLabel region comune }
    call { title contractTerm completionTerm }
    nextDeadline { kind dueOn daysLeft } progressReportedAt
    plan { id name dataClass modality origin destination status catalogueCode offering { code name supplierName }
           supplier { vatNumber name isPsn } contractOn cutoverStart cutoverEnd version
           assessments { version applicationName cpuCores memoryGb storageGb users destination
                         providerActivatedOn migrationStartedOn goLiveOn submittedAt } }
    verificationRequests { id title body dueOn daysLeft state openedAt answeredAt answerNote version
      application { cup call { title } } documents { id kind fileName sizeBytes uploadedAt downloadUrl } }
    documents { id kind fileName sizeBytes uploadedAt downloadUrl }
  }
}"#;

const UPDATE_STATUSES: &str = "mutation Statuses($input: [ServiceStatusInput!]!) { updateServiceStatuses(input: $input) { id status version } }";

const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The figures of one database with one data set.
#[derive(Debug, Default, Clone)]
struct Figures {
    dashboard_p95: Option<f64>,
    dashboard_p50: Option<f64>,
    list_p99: Option<f64>,
    list_rps: Option<f64>,
    list_total: u64,
    project_p95: Option<f64>,
    project_p50: Option<f64>,
    bulk_max: Option<f64>,
    bulk_median: Option<f64>,
    bulk_services: usize,
    errors: Vec<String>,
}

fn ms(micros: u64) -> f64 {
    micros as f64 / 1000.0
}

struct Client {
    http: reqwest::Client,
    url: String,
}

impl Client {
    async fn post(&self, token: Option<&str>, query: &str, variables: Value) -> Result<Value> {
        let mut req = self
            .http
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(serde_json::to_vec(
                &json!({ "query": query, "variables": variables }),
            )?);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await?;
        let status = res.status();
        let body: Value = res.json().await?;
        if !status.is_success() || body.get("errors").is_some() {
            bail!("HTTP {status}: {body}");
        }
        Ok(body)
    }

    async fn login(&self, username: &str, password: &str) -> Result<String> {
        let r = self
            .post(
                None,
                "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }",
                json!({ "u": username, "p": password }),
            )
            .await?;
        r["data"]["login"]["token"]
            .as_str()
            .map(str::to_owned)
            .with_context(|| format!("login of {username}: {r}"))
    }

    /// `n` requests one after the other after `warm` unmeasured ones: the latencies (µs).
    async fn sequential(
        &self,
        token: Option<&str>,
        queries: &[(String, Value)],
        warm: usize,
        n: usize,
    ) -> Result<Histogram<u64>> {
        let mut h = Histogram::new_with_bounds(1, 600_000_000, 3)?;
        for i in 0..warm + n {
            let (q, v) = &queries[i % queries.len()];
            let started = Instant::now();
            self.post(token, q, v.clone()).await?;
            if i >= warm {
                h.saturating_record(started.elapsed().as_micros().max(1) as u64);
            }
        }
        Ok(h)
    }
}

async fn rows(db: &DatabaseConnection, sql: &str) -> Result<Vec<sea_orm::QueryResult>> {
    db.query_all(Statement::from_string(db.get_database_backend(), sql))
        .await
        .with_context(|| sql.to_owned())
}

/// The public list under 32 clients: the first three pages of every region, in turn.
async fn public_list(client: &Client, seconds: u64) -> Result<(Histogram<u64>, f64, u64)> {
    let mut requests: Vec<Vec<u8>> = Vec::new();
    let mut total = 0;
    for region in nuvola_shared::Region::all() {
        let mut after: Option<String> = None;
        for _ in 0..3 {
            let cursor = after
                .as_deref()
                .map_or(String::new(), |c| format!(", after: {c:?}"));
            let q = PUBLIC_QUERY
                .replacen(
                    "region: \"Lombardia\"",
                    &format!("region: {:?}", region.name()),
                    1,
                )
                .replacen("first: 50", &format!("first: 50{cursor}"), 1);
            let answer = client.post(None, &q, json!({})).await?;
            let page = &answer["data"]["applications"];
            total += page["totalCount"].as_u64().unwrap_or(0);
            requests.push(serde_json::to_vec(&json!({ "query": q }))?);
            if page["pageInfo"]["hasNextPage"] != Value::Bool(true) {
                break;
            }
            after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        }
    }
    let requests = Arc::new(requests);
    let clients = 32;
    let measure_from = Instant::now() + Duration::from_secs(2);
    let until = measure_from + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for c in 0..clients {
        let requests = requests.clone();
        let url = client.url.clone();
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .build()?;
            let mut h = Histogram::<u64>::new_with_bounds(1, 600_000_000, 3)?;
            let mut errors = 0u64;
            let mut first_error: Option<String> = None;
            let mut i = c * 7;
            loop {
                let started = Instant::now();
                if started >= until {
                    break;
                }
                let body = requests[i % requests.len()].clone();
                i += 1;
                let outcome = match http
                    .post(&url)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body)
                    .send()
                    .await
                {
                    Ok(r) => {
                        let status = r.status();
                        match r.bytes().await {
                            Ok(_) if status.is_success() => Ok(()),
                            Ok(b) => Err(format!(
                                "HTTP {status}: {}",
                                String::from_utf8_lossy(&b[..b.len().min(300)])
                            )),
                            Err(e) => Err(format!("HTTP {status}, body: {e}")),
                        }
                    }
                    Err(e) => Err(e.to_string()),
                };
                if started < measure_from {
                    continue;
                }
                match outcome {
                    Ok(()) => {
                        h.saturating_record(started.elapsed().as_micros().max(1) as u64);
                    }
                    Err(e) => {
                        errors += 1;
                        first_error.get_or_insert(e);
                    }
                }
            }
            anyhow::Ok((h, errors, first_error))
        }));
    }
    let mut all = Histogram::<u64>::new_with_bounds(1, 600_000_000, 3)?;
    let mut errors = 0;
    let mut example = None;
    for t in tasks {
        let (h, e, first) = t.await??;
        all.add(&h)?;
        errors += e;
        example = example.or(first);
    }
    if errors > 0 {
        bail!(
            "{errors} of {} requests failed in the public list mix, the first: {}",
            errors + all.len(),
            example.unwrap_or_default()
        );
    }
    let rps = all.len() as f64 / seconds as f64;
    Ok((all, rps, total))
}

/// Measures every figure against a server on `url`'s database.
async fn measure(db_url: &str, supplier: (&str, &str)) -> Result<Figures> {
    let db = nuvola_server::db::connect(db_url).await?;
    let options = ServeOptions {
        requests_per_minute: 0,
        storage_dir: std::env::temp_dir().join("nuvola-bench-files"),
        response_cache: false,
        ..ServeOptions::new("127.0.0.1:0", PathBuf::from("/nonexistent"))
    };
    let (server, addr) = nuvola_server::http::start(db.clone(), options)?;
    let handle = server.handle();
    let serving = tokio::spawn(server);
    let client = Client {
        http: reqwest::Client::new(),
        url: format!("http://{addr}/graphql"),
    };
    let mut f = Figures::default();
    let result = async {
        let department = client
            .login("dipartimento", "dipartimento-demo-2026")
            .await?;
        match client
            .sequential(
                Some(&department),
                &[(DASHBOARD.to_owned(), json!({}))],
                5,
                100,
            )
            .await
        {
            Ok(h) => {
                f.dashboard_p95 = Some(ms(h.value_at_quantile(0.95)));
                f.dashboard_p50 = Some(ms(h.value_at_quantile(0.5)));
            }
            Err(e) => f.errors.push(format!("dashboard: {e:#}")),
        }
        let cups: Vec<String> = rows(
            &db,
            "SELECT a.cup AS cup FROM application a JOIN event e ON e.application_id = a.id \
             GROUP BY a.id, a.cup ORDER BY COUNT(*) DESC, a.id LIMIT 20",
        )
        .await?
        .iter()
        .filter_map(|r| r.try_get::<String>("", "cup").ok())
        .collect();
        let pages: Vec<(String, Value)> = cups
            .iter()
            .map(|c| (PROJECT.to_owned(), json!({ "cup": c })))
            .collect();
        if !pages.is_empty() {
            match client.sequential(Some(&department), &pages, 10, 200).await {
                Ok(h) => {
                    f.project_p95 = Some(ms(h.value_at_quantile(0.95)));
                    f.project_p50 = Some(ms(h.value_at_quantile(0.5)));
                }
                Err(e) => f.errors.push(format!("project page: {e:#}")),
            }
        }
        match public_list(&client, env_or("NUVOLA_BENCH_SECONDS", 10)).await {
            Ok((h, rps, total)) => {
                f.list_p99 = Some(ms(h.value_at_quantile(0.99)));
                f.list_rps = Some(rps);
                f.list_total = total;
            }
            Err(e) => f.errors.push(format!("public list: {e:#}")),
        }
        if let Err(e) = bulk(&client, &db, supplier, &mut f).await {
            f.errors.push(format!("bulk update: {e:#}"));
        }
        anyhow::Ok(())
    }
    .await;
    handle.stop(true).await;
    serving.await?.context("serving")?;
    db.close().await?;
    result?;
    Ok(f)
}

/// Six bulk moves of up to 500 services of `supplier` that are MIGRATING, in projects
/// still contracted or migrating (a renounced project's services no longer move): to TESTING,
/// FAILED, MIGRATING, twice; the data ends as it began (but for versions and events).
async fn bulk(
    client: &Client,
    db: &DatabaseConnection,
    (username, password): (&str, &str),
    f: &mut Figures,
) -> Result<()> {
    let token = client.login(username, password).await?;
    let picked = rows(
        db,
        &format!(
            "SELECT s.id AS id FROM planned_service s JOIN account c ON c.supplier_id = s.supplier_id \
             JOIN application a ON a.id = s.application_id \
             WHERE c.username = '{username}' AND s.status = 'MIGRATING' \
               AND a.state IN ('CONTRACTED', 'MIGRATING') ORDER BY s.id LIMIT 500"
        ),
    )
    .await?;
    let ids: Vec<i32> = picked
        .iter()
        .filter_map(|r| r.try_get::<i32>("", "id").ok())
        .collect();
    if ids.is_empty() {
        bail!("{username} has no service in MIGRATING");
    }
    f.bulk_services = ids.len();
    let mut versions: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
    for r in rows(
        db,
        &format!(
            "SELECT id, version FROM planned_service WHERE id IN ({})",
            ids.iter().map(i32::to_string).collect::<Vec<_>>().join(",")
        ),
    )
    .await?
    {
        let id: i32 = r.try_get("", "id")?;
        let version: i32 = r.try_get("", "version")?;
        versions.insert(id.to_string(), i64::from(version));
    }
    let mut times = Vec::new();
    for status in [
        "TESTING",
        "FAILED",
        "MIGRATING",
        "TESTING",
        "FAILED",
        "MIGRATING",
    ] {
        let input: Vec<Value> = versions
            .iter()
            .map(|(id, v)| json!({ "id": id, "version": v, "status": status }))
            .collect();
        let started = Instant::now();
        let answer = client
            .post(Some(&token), UPDATE_STATUSES, json!({ "input": input }))
            .await?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        for s in answer["data"]["updateServiceStatuses"]
            .as_array()
            .context("no services in the answer")?
        {
            if let (Some(id), Some(v)) = (s["id"].as_str(), s["version"].as_i64()) {
                versions.insert(id.to_owned(), v);
            }
        }
    }
    times.sort_by(f64::total_cmp);
    f.bulk_max = times.last().copied();
    f.bulk_median = times.get(times.len() / 2).copied();
    Ok(())
}

fn show(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.1}"))
}

fn verdict(v: Option<f64>, target: f64) -> &'static str {
    match v {
        Some(v) if v < target => "PASS",
        Some(_) => "OVER",
        None => "n/a",
    }
}

fn report(backend: &str, demo: &Figures, national: &Figures) {
    println!("\n{backend}: demo data → national data (cache off)");
    let growth = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if a > 0.0 => format!("x{:.1}", b / a),
        _ => String::new(),
    };
    let line = |name: &str, a: Option<f64>, b: Option<f64>, target: f64, extra: String| {
        println!(
            "  {name:<44} {:>9} ms → {:>9} ms {:>6}  target < {target:.0} ms: {}{extra}",
            show(a),
            show(b),
            growth(a, b),
            verdict(b, target)
        );
    };
    line(
        "dashboard (department) p95",
        demo.dashboard_p95,
        national.dashboard_p95,
        25.0,
        format!(
            "  (p50 {} → {})",
            show(demo.dashboard_p50),
            show(national.dashboard_p50)
        ),
    );
    line(
        "public list of 50 + total, 32 clients, p99",
        demo.list_p99,
        national.list_p99,
        50.0,
        format!(
            "  ({:.0} → {:.0} requests/s)",
            demo.list_rps.unwrap_or(0.0),
            national.list_rps.unwrap_or(0.0)
        ),
    );
    line(
        "project page, plan + 50 events, p95",
        demo.project_p95,
        national.project_p95,
        20.0,
        format!(
            "  (p50 {} → {})",
            show(demo.project_p50),
            show(national.project_p50)
        ),
    );
    line(
        "bulk status change, slowest of 6",
        demo.bulk_max,
        national.bulk_max,
        500.0,
        format!(
            "  ({} → {} services, median {} → {})",
            demo.bulk_services,
            national.bulk_services,
            show(demo.bulk_median),
            show(national.bulk_median)
        ),
    );
    for e in demo.errors.iter().chain(&national.errors) {
        println!("  error: {e}");
    }
}

fn schema_key() -> (usize, String) {
    let migrations = nuvola_migrations::Migrator::migrations();
    let last = migrations
        .last()
        .map(|m| m.name().to_owned())
        .unwrap_or_default();
    (migrations.len(), last)
}

async fn seed(url: &str, scale: f64, seed: u64) -> Result<()> {
    let db = nuvola_server::db::connect_and_migrate(url).await?;
    let started = Instant::now();
    let report = nuvola_server::seed::seed_national(
        &db,
        nuvola_server::seed::Options { seed, scale },
        &ProgressBar::hidden(),
    )
    .await?;
    println!(
        "  seeded in {:.0} s: {}",
        started.elapsed().as_secs_f64(),
        report.summary()
    );
    db.close().await?;
    Ok(())
}

async fn demo_into(url: &str) -> Result<()> {
    let db = nuvola_server::db::connect_and_migrate(url).await?;
    nuvola_server::demo::load(&db).await?;
    db.execute_unprepared("ANALYZE").await?;
    db.close().await?;
    Ok(())
}

async fn sqlite(seed_value: u64, scale: f64) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let demo_url = format!("sqlite://{}?mode=rwc", dir.path().join("demo.db").display());
    demo_into(&demo_url).await?;
    let demo = measure(&demo_url, ("fornitore.scuole", "fornitore-demo-2026")).await?;

    let (_, last) = schema_key();
    let cache = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-national");
    std::fs::create_dir_all(&cache)?;
    let name = format!("national-{seed_value}-{scale}-{last}.db");
    let file = cache.join(&name);
    if !file.exists() {
        for old in std::fs::read_dir(&cache)?.flatten() {
            let _ = std::fs::remove_file(old.path());
        }
        println!(
            "SQLite: seeding the national data set into {}",
            file.display()
        );
        let tmp = cache.join(format!("{name}.partial"));
        let url = format!("sqlite://{}?mode=rwc", tmp.display());
        seed(&url, scale, seed_value).await?;
        // The pool checkpointed the WAL when it closed.
        std::fs::rename(&tmp, &file)?;
    } else {
        println!("SQLite: reusing {}", file.display());
    }
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let national = measure(
        &url,
        (
            nuvola_server::seed::BIG_SUPPLIER_USERNAME,
            nuvola_server::seed::BIG_SUPPLIER_PASSWORD,
        ),
    )
    .await?;
    report("SQLite", &demo, &national);
    Ok(())
}

fn with_database(admin: &str, name: &str) -> String {
    let (base, query) = admin.split_once('?').map_or((admin, ""), |(b, q)| (b, q));
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    if query.is_empty() {
        format!("{server}/{name}")
    } else {
        format!("{server}/{name}?{query}")
    }
}

async fn postgres(seed_value: u64, scale: f64) -> Result<()> {
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
            println!("PostgreSQL: skipped ({e})");
            return Ok(());
        }
    };
    let demo_name = format!("nuvola_bench_demo_{}", std::process::id());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {demo_name}"))
        .await?;
    let demo = async {
        let url = with_database(&admin_url, &demo_name);
        demo_into(&url).await?;
        measure(&url, ("fornitore.scuole", "fornitore-demo-2026")).await
    }
    .await;
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {demo_name} WITH (FORCE)"))
        .await?;
    let demo = demo?;

    let (n, _) = schema_key();
    let scale_tag = format!("{scale}").replace('.', "_");
    let name = format!("nuvola_bench_national_{seed_value}_{scale_tag}_{n}");
    let existing: Vec<String> = rows(
        &admin,
        "SELECT datname FROM pg_database WHERE datname LIKE 'nuvola_bench_national_%'",
    )
    .await?
    .iter()
    .filter_map(|r| r.try_get::<String>("", "datname").ok())
    .collect();
    if existing.contains(&name) {
        println!("PostgreSQL: reusing the database {name}");
    } else {
        for old in &existing {
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {old} WITH (FORCE)"))
                .await?;
        }
        let tmp = format!("{name}_partial");
        println!("PostgreSQL: seeding the national data set into {name}");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {tmp}"))
            .await?;
        seed(&with_database(&admin_url, &tmp), scale, seed_value).await?;
        admin
            .execute_unprepared(&format!("ALTER DATABASE {tmp} RENAME TO {name}"))
            .await?;
    }
    let national = measure(
        &with_database(&admin_url, &name),
        (
            nuvola_server::seed::BIG_SUPPLIER_USERNAME,
            nuvola_server::seed::BIG_SUPPLIER_PASSWORD,
        ),
    )
    .await?;
    report("PostgreSQL", &demo, &national);
    Ok(())
}

fn main() -> Result<()> {
    if std::env::var_os("RUST_LOG").is_some() {
        nuvola_server::telemetry::init("error");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let seed_value: u64 = env_or("NUVOLA_BENCH_SEED", nuvola_server::seed::DEFAULT_SEED);
    let scale: f64 = env_or("NUVOLA_BENCH_SCALE", 1.0);
    let only = std::env::var("NUVOLA_BENCH_ONLY").unwrap_or_default();
    runtime.block_on(async {
        if only != "postgres" {
            sqlite(seed_value, scale).await?;
        }
        if only != "sqlite" {
            postgres(seed_value, scale).await?;
        }
        anyhow::Ok(())
    })
}
