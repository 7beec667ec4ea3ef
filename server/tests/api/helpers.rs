#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use indicatif::ProgressBar;
use nuvola_server::audit::Actor;
use nuvola_server::graphql::viewer::{RequestMeta, Viewer};
use nuvola_server::graphql::Limits;
use nuvola_server::http::ServeOptions;
use nuvola_server::service::import::{self, ImportReport};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::{json, Value};

pub const APPLICATIONS_CSV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../data/padigitale2026/candidature_12.csv"
);
pub const CALLS_CSV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../data/padigitale2026/avvisi.csv"
);
/// The header of candidature_12.csv and its row of the Comune di Genova.
pub const GENOVA_HEADER: &str = "codice_ipa,ente,comune,cod_comune,provincia,cod_provincia,regione,cod_regione,importo_finanziamento,avviso,data_invio_candidatura,data_finanziamento,codice_cup,numero_finestra_temporale,numero_di_protocollo,stato_candidatura,misura,tipologia_ente";
pub const GENOVA_ROW: &str = "c_d969,Comune di Genova,Genova,010025,GE,010,Liguria,07,4566860.0,1.2 Abilitazione al cloud - Comuni - Aprile 2022,2022-05-17T17:00:00.000+0000,2022-08-08,B31C22000060007,1.0,28.0,A,1.2 Abilitazione e facilitazione migrazione al Cloud,Comune";
/// Rows in candidature_12.csv.
pub const ALL_ROWS: usize = 12_934;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs the test body once on SQLite and once on PostgreSQL, as two tests.
macro_rules! both {
    ($(#[$meta:meta])* async fn $name:ident($backend:ident: Backend) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $(#[$meta])*
            async fn run($backend: $crate::helpers::Backend) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run($crate::helpers::Backend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                run($crate::helpers::Backend::Postgres).await
            }
        }
    };
}
pub(crate) use both;

/// A fresh, migrated database that disappears with the value.
pub struct TestDb {
    pub db: DatabaseConnection,
    pub url: String,
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

fn pg_admin_url() -> String {
    std::env::var("NUVOLA_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

impl TestDb {
    pub async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
                let db = nuvola_server::db::connect_and_migrate(&url).await.unwrap();
                Self {
                    db,
                    url,
                    backend,
                    _dir: Some(dir),
                    pg_name: None,
                }
            }
            Backend::Postgres => {
                let admin_url = pg_admin_url();
                let admin = sea_orm::Database::connect(&admin_url).await.unwrap_or_else(|e| {
                    panic!("PostgreSQL is required for the tests ({admin_url}): {e}. Start it or set NUVOLA_TEST_POSTGRES.")
                });
                let name = format!(
                    "nuvola_test_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst),
                    chrono::Utc::now().timestamp_micros() % 1_000_000
                );
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .unwrap();
                admin.close().await.ok();
                let base = admin_url
                    .rsplit_once('/')
                    .map(|(b, _)| b)
                    .unwrap()
                    .to_owned();
                let url = format!("{base}/{name}");
                let db = nuvola_server::db::connect_and_migrate(&url).await.unwrap();
                Self {
                    db,
                    url,
                    backend,
                    _dir: None,
                    pg_name: Some(name),
                }
            }
        }
    }

    /// Imports the bundled calls and applications.
    pub async fn with_open_data(backend: Backend) -> Self {
        let t = Self::new(backend).await;
        t.import_path(CALLS_CSV).await;
        let report = t.import_path(APPLICATIONS_CSV).await;
        assert_eq!(report.new, ALL_ROWS);
        t
    }

    /// The calls and a single funded application (Comune di Genova, c_d969): enough for
    /// tests about accounts and permissions, and fast.
    pub async fn with_calls_and_one_body(backend: Backend) -> Self {
        let t = Self::new(backend).await;
        t.import_path(CALLS_CSV).await;
        let csv = format!("{GENOVA_HEADER}\n{GENOVA_ROW}\n");
        let report = t.import_bytes("genova.csv", csv.as_bytes()).await.unwrap();
        assert_eq!(report.new, 1);
        t
    }

    pub async fn import_path(&self, path: &str) -> ImportReport {
        let bytes = std::fs::read(path).unwrap();
        self.import_bytes(path, &bytes).await.unwrap()
    }

    pub async fn import_bytes(&self, name: &str, bytes: &[u8]) -> anyhow::Result<ImportReport> {
        import::import_file(
            &self.db,
            name,
            bytes,
            &Actor::system("test"),
            &ProgressBar::hidden(),
        )
        .await
    }

    pub async fn count(&self, table: &str) -> i64 {
        self.count_where(table, "1 = 1").await
    }

    pub async fn count_where(&self, table: &str, condition: &str) -> i64 {
        let row = self
            .db
            .query_one(sea_orm::Statement::from_string(
                self.db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table} WHERE {condition}"),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "n").unwrap()
    }

    /// Drops the PostgreSQL database now (to test what happens when it is gone).
    pub async fn drop_database_now(&mut self) {
        if let Some(name) = self.pg_name.take() {
            drop_pg(&name).await;
        }
    }
}

async fn drop_pg(name: &str) {
    if let Ok(admin) = sea_orm::Database::connect(pg_admin_url()).await {
        let _ = admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await;
        admin.close().await.ok();
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            // Drop is synchronous: use a runtime of our own on a thread of our own.
            let _ = std::thread::spawn(move || {
                if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    rt.block_on(drop_pg(&name));
                }
            })
            .join();
        }
    }
}

/// Counts the SQL statements a connection runs.
pub fn count_queries(db: &mut DatabaseConnection) -> Arc<AtomicUsize> {
    let counter = Arc::new(AtomicUsize::new(0));
    let c = counter.clone();
    db.set_metric_callback(move |_| {
        c.fetch_add(1, Ordering::SeqCst);
    });
    counter
}

/// Runs a GraphQL query against the schema directly, as the HTTP handler does.
pub async fn gql(db: &DatabaseConnection, query: &str, variables: Value) -> Value {
    gql_with_limits(db, Limits::default(), query, variables).await
}

/// Like [`gql`], with the schema built under `limits` (as `--production` would).
pub async fn gql_with_limits(
    db: &DatabaseConnection,
    limits: Limits,
    query: &str,
    variables: Value,
) -> Value {
    let schema = nuvola_server::graphql::build_schema(db.clone(), limits);
    let request = async_graphql::Request::new(query)
        .variables(async_graphql::Variables::from_json(variables));
    let response = schema
        .execute(nuvola_server::graphql::with_request_data(
            request,
            db,
            Viewer::default(),
            RequestMeta::default(),
        ))
        .await;
    serde_json::to_value(&response).unwrap()
}

/// The `extensions.code` of the first error.
pub fn error_code(response: &Value) -> Option<String> {
    response["errors"][0]["extensions"]["code"]
        .as_str()
        .map(str::to_owned)
}

/// The real server on a free port.
pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub static_dir: tempfile::TempDir,
    /// The document folder (`--storage`), fresh for each server.
    pub storage_dir: tempfile::TempDir,
    handle: actix_web::dev::ServerHandle,
}

impl TestApp {
    pub async fn start(db: &DatabaseConnection) -> Self {
        Self::start_with(db, |_| {}).await
    }

    /// Starts the server with options changed by `configure`.
    pub async fn start_with(
        db: &DatabaseConnection,
        configure: impl FnOnce(&mut ServeOptions),
    ) -> Self {
        let static_dir = tempfile::tempdir().unwrap();
        std::fs::write(
            static_dir.path().join("index.html"),
            "<!doctype html><title>Nuvola SPA</title>",
        )
        .unwrap();
        std::fs::write(static_dir.path().join("app.js"), "console.log(1)").unwrap();
        let storage_dir = tempfile::tempdir().unwrap();
        let mut options = ServeOptions::new("127.0.0.1:0", PathBuf::from(static_dir.path()));
        options.storage_dir = storage_dir.path().to_path_buf();
        configure(&mut options);
        let (server, addr) = nuvola_server::http::start(db.clone(), options).unwrap();
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            addr,
            client: reqwest::Client::new(),
            static_dir,
            storage_dir,
            handle,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.graphql_as(None, query, variables).await.1
    }

    /// Posts a GraphQL request with an optional bearer token; returns the status and body.
    pub async fn graphql_as(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (u16, Value) {
        let mut req = self
            .client
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        let res = req.send().await.unwrap();
        (res.status().as_u16(), res.json().await.unwrap())
    }

    /// Logs in through the API and returns the bearer token.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let (_, r) = self
            .graphql_as(
                None,
                "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }",
                json!({ "u": username, "p": password }),
            )
            .await;
        r["data"]["login"]["token"]
            .as_str()
            .unwrap_or_else(|| panic!("login of {username} failed: {r}"))
            .to_owned()
    }
}

/// Creates an account directly through the service, as `nuvola user add` does, and
/// returns it.
pub async fn add_account(
    db: &DatabaseConnection,
    role: nuvola_shared::Role,
    username: &str,
    password: &str,
    ipa: Option<&str>,
) -> nuvola_server::entity::account::Model {
    nuvola_server::service::accounts::create(
        db,
        nuvola_server::service::accounts::NewAccount {
            role,
            username: username.to_owned(),
            password: password.to_owned(),
            ipa_code: ipa.map(|c| nuvola_shared::IpaCode::parse(c).unwrap()),
            supplier_vat: None,
            display_name: None,
        },
        &Actor::system("test"),
    )
    .await
    .unwrap()
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        tokio::spawn(async move { handle.stop(false).await });
    }
}

/// The server's two schemas over `db`, as `POST /graphql` uses them: the checked one
/// and the one without extensions, which remembers the requests it ran.
pub fn http_schemas(
    db: &DatabaseConnection,
) -> (
    nuvola_server::graphql::NuvolaSchema,
    nuvola_server::graphql::limits::Unchecked,
) {
    nuvola_server::graphql::build_schemas(
        db.clone(),
        Limits::default(),
        nuvola_server::changes::ChangeFeed::new(db.clone()),
        None,
        Default::default(),
    )
}

/// Runs one anonymous request (`body`, as a client posts it) as `POST /graphql` does:
/// recalled when the same body passed before, checked and remembered otherwise. Gives
/// the answer, the query's cost and whether it was recalled.
pub async fn run_as_http(
    schemas: &(
        nuvola_server::graphql::NuvolaSchema,
        nuvola_server::graphql::limits::Unchecked,
    ),
    db: &DatabaseConnection,
    body: &Value,
) -> (Value, Option<nuvola_server::graphql::limits::Cost>, bool) {
    let bytes = serde_json::to_vec(body).unwrap();
    let mut request: async_graphql::Request = serde_json::from_slice(&bytes).unwrap();
    let recalled = schemas.1.recall(&bytes, &mut request);
    let request = nuvola_server::graphql::with_request_data(
        request,
        db,
        Viewer(None),
        RequestMeta::default(),
    );
    let (response, cost) =
        nuvola_server::graphql::limits::execute(&schemas.0, &schemas.1, request, &bytes, recalled)
            .await;
    (
        serde_json::to_value(&response).unwrap(),
        cost,
        recalled.is_some(),
    )
}
