//! Deadlines and notifications (issue 3.7): the deadline checker's mark on a project,
//! a version on calls (the department edits their terms), a unique key that makes
//! notifications insert-if-absent, per-account read state, and the row of each periodic
//! job, which its runs lock so that replicas take turns.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Application {
    Table,
    Id,
    /// CONTRACT or COMPLETION: the deadline the checker found missed; null when none.
    OverdueKind,
    /// The first day late (the day after the due date).
    OverdueSince,
}

#[derive(DeriveIden)]
enum Call {
    Table,
    Version,
}

#[derive(DeriveIden)]
enum Notification {
    Table,
    Id,
    /// What makes a notification unique (event and recipient); inserting it twice does
    /// nothing.
    DedupeKey,
}

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum NotificationRead {
    Table,
    NotificationId,
    AccountId,
    ReadAt,
}

#[derive(DeriveIden)]
enum ScheduledJob {
    Table,
    Name,
    LastRunOn,
    LastRunAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table(Application::Table)
                    .add_column(string_len_null(Application::OverdueKind, 20))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Application::Table)
                    .add_column(date_null(Application::OverdueSince))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_application_overdue")
                    .table(Application::Table)
                    .col(Application::OverdueSince)
                    .col(Application::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .alter_table(
                Table::alter()
                    .table(Call::Table)
                    .add_column(integer(Call::Version).default(1))
                    .to_owned(),
            )
            .await?;

        manager
            .alter_table(
                Table::alter()
                    .table(Notification::Table)
                    .add_column(string_len_null(Notification::DedupeKey, 200))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_notification_dedupe")
                    .table(Notification::Table)
                    .col(Notification::DedupeKey)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(NotificationRead::Table)
                    .col(integer(NotificationRead::NotificationId))
                    .col(integer(NotificationRead::AccountId))
                    .col(timestamp_with_time_zone(NotificationRead::ReadAt))
                    .primary_key(
                        Index::create()
                            .col(NotificationRead::NotificationId)
                            .col(NotificationRead::AccountId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notification_read_notification")
                            .from(NotificationRead::Table, NotificationRead::NotificationId)
                            .to(Notification::Table, Notification::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notification_read_account")
                            .from(NotificationRead::Table, NotificationRead::AccountId)
                            .to(Account::Table, Account::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_notification_read_account")
                    .table(NotificationRead::Table)
                    .col(NotificationRead::AccountId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ScheduledJob::Table)
                    .col(string_len(ScheduledJob::Name, 40).primary_key())
                    .col(date_null(ScheduledJob::LastRunOn))
                    .col(timestamp_with_time_zone_null(ScheduledJob::LastRunAt))
                    .to_owned(),
            )
            .await?;
        let mut insert = Query::insert();
        insert
            .into_table(ScheduledJob::Table)
            .columns([ScheduledJob::Name])
            .values(["deadlines".into()])
            .map_err(|e| DbErr::Custom(e.to_string()))?;
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ScheduledJob::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(NotificationRead::Table).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ux_notification_dedupe")
                    .table(Notification::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ix_application_overdue")
                    .table(Application::Table)
                    .to_owned(),
            )
            .await?;
        for (table, column) in [
            (
                Notification::Table.into_iden(),
                Notification::DedupeKey.into_iden(),
            ),
            (Call::Table.into_iden(), Call::Version.into_iden()),
            (
                Application::Table.into_iden(),
                Application::OverdueSince.into_iden(),
            ),
            (
                Application::Table.into_iden(),
                Application::OverdueKind.into_iden(),
            ),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
