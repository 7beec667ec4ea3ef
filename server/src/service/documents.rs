//! Documents of a project: uploading (streamed into [`crate::storage`]), listing and
//! downloading, each checked row by row with [`crate::service::access`].
//!
//! Who may upload: the administration that owns the project (any kind; into a
//! verification request only while it is OPEN) and the supplier assigned to a planned
//! service (EVIDENCE for that service only). Who may read: the department, the owner,
//! the verifier assigned, and a supplier for the evidence of its own services.

use chrono::Utc;
use futures_util::Stream;
use nuvola_shared::document::{check_removable, parse_file_name, DocumentFacts, SniffError};
use nuvola_shared::{ApplicationState, DocumentKind, RequestState, Role, ServiceState};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;

use crate::audit::{self, Change};
use crate::entity::{account, application, document, planned_service, verification_request};
use crate::service::access::{self, DocumentScope};
use crate::service::auth::Principal;
use crate::service::idempotency;
use crate::service::plan::{find_project, invalid, PlanServiceError};
use crate::storage::{ReceiveError, Storage};

/// An upload as the client describes it (the bytes come separately, as a stream).
#[derive(Debug, Clone)]
pub struct UploadRequest {
    pub cup: String,
    pub call_title: Option<String>,
    pub kind: String,
    pub file_name: String,
    pub request_id: Option<i32>,
    pub planned_service_id: Option<i32>,
    /// The `Content-Type` the client sent: only checked against the content, never
    /// trusted.
    pub media_type: Option<String>,
    /// The client's `Idempotency-Key`: a retried upload returns the document first
    /// stored instead of a second copy.
    pub idempotency_key: Option<String>,
}

/// Why an upload was refused.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// Not allowed, not found, in the wrong state, or malformed metadata.
    #[error(transparent)]
    Refused(#[from] PlanServiceError),
    #[error("the file is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    /// The content is not an accepted type, or the name claims another type.
    #[error("{0}")]
    Unsupported(String),
    #[error("the file is empty")]
    Empty,
    /// The client's body broke off.
    #[error("{0}")]
    Body(String),
    /// The document storage (folder or bucket) did not take the file.
    #[error("the document storage did not take the file: {0:#}")]
    Storage(anyhow::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<DbErr> for UploadError {
    fn from(e: DbErr) -> Self {
        UploadError::Refused(PlanServiceError::Db(e))
    }
}

/// What an upload will be attached to, once allowed.
#[derive(Debug, Clone)]
struct Target {
    project: application::Model,
    kind: DocumentKind,
    request_id: Option<i32>,
    planned_service_id: Option<i32>,
}

/// Checks that `principal` may upload a document so described.
async fn authorize(
    txn: &sea_orm::DatabaseTransaction,
    principal: &Principal,
    req: &UploadRequest,
    kind: DocumentKind,
) -> Result<Target, PlanServiceError> {
    if principal.read_only {
        return Err(PlanServiceError::Forbidden(
            "API tokens are read-only: log in as a person to upload".to_owned(),
        ));
    }
    let project = find_project(txn, &req.cup, req.call_title.as_deref()).await?;
    let service = match req.planned_service_id {
        Some(id) => Some(
            planned_service::Entity::find_by_id(id)
                .filter(planned_service::Column::ApplicationId.eq(project.id))
                .one(txn)
                .await?
                .ok_or_else(|| {
                    PlanServiceError::NotFound(format!("the project has no planned service {id}"))
                })?,
        ),
        None => None,
    };
    match principal.role {
        Role::Administration if access::is_owner(principal, &project) => {
            if let Some(id) = req.request_id {
                let request = verification_request::Entity::find_by_id(id)
                    .filter(verification_request::Column::ApplicationId.eq(project.id))
                    .one(txn)
                    .await?
                    .ok_or_else(|| {
                        PlanServiceError::NotFound(format!(
                            "the project has no verification request {id}"
                        ))
                    })?;
                if request.state != RequestState::Open.code() {
                    return Err(PlanServiceError::Conflict(format!(
                        "the request is {}: documents are attached only while it is open",
                        request.state
                    )));
                }
            }
        }
        Role::Supplier | Role::Psn => {
            let supplier_id = principal.supplier_id.unwrap_or(-1);
            let own = service
                .as_ref()
                .is_some_and(|s| s.supplier_id == Some(supplier_id));
            if !own {
                return Err(PlanServiceError::Forbidden(
                    "a supplier uploads evidence only for a planned service contracted to it (give plannedServiceId)".to_owned(),
                ));
            }
            if kind != DocumentKind::Evidence || req.request_id.is_some() {
                return Err(PlanServiceError::Forbidden(
                    "a supplier uploads only EVIDENCE of its services, outside verification requests".to_owned(),
                ));
            }
        }
        _ => {
            return Err(PlanServiceError::Forbidden(
                "only the administration that owns the project, or the supplier of a service, uploads its documents".to_owned(),
            ))
        }
    }
    Ok(Target {
        project,
        kind,
        request_id: req.request_id,
        planned_service_id: req.planned_service_id,
    })
}

/// The operation name under which idempotency keys are kept.
const OPERATION: &str = "uploadDocument";

/// Receives one document: checks the caller before reading a byte, streams the body
/// into the storage (size limit, SHA-256, type from the content), then records the
/// metadata and the audit event in one transaction. The file is in place before the
/// row commits and removed if the commit fails.
#[tracing::instrument(skip(db, storage, principal, body), fields(cup = %req.cup, user = %principal.username))]
pub async fn upload<S, B, E>(
    db: &DatabaseConnection,
    storage: &Storage,
    principal: &Principal,
    req: UploadRequest,
    body: S,
    limit: u64,
) -> Result<document::Model, UploadError>
where
    S: Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
    E: std::fmt::Display,
{
    let kind = DocumentKind::parse(&req.kind).map_err(|e| invalid("kind", e.to_string()))?;
    let file_name =
        parse_file_name(&req.file_name).map_err(|e| invalid("fileName", e.to_string()))?;
    let idempotency_key = idempotency::parse(req.idempotency_key.clone())?;
    {
        // Refuse early, before a refused caller makes the server read megabytes.
        let txn = crate::db::begin_write(db).await?;
        authorize(&txn, principal, &req, kind).await?;
        let done =
            idempotency::recall(&txn, principal, idempotency_key.as_deref(), OPERATION).await?;
        if let Some(first) = done
            .as_ref()
            .and_then(|d| idempotency::ids(d).first().copied())
        {
            if let Some(stored) = document::Entity::find_by_id(first).one(&txn).await? {
                return Ok(stored);
            }
        }
    }

    let received = storage.receive(body, limit).await.map_err(|e| match e {
        ReceiveError::TooLarge { limit } => UploadError::TooLarge { limit },
        ReceiveError::Rejected(SniffError::Empty) => UploadError::Empty,
        ReceiveError::Rejected(SniffError::NotAccepted(m)) => UploadError::Unsupported(m),
        ReceiveError::Body(m) => UploadError::Body(m),
        ReceiveError::Io(e) => UploadError::Internal(e),
    })?;
    received
        .file_type
        .check_claims(&file_name, req.media_type.as_deref())
        .map_err(UploadError::Unsupported)?;

    let txn = crate::db::begin_write(db).await?;
    // Again inside the transaction: the request may have been answered meanwhile.
    let target = authorize(&txn, principal, &req, kind).await?;
    let key = Storage::new_key();
    let model = document::ActiveModel {
        application_id: Set(target.project.id),
        request_id: Set(target.request_id),
        planned_service_id: Set(target.planned_service_id),
        kind: Set(target.kind.code().to_owned()),
        file_name: Set(file_name),
        content_type: Set(received.file_type.content_type().to_owned()),
        size_bytes: Set(i64::try_from(received.size).unwrap_or(i64::MAX)),
        sha256: Set(received.sha256.clone()),
        storage_key: Set(key.clone()),
        uploaded_by: Set(Some(principal.account_id)),
        uploaded_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        &principal.actor(),
        Change {
            entity_type: nuvola_shared::EntityType::Document,
            entity_id: model.id.to_string(),
            action: "DOCUMENT_UPLOADED",
            application_id: Some(target.project.id),
            before: None,
            after: Some(snapshot(&model)),
        },
    )
    .await?;
    idempotency::remember(
        &txn,
        principal,
        idempotency_key.as_deref(),
        OPERATION,
        &json!({ "ids": [model.id] }),
    )
    .await?;
    storage
        .store(received, &key)
        .await
        .map_err(UploadError::Storage)?;
    if let Err(e) = txn.commit().await {
        storage.remove(&key).await;
        return Err(e.into());
    }
    Ok(model)
}

fn snapshot(d: &document::Model) -> serde_json::Value {
    json!({
        "kind": d.kind,
        "fileName": d.file_name,
        "contentType": d.content_type,
        "sizeBytes": d.size_bytes,
        "sha256": d.sha256,
        "requestId": d.request_id,
        "plannedServiceId": d.planned_service_id,
    })
}

/// Whether `principal` may read `doc` of `project`.
pub(crate) async fn may_read(
    db: &impl ConnectionTrait,
    principal: Option<&Principal>,
    project: &application::Model,
    doc: &document::Model,
) -> Result<bool, DbErr> {
    Ok(match access::document_scope(principal, project) {
        DocumentScope::All => true,
        DocumentScope::SupplierEvidence(supplier_id) => {
            if doc.kind != DocumentKind::Evidence.code() {
                return Ok(false);
            }
            match doc.planned_service_id {
                Some(id) => planned_service::Entity::find_by_id(id)
                    .one(db)
                    .await?
                    .is_some_and(|s| s.supplier_id == Some(supplier_id)),
                None => false,
            }
        }
        DocumentScope::Nothing => false,
    })
}

/// Whether `principal` may read the document `id` (of `project`): the document, if so.
pub async fn readable(
    db: &impl ConnectionTrait,
    principal: Option<&Principal>,
    project: &application::Model,
    id: i32,
) -> Result<Option<document::Model>, DbErr> {
    let Some(doc) = document::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    Ok(may_read(db, principal, project, &doc).await?.then_some(doc))
}

/// The metadata of a document `principal` may download.
pub async fn for_download(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i32,
) -> Result<document::Model, PlanServiceError> {
    let doc = document::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| PlanServiceError::NotFound(format!("no document has the id {id}")))?;
    let project = application::Entity::find_by_id(doc.application_id)
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("a document's project".into()))?;
    if !may_read(db, Some(principal), &project, &doc).await? {
        return Err(PlanServiceError::Forbidden(
            "this document is visible only to the administration, its verifier, the department and, for evidence, the supplier of the service".to_owned(),
        ));
    }
    Ok(doc)
}

/// The documents of `project` that `principal` may see, oldest first; optionally only
/// those attached to one verification request.
pub async fn list(
    db: &DatabaseConnection,
    principal: Option<&Principal>,
    project: &application::Model,
    request_id: Option<i32>,
) -> Result<Vec<document::Model>, PlanServiceError> {
    let mut query = document::Entity::find()
        .filter(document::Column::ApplicationId.eq(project.id))
        .order_by_asc(document::Column::Id);
    if let Some(id) = request_id {
        query = query.filter(document::Column::RequestId.eq(id));
    }
    match access::document_scope(principal, project) {
        DocumentScope::All => Ok(query.all(db).await?),
        DocumentScope::SupplierEvidence(supplier_id) => {
            let own: Vec<i32> = planned_service::Entity::find()
                .filter(planned_service::Column::ApplicationId.eq(project.id))
                .filter(planned_service::Column::SupplierId.eq(supplier_id))
                .all(db)
                .await?
                .into_iter()
                .map(|s| s.id)
                .collect();
            if own.is_empty() {
                return Err(PlanServiceError::Forbidden(
                    "no service of this project is contracted to your organisation".to_owned(),
                ));
            }
            Ok(query
                .filter(document::Column::Kind.eq(DocumentKind::Evidence.code()))
                .filter(document::Column::PlannedServiceId.is_in(own))
                .all(db)
                .await?)
        }
        DocumentScope::Nothing => Err(PlanServiceError::Forbidden(
            "documents are visible only to the administration, its verifier, the department and, for evidence, the supplier of the service".to_owned(),
        )),
    }
}

/// What decides whether `doc` of `project` is already used
/// ([`nuvola_shared::document::check_removable`]).
pub async fn facts(
    db: &impl ConnectionTrait,
    project: &application::Model,
    doc: &document::Model,
) -> Result<DocumentFacts, DbErr> {
    // Some(true): it waits in a request still open for an answer; Some(false): an answer
    // carried it (the request was answered or closed since, or answered before being
    // reopened).
    let request_open = match doc.request_id {
        Some(id) => verification_request::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|r| {
                let carried = r.answered_at.is_some_and(|at| doc.uploaded_at <= at);
                r.state == RequestState::Open.code() && !carried
            }),
        None => None,
    };
    let migrated_service = match doc.planned_service_id {
        Some(id) => planned_service::Entity::find_by_id(id)
            .one(db)
            .await?
            .is_some_and(|s| s.status == ServiceState::Migrated.code()),
        None => false,
    };
    let in_contract = crate::entity::contract_version::Entity::find()
        .filter(crate::entity::contract_version::Column::DocumentId.eq(doc.id))
        .one(db)
        .await?
        .is_some();
    let project_past_completion = !matches!(
        ApplicationState::parse(&project.state),
        Ok(ApplicationState::Submitted
            | ApplicationState::Funded
            | ApplicationState::Contracted
            | ApplicationState::Migrating)
    );
    Ok(DocumentFacts {
        answered_request: request_open == Some(false),
        open_request: request_open == Some(true),
        migrated_service,
        in_contract,
        project_past_completion,
    })
}

/// Whether `principal` may remove `doc` if it is unused: whoever may upload it there.
/// The administration that owns the project removes what its accounts uploaded; a
/// supplier removes the evidence of its own services.
async fn may_remove(
    db: &impl ConnectionTrait,
    principal: &Principal,
    project: &application::Model,
    doc: &document::Model,
) -> Result<bool, DbErr> {
    if principal.read_only {
        return Ok(false);
    }
    let uploader = match doc.uploaded_by {
        Some(id) => account::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    Ok(match principal.role {
        Role::Administration => {
            access::is_owner(principal, project)
                && uploader.is_some_and(|a| a.administration_id == principal.administration_id)
        }
        Role::Supplier | Role::Psn => {
            let supplier_id = principal.supplier_id.unwrap_or(-1);
            doc.kind == DocumentKind::Evidence.code()
                && uploader.is_some_and(|a| a.supplier_id == Some(supplier_id))
                && match doc.planned_service_id {
                    Some(id) => planned_service::Entity::find_by_id(id)
                        .one(db)
                        .await?
                        .is_some_and(|s| s.supplier_id == Some(supplier_id)),
                    None => false,
                }
        }
        _ => false,
    })
}

/// Whether `principal` could remove `doc` now (the page offers the button only then).
pub async fn removable_by(
    db: &impl ConnectionTrait,
    principal: Option<&Principal>,
    doc: &document::Model,
) -> Result<bool, DbErr> {
    let Some(principal) = principal else {
        return Ok(false);
    };
    let Some(project) = application::Entity::find_by_id(doc.application_id)
        .one(db)
        .await?
    else {
        return Ok(false);
    };
    Ok(may_remove(db, principal, &project, doc).await?
        && check_removable(facts(db, &project, doc).await?).is_ok())
}

/// Removes a document that nothing uses yet (a wrong file, a duplicate): the row and
/// its `DOCUMENT_REMOVED` event in one transaction, then the bytes. A used document
/// ([`check_removable`]) is refused with the reason (INVALID_TRANSITION).
#[tracing::instrument(skip(db, storage, principal), fields(user = %principal.username))]
pub async fn remove(
    db: &DatabaseConnection,
    storage: Option<&Storage>,
    principal: &Principal,
    id: i32,
) -> Result<i32, PlanServiceError> {
    let txn = crate::db::begin_write(db).await?;
    let doc = document::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| PlanServiceError::NotFound(format!("no document has the id {id}")))?;
    let project = application::Entity::find_by_id(doc.application_id)
        .one(&txn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("a document's project".into()))?;
    if !may_read(&txn, Some(principal), &project, &doc).await? {
        return Err(PlanServiceError::NotFound(format!(
            "no document has the id {id}"
        )));
    }
    if !may_remove(&txn, principal, &project, &doc).await? {
        return Err(PlanServiceError::Forbidden(
            "a document is removed only by the organisation that uploaded it: the administration that owns the project, or the supplier for the evidence of its services".to_owned(),
        ));
    }
    check_removable(facts(&txn, &project, &doc).await?)
        .map_err(|used| PlanServiceError::Transition(used.reason().to_owned()))?;
    document::Entity::delete_by_id(doc.id).exec(&txn).await?;
    audit::record(
        &txn,
        &principal.actor(),
        Change {
            entity_type: nuvola_shared::EntityType::Document,
            entity_id: doc.id.to_string(),
            action: "DOCUMENT_REMOVED",
            application_id: Some(project.id),
            before: Some(snapshot(&doc)),
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    // After the commit: a failed commit leaves the file with its row.
    if let Some(storage) = storage {
        storage.remove(&doc.storage_key).await;
    }
    Ok(doc.id)
}
