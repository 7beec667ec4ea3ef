//! When Nuvola first heard of a project's progress from someone working on it.
//!
//! Most projects arrive from the open data (`nuvola import`), which says only that a
//! project is funded (`A`), renounced (`R`) or paid (`E`): a project funded years ago and
//! never touched in Nuvola has no contract, no plan and no status here, not because it has
//! none, but because nobody has reported them yet. The deadline checker's mark on such a
//! project means "the rules say this was due and Nuvola has no news", not "late";
//! `progress_reported_at` tells the two apart. It is set by the first change a person
//! makes to the project (see `audit::record_many`) and backfilled here from the audit log.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Sets `progress_reported_at` from the audit log: the first change a person made to
/// the project (actions that carry no project, such as a login, do not count, nor an
/// import, which is the open data's word, even when a person started it). The national
/// seeder runs it too, after writing its events.
pub const BACKFILL: &str = "UPDATE application SET progress_reported_at = (
       SELECT MIN(e.occurred_at) FROM event e
       WHERE e.application_id = application.id AND e.actor_account_id IS NOT NULL
         AND substr(e.action, 1, 7) <> 'IMPORT_'
     )";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Application {
    Table,
    ProgressReportedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Application::Table)
                    .add_column(timestamp_with_time_zone_null(
                        Application::ProgressReportedAt,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(BACKFILL)
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Application::Table)
                    .drop_column(Application::ProgressReportedAt)
                    .to_owned(),
            )
            .await
    }
}
