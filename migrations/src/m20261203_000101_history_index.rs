//! An index for a project's timeline (issue 14): `WHERE application_id = ? ORDER BY id
//! DESC LIMIT 50` read backwards from the index, instead of every event of the project
//! found through `ix_event_application (application_id, occurred_at)` and sorted by id.
//! The projects with the longest histories of the national data set have thousands of
//! events each; their page then reads 50 index entries, not thousands of rows.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000101_history_index"
    }
}

const INDEXES: &[crate::indexes::Named] = &[("ix_event_application_id", &["application_id", "id"])];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::indexes::create(manager, "event", INDEXES).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::indexes::drop(manager, "event", INDEXES).await
    }
}
