//! An index for the department's pending renunciation requests (`pendingRenunciations`,
//! on its dashboard): `WHERE renunciation_requested_at IS NOT NULL ORDER BY
//! renunciation_requested_at, id LIMIT n` reads the few pending ones from the index
//! instead of scanning every project of the country.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000103_renunciation_index"
    }
}

const INDEXES: &[crate::indexes::Named] = &[(
    "ix_application_renunciation",
    &["renunciation_requested_at", "id"],
)];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::indexes::create(manager, "application", INDEXES).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::indexes::drop(manager, "application", INDEXES).await
    }
}
