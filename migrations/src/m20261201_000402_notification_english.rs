//! A notification's message in English beside the Italian one, written together when
//! the notification is raised: a person reading Nuvola in English, or receiving English
//! e-mail, reads the same facts (the project, the request's title, the date) in English.
//! Notifications raised before this migration have none and show the Italian text.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Notification {
    Table,
    MessageEn,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Notification::Table)
                    .add_column(text_null(Notification::MessageEn))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Notification::Table)
                    .drop_column(Notification::MessageEn)
                    .to_owned(),
            )
            .await
    }
}
