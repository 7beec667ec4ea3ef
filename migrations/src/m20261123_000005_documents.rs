//! Verification requests and documents: the administration's answer to a request (its
//! note and who answered), one checklist outcome per (planned service, item), and the
//! index that lists a request's documents.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum VerificationRequest {
    Table,
    AnswerNote,
    AnsweredBy,
}

#[derive(DeriveIden)]
enum VerificationCheck {
    Table,
    PlannedServiceId,
    Item,
}

#[derive(DeriveIden)]
enum Document {
    Table,
    RequestId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one column at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(VerificationRequest::Table)
                    .add_column(text_null(VerificationRequest::AnswerNote))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(VerificationRequest::Table)
                    .add_column(integer_null(VerificationRequest::AnsweredBy))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_check_service_item")
                    .table(VerificationCheck::Table)
                    .col(VerificationCheck::PlannedServiceId)
                    .col(VerificationCheck::Item)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_document_request")
                    .table(Document::Table)
                    .col(Document::RequestId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_document_request")
                    .table(Document::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ux_check_service_item")
                    .table(VerificationCheck::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(VerificationRequest::Table)
                    .drop_column(VerificationRequest::AnsweredBy)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(VerificationRequest::Table)
                    .drop_column(VerificationRequest::AnswerNote)
                    .to_owned(),
            )
            .await
    }
}
