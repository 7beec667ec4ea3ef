//! DataLoaders: projects listed outside the public page (worklists, notifications, a
//! body's projects) cost one query for their bodies and one for their calls, whatever
//! their number (the public page hands its nodes what it read with them); a plan one
//! query for its lines' suppliers, one for their offerings and one for their
//! questionnaires, however many lines it has.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect};

use crate::entity::{
    administration, application, assessment, call, cloud_offering, supplier, verification_request,
};

/// The loaders of one request.
pub struct Loaders {
    pub administration: DataLoader<AdministrationLoader, HashMapCache>,
    pub call: DataLoader<CallLoader, HashMapCache>,
    pub call_application_count: DataLoader<CallApplicationCountLoader, HashMapCache>,
    pub open_request_due: DataLoader<OpenRequestDueLoader, HashMapCache>,
    pub supplier: DataLoader<SupplierLoader, HashMapCache>,
    pub offering: DataLoader<OfferingLoader, HashMapCache>,
    pub assessments: DataLoader<AssessmentsLoader, HashMapCache>,
}

impl Loaders {
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            administration: cached(AdministrationLoader(db.clone())),
            call: cached(CallLoader(db.clone())),
            call_application_count: cached(CallApplicationCountLoader(db.clone())),
            open_request_due: cached(OpenRequestDueLoader(db.clone())),
            supplier: cached(SupplierLoader(db.clone())),
            offering: cached(OfferingLoader(db.clone())),
            assessments: cached(AssessmentsLoader(db)),
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
        Ok(administrations(&self.0, keys.iter().copied())
            .await
            .map_err(Arc::new)?
            .collect())
    }
}

/// The bodies with these ids, by id, in one query.
pub async fn administrations(
    db: &DatabaseConnection,
    ids: impl IntoIterator<Item = i32>,
) -> Result<impl Iterator<Item = (i32, administration::Model)>, DbErr> {
    let mut ids: Vec<i32> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(administration::Entity::find()
        .filter(administration::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a)))
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

pub struct SupplierLoader(DatabaseConnection);

impl Loader<i32> for SupplierLoader {
    type Value = supplier::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        Ok(supplier::Entity::find()
            .filter(supplier::Column::Id.is_in(keys.iter().copied()))
            .all(&self.0)
            .await
            .map_err(Arc::new)?
            .into_iter()
            .map(|s| (s.id, s))
            .collect())
    }
}

pub struct OfferingLoader(DatabaseConnection);

impl Loader<i32> for OfferingLoader {
    type Value = cloud_offering::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        Ok(cloud_offering::Entity::find()
            .filter(cloud_offering::Column::Id.is_in(keys.iter().copied()))
            .all(&self.0)
            .await
            .map_err(Arc::new)?
            .into_iter()
            .map(|o| (o.id, o))
            .collect())
    }
}

/// The questionnaires of each planned service, newest version first (services without
/// one are absent).
pub struct AssessmentsLoader(DatabaseConnection);

impl Loader<i32> for AssessmentsLoader {
    type Value = Vec<assessment::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        use sea_orm::QueryOrder;
        let mut out: HashMap<i32, Self::Value> = HashMap::new();
        for a in assessment::Entity::find()
            .filter(assessment::Column::PlannedServiceId.is_in(keys.iter().copied()))
            .order_by_asc(assessment::Column::PlannedServiceId)
            .order_by_desc(assessment::Column::Version)
            .all(&self.0)
            .await
            .map_err(Arc::new)?
        {
            out.entry(a.planned_service_id).or_default().push(a);
        }
        Ok(out)
    }
}
