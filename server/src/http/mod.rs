//! The HTTP face of Nuvola (actix-web): `POST /graphql`, `GET /graphql/ws`,
//! `GET /healthz`, `GET /readyz` (`health.rs`), `GET /metrics`, the document endpoints (`documents.rs`), and the
//! single-page application for every other GET.
//! Only this module knows HTTP.

pub mod cache;
mod documents;
mod export;
mod health;
mod imports;
mod oidc;
mod spa;
mod subscriptions;
mod unsubscribe;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{Compress, Next};
use actix_web::{web, App, Error, HttpRequest, HttpResponse, HttpServer};
use async_graphql_actix_web::GraphQLResponse;
use sea_orm::DatabaseConnection;

use crate::graphql::account::mutation::SESSION_COOKIE;
use crate::graphql::error::{UNAVAILABLE, UNAVAILABLE_MESSAGE, UNAVAILABLE_RETRY_AFTER_SECS};
use crate::graphql::limits::{self, Cost};
use crate::graphql::live::Connection;
use crate::graphql::viewer::{RequestMeta, Viewer};
use crate::graphql::{self, Limits, NuvolaSchema};
use crate::ratelimit::{ApiLimiter, Decision};
use crate::service::auth;

/// The largest GraphQL request body accepted.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub bind: String,
    /// Where the built SPA is (index.html and assets).
    pub static_dir: PathBuf,
    pub limits: Limits,
    /// GraphQL requests allowed per minute per token (or per address without one), in
    /// this replica (counted in memory, see `ratelimit.rs`); 0 turns the limit off.
    pub requests_per_minute: u32,
    /// Whether a load balancer in front sets `X-Forwarded-For` (then the client's address
    /// is taken from it; otherwise from the connection).
    pub trust_proxy: bool,
    /// The folder of uploaded documents (shared by every replica), or, with a bucket,
    /// only of uploads on their way in.
    pub storage_dir: PathBuf,
    /// The bucket that holds documents instead of the folder.
    pub object_store: Option<crate::storage::ObjectStoreConfig>,
    /// The largest document accepted, in bytes.
    pub max_upload_bytes: u64,
    /// Whether responses tell browsers to use HTTPS only (HSTS): in production, where TLS
    /// ends in front of the replicas.
    pub hsts: bool,
    /// Whether public query responses are kept until the data changes (`cache.rs`).
    /// On by default; off, every request runs its SQL (benchmarks of the uncached path).
    pub response_cache: bool,
    /// SPID/CIE and other OpenID Connect providers (`service::oidc`); none: password
    /// login only, and no provider buttons.
    pub oidc: Option<crate::service::oidc::OidcConfig>,
}

/// The default of [`ServeOptions::requests_per_minute`].
pub const DEFAULT_REQUESTS_PER_MINUTE: u32 = 600;

/// Hits of `/auth/oidc/*` (a login's start and its return) per minute per address in
/// this replica, when rate limits are on: 60 logins a minute from one address, enough
/// for an office behind one public address; a start writes a row and a refusal an event,
/// so beyond this the server refuses before it touches the database.
pub const OIDC_HITS_PER_MINUTE: u32 = 120;

impl ServeOptions {
    /// Options with the defaults: the given address and SPA folder, introspection on,
    /// the default rate limit, no trusted proxy.
    pub fn new(bind: impl Into<String>, static_dir: PathBuf) -> Self {
        Self {
            bind: bind.into(),
            static_dir,
            limits: Limits::default(),
            requests_per_minute: DEFAULT_REQUESTS_PER_MINUTE,
            trust_proxy: false,
            storage_dir: PathBuf::from(crate::storage::DEFAULT_STORAGE_DIR),
            object_store: None,
            hsts: false,
            max_upload_bytes: crate::storage::DEFAULT_MAX_UPLOAD_BYTES,
            response_cache: true,
            oidc: None,
        }
    }
}

/// The policy of every response: only the application's own scripts and wasm run (no
/// inline script: `frontend/boot.js` starts the application), nothing may frame it,
/// styles may be inline (Leptos writes `style` attributes for bars and charts), and
/// connections go back to this origin only (GraphQL and its WebSocket). A handler that
/// needs another policy (a downloaded document, GraphiQL in development) sets its own.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; \
object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Security headers added to every response that does not set its own.
fn security_headers(hsts: bool) -> actix_web::middleware::DefaultHeaders {
    let headers = actix_web::middleware::DefaultHeaders::new()
        .add((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::REFERRER_POLICY, "strict-origin-when-cross-origin"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=()",
        ));
    if hsts {
        headers.add((
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        ))
    } else {
        headers
    }
}

/// Per-server settings the handlers read.
struct Gate {
    limiter: ApiLimiter,
    /// Hits of `/auth/oidc/*` per address ([`OIDC_HITS_PER_MINUTE`]): each one writes a
    /// pending login or a refusal's event, so a flood must stop before the database.
    oidc_limiter: ApiLimiter,
    /// Turns true when the server begins to shut down (subscriptions close then).
    shutdown: tokio::sync::watch::Receiver<bool>,
    trust_proxy: bool,
    cache: cache::PublicCache,
    /// The summaries the schema keeps ([`crate::service::summary`]).
    summaries: std::sync::Arc<crate::service::summary::Summaries>,
    /// The GraphiQL page `GET /graphql` opens in development; `None` in production.
    graphiql: Option<PathBuf>,
    /// The schema in SDL, for `GET /graphql/schema.graphql` (whatever introspection says).
    sdl: String,
}

/// Binds and returns the running server and its address (port 0 picks a free port).
pub fn start(
    db: DatabaseConnection,
    options: ServeOptions,
) -> anyhow::Result<(Server, SocketAddr)> {
    let feed = crate::changes::ChangeFeed::new(db.clone());
    let storage =
        crate::storage::Storage::from_options(&options.storage_dir, options.object_store.as_ref())?;
    let summaries = std::sync::Arc::new(crate::service::summary::Summaries::default());
    let (schema, unchecked) = graphql::build_schemas(
        db.clone(),
        options.limits,
        feed.clone(),
        Some(storage.clone()),
        summaries.clone(),
    );
    let spa = web::Data::new(spa::Spa::new(options.static_dir.clone()));
    let (shutdown_tx, shutdown) = tokio::sync::watch::channel(false);
    let gate = web::Data::new(Gate {
        shutdown,
        limiter: ApiLimiter::per_minute(options.requests_per_minute),
        oidc_limiter: ApiLimiter::per_minute(if options.requests_per_minute == 0 {
            0
        } else {
            OIDC_HITS_PER_MINUTE
        }),
        trust_proxy: options.trust_proxy,
        summaries,
        cache: cache::PublicCache::new(if options.response_cache {
            cache::Generation::for_database(&db, &feed)
        } else {
            cache::Generation::Off
        }),
        graphiql: options
            .limits
            .introspection
            .then(|| options.static_dir.join("graphiql").join("index.html")),
        sdl: schema.sdl(),
    });
    // A document folder that cannot be created fails the start, not the first upload.
    let temp_dir = options.storage_dir.join("tmp");
    std::fs::create_dir_all(&temp_dir)
        .map_err(|e| anyhow::anyhow!("creating the document folder {}: {e}", temp_dir.display()))?;
    let uploads = web::Data::new(documents::Uploads {
        storage,
        max_bytes: options.max_upload_bytes,
    });
    // Readiness asks whether the feed is current, whether or not anything else uses it.
    feed.start();
    let readiness = web::Data::new(health::Readiness {
        pulse: feed.pulse(),
    });
    let oidc_state = web::Data::new(oidc::OidcState(match options.oidc.clone() {
        Some(config) if !config.providers.is_empty() => Some(std::sync::Arc::new(
            crate::service::oidc::Oidc::new(config)?,
        )),
        _ => None,
    }));
    let db_data = web::Data::new(db);
    let schema_data = web::Data::new(schema);
    let unchecked = web::Data::new(unchecked);
    let hsts = options.hsts;
    let server = HttpServer::new(move || {
        App::new()
            .app_data(db_data.clone())
            .app_data(schema_data.clone())
            .app_data(unchecked.clone())
            .app_data(spa.clone())
            .app_data(gate.clone())
            .app_data(uploads.clone())
            .app_data(readiness.clone())
            .app_data(oidc_state.clone())
            .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
            .wrap(actix_web::middleware::from_fn(observe))
            .wrap(security_headers(hsts))
            .wrap(Compress::default())
            .route("/graphql", web::post().to(graphql_post))
            .route("/graphql", web::get().to(graphql_get))
            .route("/graphql/schema.graphql", web::get().to(schema_sdl))
            .route("/graphql/ws", web::get().to(graphql_ws))
            .route("/api/export.csv", web::get().to(export::export_csv))
            .route("/healthz", web::get().to(health::healthz))
            .route("/readyz", web::get().to(health::readyz))
            .route("/metrics", web::get().to(metrics))
            .route(
                "/api/projects/{cup}/documents",
                web::post().to(documents::upload),
            )
            .route("/api/documents/{id}", web::get().to(documents::download))
            .route("/api/imports", web::post().to(imports::upload))
            .route("/api/unsubscribe", web::get().to(unsubscribe::confirm))
            .route("/api/unsubscribe", web::post().to(unsubscribe::unsubscribe))
            .route("/api/oidc/providers", web::get().to(oidc::providers))
            .route("/auth/oidc/callback", web::get().to(oidc::callback))
            .route("/auth/oidc/{provider}/start", web::get().to(oidc::start))
            .route(
                "/.well-known/openid-federation",
                web::get().to(oidc::entity_configuration),
            )
            .route("/.well-known/jwks.json", web::get().to(oidc::jwks))
            .default_service(web::to(spa::serve))
    })
    .bind(&options.bind)
    .map_err(|e| anyhow::anyhow!("binding {}: {e}", options.bind))?;
    let addr = server
        .addrs()
        .first()
        .copied()
        .ok_or_else(|| anyhow::anyhow!("binding {}: no address", options.bind))?;
    // Signals are ours to handle: subscriptions must be told before the drain begins.
    let server = server
        .shutdown_timeout(SHUTDOWN_TIMEOUT_SECS)
        .disable_signals()
        .run();
    stop_on_signal(server.handle(), shutdown_tx);
    Ok((server, addr))
}

/// How long a stopping server waits for requests in flight before it drops them.
pub const SHUTDOWN_TIMEOUT_SECS: u64 = 10;

/// On SIGTERM (or SIGINT): every subscription connection is closed with a close frame,
/// the server stops accepting, requests in flight finish (within
/// [`SHUTDOWN_TIMEOUT_SECS`]), and the server's future resolves.
fn stop_on_signal(
    handle: actix_web::dev::ServerHandle,
    shutdown: tokio::sync::watch::Sender<bool>,
) {
    tokio::spawn(async move {
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut term) => {
                    term.recv().await;
                }
                Err(e) => {
                    tracing::error!(error = %e, "cannot listen for SIGTERM");
                    std::future::pending::<()>().await;
                }
            }
        };
        tokio::select! {
            _ = terminate => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        tracing::info!("shutting down: closing subscriptions, draining requests in flight");
        shutdown.send_replace(true);
        handle.stop(true).await;
    });
}

/// Access log and metrics for every request.
async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let method = req.method().to_string();
    let path = req.path().to_owned();
    let route = match path.as_str() {
        "/graphql"
        | "/graphql/ws"
        | "/graphql/schema.graphql"
        | "/healthz"
        | "/readyz"
        | "/metrics"
        | "/api/export.csv" => path.clone(),
        "/api/oidc/providers" | "/.well-known/openid-federation" | "/.well-known/jwks.json" => {
            path.clone()
        }
        p if p.starts_with("/auth/oidc/") => "/auth/oidc".to_owned(),
        p if p.starts_with("/api/") => documents::route_label(p).to_owned(),
        _ => "spa".to_owned(),
    };
    let res = next.call(req).await?;
    let status = res.status().as_u16();
    let elapsed = started.elapsed().as_secs_f64();
    crate::metrics::http_request(&route, &method, status, elapsed);
    tracing::debug!(%method, %path, status, ms = elapsed * 1000.0, "request");
    Ok(res)
}

/// The token of a request: `Authorization: Bearer`, else the session cookie.
fn token_of(http: &HttpRequest) -> Option<(String, bool)> {
    if let Some(value) = http.headers().get(header::AUTHORIZATION) {
        let value = value.to_str().unwrap_or_default();
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .unwrap_or_default()
            .trim();
        return Some((token.to_owned(), false));
    }
    http.cookie(SESSION_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| !v.is_empty())
        .map(|v| (v, true))
}

/// Why a request's credentials were not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AuthRefusal {
    InvalidToken,
    /// The database cannot be reached to check the token.
    Unavailable,
    Internal,
}

impl AuthRefusal {
    fn status(self) -> actix_web::http::StatusCode {
        match self {
            AuthRefusal::InvalidToken => actix_web::http::StatusCode::UNAUTHORIZED,
            AuthRefusal::Unavailable => actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
            AuthRefusal::Internal => actix_web::http::StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(self) -> &'static str {
        match self {
            AuthRefusal::InvalidToken => "UNAUTHENTICATED",
            AuthRefusal::Unavailable => UNAVAILABLE,
            AuthRefusal::Internal => "INTERNAL",
        }
    }

    fn message(self) -> &'static str {
        match self {
            AuthRefusal::InvalidToken => "the token is not valid: unknown, expired or revoked",
            AuthRefusal::Unavailable => UNAVAILABLE_MESSAGE,
            AuthRefusal::Internal => "internal error",
        }
    }
}

/// Who is asking: the principal of the bearer token or session cookie, `None` for
/// PUBLIC. A stale cookie counts as PUBLIC (it must not lock a browser out of the
/// public pages); a bad bearer token is refused.
async fn principal_of(
    db: &DatabaseConnection,
    http: &HttpRequest,
) -> Result<Option<auth::Principal>, AuthRefusal> {
    let Some((token, via_cookie)) = token_of(http) else {
        return Ok(None);
    };
    match auth::authenticate(db, &token).await {
        Ok(Some(principal)) => Ok(Some(principal)),
        Ok(None) if via_cookie => Ok(None),
        Ok(None) => Err(AuthRefusal::InvalidToken),
        Err(e) if crate::db::is_unavailable(&e) => {
            tracing::warn!(error = %e, "authenticating a request: the database cannot be reached");
            Err(AuthRefusal::Unavailable)
        }
        Err(e) => {
            tracing::error!(error = %e, "authenticating a request");
            Err(AuthRefusal::Internal)
        }
    }
}

/// The client's address: the connection's peer, or the first `X-Forwarded-For` hop
/// when a trusted load balancer sets it.
fn client_address(http: &HttpRequest, trust_proxy: bool) -> Option<std::net::IpAddr> {
    if trust_proxy {
        let forwarded = http
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    http.peer_addr().map(|a| a.ip())
}

fn rate_limit_headers(res: &mut HttpResponse, decision: &Decision) {
    let headers = res.headers_mut();
    for (name, value) in [
        ("ratelimit-limit", decision.limit as u64),
        ("ratelimit-remaining", decision.remaining as u64),
        ("ratelimit-reset", decision.reset_secs),
    ] {
        headers.insert(
            header::HeaderName::from_static(name),
            header::HeaderValue::from(value),
        );
    }
}

async fn graphql_post(
    schema: web::Data<NuvolaSchema>,
    unchecked: web::Data<limits::Unchecked>,
    db: web::Data<DatabaseConnection>,
    gate: web::Data<Gate>,
    http: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    // JSON only: no form posts, so no CSRF through a browser's simple requests.
    let is_json = http
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return error_response(
            actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "BAD_REQUEST",
            "POST /graphql takes Content-Type: application/json",
        );
    }
    // One operation per request: batches are refused (they multiply the cost of a request).
    let mut request: async_graphql::Request = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            let message = if body.first() == Some(&b'[') {
                "batched requests are not supported: send one operation per request".to_owned()
            } else {
                format!("the body is not a GraphQL request in JSON: {e}")
            };
            return error_response(
                actix_web::http::StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                &message,
            );
        }
    };
    let address = client_address(&http, gate.trust_proxy);
    let principal = match principal_of(&db, &http).await {
        Ok(principal) => principal,
        Err(refusal) => return refusal_response(refusal),
    };
    let decision = rate_decision(&gate, principal.as_ref(), address).await;
    if let Some(d) = decision.filter(|d| !d.allowed) {
        crate::metrics::graphql_error("RATE_LIMITED");
        let mut res = HttpResponse::TooManyRequests()
            .insert_header((header::RETRY_AFTER, d.reset_secs.max(1).to_string()))
            .json(serde_json::json!({
                "errors": [{
                    "message": format!("too many requests: at most {} per minute; retry in {} s", d.limit, d.reset_secs.max(1)),
                    "extensions": { "code": "RATE_LIMITED", "retryAfter": d.reset_secs.max(1) }
                }],
                "extensions": { "cost": full_cost(None, Some(&d)) }
            }));
        rate_limit_headers(&mut res, &d);
        return res;
    }
    // Public reads of the same query get the same answer until the data changes. A hit
    // is found by the raw body and the audience, before any GraphQL parsing: only the
    // responses to queries are ever kept.
    let audience = match &principal {
        None => Some(cache::Audience::Public),
        Some(p) if p.read_only => Some(cache::Audience::ApiToken),
        Some(_) => None,
    };
    let ticket = match audience {
        Some(audience) => match gate.cache.ticket(&db).await {
            Ok(t) => t.map(|t| (t, audience)),
            // The database is down: every resolver would wait for it in turn.
            Err(e) if crate::db::is_unavailable(&e) => {
                tracing::warn!(error = %e, "reading the data generation: the database cannot be reached");
                crate::metrics::graphql_error(UNAVAILABLE);
                return unavailable_response();
            }
            Err(e) => {
                tracing::warn!(error = %e, "reading the data generation; not caching");
                None
            }
        },
        None => None,
    };
    let hit = ticket.and_then(|(t, audience)| gate.cache.get(t, audience, &body));
    let mut res = match hit {
        Some(hit) => {
            crate::metrics::cache_hit(true);
            json_body(with_budget(hit, decision.as_ref()))
        }
        None => {
            // Parsed once, or not at all when the same body passed every check before:
            // the document is kept in the request for the execution. One that does not
            // parse is answered by the execution with its error.
            let recalled = unchecked.recall(&body, &mut request);
            let (queries_only, public_change) = classify(&mut request);
            let meta = RequestMeta { address };
            let request = graphql::with_request_data(request, &db, Viewer(principal), meta);
            let (mut response, cost) =
                limits::execute(&schema, &unchecked, request, &body, recalled).await;
            if public_change {
                // This process's own readers see its changes at once.
                gate.cache.changed_here();
                gate.summaries.changed_here();
            }
            match ticket {
                Some((t, audience))
                    if queries_only && response.is_ok() && response.http_headers.is_empty() =>
                {
                    crate::metrics::cache_hit(false);
                    // Kept with the query's own cost; the client's budget is added to
                    // every answer, cached or not.
                    response
                        .extensions
                        .insert("cost".to_owned(), query_cost(cost));
                    match serde_json::to_vec(&response) {
                        Ok(bytes) => {
                            let bytes = web::Bytes::from(bytes);
                            gate.cache.put(t, audience, body, bytes.clone());
                            json_body(with_budget(bytes, decision.as_ref()))
                        }
                        Err(e) => {
                            tracing::error!(error = %e, "serializing a GraphQL response");
                            error_response(
                                actix_web::http::StatusCode::INTERNAL_SERVER_ERROR,
                                "INTERNAL",
                                "internal error",
                            )
                        }
                    }
                }
                _ => {
                    use actix_web::Responder;
                    response.extensions.insert(
                        "cost".to_owned(),
                        async_graphql::Value::from_json(full_cost(cost, decision.as_ref()))
                            .unwrap_or_default(),
                    );
                    let unavailable = response.errors.iter().any(|e| {
                        e.extensions.as_ref().and_then(|x| x.get("code"))
                            == Some(&async_graphql::Value::from(UNAVAILABLE))
                    });
                    let mut res = GraphQLResponse::from(response)
                        .respond_to(&http)
                        .map_into_boxed_body();
                    // The database could not be reached for some field: the answer is
                    // incomplete, and the client (or the load balancer) may retry.
                    if unavailable {
                        *res.status_mut() = actix_web::http::StatusCode::SERVICE_UNAVAILABLE;
                        res.headers_mut().insert(
                            header::RETRY_AFTER,
                            header::HeaderValue::from(UNAVAILABLE_RETRY_AFTER_SECS),
                        );
                    }
                    res
                }
            }
        }
    };
    if let Some(d) = decision {
        rate_limit_headers(&mut res, &d);
    }
    res
}

/// `extensions.cost` as far as the query itself decides it: the complexity it asked
/// for (`requested`) and its depth, with the maxima. Null numbers for a query that did
/// not validate.
fn query_cost(cost: Option<Cost>) -> async_graphql::Value {
    async_graphql::Value::from_json(cost_json(cost)).unwrap_or_default()
}

fn cost_json(cost: Option<Cost>) -> serde_json::Value {
    serde_json::json!({
        "requested": cost.map(|c| c.complexity),
        "maxComplexity": limits::MAX_COMPLEXITY,
        "depth": cost.map(|c| c.depth),
        "maxDepth": limits::MAX_DEPTH,
    })
}

/// The client's budget in this replica's rate limiter: requests left in the current
/// minute, the limit, and when the window resets. Nulls when the limit is off.
fn budget_json(decision: Option<&Decision>) -> serde_json::Value {
    match decision {
        Some(d) => serde_json::json!({
            "remaining": d.remaining,
            "limit": d.limit,
            "resetAt": (chrono::Utc::now() + chrono::Duration::seconds(d.reset_secs as i64))
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }),
        None => serde_json::json!({ "remaining": null, "limit": null, "resetAt": null }),
    }
}

/// The whole of `extensions.cost`.
fn full_cost(cost: Option<Cost>, decision: Option<&Decision>) -> serde_json::Value {
    let mut all = cost_json(cost);
    if let (Some(all), serde_json::Value::Object(budget)) =
        (all.as_object_mut(), budget_json(decision))
    {
        all.extend(budget);
    }
    all
}

/// A kept answer (`{"data":…,"extensions":{"cost":{…}}}`, nothing after the cost: kept
/// answers have no errors) with the client's budget added to its cost, without parsing it.
fn with_budget(kept: web::Bytes, decision: Option<&Decision>) -> web::Bytes {
    let Some(head) = kept.strip_suffix(b"}}}") else {
        return kept;
    };
    let budget = budget_json(decision).to_string();
    let Some(fields) = budget.strip_prefix('{').and_then(|b| b.strip_suffix('}')) else {
        return kept;
    };
    let mut out = Vec::with_capacity(kept.len() + fields.len() + 4);
    out.extend_from_slice(head);
    out.push(b',');
    out.extend_from_slice(fields.as_bytes());
    out.extend_from_slice(b"}}}");
    web::Bytes::from(out)
}

/// The rate limit's decision for a request: per token when there is one, else per
/// address. `None` when the limit is off. In memory: no database round trip.
async fn rate_decision(
    gate: &Gate,
    principal: Option<&auth::Principal>,
    address: Option<std::net::IpAddr>,
) -> Option<Decision> {
    let key = match principal {
        Some(p) => format!("api:token:{}", p.token_id),
        None => address_key("api", address),
    };
    gate.limiter.hit(&key)
}

/// The in-memory limiters' key of a client known only by its address, in `scope`
/// (`api`, `oidc`): `<scope>:addr:<address>`, or `<scope>:addr:unknown` without one.
fn address_key(scope: &str, address: Option<std::net::IpAddr>) -> String {
    match address {
        Some(addr) => format!("{scope}:addr:{addr}"),
        None => format!("{scope}:addr:unknown"),
    }
}

/// Whether a request is only queries, and whether it may change a public answer. The
/// request is parsed here, once: the document stays in it for the execution. One that
/// does not parse is neither (the execution answers it with the parser's error).
fn classify(request: &mut async_graphql::Request) -> (bool, bool) {
    match request.parsed_query() {
        Ok(document) => {
            let queries_only = only_queries(document);
            (queries_only, !queries_only && may_change_public(document))
        }
        Err(_) => (false, true),
    }
}

/// Whether every operation of the document is a query (no mutation, no subscription).
fn only_queries(document: &async_graphql::parser::types::ExecutableDocument) -> bool {
    use async_graphql::parser::types::OperationType;
    document
        .operations
        .iter()
        .all(|(_, op)| op.node.ty == OperationType::Query)
}

/// The mutations that can never alter a public answer (their events are
/// [`crate::changes::PRIVATE_ACTIONS`]).
const PRIVATE_MUTATIONS: [&str; 4] = ["login", "logout", "issueApiToken", "revokeApiToken"];

/// Whether a request that is not only queries may change a public answer: anything but
/// mutations whose every root field is one of [`PRIVATE_MUTATIONS`] (a fragment at the
/// root counts as a change, to stay on the safe side).
fn may_change_public(doc: &async_graphql::parser::types::ExecutableDocument) -> bool {
    use async_graphql::parser::types::{OperationType, Selection};
    doc.operations.iter().any(|(_, op)| match op.node.ty {
        OperationType::Query => false,
        OperationType::Subscription => true,
        OperationType::Mutation => op
            .node
            .selection_set
            .node
            .items
            .iter()
            .any(|item| match &item.node {
                Selection::Field(field) => {
                    !PRIVATE_MUTATIONS.contains(&field.node.name.node.as_str())
                }
                _ => true,
            }),
    })
}

fn json_body(bytes: web::Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(bytes)
}

/// Queries are POSTed. In development a browser's GET opens GraphiQL (its files come
/// from npm packages copied into the SPA folder, so it works offline); otherwise a GET
/// gets a clear answer instead of the SPA.
async fn graphql_get(gate: web::Data<Gate>, http: HttpRequest) -> HttpResponse {
    if let Some(page) = gate.graphiql.clone() {
        let wants_html = http
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
        if wants_html {
            match web::block(move || std::fs::read(page)).await {
                Ok(Ok(html)) => {
                    return HttpResponse::Ok()
                        .content_type("text/html; charset=utf-8")
                        .insert_header((header::CONTENT_SECURITY_POLICY, GRAPHIQL_CSP))
                        .insert_header((header::CACHE_CONTROL, "no-cache"))
                        .body(html);
                }
                _ => {
                    return HttpResponse::NotFound()
                        .content_type("text/plain; charset=utf-8")
                        .body("GraphiQL is not built: run scripts/build-frontend.sh. The schema is at /graphql/schema.graphql.");
                }
            }
        }
    }
    let mut res = error_response(
        actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
        "BAD_REQUEST",
        "use POST /graphql with Content-Type: application/json, or GET /graphql/ws for subscriptions",
    );
    res.headers_mut()
        .insert(header::ALLOW, header::HeaderValue::from_static("POST"));
    res
}

/// What the GraphiQL page may load: only this server's files and answers. Styles may be
/// inline (GraphiQL's editor sets them); scripts may not.
const GRAPHIQL_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// `GET /graphql/schema.graphql`: the schema in SDL, served even with introspection off
/// (production), so that third parties can always generate their clients.
async fn schema_sdl(gate: web::Data<Gate>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .body(gate.sdl.clone())
}

fn error_response(status: actix_web::http::StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(serde_json::json!({
        "errors": [{ "message": message, "extensions": { "code": code } }]
    }))
}

/// A GraphQL error answer for credentials not accepted.
fn refusal_response(refusal: AuthRefusal) -> HttpResponse {
    if refusal == AuthRefusal::Unavailable {
        crate::metrics::graphql_error(UNAVAILABLE);
        return unavailable_response();
    }
    error_response(refusal.status(), refusal.code(), refusal.message())
}

/// `UNAVAILABLE` (503, `Retry-After`): the database cannot be reached.
fn unavailable_response() -> HttpResponse {
    let mut res = HttpResponse::ServiceUnavailable()
        .insert_header((
            header::RETRY_AFTER,
            UNAVAILABLE_RETRY_AFTER_SECS.to_string(),
        ))
        .json(serde_json::json!({
            "errors": [{
                "message": UNAVAILABLE_MESSAGE,
                "extensions": { "code": UNAVAILABLE, "retryAfter": UNAVAILABLE_RETRY_AFTER_SECS }
            }]
        }));
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    res
}

/// Subscriptions over WebSocket (`graphql-transport-ws`, and the legacy `graphql-ws`).
///
/// Who is subscribing: the token of the `connection_init` payload (`{"token": "..."}` or
/// `{"Authorization": "Bearer ..."}`), else the upgrade request's bearer header or session
/// cookie, else PUBLIC. An invalid token in the payload or the header closes the
/// connection with the reason `UNAUTHENTICATED: ...`; a stale cookie falls back to
/// PUBLIC, as on `POST /graphql`. Opening a connection counts against the per-address
/// rate limit; each connection holds a bounded number of subscriptions.
async fn graphql_ws(
    schema: web::Data<NuvolaSchema>,
    db: web::Data<DatabaseConnection>,
    gate: web::Data<Gate>,
    req: HttpRequest,
    payload: web::Payload,
) -> actix_web::Result<HttpResponse> {
    let address = client_address(&req, gate.trust_proxy);
    match gate.limiter.hit(&address_key("api", address)) {
        Some(d) if !d.allowed => {
            crate::metrics::graphql_error("RATE_LIMITED");
            let mut res = error_response(
                actix_web::http::StatusCode::TOO_MANY_REQUESTS,
                "RATE_LIMITED",
                &format!(
                    "too many requests: at most {} per minute; retry in {} s",
                    d.limit,
                    d.reset_secs.max(1)
                ),
            );
            rate_limit_headers(&mut res, &d);
            return Ok(res);
        }
        _ => {}
    }
    let upgrade_token = token_of(&req);
    let db = db.get_ref().clone();
    let on_init: subscriptions::OnInit = Box::new(move |init: serde_json::Value| {
        Box::pin(async move {
            let (token, lenient) = match (init_token(&init), upgrade_token) {
                (Some(token), _) => (Some(token), false),
                (None, Some((token, via_cookie))) => (Some(token), via_cookie),
                (None, None) => (None, false),
            };
            let principal = match &token {
                None => None,
                Some(token) => match auth::authenticate(&db, token).await {
                    Ok(Some(principal)) => Some(principal),
                    Ok(None) if lenient => None,
                    Ok(None) => {
                        crate::metrics::graphql_error("UNAUTHENTICATED");
                        return Err(async_graphql::Error::new(
                            "UNAUTHENTICATED: the token is not valid: unknown, expired or revoked",
                        ));
                    }
                    Err(e) if crate::db::is_unavailable(&e) => {
                        tracing::warn!(error = %e, "authenticating a WebSocket connection: the database cannot be reached");
                        crate::metrics::graphql_error(UNAVAILABLE);
                        return Err(async_graphql::Error::new(format!(
                            "{UNAVAILABLE}: {UNAVAILABLE_MESSAGE}"
                        )));
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "authenticating a WebSocket connection");
                        return Err(async_graphql::Error::new("INTERNAL: internal error"));
                    }
                },
            };
            let mut data = async_graphql::Data::default();
            data.insert(graphql::loaders::Loaders::new(db.clone()));
            data.insert(Connection::new(token.filter(|_| principal.is_some())));
            data.insert(Viewer(principal));
            data.insert(RequestMeta { address });
            Ok(data)
        })
    });
    subscriptions::start(
        schema.get_ref().clone(),
        on_init,
        gate.shutdown.clone(),
        &req,
        payload,
    )
}

/// The token in a `connection_init` payload: `{"token": "..."}`, or an `Authorization`
/// entry (any case) holding `Bearer ...`.
fn init_token(payload: &serde_json::Value) -> Option<String> {
    let object = payload.as_object()?;
    let token = object
        .get("token")
        .and_then(|v| v.as_str())
        .map(str::to_owned)
        .or_else(|| {
            object
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
                .and_then(|(_, v)| v.as_str())
                .map(|v| {
                    v.strip_prefix("Bearer ")
                        .or_else(|| v.strip_prefix("bearer "))
                        .unwrap_or(v)
                        .trim()
                        .to_owned()
                })
        })?;
    Some(token.trim().to_owned()).filter(|t| !t.is_empty())
}

async fn metrics() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(crate::metrics::render())
}

#[cfg(test)]
mod tests {
    use super::classify;

    /// Whether the request may change a public answer, as the handler decides it.
    fn may_change_public(query: &str) -> bool {
        classify(&mut async_graphql::Request::new(query)).1
    }

    #[test]
    fn signing_in_and_out_does_not_change_public_answers() {
        assert!(!may_change_public(
            "mutation { login(username: \"a\", password: \"b\") { token } }"
        ));
        assert!(!may_change_public("mutation { logout }"));
        assert!(!may_change_public("query { stats { applications } }"));
    }

    #[test]
    fn any_other_mutation_may_change_public_answers() {
        assert!(may_change_public(
            "mutation { logout setAccountDisabled(id: \"1\", disabled: true) { id } }"
        ));
        assert!(may_change_public(
            "mutation { ...F } fragment F on Mutation { logout }"
        ));
        assert!(may_change_public("not graphql"));
    }

    #[test]
    fn only_queries_are_kept_and_a_subscription_or_nonsense_is_not() {
        let mut request = async_graphql::Request::new("query A { a } query B { b }");
        assert_eq!(classify(&mut request), (true, false));
        let mut request = async_graphql::Request::new("subscription { a }");
        assert_eq!(classify(&mut request), (false, true));
        assert_eq!(
            classify(&mut async_graphql::Request::new("{ unclosed")),
            (false, true)
        );
    }
}
