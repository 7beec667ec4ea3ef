//! `GET /api/export.csv`: the published applications a filter keeps, in the open-data
//! format of `nuvola export` (the columns of `candidature_12.csv`). The explorer's
//! "Scarica CSV" links here with its current filter.
//!
//! Query parameters, all optional, as in GraphQL's `ApplicationFilter`: `region`,
//! `callTitle`, `administrationType`, `state`.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use nuvola_shared::api::ApplicationFilter;
use nuvola_shared::ApplicationState;
use sea_orm::DatabaseConnection;
use serde::Deserialize;

use super::error_response;
use crate::opendata::{write_applications, ExportFormat};
use crate::service::export;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportQuery {
    region: Option<String>,
    call_title: Option<String>,
    administration_type: Option<String>,
    state: Option<String>,
}

pub async fn export_csv(
    db: web::Data<DatabaseConnection>,
    query: web::Query<ExportQuery>,
) -> HttpResponse {
    let query = query.into_inner();
    let state = match query
        .state
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => match ApplicationState::parse(s) {
            Ok(s) => Some(s),
            Err(e) => {
                return error_response(StatusCode::BAD_REQUEST, "INVALID_INPUT", &e.to_string())
            }
        },
    };
    let filter = ApplicationFilter {
        region: query.region,
        call_title: query.call_title,
        administration_type: query.administration_type,
        state,
    };
    let filter = match filter.parse() {
        Ok(f) => f,
        Err(e) => return error_response(StatusCode::BAD_REQUEST, "INVALID_INPUT", &e.to_string()),
    };
    let mut body = Vec::new();
    let written = match export::export_rows_filtered(&db, &filter).await {
        Ok(rows) => write_applications(&rows, ExportFormat::Csv, &mut body),
        Err(e) => Err(e),
    };
    if let Err(e) = written {
        if crate::db::chain_is_unavailable(&e) {
            tracing::warn!(error = ?e, "exporting CSV: the database cannot be reached");
            return super::unavailable_response();
        }
        tracing::error!(error = ?e, "exporting CSV");
        return error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL",
            "internal error",
        );
    }
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"candidature.csv\"",
        ))
        .body(body)
}
