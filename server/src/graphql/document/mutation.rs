use async_graphql::{Context, Object, ID};
use nuvola_shared::Role;
use sea_orm::DatabaseConnection;

use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::viewer::viewer;
use crate::service::documents;
use crate::storage::Storage;

#[derive(Default)]
pub struct DocumentMutation;

#[Object]
impl DocumentMutation {
    /// Removes a document nothing uses yet (a wrong file, a duplicate), with its audit
    /// event (`DOCUMENT_REMOVED`); returns its id. The administration that owns the
    /// project removes what its accounts uploaded, a supplier the evidence of its own
    /// services. A used document stays, refused with INVALID_TRANSITION and the reason:
    /// it came with an answer to a verification request (no longer open), it is the
    /// evidence of a migrated service, or the project's completion was declared. See
    /// `Document.removable`.
    async fn remove_document(&self, ctx: &Context<'_>, id: ID) -> ApiResult<ID> {
        let principal =
            viewer(ctx).require_writer(&[Role::Administration, Role::Supplier, Role::Psn])?;
        let id: i32 = id
            .parse()
            .map_err(|_| ApiError::invalid("id", "not the id of a document"))?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let storage = ctx.data_opt::<Option<Storage>>().and_then(Option::as_ref);
        let removed = documents::remove(db, storage, principal, id).await?;
        Ok(ID(removed.to_string()))
    }
}
