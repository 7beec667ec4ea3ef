//! Notifications that reach people and programs (issue 13): each account's e-mail
//! address, language and preferences per kind; the outbox of deliveries (e-mail and
//! webhooks) with every attempt; the organisations' webhooks; the reminder schedule of
//! each call; the due date a notification is about; a secret the replicas share (for
//! unsubscribe links).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
    /// Where e-mail goes; null: in the web application only.
    Email,
    /// `it` or `en`: the language of the e-mail.
    Language,
    /// The id of the newest notification a daily digest already covered.
    DigestCursor,
}

#[derive(DeriveIden)]
enum Call {
    Table,
    /// Days before a deadline at which reminders go, e.g. `30,7,1`; null: the default.
    ReminderDays,
}

#[derive(DeriveIden)]
enum Notification {
    Table,
    /// The deadline the notification is about, if any (shown in e-mails).
    DueOn,
}

#[derive(DeriveIden)]
enum NotificationPreference {
    Table,
    AccountId,
    Kind,
    /// IMMEDIATE, DIGEST or IN_APP.
    Mode,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Webhook {
    Table,
    Id,
    /// The owner's role: ADMINISTRATION, SUPPLIER, PSN or DEPARTMENT.
    OwnerRole,
    AdministrationId,
    SupplierId,
    Url,
    /// The HMAC-SHA256 signing secret. Kept in clear: signing needs it.
    Secret,
    /// The event kinds wanted, comma-separated.
    Kinds,
    Active,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Delivery {
    Table,
    Id,
    /// EMAIL or WEBHOOK.
    Channel,
    /// The e-mail address or the endpoint's URL.
    Recipient,
    WebhookId,
    AccountId,
    NotificationId,
    /// Stable across retries and replays: the receiver's de-duplication key.
    EventId,
    Kind,
    /// What to send: the webhook's JSON body, or what an e-mail is rendered from.
    Payload,
    /// PENDING, DELIVERED or FAILED.
    Status,
    Attempts,
    MaxAttempts,
    NextAttemptAt,
    /// A worker that claimed the row holds it until then; past it, another may.
    LockedUntil,
    /// The peer's last answer (status line and the start of the body, or the error).
    LastAnswer,
    CreatedAt,
    DeliveredAt,
}

#[derive(DeriveIden)]
enum DeliveryAttempt {
    Table,
    Id,
    DeliveryId,
    Number,
    At,
    Ok,
    Answer,
    Millis,
}

#[derive(DeriveIden)]
enum AppSecret {
    Table,
    Name,
    Value,
}

#[derive(DeriveIden)]
enum ScheduledJob {
    Table,
    Name,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for column in [
            string_len_null(Account::Email, 254),
            string_len(Account::Language, 2).default("it").to_owned(),
            integer(Account::DigestCursor).default(0).to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Account::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Call::Table)
                    .add_column(string_len_null(Call::ReminderDays, 40))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Notification::Table)
                    .add_column(date_null(Notification::DueOn))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(NotificationPreference::Table)
                    .col(integer(NotificationPreference::AccountId))
                    .col(string_len(NotificationPreference::Kind, 60))
                    .col(string_len(NotificationPreference::Mode, 12))
                    .col(timestamp_with_time_zone(NotificationPreference::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(NotificationPreference::AccountId)
                            .col(NotificationPreference::Kind),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notification_preference_account")
                            .from(
                                NotificationPreference::Table,
                                NotificationPreference::AccountId,
                            )
                            .to(Account::Table, Account::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Webhook::Table)
                    .col(pk_auto(Webhook::Id))
                    .col(string_len(Webhook::OwnerRole, 20))
                    .col(integer_null(Webhook::AdministrationId))
                    .col(integer_null(Webhook::SupplierId))
                    .col(string_len(Webhook::Url, 500))
                    .col(string_len(Webhook::Secret, 100))
                    .col(string_len(Webhook::Kinds, 300))
                    .col(boolean(Webhook::Active).default(true))
                    .col(integer_null(Webhook::CreatedBy))
                    .col(timestamp_with_time_zone(Webhook::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Delivery::Table)
                    .col(pk_auto(Delivery::Id))
                    .col(string_len(Delivery::Channel, 10))
                    .col(string_len(Delivery::Recipient, 500))
                    .col(integer_null(Delivery::WebhookId))
                    .col(integer_null(Delivery::AccountId))
                    .col(integer_null(Delivery::NotificationId))
                    .col(string_len(Delivery::EventId, 120))
                    .col(string_len(Delivery::Kind, 60))
                    .col(text(Delivery::Payload))
                    .col(string_len(Delivery::Status, 12))
                    .col(integer(Delivery::Attempts).default(0))
                    .col(integer(Delivery::MaxAttempts))
                    .col(timestamp_with_time_zone(Delivery::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(Delivery::LockedUntil))
                    .col(text_null(Delivery::LastAnswer))
                    .col(timestamp_with_time_zone(Delivery::CreatedAt))
                    .col(timestamp_with_time_zone_null(Delivery::DeliveredAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_delivery_webhook")
                            .from(Delivery::Table, Delivery::WebhookId)
                            .to(Webhook::Table, Webhook::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The worker's claim: pending rows in the order they are due.
        manager
            .create_index(
                Index::create()
                    .name("ix_delivery_due")
                    .table(Delivery::Table)
                    .col(Delivery::Status)
                    .col(Delivery::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        // Once per recipient and event: a second enqueue of the same event does nothing.
        manager
            .create_index(
                Index::create()
                    .name("ux_delivery_event")
                    .table(Delivery::Table)
                    .col(Delivery::Channel)
                    .col(Delivery::Recipient)
                    .col(Delivery::EventId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_delivery_webhook")
                    .table(Delivery::Table)
                    .col(Delivery::WebhookId)
                    .col(Delivery::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DeliveryAttempt::Table)
                    .col(pk_auto(DeliveryAttempt::Id))
                    .col(integer(DeliveryAttempt::DeliveryId))
                    .col(integer(DeliveryAttempt::Number))
                    .col(timestamp_with_time_zone(DeliveryAttempt::At))
                    .col(boolean(DeliveryAttempt::Ok))
                    .col(text(DeliveryAttempt::Answer))
                    .col(integer(DeliveryAttempt::Millis))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_delivery_attempt_delivery")
                            .from(DeliveryAttempt::Table, DeliveryAttempt::DeliveryId)
                            .to(Delivery::Table, Delivery::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_delivery_attempt_delivery")
                    .table(DeliveryAttempt::Table)
                    .col(DeliveryAttempt::DeliveryId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AppSecret::Table)
                    .col(string_len(AppSecret::Name, 40).primary_key())
                    .col(string_len(AppSecret::Value, 200))
                    .to_owned(),
            )
            .await?;

        let mut insert = Query::insert();
        insert
            .into_table(ScheduledJob::Table)
            .columns([ScheduledJob::Name])
            .values(["digests".into()])
            .map_err(|e| DbErr::Custom(e.to_string()))?;
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            DeliveryAttempt::Table.into_iden(),
            Delivery::Table.into_iden(),
            Webhook::Table.into_iden(),
            NotificationPreference::Table.into_iden(),
            AppSecret::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for (table, column) in [
            (
                Notification::Table.into_iden(),
                Notification::DueOn.into_iden(),
            ),
            (Call::Table.into_iden(), Call::ReminderDays.into_iden()),
            (
                Account::Table.into_iden(),
                Account::DigestCursor.into_iden(),
            ),
            (Account::Table.into_iden(), Account::Language.into_iden()),
            (Account::Table.into_iden(), Account::Email.into_iden()),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        let mut delete = Query::delete();
        delete
            .from_table(ScheduledJob::Table)
            .and_where(Expr::col(ScheduledJob::Name).eq("digests"));
        manager.exec_stmt(delete).await
    }
}
