//! DataLoaders: a page of applications costs one query for their bodies and one for
//! their calls, whatever its size.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect};

use crate::entity::{administration, application, call, verification_request};

/// The loaders of one request.
pub struct Loaders {
    pub administration: DataLoader<AdministrationLoader, HashMapCache>,
    pub call: DataLoader<CallLoader, HashMapCache>,
    pub call_application_count: DataLoader<CallApplicationCountLoader, HashMapCache>,
    pub open_request_due: DataLoader<OpenRequestDueLoader, HashMapCache>,
}

impl Loaders {
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            administration: cached(AdministrationLoader(db.clone())),
            call: cached(CallLoader(db.clone())),
            call_application_count: cached(CallApplicationCountLoader(db.clone())),
            open_request_due: cached(OpenRequestDueLoader(db)),
        }
    }
}

/// A loader that remembers what it loaded for the rest of the request: a page primes it
/// with one batch and its nodes then read from memory. The cache dies with the request,
/// so replicas never disagree.
fn cached<L: Loader<i32>>(loader: L) -> DataLoader<L, HashMapCache> {
    DataLoader::with_cache(loader, tokio::spawn, HashMapCache::default())
}

pub struct AdministrationLoader(DatabaseConnection);

impl Loader<i32> for AdministrationLoader {
    type Value = administration::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        Ok(administration::Entity::find()
            .filter(administration::Column::Id.is_in(keys.iter().copied()))
            .all(&self.0)
            .await
            .map_err(Arc::new)?
            .into_iter()
            .map(|a| (a.id, a))
            .collect())
    }
}

pub struct CallLoader(DatabaseConnection);

impl Loader<i32> for CallLoader {
    type Value = call::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        Ok(call::Entity::find()
            .filter(call::Column::Id.is_in(keys.iter().copied()))
            .all(&self.0)
            .await
            .map_err(Arc::new)?
            .into_iter()
            .map(|c| (c.id, c))
            .collect())
    }
}

/// How many applications each call has.
pub struct CallApplicationCountLoader(DatabaseConnection);

impl Loader<i32> for CallApplicationCountLoader {
    type Value = i64;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let rows: Vec<(i32, i64)> = application::Entity::find()
            .select_only()
            .column(application::Column::CallId)
            .column_as(Expr::col(application::Column::Id).count(), "n")
            .filter(application::Column::CallId.is_in(keys.iter().copied()))
            .group_by(application::Column::CallId)
            .into_tuple()
            .all(&self.0)
            .await
            .map_err(Arc::new)?;
        Ok(rows.into_iter().collect())
    }
}

/// The earliest due date of each project's OPEN verification requests (projects without
/// one are absent).
pub struct OpenRequestDueLoader(DatabaseConnection);

impl Loader<i32> for OpenRequestDueLoader {
    type Value = chrono::NaiveDate;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let rows: Vec<(i32, Option<chrono::NaiveDate>)> = verification_request::Entity::find()
            .select_only()
            .column(verification_request::Column::ApplicationId)
            .column_as(Expr::col(verification_request::Column::DueOn).min(), "due")
            .filter(verification_request::Column::ApplicationId.is_in(keys.iter().copied()))
            .filter(
                verification_request::Column::State.eq(nuvola_shared::RequestState::Open.code()),
            )
            .group_by(verification_request::Column::ApplicationId)
            .into_tuple()
            .all(&self.0)
            .await
            .map_err(Arc::new)?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, due)| due.map(|d| (id, d)))
            .collect())
    }
}
