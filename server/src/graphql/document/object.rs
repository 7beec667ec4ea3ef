use async_graphql::{Context, Object, ID};
use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, EntityTrait};

use crate::entity::{account, document};
use crate::graphql::error::{ApiError, ApiResult};

/// An uploaded document (metadata). Never public: the administration that owns the
/// project, its verifier and the department see every document of a project; a
/// supplier sees the EVIDENCE of the services contracted to it.
pub struct Document(pub document::Model);

#[Object]
impl Document {
    /// The document's id, for `GET /api/documents/{id}`.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// What the document is.
    async fn kind(&self) -> ApiResult<nuvola_shared::DocumentKind> {
        nuvola_shared::DocumentKind::parse(&self.0.kind).map_err(ApiError::internal)
    }

    /// The name the uploader gave the file (metadata only: never used as a path).
    async fn file_name(&self) -> &str {
        &self.0.file_name
    }

    /// The media type recognised from the content, e.g. `application/pdf`.
    async fn content_type(&self) -> &str {
        &self.0.content_type
    }

    /// Size in bytes.
    async fn size_bytes(&self) -> i64 {
        self.0.size_bytes
    }

    /// SHA-256 of the content, lowercase hex.
    async fn sha256(&self) -> &str {
        &self.0.sha256
    }

    /// When it was uploaded.
    async fn uploaded_at(&self) -> DateTime<Utc> {
        self.0.uploaded_at
    }

    /// The username of the uploader.
    async fn uploaded_by(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        let Some(id) = self.0.uploaded_by else {
            return Ok(None);
        };
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(account::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|a| a.username))
    }

    /// The verification request it answers, if any.
    async fn request_id(&self) -> Option<ID> {
        self.0.request_id.map(|id| ID(id.to_string()))
    }

    /// The planned service it is evidence for, if any.
    async fn planned_service_id(&self) -> Option<ID> {
        self.0.planned_service_id.map(|id| ID(id.to_string()))
    }

    /// Whether you may remove it now with `removeDocument`: you may upload it there and
    /// nothing uses it yet.
    async fn removable(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let principal = crate::graphql::viewer::viewer(ctx).principal();
        Ok(crate::service::documents::removable_by(db, principal, &self.0).await?)
    }

    /// Where to download it (GET, with the same token or session cookie).
    async fn download_url(&self) -> String {
        format!("/api/documents/{}", self.0.id)
    }
}
