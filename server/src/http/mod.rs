//! The HTTP face of Nuvola (actix-web): `POST /graphql`, `GET /graphql/ws`,
//! `GET /healthz`, `GET /metrics`, and the single-page application for every other GET.
//! Only this module knows HTTP.

mod spa;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{Compress, Next};
use actix_web::{web, App, Error, HttpRequest, HttpResponse, HttpServer};
use async_graphql_actix_web::{GraphQLResponse, GraphQLSubscription};
use sea_orm::DatabaseConnection;

use crate::graphql::{self, Limits, NuvolaSchema};

/// The largest GraphQL request body accepted.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub bind: String,
    /// Where the built SPA is (index.html and assets).
    pub static_dir: PathBuf,
    pub limits: Limits,
}

/// Binds and returns the running server and its address (port 0 picks a free port).
pub fn start(
    db: DatabaseConnection,
    options: ServeOptions,
) -> anyhow::Result<(Server, SocketAddr)> {
    let schema = graphql::build_schema(db.clone(), options.limits);
    let spa = web::Data::new(spa::Spa::new(options.static_dir.clone()));
    let db_data = web::Data::new(db);
    let schema_data = web::Data::new(schema);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(db_data.clone())
            .app_data(schema_data.clone())
            .app_data(spa.clone())
            .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
            .wrap(actix_web::middleware::from_fn(observe))
            .wrap(Compress::default())
            .route("/graphql", web::post().to(graphql_post))
            .route("/graphql", web::get().to(graphql_get))
            .route("/graphql/ws", web::get().to(graphql_ws))
            .route("/healthz", web::get().to(healthz))
            .route("/metrics", web::get().to(metrics))
            .default_service(web::to(spa::serve))
    })
    .bind(&options.bind)
    .map_err(|e| anyhow::anyhow!("binding {}: {e}", options.bind))?;
    let addr = server
        .addrs()
        .first()
        .copied()
        .ok_or_else(|| anyhow::anyhow!("binding {}: no address", options.bind))?;
    Ok((server.shutdown_timeout(10).run(), addr))
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
        "/graphql" | "/graphql/ws" | "/healthz" | "/metrics" => path.clone(),
        _ => "spa".to_owned(),
    };
    let res = next.call(req).await?;
    let status = res.status().as_u16();
    let elapsed = started.elapsed().as_secs_f64();
    crate::metrics::http_request(&route, &method, status, elapsed);
    tracing::debug!(%method, %path, status, ms = elapsed * 1000.0, "request");
    Ok(res)
}

async fn graphql_post(
    schema: web::Data<NuvolaSchema>,
    db: web::Data<DatabaseConnection>,
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
    let request: async_graphql::Request = match serde_json::from_slice(&body) {
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
    let request = graphql::with_request_data(request, &db);
    let response: GraphQLResponse = schema.execute(request).await.into();
    use actix_web::Responder;
    response.respond_to(&http).map_into_boxed_body()
}

/// Queries are POSTed; a GET gets a clear answer instead of the SPA.
async fn graphql_get() -> HttpResponse {
    let mut res = error_response(
        actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
        "BAD_REQUEST",
        "use POST /graphql with Content-Type: application/json, or GET /graphql/ws for subscriptions",
    );
    res.headers_mut()
        .insert(header::ALLOW, header::HeaderValue::from_static("POST"));
    res
}

fn error_response(status: actix_web::http::StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(serde_json::json!({
        "errors": [{ "message": message, "extensions": { "code": code } }]
    }))
}

async fn graphql_ws(
    schema: web::Data<NuvolaSchema>,
    db: web::Data<DatabaseConnection>,
    req: HttpRequest,
    payload: web::Payload,
) -> actix_web::Result<HttpResponse> {
    let db = db.get_ref().clone();
    GraphQLSubscription::new(schema.get_ref().clone())
        .on_connection_init(move |_| {
            let db = db.clone();
            async move {
                let mut data = async_graphql::Data::default();
                data.insert(graphql::loaders::Loaders::new(db));
                Ok(data)
            }
        })
        .start(&req, payload)
}

async fn healthz(db: web::Data<DatabaseConnection>) -> HttpResponse {
    match db.ping().await {
        Ok(()) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body("ok"),
        Err(e) => {
            tracing::warn!(error = %e, "health check: the database does not answer");
            HttpResponse::ServiceUnavailable()
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .body("database unavailable")
        }
    }
}

async fn metrics() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(crate::metrics::render())
}
