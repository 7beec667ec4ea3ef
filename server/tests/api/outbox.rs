//! Notifications that reach people and programs: the outbox, e-mail through a real SMTP
//! server (aiosmtpd, STARTTLS or implicit TLS, AUTH, a certificate of a throwaway CA,
//! Maildir), signed webhooks to a real HTTP receiver that fails on purpose, reminders
//! before deadlines, preferences and digests, and two replicas sharing one outbox.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use chrono::NaiveDate;
use hmac::{Hmac, Mac};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde_json::{json, Value};
use sha2::Sha256;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::helpers::{add_account, both, error_code};
use crate::permissions::{ask, world, World, PASSWORD, SCHOOL_CUP};
use nuvola_server::entity::{application, delivery, planned_service};
use nuvola_server::service::mail::{Mailer, Security, SmtpSettings};
use nuvola_server::service::outbox::{self, WorkerConfig};
use nuvola_server::service::webhooks::WebhookSender;
use nuvola_server::service::{deadlines, preferences};
use nuvola_shared::Role;

const CONTACT: &str = "mutation($e: String, $l: Language!) { updateNotificationContact(email: $e, language: $l) { email language } }";
const PREFER: &str = "mutation($k: NotificationKind!, $m: DeliveryMode!) { setNotificationPreference(kind: $k, mode: $m) { preferences { kind mode mandatory } } }";
const REGISTER: &str = "mutation($u: String!, $k: [WebhookEvent!]!) { registerWebhook(url: $u, kinds: $k) { secret webhook { id url kinds } } }";
const OPEN: &str = "mutation($i: OpenRequestInput!) { openVerificationRequest(input: $i) { id } }";
const MOVE: &str =
    "mutation($s: ServiceStatusInput!) { updateServiceStatus(input: $s) { id version status } }";
const HOOKS: &str = "{ webhooks { id url deliveries { id eventId status attempts lastAnswer attemptLog { number ok answer } } } }";
const REPLAY: &str = "mutation($id: ID!) { replayDelivery(id: $id) { id status } }";

fn python() -> PathBuf {
    std::env::var_os("NUVOLA_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../target/venv-smtp/bin/python"
            ))
        })
}

const SMTP_SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../scripts/smtp-test-server.py"
);
const SMTP_USER: &str = "nuvola";
const SMTP_PASSWORD: &str = "segreto-di-prova";

/// A real aiosmtpd on loopback (scripts/smtp-test-server.py), stopped when dropped.
struct Smtp {
    dir: tempfile::TempDir,
    port: u16,
    _child: tokio::process::Child,
}

impl Smtp {
    async fn start(implicit_tls: bool) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = tokio::process::Command::new(python());
        cmd.arg(SMTP_SCRIPT).arg("serve").arg(dir.path());
        if implicit_tls {
            cmd.arg("--implicit-tls");
        }
        let mut child = cmd
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "starting aiosmtpd with {} ({e}): run scripts/setup.sh",
                    python().display()
                )
            });
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("aiosmtpd did not start within 30 s")
            .unwrap()
            .expect("aiosmtpd exited");
        let port = line.strip_prefix("READY ").unwrap().trim().parse().unwrap();
        Self {
            dir,
            port,
            _child: child,
        }
    }

    fn mailer(&self, security: Security, password: &str) -> Arc<Mailer> {
        Arc::new(
            Mailer::new(SmtpSettings {
                host: "localhost".to_owned(),
                port: Some(self.port),
                security,
                username: Some(SMTP_USER.to_owned()),
                password: Some(password.to_owned()),
                from: "Nuvola <notifiche@nuvola.example>".to_owned(),
                ca_file: Some(self.dir.path().join("ca.pem")),
                public_url: "https://nuvola.example".to_owned(),
                timeout: Duration::from_secs(10),
            })
            .unwrap(),
        )
    }

    /// What arrived in the Maildir, parsed by Python's e-mail package.
    async fn arrived(&self) -> Vec<Value> {
        let out = tokio::process::Command::new(python())
            .arg(SMTP_SCRIPT)
            .arg("dump")
            .arg(self.dir.path())
            .output()
            .await
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Vec<Value>>(&out.stdout).unwrap()
    }
}

/// One POST the receiver got.
#[derive(Debug, Clone)]
struct Hit {
    id: String,
    event: String,
    signature_ok: bool,
    body: Value,
    answered: u16,
}

#[derive(Default)]
struct ReceiverState {
    hits: Mutex<Vec<Hit>>,
    secret: Mutex<String>,
    fail_first: usize,
}

/// A real HTTP endpoint that checks the signature like a third party would, and answers
/// 500 to the first `fail_first` calls.
struct Receiver {
    addr: std::net::SocketAddr,
    state: Arc<ReceiverState>,
    handle: actix_web::dev::ServerHandle,
}

async fn receive(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<Arc<ReceiverState>>,
) -> HttpResponse {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let timestamp = header("nuvola-webhook-timestamp");
    let signature = header("nuvola-webhook-signature");
    let secret = state.secret.lock().unwrap().clone();
    // Verification as the README tells third parties to do it.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(&body);
    let signature_ok = signature
        .strip_prefix("v1=")
        .and_then(|h| hex::decode(h).ok())
        .is_some_and(|sig| mac.verify_slice(&sig).is_ok());
    let fresh = timestamp
        .parse::<i64>()
        .is_ok_and(|t| (chrono::Utc::now().timestamp() - t).abs() < 300);
    let mut hits = state.hits.lock().unwrap();
    let answered = if hits.len() < state.fail_first {
        500
    } else {
        204
    };
    hits.push(Hit {
        id: header("nuvola-webhook-id"),
        event: header("nuvola-webhook-event"),
        signature_ok: signature_ok && fresh,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        answered,
    });
    if answered == 500 {
        HttpResponse::InternalServerError().body("receiver down for maintenance")
    } else {
        HttpResponse::NoContent().finish()
    }
}

impl Receiver {
    async fn start(fail_first: usize) -> Self {
        let state = Arc::new(ReceiverState {
            fail_first,
            ..Default::default()
        });
        let data = web::Data::new(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/hook", web::post().to(receive))
        })
        .workers(2)
        .bind("127.0.0.1:0")
        .unwrap();
        let addr = server.addrs()[0];
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            addr,
            state,
            handle,
        }
    }

    fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    fn set_secret(&self, secret: &str) {
        *self.state.secret.lock().unwrap() = secret.to_owned();
    }

    fn hits(&self) -> Vec<Hit> {
        self.state.hits.lock().unwrap().clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        tokio::spawn(async move { handle.stop(false).await });
    }
}

/// The worker as the tests run it: quick retries (20 ms doubling to 200 ms).
pub(crate) fn config(mailer: Option<Arc<Mailer>>) -> WorkerConfig {
    let mut c = WorkerConfig::new(
        mailer,
        WebhookSender::new(true, Duration::from_secs(5)).unwrap(),
    );
    c.base_backoff = Duration::from_millis(20);
    c.max_backoff = Duration::from_millis(200);
    c.poll = Duration::from_millis(20);
    c
}

/// Runs the worker until nothing is PENDING (or 20 s pass).
pub(crate) async fn drain(db: &DatabaseConnection, config: &WorkerConfig) {
    for _ in 0..1000 {
        outbox::run_once(db, config).await.unwrap();
        let pending = delivery::Entity::find()
            .filter(delivery::Column::Status.eq(outbox::PENDING))
            .all(db)
            .await
            .unwrap();
        if pending.is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("deliveries still pending after 20 s");
}

async fn deliveries(db: &DatabaseConnection) -> Vec<delivery::Model> {
    delivery::Entity::find()
        .order_by_asc(delivery::Column::Id)
        .all(db)
        .await
        .unwrap()
}

async fn school(w: &World) -> application::Model {
    application::Entity::find()
        .filter(application::Column::Cup.eq(SCHOOL_CUP))
        .one(&w.t.db)
        .await
        .unwrap()
        .unwrap()
}

pub(crate) async fn set_state(w: &World, state: &str) {
    let mut p: application::ActiveModel = school(w).await.into();
    p.state = Set(state.to_owned());
    p.update(&w.t.db).await.unwrap();
}

/// The school's first service (the supplier "fornitore"'s), assessed, in a project
/// that is migrating: the supplier may move it on to MIGRATING.
async fn first_service(w: &World) -> planned_service::Model {
    set_state(w, "MIGRATING").await;
    let s = planned_service::Entity::find()
        .filter(planned_service::Column::ApplicationId.eq(school(w).await.id))
        .order_by_asc(planned_service::Column::Id)
        .one(&w.t.db)
        .await
        .unwrap()
        .unwrap();
    let mut m: planned_service::ActiveModel = s.into();
    m.status = Set("ASSESSED".to_owned());
    m.update(&w.t.db).await.unwrap()
}

fn due_in(days: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(days)).to_string()
}

pub(crate) async fn open_request(w: &World, days: i64) {
    let r = ask(w, Some("asseveratore"), OPEN, json!({ "i": {
        "cup": SCHOOL_CUP, "title": "Form di conformità", "body": "Caricare il form di conformità firmato.", "dueOn": due_in(days),
    }})).await;
    assert!(
        r["data"]["openVerificationRequest"]["id"].is_string(),
        "{r}"
    );
}

pub(crate) async fn register(w: &World, who: &str, url: &str, kinds: &[&str]) -> (String, String) {
    let r = ask(w, Some(who), REGISTER, json!({ "u": url, "k": kinds })).await;
    let reg = &r["data"]["registerWebhook"];
    let secret = reg["secret"]
        .as_str()
        .unwrap_or_else(|| panic!("{r}"))
        .to_owned();
    (reg["webhook"]["id"].as_str().unwrap().to_owned(), secret)
}

both! {
    async fn a_request_reaches_each_person_of_the_school_by_email_over_starttls_in_their_language(backend: Backend) {
        let w = world(backend).await;
        add_account(&w.t.db, Role::Administration, "scuola.en", PASSWORD, Some("ISTSC_FEIS011004")).await;
        let smtp = Smtp::start(false).await;
        let r = ask(&w, Some("scuola"), CONTACT, json!({ "e": "dirigente@scuola.example.it", "l": "IT" })).await;
        assert_eq!(r["data"]["updateNotificationContact"], json!({ "email": "dirigente@scuola.example.it", "language": "IT" }), "{r}");
        ask(&w, Some("scuola.en"), CONTACT, json!({ "e": "it.office@scuola.example.it", "l": "EN" })).await;
        // A bad address is refused on its field, in the shared rules.
        let r = ask(&w, Some("genova"), CONTACT, json!({ "e": "not an address", "l": "IT" })).await;
        assert_eq!((error_code(&r).as_deref(), r["errors"][0]["extensions"]["field"].as_str()), (Some("INVALID_INPUT"), Some("email")), "{r}");

        set_state(&w, "UNDER_VERIFICATION").await;
        open_request(&w, 20).await;
        // Written with the request, in its transaction: one per person with an address.
        let rows = deliveries(&w.t.db).await;
        assert_eq!(rows.iter().filter(|d| d.channel == "EMAIL").count(), 2, "{rows:?}");

        drain(&w.t.db, &config(Some(smtp.mailer(Security::Starttls, SMTP_PASSWORD)))).await;
        let rows = deliveries(&w.t.db).await;
        assert!(rows.iter().all(|d| d.status == "DELIVERED" && d.attempts == 1), "{rows:?}");
        assert!(rows[0].last_answer.as_deref().unwrap_or_default().starts_with("250"), "{rows:?}");

        let mail = smtp.arrived().await;
        assert_eq!(mail.len(), 2, "{mail:?}");
        let to = |addr: &str| mail.iter().find(|m| m["to"] == addr).unwrap_or_else(|| panic!("nothing for {addr}: {mail:?}")).clone();
        let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(20)).format("%d/%m/%Y").to_string();
        let it = to("dirigente@scuola.example.it");
        assert_eq!(it["subject"], format!("Richiesta di documenti da evadere: CUP {SCHOOL_CUP}"));
        let text = it["text"].as_str().unwrap();
        for part in [SCHOOL_CUP, "Form di conformità", "Cosa fare", &due, "https://nuvola.example/amministrazione/richieste"] {
            assert!(text.contains(part), "{part:?} missing from {text}");
        }
        assert!(it["html"].as_str().unwrap().contains("<a href=\"https://nuvola.example/amministrazione/richieste\">"), "{it}");
        let en = to("it.office@scuola.example.it");
        assert_eq!(en["subject"], format!("Request for documents to answer: CUP {SCHOOL_CUP}"));
        // The same facts in English: the request's title and its due date, no Italian.
        let text = en["text"].as_str().unwrap();
        for part in ["What to do", "The verifier opened the request «Form di conformità»", &due] {
            assert!(text.contains(part), "{part:?} missing from {text}");
        }
        assert!(!text.contains("rispondere entro"), "{text}");
        // In the web application too, for whoever reads it in English.
        let r = ask(&w, Some("scuola"), "{ notifications(first: 1) { edges { node { it: message en: message(language: EN) } } } }", json!({})).await;
        let node = &r["data"]["notifications"]["edges"][0]["node"];
        assert!(node["it"].as_str().unwrap().starts_with("L'asseveratore ha aperto la richiesta «Form di conformità»"), "{r}");
        assert!(node["en"].as_str().unwrap().starts_with("The verifier opened the request «Form di conformità»"), "{r}");
        // Nothing about other people: neither the other recipient nor any account's name.
        for (m, other) in [(&it, "it.office@"), (&en, "dirigente@")] {
            let all = format!("{}{}", m["text"], m["html"]);
            assert!(!all.contains(other) && !all.contains("scuola.en"), "{all}");
        }
    }
}

both! {
    async fn a_refused_login_is_retried_with_backoff_then_fails_for_good_and_the_department_resends_it(backend: Backend) {
        let w = world(backend).await;
        let smtp = Smtp::start(true).await;
        ask(&w, Some("scuola"), CONTACT, json!({ "e": "dirigente@scuola.example.it", "l": "IT" })).await;
        set_state(&w, "UNDER_VERIFICATION").await;
        open_request(&w, 20).await;

        // The worker driven by hand, to read the wait it plans after each failure.
        let mut c = config(Some(smtp.mailer(Security::Tls, "wrong-password")));
        c.max_backoff = Duration::from_millis(640);
        let mut planned = Vec::new();
        let mut seen = 0;
        for _ in 0..2000 {
            outbox::run_once(&w.t.db, &c).await.unwrap();
            let d = deliveries(&w.t.db).await.remove(0);
            // run_once claims, sends and records before it returns.
            if d.attempts > seen {
                seen = d.attempts;
                if d.status == "PENDING" {
                    let at = outbox::attempts(&w.t.db, d.id).await.unwrap().pop().unwrap().at;
                    planned.push((d.next_attempt_at - at).num_milliseconds());
                }
            }
            if d.status != "PENDING" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // Exponential: 20 ms doubling after each failure, up to the cap of 640 ms.
        assert_eq!(planned, vec![20, 40, 80, 160, 320, 640, 640]);
        assert!(planned.windows(2).all(|g| g[1] >= g[0]), "{planned:?}");
        // And the worker kept to it: no attempt came before its planned time.
        let log = outbox::attempts(&w.t.db, deliveries(&w.t.db).await[0].id).await.unwrap();
        for (pair, wait) in log.windows(2).zip(&planned) {
            let gap = (pair[1].at - pair[0].at).num_milliseconds();
            assert!(gap >= *wait, "attempt {} came {gap} ms after the previous one, planned {wait}", pair[1].number);
        }
        let d = deliveries(&w.t.db).await.remove(0);
        assert_eq!((d.status.as_str(), d.attempts), ("FAILED", outbox::DEFAULT_MAX_ATTEMPTS), "{d:?}");
        assert!(d.last_answer.as_deref().unwrap_or_default().contains("535"), "the server's answer is kept: {d:?}");
        assert_eq!(w.t.count_where("delivery_attempt", &format!("delivery_id = {} AND ok = false", d.id)).await, i64::from(outbox::DEFAULT_MAX_ATTEMPTS));
        assert!(smtp.arrived().await.is_empty());

        let r = ask(&w, Some("dipartimento"), "{ failedDeliveries { id channel recipient status attempts lastAnswer } }", json!({})).await;
        assert_eq!(r["data"]["failedDeliveries"][0]["channel"], "EMAIL", "{r}");
        let id = r["data"]["failedDeliveries"][0]["id"].as_str().unwrap().to_owned();
        // Not the school's to resend: its e-mail is not a webhook of its own.
        let r = ask(&w, Some("scuola"), REPLAY, json!({ "id": id })).await;
        assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
        let r = ask(&w, Some("dipartimento"), REPLAY, json!({ "id": id })).await;
        assert_eq!(r["data"]["replayDelivery"]["status"], "PENDING", "{r}");
        drain(&w.t.db, &config(Some(smtp.mailer(Security::Tls, SMTP_PASSWORD)))).await;
        let mail = smtp.arrived().await;
        assert_eq!(mail.len(), 1, "{mail:?}");
        assert_eq!(mail[0]["to"], "dirigente@scuola.example.it");
    }
}

both! {
    async fn a_webhook_is_signed_retried_with_backoff_and_replayed_with_the_same_event_id(backend: Backend) {
        let w = world(backend).await;
        let receiver = Receiver::start(2).await;
        let (_, secret) = register(&w, "dipartimento", &receiver.url(), &["SERVICE_STATUS_CHANGED"]).await;
        receiver.set_secret(&secret);
        let service = first_service(&w).await;
        let r = ask(&w, Some("fornitore"), MOVE, json!({ "s": { "id": service.id.to_string(), "version": service.version, "status": "MIGRATING" } })).await;
        assert_eq!(r["data"]["updateServiceStatus"]["status"], "MIGRATING", "{r}");

        drain(&w.t.db, &config(None)).await;
        let hits = receiver.hits();
        assert_eq!(hits.iter().map(|h| h.answered).collect::<Vec<_>>(), vec![500, 500, 204], "{hits:?}");
        assert!(hits.iter().all(|h| h.signature_ok), "{hits:?}");
        assert!(hits.iter().all(|h| h.id == hits[0].id && h.id.starts_with("evt_")), "one event id on every retry: {hits:?}");
        assert_eq!(hits[0].event, "SERVICE_STATUS_CHANGED");
        assert_eq!(hits[0].body["data"], json!({
            "cup": SCHOOL_CUP, "serviceId": service.id.to_string(), "name": service.name,
            "status": "MIGRATING", "previousStatus": "ASSESSED",
        }));

        // The owner reads the log: three attempts, two failures with the receiver's answer.
        let r = ask(&w, Some("dipartimento"), HOOKS, json!({})).await;
        let d = &r["data"]["webhooks"][0]["deliveries"][0];
        assert_eq!((d["status"].as_str(), d["attempts"].as_i64()), (Some("DELIVERED"), Some(3)), "{r}");
        assert_eq!(d["attemptLog"][0]["answer"], "HTTP 500: receiver down for maintenance", "{r}");
        assert_eq!(d["attemptLog"][2]["ok"], true);
        // Another organisation cannot replay it; the owner can, with the same event id.
        let id = d["id"].as_str().unwrap().to_owned();
        let r = ask(&w, Some("fornitore"), REPLAY, json!({ "id": id })).await;
        assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
        let r = ask(&w, Some("dipartimento"), REPLAY, json!({ "id": id })).await;
        assert_eq!(r["data"]["replayDelivery"]["status"], "PENDING", "{r}");
        drain(&w.t.db, &config(None)).await;
        let hits = receiver.hits();
        assert_eq!(hits.len(), 4);
        assert_eq!((hits[3].id.as_str(), hits[3].answered, hits[3].signature_ok), (hits[0].id.as_str(), 204, true));
    }
}

both! {
    async fn a_webhook_carries_only_what_its_owner_may_read(backend: Backend) {
        let w = world(backend).await;
        let all = ["PROJECT_STATE_CHANGED", "SERVICE_STATUS_CHANGED", "REQUEST_OPENED", "REQUEST_ANSWERED", "DOCUMENT_UPLOADED"];
        let (department, _) = register(&w, "dipartimento", "http://127.0.0.1:9/department", &all).await;
        let (supplier, _) = register(&w, "fornitore", "http://127.0.0.1:9/supplier", &all).await;
        let (psn, _) = register(&w, "psn", "http://127.0.0.1:9/psn", &all).await;
        let (genova, _) = register(&w, "genova", "http://127.0.0.1:9/genova", &all).await;
        let (school_hook, _) = register(&w, "scuola", "http://127.0.0.1:9/school", &["REQUEST_OPENED"]).await;
        // A verifier is no organisation; PUBLIC and API tokens register nothing.
        let r = ask(&w, Some("asseveratore"), REGISTER, json!({ "u": "http://127.0.0.1:9/x", "k": ["REQUEST_OPENED"] })).await;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");

        let service = first_service(&w).await;
        let r = ask(&w, Some("fornitore"), MOVE, json!({ "s": { "id": service.id.to_string(), "version": service.version, "status": "MIGRATING" } })).await;
        assert_eq!(r["data"]["updateServiceStatus"]["status"], "MIGRATING", "{r}");
        set_state(&w, "UNDER_VERIFICATION").await;
        open_request(&w, 20).await;
        let db = w.t.db.clone();
        let kinds = |hook: &str| {
            let hook: i32 = hook.parse().unwrap();
            let db = db.clone();
            async move {
                let mut k: Vec<String> = deliveries(&db).await.into_iter().filter(|d| d.webhook_id == Some(hook)).map(|d| d.kind).collect();
                k.sort();
                k
            }
        };
        assert_eq!(kinds(&department).await, vec!["REQUEST_OPENED", "SERVICE_STATUS_CHANGED"]);
        // The supplier hears of its own service, never of the verification.
        assert_eq!(kinds(&supplier).await, vec!["SERVICE_STATUS_CHANGED"]);
        assert!(kinds(&psn).await.is_empty());
        assert!(kinds(&genova).await.is_empty());
        assert_eq!(kinds(&school_hook).await, vec!["REQUEST_OPENED"]);

        // A state change is public data, but only for those who work on the project.
        let version = school(&w).await.version;
        let r = ask(&w, Some("dipartimento"), "mutation($p: ProjectVersionInput!) { revoke(project: $p, reason: \"Prova dei webhook\") { state } }", json!({ "p": { "cup": SCHOOL_CUP, "version": version } })).await;
        assert_eq!(r["data"]["revoke"]["state"], "REVOKED", "{r}");
        assert!(kinds(&department).await.contains(&"PROJECT_STATE_CHANGED".to_owned()));
        assert!(kinds(&supplier).await.contains(&"PROJECT_STATE_CHANGED".to_owned()));
        assert!(kinds(&psn).await.is_empty() && kinds(&genova).await.is_empty());
    }
}

both! {
    async fn private_and_plain_http_endpoints_are_refused_in_production(backend: Backend) {
        let t = crate::helpers::TestDb::with_calls_and_one_body(backend).await;
        add_account(&t.db, Role::Department, "dipartimento", PASSWORD, None).await;
        let app = crate::helpers::TestApp::start_with(&t.db, |o| {
            o.limits.private_webhooks = false;
        })
        .await;
        let token = app.login("dipartimento", PASSWORD).await;
        for url in ["http://hooks.example.org/x", "https://127.0.0.1/x", "https://10.0.0.8/x", "https://localhost:8443/x", "https://[::1]/x"] {
            let (_, r) = app.graphql_as(Some(&token), REGISTER, json!({ "u": url, "k": ["PROJECT_STATE_CHANGED"] })).await;
            assert_eq!((error_code(&r).as_deref(), r["errors"][0]["extensions"]["field"].as_str()), (Some("INVALID_INPUT"), Some("url")), "{url}: {r}");
        }
        assert_eq!(t.count("webhook").await, 0);
    }
}

both! {
    async fn mandatory_notices_stay_on_and_a_digest_goes_once_a_day_with_a_one_click_unsubscribe(backend: Backend) {
        let w = world(backend).await;
        let smtp = Smtp::start(false).await;
        ask(&w, Some("scuola"), CONTACT, json!({ "e": "dirigente@scuola.example.it", "l": "EN" })).await;
        let r = ask(&w, Some("scuola"), PREFER, json!({ "k": "VERIFICATION_REQUEST_OPENED", "m": "IN_APP" })).await;
        assert_eq!((error_code(&r).as_deref(), r["errors"][0]["extensions"]["field"].as_str()), (Some("INVALID_INPUT"), Some("mode")), "{r}");
        let r = ask(&w, Some("scuola"), PREFER, json!({ "k": "CONTRACT_DEADLINE_REMINDER", "m": "DIGEST" })).await;
        let prefs = r["data"]["setNotificationPreference"]["preferences"].as_array().unwrap_or_else(|| panic!("{r}")).clone();
        assert!(prefs.contains(&json!({ "kind": "CONTRACT_DEADLINE_REMINDER", "mode": "DIGEST", "mandatory": false })), "{r}");
        assert!(prefs.contains(&json!({ "kind": "VERIFICATION_REQUEST_OPENED", "mode": "IMMEDIATE", "mandatory": true })), "{r}");

        // The school's contract is due on 5 June 2023: 30 days before, a reminder, in the
        // web application and in the next digest, not by e-mail at once.
        let today = NaiveDate::from_ymd_opt(2023, 5, 6).unwrap();
        assert_eq!(deadlines::remind(&w.t.db, today).await.unwrap(), 1);
        assert_eq!(w.t.count("delivery").await, 0);
        assert_eq!(preferences::run_digests(&w.t.db, today).await.unwrap(), 1);
        assert_eq!(preferences::run_digests(&w.t.db, today).await.unwrap(), 0, "once a day");
        drain(&w.t.db, &config(Some(smtp.mailer(Security::Starttls, SMTP_PASSWORD)))).await;
        let mail = smtp.arrived().await;
        assert_eq!(mail.len(), 1, "{mail:?}");
        assert_eq!(mail[0]["subject"], "Nuvola: daily digest (1 notifications)");
        assert!(mail[0]["text"].as_str().unwrap().contains("Reminder: supplier contract deadline"), "{}", mail[0]);
        assert!(mail[0]["text"].as_str().unwrap().contains("5 June 2023"), "{}", mail[0]);
        assert_eq!(mail[0]["listUnsubscribePost"], "List-Unsubscribe=One-Click");
        let link = mail[0]["listUnsubscribe"].as_str().unwrap().trim_matches(['<', '>']).to_owned();
        let local = link.replace("https://nuvola.example", &format!("http://{}", w.app.addr));
        // A wrong token changes nothing; the link's own does, in one POST.
        let bad = w.app.client.post(local.replace("token=", "token=00")).send().await.unwrap();
        assert_eq!(bad.status().as_u16(), 404);
        let page = w.app.client.get(&local).send().await.unwrap();
        assert_eq!(page.status().as_u16(), 200);
        let done = w.app.client.post(&local).send().await.unwrap();
        assert_eq!(done.status().as_u16(), 200);
        let r = ask(&w, Some("scuola"), "{ notificationSettings { preferences { kind mode } } }", json!({})).await;
        let prefs = r["data"]["notificationSettings"]["preferences"].as_array().unwrap().clone();
        assert!(prefs.contains(&json!({ "kind": "CONTRACT_DEADLINE_REMINDER", "mode": "IN_APP" })), "{r}");
        assert!(prefs.contains(&json!({ "kind": "VERIFICATION_REQUEST_OPENED", "mode": "IMMEDIATE" })), "{r}");
    }
}

both! {
    async fn reminders_go_30_7_and_1_days_before_once_per_deadline_and_person(backend: Backend) {
        let w = world(backend).await;
        add_account(&w.t.db, Role::Administration, "scuola.due", PASSWORD, Some("ISTSC_FEIS011004")).await;
        ask(&w, Some("scuola"), CONTACT, json!({ "e": "dirigente@scuola.example.it", "l": "IT" })).await;
        ask(&w, Some("scuola.due"), CONTACT, json!({ "e": "segreteria@scuola.example.it", "l": "IT" })).await;
        let day = |d: u32, m: u32| NaiveDate::from_ymd_opt(2023, m, d).unwrap();
        // Due 5 June 2023; a checker running every day of May and June.
        let mut raised = HashMap::new();
        let mut d = day(1, 5);
        while d <= day(10, 6) {
            raised.insert(d, deadlines::remind(&w.t.db, d).await.unwrap());
            // Twice the same day: nothing more.
            assert_eq!(deadlines::remind(&w.t.db, d).await.unwrap(), 0);
            d = d.succ_opt().unwrap();
        }
        let on: Vec<NaiveDate> = { let mut v: Vec<_> = raised.iter().filter(|(_, n)| **n > 0).map(|(d, _)| *d).collect(); v.sort(); v };
        assert_eq!(on, vec![day(6, 5), day(29, 5), day(4, 6)]);
        assert_eq!(w.t.count_where("notification", "kind = 'CONTRACT_DEADLINE_REMINDER'").await, 3);
        // Each reminder once per person with an address.
        assert_eq!(w.t.count_where("delivery", "channel = 'EMAIL' AND kind = 'CONTRACT_DEADLINE_REMINDER'").await, 6);
        // Genova's call has no terms yet (only the hard cap), so nothing for Genova.
        let r = ask(&w, Some("genova"), "{ notifications(first: 5) { totalCount } }", json!({})).await;
        assert_eq!(r["data"]["notifications"]["totalCount"], 0, "{r}");

        // The department sets the call's schedule: 14 days before, only.
        let r = ask(&w, Some("dipartimento"), "mutation($t: String!, $d: [Int!]!) { setCallReminders(title: $t, days: $d) { reminderDays } }",
            json!({ "t": "1.2 Abilitazione al Cloud - Scuole - Aprile 2022", "d": [14] })).await;
        assert_eq!(r["data"]["setCallReminders"]["reminderDays"], json!([14]), "{r}");
        let r = ask(&w, Some("dipartimento"), "mutation($t: String!, $d: [Int!]!) { setCallReminders(title: $t, days: $d) { reminderDays } }",
            json!({ "t": "1.2 Abilitazione al Cloud - Scuole - Aprile 2022", "d": [0] })).await;
        assert_eq!(error_code(&r).as_deref(), Some("INVALID_INPUT"), "{r}");
        let r = ask(&w, Some("scuola"), "mutation($t: String!, $d: [Int!]!) { setCallReminders(title: $t, days: $d) { reminderDays } }",
            json!({ "t": "1.2 Abilitazione al Cloud - Scuole - Aprile 2022", "d": [3] })).await;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
        assert_eq!(deadlines::remind(&w.t.db, day(22, 5)).await.unwrap(), 1);
    }
}

both! {
    async fn two_replicas_on_one_database_send_each_delivery_once(backend: Backend) {
        let w = world(backend).await;
        let receiver = Receiver::start(0).await;
        let (hook, secret) = register(&w, "dipartimento", &receiver.url(), &["SERVICE_STATUS_CHANGED"]).await;
        receiver.set_secret(&secret);
        let hook: i32 = hook.parse().unwrap();
        let items: Vec<outbox::NewDelivery> = (0..300)
            .map(|i| outbox::NewDelivery {
                channel: outbox::WEBHOOK,
                recipient: receiver.url(),
                webhook_id: Some(hook),
                account_id: None,
                notification_id: None,
                event_id: format!("evt_replicas_{i}"),
                kind: nuvola_shared::DeliveryKind::ServiceStatusChanged,
                payload: json!({ "id": format!("evt_replicas_{i}"), "type": "SERVICE_STATUS_CHANGED", "data": { "n": i } }).to_string(),
            })
            .collect();
        assert_eq!(outbox::enqueue(&w.t.db, items).await.unwrap(), 300);
        // Two replicas: two pools, two workers, claiming small batches at the same time.
        let mut workers = Vec::new();
        for _ in 0..2 {
            let db = nuvola_server::db::connect(&w.t.url).await.unwrap();
            let mut c = config(None);
            c.batch = 7;
            workers.push(outbox::spawn_worker(db, c));
        }
        for _ in 0..600 {
            if receiver.hits().len() >= 300 && w.t.count_where("delivery", "status = 'PENDING'").await == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        for worker in workers {
            worker.abort();
        }
        let hits = receiver.hits();
        let mut per_event: HashMap<String, usize> = HashMap::new();
        for h in &hits {
            *per_event.entry(h.id.clone()).or_default() += 1;
        }
        assert_eq!(per_event.len(), 300);
        assert!(per_event.values().all(|n| *n == 1), "sent twice: {:?}", per_event.iter().filter(|(_, n)| **n > 1).collect::<Vec<_>>());
        assert_eq!(w.t.count_where("delivery", "status = 'DELIVERED' AND attempts = 1").await, 300);
        assert_eq!(w.t.count("delivery_attempt").await, 300);
    }
}

both! {
    async fn an_invitation_reaches_its_address_with_its_link_which_the_outbox_then_forgets(backend: Backend) {
        let w = world(backend).await;
        let smtp = Smtp::start(false).await;
        let r = ask(&w, Some("dipartimento"), "mutation($i: InvitationInput!) { inviteMember(input: $i) { id } }",
            json!({ "i": { "email": "verifica@example.org", "role": "VERIFIER", "bodyName": "Asseverazioni Italia S.r.l." } })).await;
        assert!(r["data"]["inviteMember"]["id"].is_string(), "{r}");
        let row = deliveries(&w.t.db).await.into_iter().find(|d| d.kind == "INVITATION").unwrap();
        let path = serde_json::from_str::<Value>(&row.payload).unwrap()["path"].as_str().unwrap().to_owned();
        assert!(path.starts_with("/invito/inv_"), "{path}");

        drain(&w.t.db, &config(Some(smtp.mailer(Security::Starttls, SMTP_PASSWORD)))).await;
        let mail = smtp.arrived().await;
        assert_eq!(mail.len(), 1, "{mail:?}");
        assert_eq!(mail[0]["to"], "verifica@example.org");
        let text = mail[0]["text"].as_str().unwrap();
        assert!(text.contains(&format!("https://nuvola.example{path}")), "{text}");
        assert!(text.contains("Asseverazioni Italia S.r.l.") && text.contains("invites you"), "{text}");
        // Delivered: the outbox row no longer holds the link.
        let row = deliveries(&w.t.db).await.into_iter().find(|d| d.kind == "INVITATION").unwrap();
        assert_eq!(row.status, "DELIVERED");
        assert!(!row.payload.contains("/invito/"), "{}", row.payload);
    }
}

/// Sets an address and a language for each of `who`, asserting it took.
async fn contacts(w: &World, who: &[(&str, &str, &str)]) {
    for (user, email, language) in who {
        let r = ask(w, Some(user), CONTACT, json!({ "e": email, "l": language })).await;
        assert_eq!(
            r["data"]["updateNotificationContact"]["email"], *email,
            "{user}: {r}"
        );
    }
}

/// Runs the reminders on every day from `from` to `to`, twice a day, and returns the
/// days on which something new was raised.
async fn remind_daily(w: &World, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut on = Vec::new();
    let mut d = from;
    while d <= to {
        if deadlines::remind(&w.t.db, d).await.unwrap() > 0 {
            on.push(d);
        }
        assert_eq!(
            deadlines::remind(&w.t.db, d).await.unwrap(),
            0,
            "twice on {d}"
        );
        d = d.succ_opt().unwrap();
    }
    on
}

/// The due date stored with the newest notification of `kind` (the e-mails show it).
async fn stored_due(db: &DatabaseConnection, kind: &str) -> Option<NaiveDate> {
    nuvola_server::entity::notification::Entity::find()
        .filter(nuvola_server::entity::notification::Column::Kind.eq(kind))
        .order_by_desc(nuvola_server::entity::notification::Column::Id)
        .one(db)
        .await
        .unwrap()
        .and_then(|n| n.due_on)
}

/// The e-mail deliveries of `kind`, as (recipient, language of its payload).
async fn emails_of(db: &DatabaseConnection, kind: &str) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = deliveries(db)
        .await
        .into_iter()
        .filter(|d| d.channel == "EMAIL" && d.kind == kind)
        .map(|d| {
            let p: Value = serde_json::from_str(&d.payload).unwrap();
            (
                d.recipient,
                p["language"].as_str().unwrap_or_default().to_uppercase(),
            )
        })
        .collect();
    v.sort();
    v
}

both! {
    async fn a_completion_deadline_is_reminded_30_7_and_1_days_before_to_the_school_only_in_each_ones_language(backend: Backend) {
        let w = world(backend).await;
        add_account(&w.t.db, Role::Administration, "scuola.en", PASSWORD, Some("ISTSC_FEIS011004")).await;
        contacts(&w, &[
            ("scuola", "dirigente@scuola.example.it", "IT"),
            ("scuola.en", "it.office@scuola.example.it", "EN"),
            ("genova", "protocollo@comune.genova.it", "IT"),
            ("dipartimento", "pnrr@dipartimento.example.it", "IT"),
            ("fornitore", "commerciale@fornitore.example.it", "IT"),
        ]).await;
        // The school signed its contract on 1 March 2023 and is migrating: it owes the
        // completion, by the date its call's terms give.
        let mut p: application::ActiveModel = school(&w).await.into();
        p.state = Set("MIGRATING".to_owned());
        p.contract_on = Set(Some(NaiveDate::from_ymd_opt(2023, 3, 1).unwrap()));
        let p = p.update(&w.t.db).await.unwrap();
        let call = nuvola_server::entity::call::Entity::find_by_id(p.call_id).one(&w.t.db).await.unwrap().unwrap();
        let due = deadlines::call_rule(&call)
            .next_due(nuvola_shared::ApplicationState::Migrating, p.funded_on, p.contract_on)
            .expect("a completion deadline");
        assert_eq!(due.kind, nuvola_shared::deadline::DeadlineKind::Completion);
        let due = due.due_on;
        let days = |n: i64| due - chrono::Duration::days(n);

        let on = remind_daily(&w, days(35), due + chrono::Duration::days(2)).await;
        assert_eq!(on, vec![days(30), days(7), days(1)]);
        assert_eq!(w.t.count_where("notification", "kind = 'COMPLETION_DEADLINE_REMINDER'").await, 3);
        // No contract reminder for a project that has its contract.
        assert_eq!(w.t.count_where("notification", "kind = 'CONTRACT_DEADLINE_REMINDER'").await, 0);
        // Once per person and reminder, to the school's two people only, each in its language.
        let mut expected = Vec::new();
        for _ in 0..3 {
            expected.push(("dirigente@scuola.example.it".to_owned(), "IT".to_owned()));
            expected.push(("it.office@scuola.example.it".to_owned(), "EN".to_owned()));
        }
        expected.sort();
        assert_eq!(emails_of(&w.t.db, "COMPLETION_DEADLINE_REMINDER").await, expected);
        for other in ["genova", "dipartimento", "fornitore"] {
            let r = ask(&w, Some(other), "{ notifications(first: 5) { totalCount } }", json!({})).await;
            assert_eq!(r["data"]["notifications"]["totalCount"], 0, "{other}: {r}");
        }
        let r = ask(&w, Some("scuola"), "{ notifications(first: 1) { edges { node { kind it: message en: message(language: EN) } } } }", json!({})).await;
        let node = &r["data"]["notifications"]["edges"][0]["node"];
        assert_eq!(node["kind"], "COMPLETION_DEADLINE_REMINDER", "{r}");
        assert_eq!(stored_due(&w.t.db, "COMPLETION_DEADLINE_REMINDER").await, Some(due));
        let date = due.format("%d/%m/%Y").to_string();
        assert_eq!(node["it"], format!("Promemoria: il progetto CUP {SCHOOL_CUP} deve completare la migrazione e dichiararne il completamento entro il {date} (manca 1 giorno)."), "{r}");
        assert_eq!(node["en"], format!("Reminder: project CUP {SCHOOL_CUP} must complete the migration and declare it complete by {date} (1 day left)."), "{r}");

        // What the two people read: the Italian and the English mail of the last reminder.
        let smtp = Smtp::start(false).await;
        drain(&w.t.db, &config(Some(smtp.mailer(Security::Starttls, SMTP_PASSWORD)))).await;
        let mail = smtp.arrived().await;
        assert_eq!(mail.len(), 6, "{mail:?}");
        assert!(mail.iter().all(|m| m["to"] == "dirigente@scuola.example.it" || m["to"] == "it.office@scuola.example.it"), "{mail:?}");
        let it = mail.iter().find(|m| m["to"] == "dirigente@scuola.example.it").unwrap();
        assert_eq!(it["subject"], format!("Promemoria: termine per il completamento: CUP {SCHOOL_CUP}"));
        assert!(it["text"].as_str().unwrap().contains(&format!("Scadenza: {date}")), "{it}");
        let en = mail.iter().find(|m| m["to"] == "it.office@scuola.example.it").unwrap();
        assert_eq!(en["subject"], format!("Reminder: completion deadline: CUP {SCHOOL_CUP}"));
        let text = en["text"].as_str().unwrap();
        assert!(text.contains(&format!("Deadline: {}", due.format("%-d %B %Y"))) && text.contains("What to do: Complete the migration"), "{text}");
        assert!(!text.contains("Promemoria"), "{text}");
    }
}

both! {
    async fn a_requests_due_date_is_reminded_30_7_and_1_days_before_to_the_school_only_in_each_ones_language(backend: Backend) {
        let w = world(backend).await;
        add_account(&w.t.db, Role::Administration, "scuola.en", PASSWORD, Some("ISTSC_FEIS011004")).await;
        contacts(&w, &[
            ("scuola", "dirigente@scuola.example.it", "IT"),
            ("scuola.en", "it.office@scuola.example.it", "EN"),
            ("genova", "protocollo@comune.genova.it", "IT"),
            ("dipartimento", "pnrr@dipartimento.example.it", "IT"),
        ]).await;
        set_state(&w, "UNDER_VERIFICATION").await;
        open_request(&w, 40).await;
        let today = chrono::Utc::now().date_naive();
        let due = today + chrono::Duration::days(40);
        let days = |n: i64| due - chrono::Duration::days(n);

        let on = remind_daily(&w, today, due + chrono::Duration::days(2)).await;
        assert_eq!(on, vec![days(30), days(7), days(1)]);
        assert_eq!(w.t.count_where("notification", "kind = 'VERIFICATION_REQUEST_REMINDER'").await, 3);
        let mut expected = Vec::new();
        for _ in 0..3 {
            expected.push(("dirigente@scuola.example.it".to_owned(), "IT".to_owned()));
            expected.push(("it.office@scuola.example.it".to_owned(), "EN".to_owned()));
        }
        expected.sort();
        assert_eq!(emails_of(&w.t.db, "VERIFICATION_REQUEST_REMINDER").await, expected);
        for other in ["genova", "dipartimento"] {
            let r = ask(&w, Some(other), "{ notifications(first: 5) { edges { node { kind } } } }", json!({})).await;
            let kinds: Vec<&str> = r["data"]["notifications"]["edges"].as_array().unwrap_or_else(|| panic!("{r}")).iter().filter_map(|e| e["node"]["kind"].as_str()).collect();
            assert!(!kinds.contains(&"VERIFICATION_REQUEST_REMINDER"), "{other}: {r}");
        }
        let r = ask(&w, Some("scuola"), "{ notifications(first: 1) { edges { node { kind en: message(language: EN) } } } }", json!({})).await;
        let node = &r["data"]["notifications"]["edges"][0]["node"];
        assert_eq!(node["kind"], "VERIFICATION_REQUEST_REMINDER", "{r}");
        assert_eq!(stored_due(&w.t.db, "VERIFICATION_REQUEST_REMINDER").await, Some(due));
        assert!(node["en"].as_str().unwrap().starts_with("Reminder: the request «Form di conformità» on project CUP"), "{r}");

        let smtp = Smtp::start(false).await;
        drain(&w.t.db, &config(Some(smtp.mailer(Security::Starttls, SMTP_PASSWORD)))).await;
        let mail: Vec<Value> = smtp.arrived().await.into_iter().filter(|m| m["subject"].as_str().unwrap_or_default().contains("scadenza") || m["subject"].as_str().unwrap_or_default().contains("due soon")).collect();
        assert_eq!(mail.len(), 6, "{mail:?}");
        let it = mail.iter().find(|m| m["to"] == "dirigente@scuola.example.it").unwrap();
        assert_eq!(it["subject"], format!("Promemoria: richiesta di documenti in scadenza: CUP {SCHOOL_CUP}"));
        assert!(it["text"].as_str().unwrap().contains("pena la decadenza del finanziamento"), "{it}");
        let en = mail.iter().find(|m| m["to"] == "it.office@scuola.example.it").unwrap();
        assert_eq!(en["subject"], format!("Reminder: request for documents due soon: CUP {SCHOOL_CUP}"));
        assert!(en["text"].as_str().unwrap().contains("or the funding lapses"), "{en}");
    }
}

both! {
    async fn more_reminders_for_one_body_than_the_threshold_become_one_summary_that_follows_the_preferences_of_what_it_sums_up(backend: Backend) {
        let w = world(backend).await;
        add_account(&w.t.db, Role::Administration, "scuola.en", PASSWORD, Some("ISTSC_FEIS011004")).await;
        add_account(&w.t.db, Role::Administration, "scuola.tre", PASSWORD, Some("ISTSC_FEIS011004")).await;
        add_account(&w.t.db, Role::Administration, "scuola.quattro", PASSWORD, Some("ISTSC_FEIS011004")).await;
        contacts(&w, &[
            ("scuola", "dirigente@scuola.example.it", "IT"),
            ("scuola.en", "it.office@scuola.example.it", "EN"),
            ("scuola.tre", "segreteria@scuola.example.it", "IT"),
            ("scuola.quattro", "dsga@scuola.example.it", "IT"),
            ("genova", "protocollo@comune.genova.it", "IT"),
        ]).await;
        // The head switched contract reminders off, not request reminders: it still gets
        // the summary of request reminders. The secretary wants request reminders in
        // the daily digest, the DSGA in the web application only.
        for (who, kind, mode) in [
            ("scuola", "CONTRACT_DEADLINE_REMINDER", "IN_APP"),
            ("scuola.tre", "VERIFICATION_REQUEST_REMINDER", "DIGEST"),
            ("scuola.quattro", "VERIFICATION_REQUEST_REMINDER", "IN_APP"),
        ] {
            let r = ask(&w, Some(who), PREFER, json!({ "k": kind, "m": mode })).await;
            assert!(r["data"]["setNotificationPreference"].is_object(), "{r}");
        }
        // The summary has no preference of its own.
        let r = ask(&w, Some("scuola"), PREFER, json!({ "k": "DEADLINE_REMINDERS_SUMMARY", "m": "IN_APP" })).await;
        assert_eq!((error_code(&r).as_deref(), r["errors"][0]["extensions"]["field"].as_str()), (Some("INVALID_INPUT"), Some("kind")), "{r}");

        set_state(&w, "UNDER_VERIFICATION").await;
        let above = deadlines::REMINDER_DIGEST_ABOVE + 1;
        for i in 0..above {
            let r = ask(&w, Some("asseveratore"), OPEN, json!({ "i": {
                "cup": SCHOOL_CUP, "title": format!("Documento {i}"), "body": "Caricare il documento firmato.", "dueOn": due_in(7),
            }})).await;
            assert!(r["data"]["openVerificationRequest"]["id"].is_string(), "{r}");
        }
        let opened = w.t.count("delivery").await;
        let today = chrono::Utc::now().date_naive();
        assert_eq!(deadlines::remind(&w.t.db, today).await.unwrap(), above);
        assert_eq!(deadlines::remind(&w.t.db, today).await.unwrap(), 0, "once a day");
        // Every reminder in the web application, one summary, of its own kind.
        assert_eq!(w.t.count_where("notification", "kind = 'VERIFICATION_REQUEST_REMINDER'").await, above as i64);
        assert_eq!(w.t.count_where("notification", "kind = 'DEADLINE_REMINDERS_SUMMARY'").await, 1);
        assert_eq!(w.t.count_where("notification", "kind = 'CONTRACT_DEADLINE_REMINDER'").await, 0);
        // E-mail at once: the summary only, to those wanting request reminders at once.
        assert!(emails_of(&w.t.db, "VERIFICATION_REQUEST_REMINDER").await.is_empty());
        assert_eq!(emails_of(&w.t.db, "DEADLINE_REMINDERS_SUMMARY").await, vec![
            ("dirigente@scuola.example.it".to_owned(), "IT".to_owned()),
            ("it.office@scuola.example.it".to_owned(), "EN".to_owned()),
        ]);
        assert_eq!(w.t.count("delivery").await, opened + 2);
        let r = ask(&w, Some("scuola"), "{ notifications(first: 1) { totalCount edges { node { kind message } } } }", json!({})).await;
        let node = &r["data"]["notifications"]["edges"][0]["node"];
        let due = today + chrono::Duration::days(7);
        assert_eq!(node["kind"], "DEADLINE_REMINDERS_SUMMARY", "{r}");
        assert_eq!(stored_due(&w.t.db, "DEADLINE_REMINDERS_SUMMARY").await, Some(due), "the first of the deadlines it sums up");
        assert_eq!(node["message"], format!("Promemoria: {above} scadenze dei vostri progetti si avvicinano. La prima è il {}. L'elenco è nella pagina Notifiche di Nuvola.", due.format("%d/%m/%Y")), "{r}");
        let r = ask(&w, Some("genova"), "{ notifications(first: 5) { totalCount } }", json!({})).await;
        assert_eq!(r["data"]["notifications"]["totalCount"], 0, "{r}");

        // The secretary's digest lists each reminder; nobody else has one.
        assert_eq!(preferences::run_digests(&w.t.db, today).await.unwrap(), 1);
        let smtp = Smtp::start(false).await;
        drain(&w.t.db, &config(Some(smtp.mailer(Security::Starttls, SMTP_PASSWORD)))).await;
        let mail = smtp.arrived().await;
        let digest = mail.iter().find(|m| m["to"] == "segreteria@scuola.example.it" && m["subject"].as_str().unwrap().contains("riepilogo")).unwrap_or_else(|| panic!("{mail:?}"));
        let text = digest["text"].as_str().unwrap();
        assert_eq!(text.matches("Promemoria: la richiesta «Documento").count(), above, "{text}");
        let summaries: Vec<&Value> = mail.iter().filter(|m| m["subject"].as_str().unwrap().starts_with("Promemoria: scadenze vicine") || m["subject"] == "Reminder: deadlines near").collect();
        assert_eq!(summaries.len(), 2, "{mail:?}");
        let en = summaries.iter().find(|m| m["to"] == "it.office@scuola.example.it").unwrap();
        assert_eq!(en["subject"], "Reminder: deadlines near");
        let text = en["text"].as_str().unwrap();
        assert!(text.contains(&format!("Reminder: {above} deadlines of your projects are near.")) && text.contains("https://nuvola.example/notifiche"), "{text}");
    }
}

/// The receiver's hits of `event`, as (file name or request title, signature ok).
fn got(receiver: &Receiver, event: &str) -> Vec<Value> {
    receiver
        .hits()
        .into_iter()
        .filter(|h| h.event == event)
        .map(|h| {
            assert!(h.signature_ok, "{h:?}");
            assert_eq!(h.body["type"], event, "{h:?}");
            h.body["data"].clone()
        })
        .collect()
}

both! {
    async fn answers_and_uploads_reach_each_webhook_that_may_read_them_and_no_other(backend: Backend) {
        let w = world(backend).await;
        let kinds = ["REQUEST_ANSWERED", "DOCUMENT_UPLOADED"];
        let mut receivers = HashMap::new();
        for who in ["dipartimento", "scuola", "fornitore", "genova", "psn"] {
            let receiver = Receiver::start(0).await;
            let (_, secret) = register(&w, who, &receiver.url(), &kinds).await;
            receiver.set_secret(&secret);
            receivers.insert(who, receiver);
        }
        let mut s = crate::documents::Sessions::new(&w.app);
        let services = crate::documents::school_services(&w).await;
        // The school's contract, the supplier's evidence of its own service, Genova's
        // document of its own project.
        let (status, contract) = s.upload(Some("scuola"), &[("kind", "CONTRACT"), ("fileName", "contratto.pdf")], crate::documents::PDF, None).await;
        assert_eq!(status, 201, "{contract}");
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";
        let own = services[0].to_string();
        let (status, evidence) = s.upload(Some("fornitore"), &[("kind", "EVIDENCE"), ("fileName", "collaudo.png"), ("plannedServiceId", &own)], png, Some("image/png")).await;
        assert_eq!(status, 201, "{evidence}");
        let genova_cup = "B31C22000060007";
        let (status, delibera) = s.upload_to(Some("genova"), genova_cup, &[("kind", "OTHER"), ("fileName", "delibera.pdf")], crate::documents::PDF, None).await;
        assert_eq!(status, 201, "{delibera}");
        // The verifier asks, the school answers.
        set_state(&w, "UNDER_VERIFICATION").await;
        let r = ask(&w, Some("asseveratore"), "mutation($i: OpenRequestInput!) { openVerificationRequest(input: $i) { id version } }", json!({ "i": {
            "cup": SCHOOL_CUP, "title": "Form di conformità", "body": "Caricare il form di conformità firmato.", "dueOn": due_in(20),
        }})).await;
        let request = r["data"]["openVerificationRequest"]["id"].as_str().unwrap_or_else(|| panic!("{r}")).to_owned();
        let r = ask(&w, Some("scuola"), "mutation($i: AnswerRequestInput!) { answerVerificationRequest(input: $i) { state } }",
            json!({ "i": { "id": request, "version": 1, "note": "Il form è nel fascicolo." } })).await;
        assert_eq!(r["data"]["answerVerificationRequest"]["state"], "ANSWERED", "{r}");

        drain(&w.t.db, &config(None)).await;
        let files = |r: &Receiver| {
            let mut v: Vec<String> = got(r, "DOCUMENT_UPLOADED").iter().map(|d| d["fileName"].as_str().unwrap().to_owned()).collect();
            v.sort();
            v
        };
        // The department reads everything; the school its own project's; the supplier
        // only the evidence of its service; Genova only its own; PSN nothing.
        assert_eq!(files(&receivers["dipartimento"]), vec!["collaudo.png", "contratto.pdf", "delibera.pdf"]);
        assert_eq!(files(&receivers["scuola"]), vec!["collaudo.png", "contratto.pdf"]);
        assert_eq!(files(&receivers["fornitore"]), vec!["collaudo.png"]);
        assert_eq!(files(&receivers["genova"]), vec!["delibera.pdf"]);
        assert!(receivers["psn"].hits().is_empty(), "{:?}", receivers["psn"].hits());
        // What an upload carries: the document's facts, the same the owner may download.
        let hit = got(&receivers["fornitore"], "DOCUMENT_UPLOADED").remove(0);
        assert_eq!(hit, json!({
            "cup": SCHOOL_CUP, "documentId": evidence["id"], "kind": "EVIDENCE", "fileName": "collaudo.png",
            "sizeBytes": png.len(), "sha256": evidence["sha256"],
        }), "{evidence}");
        let hit = got(&receivers["genova"], "DOCUMENT_UPLOADED").remove(0);
        assert_eq!((hit["cup"].as_str(), &hit["documentId"]), (Some(genova_cup), &delibera["id"]));

        // The answer: to those who follow the verification of the school's project.
        for who in ["dipartimento", "scuola"] {
            let answered = got(&receivers[who], "REQUEST_ANSWERED");
            assert_eq!(answered.len(), 1, "{who}: {answered:?}");
            assert_eq!((answered[0]["cup"].as_str(), answered[0]["requestId"].as_str(), answered[0]["title"].as_str(), answered[0]["state"].as_str()),
                (Some(SCHOOL_CUP), Some(request.as_str()), Some("Form di conformità"), Some("ANSWERED")), "{who}");
        }
        for who in ["fornitore", "genova", "psn"] {
            assert!(got(&receivers[who], "REQUEST_ANSWERED").is_empty(), "{who}");
        }
        // Every delivery arrived once, signed, at the first attempt.
        assert_eq!(w.t.count_where("delivery", "channel = 'WEBHOOK' AND status = 'DELIVERED' AND attempts = 1").await, 9);
        assert_eq!(w.t.count_where("delivery", "channel = 'WEBHOOK'").await, 9);
    }
}
