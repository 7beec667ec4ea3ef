//! Document bytes over plain HTTP (GraphQL stays JSON only):
//!
//! - `POST /api/projects/{cup}/documents?kind=…&fileName=…[&requestId=…][&plannedServiceId=…][&callTitle=…]`
//!   with the raw file as the body (so a browser can show progress with XHR);
//!   201 with the document's metadata as JSON.
//! - `GET /api/documents/{id}`: the file, as an attachment.
//!
//! Authentication is the bearer token or session cookie, exactly as for `/graphql`.
//! Errors are JSON `{ "code": …, "message": … }` (plus `field` for INVALID_INPUT).

use actix_web::body::SizedStream;
use actix_web::http::header::{
    self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use nuvola_shared::document::download_name;
use nuvola_shared::FileType;
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use serde_json::json;

use super::{client_address, principal_of, rate_decision, rate_limit_headers, Gate};
use crate::entity::document;
use crate::service::auth::Principal;
use crate::service::documents::{self, UploadError, UploadRequest};
use crate::service::plan::PlanServiceError;
use crate::storage::Storage;

/// The document folder and the size limit, shared by the handlers.
pub(super) struct Uploads {
    pub storage: Storage,
    pub max_bytes: u64,
}

/// The metrics label of an `/api/` path (never the path itself: ids would explode the
/// number of series).
pub(super) fn route_label(path: &str) -> &'static str {
    if path.starts_with("/api/documents/") {
        "/api/documents/{id}"
    } else if path.starts_with("/api/projects/") {
        "/api/projects/{cup}/documents"
    } else {
        "/api"
    }
}

pub(super) fn refuse(status: StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(json!({ "code": code, "message": message }))
}

fn refused(e: PlanServiceError) -> HttpResponse {
    match e {
        PlanServiceError::Forbidden(m) => refuse(StatusCode::FORBIDDEN, "FORBIDDEN", &m),
        PlanServiceError::NotFound(m) => refuse(StatusCode::NOT_FOUND, "NOT_FOUND", &m),
        PlanServiceError::Conflict(m) => refuse(StatusCode::CONFLICT, "CONFLICT", &m),
        PlanServiceError::Transition(m) => refuse(StatusCode::CONFLICT, "INVALID_TRANSITION", &m),
        PlanServiceError::Invalid { field, message } => HttpResponse::BadRequest()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(json!({ "code": "INVALID_INPUT", "field": field, "message": message })),
        PlanServiceError::Db(e) if crate::db::is_unavailable(&e) => unavailable(&e),
        PlanServiceError::Db(e) => internal(&e),
    }
}

/// The per-token rate limit of the API applies to documents too.
async fn within_rate(
    gate: &Gate,
    principal: &Principal,
    http: &HttpRequest,
) -> Result<(), HttpResponse> {
    let address = client_address(http, gate.trust_proxy);
    match rate_decision(gate, Some(principal), address).await {
        Some(d) if !d.allowed => {
            crate::metrics::graphql_error("RATE_LIMITED");
            let retry = d.reset_secs.max(1);
            let mut res = HttpResponse::TooManyRequests()
                .insert_header((header::RETRY_AFTER, retry.to_string()))
                .json(json!({
                    "code": "RATE_LIMITED",
                    "message": format!("too many requests: at most {} per minute; retry in {retry} s", d.limit),
                }));
            rate_limit_headers(&mut res, &d);
            Err(res)
        }
        _ => Ok(()),
    }
}

fn internal(cause: &dyn std::fmt::Display) -> HttpResponse {
    tracing::error!(error = %cause, "internal error in a document endpoint");
    refuse(
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL",
        "internal error",
    )
}

/// The database cannot be reached: 503, and the client may retry.
fn unavailable(cause: &dyn std::fmt::Display) -> HttpResponse {
    tracing::warn!(error = %cause, "a document endpoint: the database cannot be reached");
    unavailable_saying(crate::graphql::error::UNAVAILABLE_MESSAGE)
}

/// 503 `UNAVAILABLE` with `message`, and when to try again.
fn unavailable_saying(message: &str) -> HttpResponse {
    use crate::graphql::error::{UNAVAILABLE, UNAVAILABLE_RETRY_AFTER_SECS};
    crate::metrics::graphql_error(UNAVAILABLE);
    let mut res = refuse(StatusCode::SERVICE_UNAVAILABLE, UNAVAILABLE, message);
    res.headers_mut().insert(
        header::RETRY_AFTER,
        header::HeaderValue::from(UNAVAILABLE_RETRY_AFTER_SECS),
    );
    res
}

/// The principal of a request for a document endpoint: documents are never public.
async fn required_principal(
    db: &DatabaseConnection,
    http: &HttpRequest,
) -> Result<Principal, HttpResponse> {
    match principal_of(db, http).await {
        Ok(Some(principal)) => Ok(principal),
        Ok(None) => Err(refuse(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "log in first: documents are never public",
        )),
        Err(refusal) => Err(refuse(refusal.status(), refusal.code(), refusal.message())),
    }
}

/// The query string of an upload.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UploadQuery {
    kind: String,
    file_name: String,
    request_id: Option<i32>,
    planned_service_id: Option<i32>,
    call_title: Option<String>,
}

fn document_json(d: &document::Model, removable: bool) -> serde_json::Value {
    json!({
        "removable": removable,
        "id": d.id.to_string(),
        "kind": d.kind,
        "fileName": d.file_name,
        "contentType": d.content_type,
        "sizeBytes": d.size_bytes,
        "sha256": d.sha256,
        "uploadedAt": d.uploaded_at,
        "requestId": d.request_id.map(|id| id.to_string()),
        "plannedServiceId": d.planned_service_id.map(|id| id.to_string()),
        "downloadUrl": format!("/api/documents/{}", d.id),
    })
}

/// `POST /api/projects/{cup}/documents`.
pub(super) async fn upload(
    db: web::Data<DatabaseConnection>,
    uploads: web::Data<Uploads>,
    gate: web::Data<Gate>,
    http: HttpRequest,
    cup: web::Path<String>,
    body: web::Payload,
) -> HttpResponse {
    let principal = match required_principal(&db, &http).await {
        Ok(p) => p,
        Err(res) => return res,
    };
    if let Err(res) = within_rate(&gate, &principal, &http).await {
        return res;
    }
    if !cookie_from_same_origin(&http) {
        return refuse(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            "an upload with the session cookie must come from Nuvola's own pages",
        );
    }
    let headers = http.headers();
    // The body is stored as sent: a compressed body would be a different file.
    let encoded = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| !v.trim().eq_ignore_ascii_case("identity"));
    if encoded {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "send the file as it is, without Content-Encoding",
        );
    }
    // A declared length over the limit is refused at once; a smaller one is not
    // believed: the body is counted as it arrives.
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > uploads.max_bytes) {
        return too_large(uploads.max_bytes);
    }
    let query = match web::Query::<UploadQuery>::from_query(http.query_string()) {
        Ok(q) => q.into_inner(),
        Err(e) => {
            return HttpResponse::BadRequest().json(json!({
                "code": "INVALID_INPUT",
                "field": "query",
                "message": format!("give kind and fileName (and optionally requestId, plannedServiceId, callTitle) in the query string: {e}"),
            }))
        }
    };
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let request = UploadRequest {
        cup: cup.into_inner(),
        call_title: query.call_title,
        kind: query.kind,
        file_name: query.file_name,
        request_id: query.request_id,
        planned_service_id: query.planned_service_id,
        media_type,
        idempotency_key: headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    match documents::upload(
        &db,
        &uploads.storage,
        &principal,
        request,
        body,
        uploads.max_bytes,
    )
    .await
    {
        Ok(doc) => {
            // As `Document.removable` says it: the page may offer to remove a wrong file.
            let removable = documents::removable_by(db.get_ref(), Some(&principal), &doc)
                .await
                .unwrap_or(false);
            HttpResponse::Created()
                .insert_header((header::LOCATION, format!("/api/documents/{}", doc.id)))
                .json(document_json(&doc, removable))
        }
        Err(UploadError::Refused(e)) => refused(e),
        Err(UploadError::TooLarge { limit }) => too_large(limit),
        Err(UploadError::Unsupported(m)) => refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            &m,
        ),
        Err(UploadError::Empty) => HttpResponse::BadRequest().json(json!({
            "code": "INVALID_INPUT", "field": "body", "message": "the file is empty",
        })),
        Err(UploadError::Body(m)) => refuse(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            &format!("the upload broke off: {m}"),
        ),
        Err(UploadError::Storage(e)) => {
            tracing::error!(error = %format!("{e:#}"), "storing an upload");
            unavailable_saying(
                "the document storage is temporarily unavailable: nothing was saved, try again in a few minutes",
            )
        }
        Err(UploadError::Internal(e)) if crate::db::chain_is_unavailable(&e) => {
            unavailable(&format!("{e:#}"))
        }
        Err(UploadError::Internal(e)) => internal(&format!("{e:#}")),
    }
}

/// An upload body is not JSON, so the defence of `/graphql` (JSON only, hence a CORS
/// preflight) does not cover it. The cookie is SameSite=Strict; on top of that, a
/// cookie-authenticated upload whose `Origin` names another host is refused. Bearer
/// tokens are never sent by a browser on its own, so they need no such check.
pub(super) fn cookie_from_same_origin(http: &HttpRequest) -> bool {
    if http.headers().contains_key(header::AUTHORIZATION) {
        return true;
    }
    let Some(origin) = http.headers().get(header::ORIGIN) else {
        return true;
    };
    let origin_host = origin
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .map(|(_, host)| host.trim_end_matches('/').to_ascii_lowercase());
    origin_host.is_some_and(|h| h == http.connection_info().host().to_ascii_lowercase())
}

fn too_large(limit: u64) -> HttpResponse {
    let mib = limit as f64 / (1024.0 * 1024.0);
    refuse(
        StatusCode::PAYLOAD_TOO_LARGE,
        "PAYLOAD_TOO_LARGE",
        &format!("the file is larger than the limit of {limit} bytes ({mib:.1} MiB)"),
    )
}

/// `GET /api/documents/{id}`.
pub(super) async fn download(
    db: web::Data<DatabaseConnection>,
    uploads: web::Data<Uploads>,
    gate: web::Data<Gate>,
    http: HttpRequest,
    id: web::Path<String>,
) -> HttpResponse {
    let principal = match required_principal(&db, &http).await {
        Ok(p) => p,
        Err(res) => return res,
    };
    if let Err(res) = within_rate(&gate, &principal, &http).await {
        return res;
    }
    let Ok(id) = id.parse::<i32>() else {
        return refuse(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "no document has this id",
        );
    };
    let doc = match documents::for_download(&db, &principal, id).await {
        Ok(doc) => doc,
        Err(e) => return refused(e),
    };
    let file = match uploads.storage.open(&doc.storage_key, &doc.sha256).await {
        Ok(f) => f,
        Err(e) => return internal(&format!("document {}: {e:#}", doc.id)),
    };
    let file_type = FileType::ALL
        .into_iter()
        .find(|t| t.content_type() == doc.content_type)
        .unwrap_or(FileType::Text);
    let name = download_name(&doc.file_name, file_type);
    let ascii: String = name
        .chars()
        .map(|c| if c.is_ascii() { c } else { '_' })
        .collect();
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(ascii),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".to_owned()),
                language_tag: None,
                value: name.into_bytes(),
            }),
        ],
    };
    let size = u64::try_from(doc.size_bytes).unwrap_or_default();
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, doc.content_type.clone()))
        .insert_header(disposition)
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; sandbox",
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        // Stored as is: the compression middleware leaves it alone.
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .insert_header(("x-content-sha256", doc.sha256.clone()))
        .body(SizedStream::new(size, file))
}
