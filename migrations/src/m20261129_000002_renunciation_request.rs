//! A pending request of renunciation on a project: the administration asks, with its
//! reason, and the department decrees (the project becomes RENOUNCED) or the
//! administration withdraws the request. A request is not a state of the life cycle: the
//! project keeps its state (and its deadlines) while the request waits.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Application {
    Table,
    RenunciationRequestedAt,
    RenunciationReason,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table(Application::Table)
                    .add_column(timestamp_with_time_zone_null(
                        Application::RenunciationRequestedAt,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Application::Table)
                    .add_column(string_len_null(Application::RenunciationReason, 2000))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Application::RenunciationReason,
            Application::RenunciationRequestedAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Application::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
