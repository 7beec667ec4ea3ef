//! The outbox: how many deliveries per second it sustains, and how soon a change reaches
//! its webhook, on a fresh SQLite file and a fresh PostgreSQL database.
//!
//! - **Throughput**: `NUVOLA_BENCH_DELIVERIES` (default 5,000) webhook deliveries are
//!   written to the outbox, then two workers (two replicas: two pools on one database)
//!   send them to a local HTTP receiver that answers 204 at once; deliveries per second
//!   from the first claim to the last mark.
//! - **Change to webhook**: an administration moves one of its services over
//!   `POST /graphql` (the real server), `NUVOLA_BENCH_CHANGES` (default 50) times, one
//!   at a time; the time from sending the mutation to the receiver getting the signed
//!   call, through the worker as `nuvola serve` runs it (polling every 100 ms).
//!
//! `cargo bench -p nuvola-server --bench outbox` (or `make bench`).
//! `NUVOLA_BENCH_POSTGRES` (default `postgres://postgres@127.0.0.1:5432/postgres`) is a
//! server where the bench may create and drop a database; skipped when it does not answer.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpResponse, HttpServer};
use anyhow::{Context, Result};
use chrono::Utc;
use indicatif::ProgressBar;
use nuvola_server::audit::Actor;
use nuvola_server::entity::{application, delivery, planned_service, supplier, webhook};
use nuvola_server::http::ServeOptions;
use nuvola_server::service::outbox::{self, NewDelivery, WorkerConfig};
use nuvola_server::service::webhooks::WebhookSender;
use nuvola_server::service::{accounts, import};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, Database, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use serde_json::{json, Value};

const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const CALLS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../data/padigitale2026/avvisi.csv"
);
const SCHOOL: &str = "codice_ipa,ente,comune,cod_comune,provincia,cod_provincia,regione,cod_regione,importo_finanziamento,avviso,data_invio_candidatura,data_finanziamento,codice_cup,numero_finestra_temporale,numero_di_protocollo,stato_candidatura,misura,tipologia_ente\nistsc_feis011004,ISTITUTO SUPERIORE - I.I.S. 'O.VERGANI',Ferrara,038008,FE,038,Emilia-Romagna,08,2212.0,1.2 Abilitazione al Cloud - Scuole - Aprile 2022,2022-06-22T09:38:17.000+0000,2022-09-05,G71C22000700006,2.0,31.0,A,1.2 Abilitazione e facilitazione migrazione al Cloud,Scuole\n";
const PASSWORD: &str = "password-del-banco-9";

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A receiver that answers 204 and notes when each event id arrived.
#[derive(Default)]
struct Received {
    at: Mutex<Vec<(String, Instant)>>,
}

async fn receive(req: actix_web::HttpRequest, state: web::Data<Arc<Received>>) -> HttpResponse {
    let id = req
        .headers()
        .get("nuvola-webhook-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if let Ok(mut at) = state.at.lock() {
        at.push((id, Instant::now()));
    }
    HttpResponse::NoContent().finish()
}

async fn receiver() -> Result<(String, Arc<Received>, actix_web::dev::ServerHandle)> {
    let state = Arc::new(Received::default());
    let data = web::Data::new(state.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/hook", web::post().to(receive))
    })
    .workers(2)
    .bind("127.0.0.1:0")?;
    let addr = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    tokio::spawn(server);
    Ok((format!("http://{addr}/hook"), state, handle))
}

fn config() -> Result<WorkerConfig> {
    let mut c = WorkerConfig::new(None, WebhookSender::new(true, Duration::from_secs(10))?);
    c.poll = Duration::from_millis(100);
    Ok(c)
}

async fn hook(db: &DatabaseConnection, url: &str, role: &str, body: Option<i32>) -> Result<i32> {
    Ok(webhook::ActiveModel {
        owner_role: Set(role.to_owned()),
        administration_id: Set(body),
        supplier_id: Set(None),
        url: Set(url.to_owned()),
        secret: Set("whsec_bench".to_owned()),
        kinds: Set("SERVICE_STATUS_CHANGED".to_owned()),
        active: Set(true),
        created_by: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?
    .id)
}

async fn throughput(url: &str, db: &DatabaseConnection, n: usize) -> Result<f64> {
    let (target, received, handle) = receiver().await?;
    let hook_id = hook(db, &target, "DEPARTMENT", None).await?;
    let items: Vec<NewDelivery> = (0..n)
        .map(|i| NewDelivery {
            channel: outbox::WEBHOOK,
            recipient: target.clone(),
            webhook_id: Some(hook_id),
            account_id: None,
            notification_id: None,
            event_id: format!("evt_bench_{i}"),
            kind: nuvola_shared::DeliveryKind::ServiceStatusChanged,
            payload: json!({ "id": format!("evt_bench_{i}"), "type": "SERVICE_STATUS_CHANGED", "data": { "n": i } }).to_string(),
        })
        .collect();
    outbox::enqueue(db, items).await?;
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..2 {
        let replica = nuvola_server::db::connect(url).await?;
        workers.push(outbox::spawn_worker(replica, config()?));
    }
    loop {
        let left = delivery::Entity::find()
            .filter(delivery::Column::Status.eq(outbox::PENDING))
            .count(db)
            .await?;
        if left == 0 {
            break;
        }
        if started.elapsed() > Duration::from_secs(600) {
            anyhow::bail!("{left} deliveries still pending after 10 minutes");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    for w in workers {
        w.abort();
    }
    let got = received.at.lock().map(|a| a.len()).unwrap_or(0);
    handle.stop(false).await;
    anyhow::ensure!(got == n, "the receiver got {got} calls for {n} deliveries");
    webhook::Entity::delete_by_id(hook_id).exec(db).await?;
    Ok(n as f64 / seconds)
}

async fn change_to_webhook(db: &DatabaseConnection, changes: usize) -> Result<Vec<f64>> {
    import::import_file(
        db,
        "avvisi.csv",
        &std::fs::read(CALLS)?,
        &Actor::system("bench"),
        &ProgressBar::hidden(),
    )
    .await?;
    import::import_file(
        db,
        "school.csv",
        SCHOOL.as_bytes(),
        &Actor::system("bench"),
        &ProgressBar::hidden(),
    )
    .await?;
    accounts::create(
        db,
        accounts::NewAccount {
            role: nuvola_shared::Role::Administration,
            username: "scuola.banco".to_owned(),
            password: PASSWORD.to_owned(),
            ipa_code: Some(nuvola_shared::IpaCode::parse("istsc_feis011004")?),
            supplier_vat: None,
            display_name: None,
        },
        &Actor::system("bench"),
    )
    .await?;
    let project = application::Entity::find()
        .one(db)
        .await?
        .context("the school")?;
    let mut p: application::ActiveModel = project.clone().into();
    p.state = Set("MIGRATING".to_owned());
    p.update(db).await?;
    let service = planned_service::Entity::find()
        .filter(planned_service::Column::ApplicationId.eq(project.id))
        .order_by_asc(planned_service::Column::Id)
        .one(db)
        .await?
        .context("a service of the school")?;
    // The service is under contract with the demo's schools' supplier (a service moves
    // only then), and migrating.
    nuvola_server::demo::ensure_suppliers(db).await?;
    let supplier = supplier::Entity::find()
        .one(db)
        .await?
        .context("a supplier")?;
    let mut s: planned_service::ActiveModel = service.clone().into();
    s.status = Set("MIGRATING".to_owned());
    s.supplier_id = Set(Some(supplier.id));
    s.contract_on = Set(Some(Utc::now().date_naive()));
    s.update(db).await?;

    let (target, received, handle) = receiver().await?;
    hook(
        db,
        &target,
        "ADMINISTRATION",
        Some(project.administration_id),
    )
    .await?;
    let static_dir = tempfile::tempdir()?;
    std::fs::write(static_dir.path().join("index.html"), "<!doctype html>")?;
    let storage = tempfile::tempdir()?;
    let mut options = ServeOptions::new("127.0.0.1:0", static_dir.path().to_path_buf());
    options.storage_dir = storage.path().to_path_buf();
    options.requests_per_minute = 0;
    let (server, addr) = nuvola_server::http::start(db.clone(), options)?;
    let server_handle = server.handle();
    tokio::spawn(server);
    let worker = outbox::spawn_worker(db.clone(), config()?);
    let client = reqwest::Client::new();
    let graphql = format!("http://{addr}/graphql");
    let login: Value = client
        .post(&graphql)
        .json(&json!({ "query": "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }", "variables": { "u": "scuola.banco", "p": PASSWORD } }))
        .send()
        .await?
        .json()
        .await?;
    let token = login["data"]["login"]["token"]
        .as_str()
        .context("login")?
        .to_owned();
    let cycle = ["TESTING", "FAILED", "MIGRATING"];
    let mut version = service.version;
    let mut millis = Vec::with_capacity(changes);
    for i in 0..changes {
        let before = received.at.lock().map(|a| a.len()).unwrap_or(0);
        let sent = Instant::now();
        let r: Value = client
            .post(&graphql)
            .bearer_auth(&token)
            .json(&json!({ "query": "mutation($s: ServiceStatusInput!) { updateServiceStatus(input: $s) { version } }",
                "variables": { "s": { "id": service.id.to_string(), "version": version, "status": cycle[i % 3] } } }))
            .send()
            .await?
            .json()
            .await?;
        version = r["data"]["updateServiceStatus"]["version"]
            .as_i64()
            .and_then(|v| i32::try_from(v).ok())
            .with_context(|| format!("moving the service: {r}"))?;
        let arrived = loop {
            if let Some((_, at)) = received.at.lock().ok().and_then(|a| a.get(before).cloned()) {
                break at;
            }
            if sent.elapsed() > Duration::from_secs(30) {
                anyhow::bail!("no webhook within 30 s");
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        };
        millis.push(arrived.duration_since(sent).as_secs_f64() * 1000.0);
    }
    worker.abort();
    server_handle.stop(false).await;
    handle.stop(false).await;
    Ok(millis)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn run(label: &str, url: &str) -> Result<()> {
    let n = env_or("NUVOLA_BENCH_DELIVERIES", 5000usize);
    let changes = env_or("NUVOLA_BENCH_CHANGES", 50usize);
    let db = nuvola_server::db::connect_and_migrate(url).await?;
    let per_second = throughput(url, &db, n).await?;
    println!("{label}: outbox throughput, 2 workers: {n} webhook deliveries, {per_second:.0} deliveries/s");
    let mut ms = change_to_webhook(&db, changes).await?;
    ms.sort_by(f64::total_cmp);
    println!(
        "{label}: change to webhook ({changes} service moves over POST /graphql, worker polling every 100 ms): p50 {:.1} ms, p90 {:.1} ms, max {:.1} ms",
        percentile(&ms, 0.5),
        percentile(&ms, 0.9),
        percentile(&ms, 1.0)
    );
    db.close().await.ok();
    Ok(())
}

fn main() -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let dir = tempfile::tempdir()?;
        let sqlite = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("outbox.db").display()
        );
        run("SQLite", &sqlite).await?;

        let admin_url =
            std::env::var("NUVOLA_BENCH_POSTGRES").unwrap_or_else(|_| DEFAULT_POSTGRES.to_owned());
        let Ok(admin) = Database::connect(&admin_url).await else {
            println!("PostgreSQL: skipped ({admin_url} does not answer)");
            return Ok(());
        };
        let name = format!("nuvola_bench_outbox_{}", std::process::id());
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await?;
        let base = admin_url
            .rsplit_once('/')
            .map(|(b, _)| b)
            .unwrap_or(&admin_url);
        let result = run("PostgreSQL", &format!("{base}/{name}")).await;
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await?;
        result
    })
}
