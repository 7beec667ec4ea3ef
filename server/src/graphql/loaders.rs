//! DataLoaders: a page of applications costs one query for their bodies and one for
//! their calls, whatever its size.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect};

use crate::entity::{administration, application, call};

/// The loaders of one request.
pub struct Loaders {
    pub administration: DataLoader<AdministrationLoader>,
    pub call: DataLoader<CallLoader>,
    pub call_application_count: DataLoader<CallApplicationCountLoader>,
}

impl Loaders {
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            administration: DataLoader::new(AdministrationLoader(db.clone()), tokio::spawn),
            call: DataLoader::new(CallLoader(db.clone()), tokio::spawn),
            call_application_count: DataLoader::new(CallApplicationCountLoader(db), tokio::spawn),
        }
    }
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
