//! `/api/unsubscribe?account=ID&token=HEX`: the one-click unsubscribe link of daily
//! digests (RFC 8058). `GET` shows a page with one button (link scanners that fetch
//! every URL change nothing); `POST` (the button, or a mail client's one-click
//! `List-Unsubscribe-Post`) switches the account's digests to in-app only. Mandatory
//! notices keep coming. The page is bilingual: the link carries no language.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use sea_orm::DatabaseConnection;
use serde::Deserialize;

use crate::service::preferences::{self, PreferenceError};

#[derive(Debug, Deserialize)]
pub struct Link {
    account: i32,
    token: String,
}

fn page(status: actix_web::http::StatusCode, body: &str) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(format!(
            "<!doctype html><html lang=\"it\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>Nuvola</title></head><body style=\"font-family:sans-serif;max-width:40em;margin:2em auto;padding:0 1em\"><main>{body}</main></body></html>"
        ))
}

pub async fn confirm(query: web::Query<Link>) -> HttpResponse {
    let token: String = query
        .token
        .chars()
        .filter(char::is_ascii_hexdigit)
        .collect();
    page(
        actix_web::http::StatusCode::OK,
        &format!(
            "<h1>Riepilogo giornaliero / Daily digest</h1>\
             <p>Non ricevere più il riepilogo giornaliero di Nuvola. Gli avvisi obbligatori (richieste e scadenze che mettono a rischio il finanziamento) continueranno ad arrivare.</p>\
             <p lang=\"en\">Stop receiving Nuvola's daily digest. Mandatory notices (requests and deadlines that put the funding at risk) keep coming.</p>\
             <form method=\"post\" action=\"/api/unsubscribe?account={}&amp;token={token}\"><button type=\"submit\">Annulla l'iscrizione / Unsubscribe</button></form>",
            query.account
        ),
    )
}

pub async fn unsubscribe(
    db: web::Data<DatabaseConnection>,
    query: web::Query<Link>,
) -> HttpResponse {
    match preferences::unsubscribe(&db, query.account, &query.token).await {
        Ok(_) => page(
            actix_web::http::StatusCode::OK,
            "<h1>Fatto / Done</h1><p>Non riceverai più il riepilogo giornaliero. Puoi cambiare idea in Nuvola, alla pagina Notifiche.</p><p lang=\"en\">You will no longer receive the daily digest. You can change your mind in Nuvola, on the Notifications page.</p>",
        ),
        Err(PreferenceError::NotFound(_)) => page(
            actix_web::http::StatusCode::NOT_FOUND,
            "<h1>Link non valido / Invalid link</h1><p>Questo link di disiscrizione non è valido.</p><p lang=\"en\">This unsubscribe link is not valid.</p>",
        ),
        Err(e) => {
            tracing::error!(error = %e, "unsubscribing failed");
            page(
                actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
                "<h1>Riprova / Try again</h1><p>Il servizio non è disponibile ora.</p><p lang=\"en\">The service is not available now.</p>",
            )
        }
    }
}
