//! Every published row, exactly (issue 11): CUPs as published (wider than 15
//! characters), each application's data-quality warnings, the calls catalogue of every
//! imported calls file (all measures: it decides which applications are of measure 1.2),
//! and the department's import jobs with their files (run in the background, one at a
//! time across replicas).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Application {
    Table,
    Cup,
    /// The data-quality warnings of the row as last imported: a JSON array of
    /// `{file, line, field, value, reason}`; null when there are none.
    DataQuality,
}

#[derive(DeriveIden)]
enum PublishedCall {
    Table,
    Id,
    Title,
    /// `nuvola_shared::call::title_key` of the title: the lookup key.
    TitleKey,
    Measure,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ImportJob {
    Table,
    Id,
    /// UPLOADED, PREVIEWED, QUEUED, RUNNING, DONE, FAILED, DISCARDED.
    Status,
    CreatedBy,
    CreatedAt,
    /// The dry run's report (JSON), when previewed.
    Preview,
    QueuedAt,
    StartedAt,
    /// The running replica's last sign of life; a RUNNING job whose heartbeat is old is
    /// taken to have died with its replica (its transaction rolled back).
    HeartbeatAt,
    FinishedAt,
    /// Where the run is, for the progress bar: (done, total) steps and the step's name.
    ProgressDone,
    ProgressTotal,
    Phase,
    /// The report (JSON), when done.
    Result,
    /// Why it failed, in words.
    Error,
    Version,
}

#[derive(DeriveIden)]
enum ImportJobFile {
    Table,
    Id,
    JobId,
    /// The order the files are imported in (calls first, as the publisher ships them).
    Position,
    Name,
    Sha256,
    Size,
    Content,
}

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            // SQLite does not enforce a VARCHAR's length, and cannot alter a column.
            manager
                .alter_table(
                    Table::alter()
                        .table(Application::Table)
                        .modify_column(ColumnDef::new(Application::Cup).string_len(40).not_null())
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Application::Table)
                    .add_column(text_null(Application::DataQuality))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PublishedCall::Table)
                    .col(pk_auto(PublishedCall::Id))
                    .col(string_len(PublishedCall::Title, 300))
                    .col(string_len(PublishedCall::TitleKey, 300).unique_key())
                    .col(string_len_null(PublishedCall::Measure, 200))
                    .col(timestamp_with_time_zone(PublishedCall::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ImportJob::Table)
                    .col(pk_auto(ImportJob::Id))
                    .col(string_len(ImportJob::Status, 20))
                    .col(integer_null(ImportJob::CreatedBy))
                    .col(timestamp_with_time_zone(ImportJob::CreatedAt))
                    .col(text_null(ImportJob::Preview))
                    .col(timestamp_with_time_zone_null(ImportJob::QueuedAt))
                    .col(timestamp_with_time_zone_null(ImportJob::StartedAt))
                    .col(timestamp_with_time_zone_null(ImportJob::HeartbeatAt))
                    .col(timestamp_with_time_zone_null(ImportJob::FinishedAt))
                    .col(integer(ImportJob::ProgressDone).default(0))
                    .col(integer(ImportJob::ProgressTotal).default(0))
                    .col(string_len_null(ImportJob::Phase, 100))
                    .col(text_null(ImportJob::Result))
                    .col(text_null(ImportJob::Error))
                    .col(integer(ImportJob::Version).default(1))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_import_job_account")
                            .from(ImportJob::Table, ImportJob::CreatedBy)
                            .to(Account::Table, Account::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_import_job_status")
                    .table(ImportJob::Table)
                    .col(ImportJob::Status)
                    .col(ImportJob::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ImportJobFile::Table)
                    .col(pk_auto(ImportJobFile::Id))
                    .col(integer(ImportJobFile::JobId))
                    .col(integer(ImportJobFile::Position))
                    .col(string_len(ImportJobFile::Name, 255))
                    .col(string_len(ImportJobFile::Sha256, 64))
                    .col(big_integer(ImportJobFile::Size))
                    .col(blob(ImportJobFile::Content))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_import_job_file_job")
                            .from(ImportJobFile::Table, ImportJobFile::JobId)
                            .to(ImportJob::Table, ImportJob::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_import_job_file_position")
                    .table(ImportJobFile::Table)
                    .col(ImportJobFile::JobId)
                    .col(ImportJobFile::Position)
                    .unique()
                    .to_owned(),
            )
            .await?;
        let mut insert = Query::insert();
        insert
            .into_table(Alias::new("scheduled_job"))
            .columns([Alias::new("name")])
            .values(["imports".into()])
            .map_err(|e| DbErr::Custom(e.to_string()))?;
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut delete = Query::delete();
        delete
            .from_table(Alias::new("scheduled_job"))
            .and_where(Expr::col(Alias::new("name")).eq("imports"));
        manager.exec_stmt(delete).await?;
        for table in [
            ImportJobFile::Table.into_iden(),
            ImportJob::Table.into_iden(),
            PublishedCall::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Application::Table)
                    .drop_column(Application::DataQuality)
                    .to_owned(),
            )
            .await
    }
}
