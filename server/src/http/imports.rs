//! `POST /api/imports?fileName=…[&job=ID]`: one open-data file of a department import,
//! as the raw body (so the browser can show the upload's progress). Without `job` it
//! starts a new import job; with it, adds the file to that job (before its preview).
//! 201 with `{ "jobId": …, "file": …, "size": … }`. The preview, the confirmation and
//! the run are GraphQL (`previewImport`, `confirmImport`, `importJob`).
//!
//! Same authentication and JSON errors as the document endpoints.

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use serde_json::json;

use super::documents::refuse;
use super::principal_of;
use crate::service::import_job::{self, JobError, MAX_FILE_BYTES};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UploadQuery {
    file_name: String,
    job: Option<i32>,
}

/// `POST /api/imports`.
pub(super) async fn upload(
    db: web::Data<DatabaseConnection>,
    http: HttpRequest,
    mut body: web::Payload,
) -> HttpResponse {
    let principal = match principal_of(&db, &http).await {
        Ok(Some(p)) => p,
        Ok(None) => {
            return refuse(
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
                "log in first: only the department imports open data",
            )
        }
        Err(refusal) => return refuse(refusal.status(), refusal.code(), refusal.message()),
    };
    if principal.role != nuvola_shared::Role::Department || principal.read_only {
        return refuse(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            "only the department imports open data",
        );
    }
    if !super::documents::cookie_from_same_origin(&http) {
        return refuse(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            "an upload with the session cookie must come from Nuvola's own pages",
        );
    }
    let query = match web::Query::<UploadQuery>::from_query(http.query_string()) {
        Ok(q) => q.into_inner(),
        Err(e) => {
            return HttpResponse::BadRequest().json(json!({
                "code": "INVALID_INPUT",
                "field": "fileName",
                "message": format!("give fileName (and job to add to an import) in the query string: {e}"),
            }))
        }
    };
    let declared = http
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_FILE_BYTES) {
        return too_large();
    }
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0).min(MAX_FILE_BYTES));
    while let Some(chunk) = body.next().await {
        match chunk {
            Ok(chunk) => {
                if bytes.len() + chunk.len() > MAX_FILE_BYTES {
                    return too_large();
                }
                bytes.extend_from_slice(&chunk);
            }
            Err(e) => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    "BAD_REQUEST",
                    &format!("the upload broke off: {e}"),
                )
            }
        }
    }
    let size = bytes.len();
    match import_job::add_file(&db, &principal, query.job, &query.file_name, bytes).await {
        Ok(job) => HttpResponse::Created()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(json!({ "jobId": job.id.to_string(), "file": query.file_name, "size": size })),
        Err(JobError::Forbidden) => refuse(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            "only the department imports open data",
        ),
        Err(JobError::NotFound) => refuse(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "no import job has this id",
        ),
        Err(JobError::Invalid(m)) => HttpResponse::BadRequest().json(json!({
            "code": "INVALID_INPUT", "field": "file", "message": m,
        })),
        Err(JobError::Transition(m)) => refuse(StatusCode::CONFLICT, "INVALID_TRANSITION", &m),
        Err(e @ (JobError::Db(_) | JobError::Internal(_))) => {
            tracing::error!(error = %e, "internal error in the import upload");
            refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "internal error",
            )
        }
    }
}

fn too_large() -> HttpResponse {
    refuse(
        StatusCode::PAYLOAD_TOO_LARGE,
        "PAYLOAD_TOO_LARGE",
        &format!(
            "the file is larger than the limit of {} MiB for an open-data file",
            MAX_FILE_BYTES / (1024 * 1024)
        ),
    )
}
