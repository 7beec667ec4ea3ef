//! The HTTP face of SPID/CIE login (`service::oidc` does the work):
//!
//! - `GET /api/oidc/providers`: the configured providers (`[{id, label, kind}]`), for the
//!   login page's buttons; empty when none is configured;
//! - `GET /auth/oidc/{provider}/start`: to the provider;
//! - `GET /auth/oidc/callback`: back from it, with the session cookie set as the password
//!   login sets it, then to `/`, `/scegli-ente` or `/richiedi-accesso`;
//! - `GET /.well-known/openid-federation`: the signed entity configuration;
//! - `GET /.well-known/jwks.json`: the relying party's public keys.
//!
//! Every refusal ends on the login page, `/accedi?errore=CODE`, which shows the sentence
//! of that code in Italian or English, with a `LOGIN_FAILED` event; never on a 500.
//! Beyond [`super::OIDC_HITS_PER_MINUTE`] hits of the start and the callback from one
//! address, they answer `/accedi?errore=rate_limited` without touching the database.

use std::sync::Arc;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use sea_orm::DatabaseConnection;
use serde_json::json;

use crate::graphql::account::mutation::session_cookie;
use crate::service::auth;
use crate::service::oidc::{self, CallbackParams, LoginFailure, Oidc};

/// The OpenID Connect side of the server, when providers are configured.
#[derive(Clone, Default)]
pub struct OidcState(pub Option<Arc<Oidc>>);

/// The content type of an entity configuration (OpenID Federation).
pub const ENTITY_STATEMENT_TYPE: &str = "application/entity-statement+jwt";

fn request_base(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

fn redirect(location: &str) -> HttpResponse {
    HttpResponse::Found()
        .insert_header((header::LOCATION, location.to_owned()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

async fn refuse(
    db: &DatabaseConnection,
    req: &HttpRequest,
    trust_proxy: bool,
    provider: Option<&str>,
    failure: LoginFailure,
) -> HttpResponse {
    tracing::warn!(provider, reason = failure.code(), detail = %failure, "OpenID Connect login refused");
    let address = super::client_address(req, trust_proxy);
    if let Err(e) = oidc::record_failure(db, provider, &failure, address).await {
        tracing::error!(error = %e, "recording a refused OpenID Connect login");
    }
    redirect(&format!("/accedi?errore={}", failure.code()))
}

/// Whether this address went past its budget of `/auth/oidc/*` hits: then the answer,
/// to the login page with no event recorded (a flood must not write).
fn over_budget(gate: &super::Gate, req: &HttpRequest) -> Option<HttpResponse> {
    let address = super::client_address(req, gate.trust_proxy);
    let decision = gate
        .oidc_limiter
        .hit(&super::address_key("oidc", address))?;
    if decision.allowed {
        return None;
    }
    tracing::warn!(address = ?address, "OpenID Connect login refused: too many from this address");
    let mut res = redirect("/accedi?errore=rate_limited");
    super::rate_limit_headers(&mut res, &decision);
    Some(res)
}

/// `GET /api/oidc/providers`.
pub async fn providers(state: web::Data<OidcState>) -> HttpResponse {
    let list: Vec<_> = state
        .0
        .as_ref()
        .map(|o| {
            o.config
                .providers
                .iter()
                .map(|p| json!({ "id": p.id, "label": p.label, "kind": p.kind.code() }))
                .collect()
        })
        .unwrap_or_default();
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .json(list)
}

/// `GET /auth/oidc/{provider}/start`.
pub async fn start(
    state: web::Data<OidcState>,
    db: web::Data<DatabaseConnection>,
    gate: web::Data<super::Gate>,
    req: HttpRequest,
    path: web::Path<String>,
) -> HttpResponse {
    if let Some(refused) = over_budget(&gate, &req) {
        return refused;
    }
    let provider = path.into_inner();
    let Some(oidc) = state.0.as_ref() else {
        return refuse(
            &db,
            &req,
            gate.trust_proxy,
            None,
            LoginFailure::UnknownProvider(provider),
        )
        .await;
    };
    let base = oidc.base_url(&request_base(&req));
    match oidc.start(&db, &provider, &base).await {
        Ok(url) => redirect(&url),
        Err(failure) => {
            let known = oidc.config.provider(&provider).map(|p| p.id.as_str());
            refuse(&db, &req, gate.trust_proxy, known, failure).await
        }
    }
}

/// `GET /auth/oidc/callback`.
pub async fn callback(
    state: web::Data<OidcState>,
    db: web::Data<DatabaseConnection>,
    gate: web::Data<super::Gate>,
    req: HttpRequest,
) -> HttpResponse {
    if let Some(refused) = over_budget(&gate, &req) {
        return refused;
    }
    // A malformed query is a refusal like any other, not actix's 400.
    let params = web::Query::<CallbackParams>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .unwrap_or_default();
    let Some(oidc) = state.0.as_ref() else {
        return refuse(
            &db,
            &req,
            gate.trust_proxy,
            None,
            LoginFailure::UnknownProvider(String::new()),
        )
        .await;
    };
    let base = oidc.base_url(&request_base(&req));
    match oidc.callback(&db, &params, &base).await {
        Ok(done) => {
            tracing::info!(provider = %done.provider, account = done.account.id, "logged in through OpenID Connect");
            HttpResponse::Found()
                .insert_header((header::LOCATION, done.next_path()))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .insert_header((
                    header::SET_COOKIE,
                    session_cookie(&done.issued.token, auth::SESSION_HOURS * 3600),
                ))
                .finish()
        }
        Err((provider, failure)) => {
            refuse(&db, &req, gate.trust_proxy, provider.as_deref(), failure).await
        }
    }
}

/// `GET /.well-known/openid-federation`.
pub async fn entity_configuration(
    state: web::Data<OidcState>,
    db: web::Data<DatabaseConnection>,
    req: HttpRequest,
) -> HttpResponse {
    let Some(oidc) = state.0.as_ref() else {
        return HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("no OpenID Connect provider is configured on this server");
    };
    let base = oidc.base_url(&request_base(&req));
    match oidc.entity_configuration(&db, &base).await {
        Ok(jwt) => HttpResponse::Ok()
            .content_type(ENTITY_STATEMENT_TYPE)
            .insert_header((header::CACHE_CONTROL, "max-age=3600"))
            .body(jwt),
        Err(e) => {
            tracing::error!(error = %e, "the entity configuration");
            HttpResponse::ServiceUnavailable()
                .content_type("text/plain; charset=utf-8")
                .body("the entity configuration cannot be made now; try again")
        }
    }
}

/// `GET /.well-known/jwks.json`.
pub async fn jwks(state: web::Data<OidcState>, db: web::Data<DatabaseConnection>) -> HttpResponse {
    let Some(oidc) = state.0.as_ref() else {
        return HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("no OpenID Connect provider is configured on this server");
    };
    match oidc.keys(&db).await {
        Ok(keys) => HttpResponse::Ok()
            .content_type("application/jwk-set+json")
            .insert_header((header::CACHE_CONTROL, "max-age=3600"))
            .body(keys.jwks().to_string()),
        Err(e) => {
            tracing::error!(error = %e, "the relying party's keys");
            HttpResponse::ServiceUnavailable()
                .content_type("text/plain; charset=utf-8")
                .body("the keys cannot be read now; try again")
        }
    }
}
