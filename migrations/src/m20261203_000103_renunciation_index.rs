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

const NAME: &str = "ix_application_renunciation";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NAME)
                    .table(Alias::new("application"))
                    .col(Alias::new("renunciation_requested_at"))
                    .col(Alias::new("id"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(NAME)
                    .table(Alias::new("application"))
                    .to_owned(),
            )
            .await
    }
}
