//! `GET /healthz` and `GET /readyz`, for load balancers and orchestrators. Both answer
//! within [`DEADLINE`] whatever the database does: a check that has not finished by then
//! counts as failed.
//!
//! - `/healthz`: the process is alive and the database answers a ping (200), or not
//!   (503, the process itself still answers).
//! - `/readyz`: this replica can serve correct answers now: the database answers, it has
//!   every migration this build knows, and the change feed is current
//!   ([`crate::changes::Pulse::current`]: it has heard of every commit older than
//!   [`crate::changes::STALE_AFTER`]). 503 otherwise, with a JSON body naming what is not
//!   ready.

use std::sync::Arc;
use std::time::Duration;

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use sea_orm::DatabaseConnection;
use serde_json::json;

use crate::changes::Pulse;

/// How long a health or readiness check may take in all (the contract says 1 s; the rest
/// is for the HTTP round trip on a busy machine).
pub const DEADLINE: Duration = Duration::from_millis(800);

/// What `/readyz` reads besides the database.
pub(super) struct Readiness {
    pub pulse: Arc<Pulse>,
}

pub(super) async fn healthz(db: web::Data<DatabaseConnection>) -> HttpResponse {
    match tokio::time::timeout(DEADLINE, db.ping()).await {
        Ok(Ok(())) => no_store(HttpResponse::Ok()).body("ok"),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "health check: the database does not answer");
            no_store(HttpResponse::ServiceUnavailable()).body("database unavailable")
        }
        Err(_) => {
            tracing::warn!("health check: the database did not answer in time");
            no_store(HttpResponse::ServiceUnavailable()).body("database unavailable")
        }
    }
}

pub(super) async fn readyz(
    db: web::Data<DatabaseConnection>,
    readiness: web::Data<Readiness>,
) -> HttpResponse {
    // One round trip answers both "does the database answer" and "are the migrations
    // current"; a timeout or an error says the database is not reachable.
    let (database, migrations) =
        match tokio::time::timeout(DEADLINE, crate::db::pending_migrations(&db)).await {
            Ok(Ok(pending)) if pending.is_empty() => ("ok".to_owned(), "ok".to_owned()),
            Ok(Ok(pending)) => ("ok".to_owned(), format!("pending: {}", pending.join(", "))),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "readiness: the database does not answer");
                ("unavailable".to_owned(), "unknown".to_owned())
            }
            Err(_) => ("unavailable".to_owned(), "unknown".to_owned()),
        };
    let change_feed = if readiness.pulse.current().is_some() {
        "ok"
    } else {
        "behind"
    };
    let ready = database == "ok" && migrations == "ok" && change_feed == "ok";
    let body = json!({
        "ready": ready,
        "database": database,
        "migrations": migrations,
        "changeFeed": change_feed,
    });
    if ready {
        no_store(HttpResponse::Ok()).json(body)
    } else {
        no_store(HttpResponse::ServiceUnavailable()).json(body)
    }
}

fn no_store(mut builder: actix_web::HttpResponseBuilder) -> actix_web::HttpResponseBuilder {
    builder.insert_header((header::CACHE_CONTROL, "no-store"));
    builder
}
