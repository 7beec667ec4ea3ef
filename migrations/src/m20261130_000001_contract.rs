//! Supplier contracts as records of their own: one row per contract (the project, the
//! supplier) and one per version of what it says (CIG, amount, signing date, the
//! contract's document). Recording a contract writes version 1; each correction a new
//! version, so the history stays. A planned service names the contract that covers it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SupplierContract {
    Table,
    Id,
    ApplicationId,
    SupplierId,
    CurrentVersion,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ContractVersion {
    Table,
    Id,
    ContractId,
    Version,
    Cig,
    AmountEur,
    SignedOn,
    DocumentId,
    Reason,
    RecordedBy,
    RecordedAt,
}

#[derive(DeriveIden)]
enum PlannedService {
    Table,
    ContractId,
}

#[derive(DeriveIden)]
enum Application {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Supplier {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Document {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SupplierContract::Table)
                    .col(pk_auto(SupplierContract::Id))
                    .col(integer(SupplierContract::ApplicationId))
                    .col(integer(SupplierContract::SupplierId))
                    .col(integer(SupplierContract::CurrentVersion).default(1))
                    .col(timestamp_with_time_zone(SupplierContract::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_supplier_contract_application")
                            .from(SupplierContract::Table, SupplierContract::ApplicationId)
                            .to(Application::Table, Application::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_supplier_contract_supplier")
                            .from(SupplierContract::Table, SupplierContract::SupplierId)
                            .to(Supplier::Table, Supplier::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_supplier_contract_application")
                    .table(SupplierContract::Table)
                    .col(SupplierContract::ApplicationId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ContractVersion::Table)
                    .col(pk_auto(ContractVersion::Id))
                    .col(integer(ContractVersion::ContractId))
                    .col(integer(ContractVersion::Version))
                    // Null when recorded without them through the API (a correction adds them).
                    .col(string_len_null(ContractVersion::Cig, 10))
                    .col(big_integer_null(ContractVersion::AmountEur))
                    .col(date(ContractVersion::SignedOn))
                    .col(integer_null(ContractVersion::DocumentId))
                    .col(string_len_null(ContractVersion::Reason, 2000))
                    .col(integer_null(ContractVersion::RecordedBy))
                    .col(timestamp_with_time_zone(ContractVersion::RecordedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_contract_version_contract")
                            .from(ContractVersion::Table, ContractVersion::ContractId)
                            .to(SupplierContract::Table, SupplierContract::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_contract_version_document")
                            .from(ContractVersion::Table, ContractVersion::DocumentId)
                            .to(Document::Table, Document::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_contract_version_account")
                            .from(ContractVersion::Table, ContractVersion::RecordedBy)
                            .to(Account::Table, Account::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_contract_version")
                    .table(ContractVersion::Table)
                    .col(ContractVersion::ContractId)
                    .col(ContractVersion::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_contract_version_document")
                    .table(ContractVersion::Table)
                    .col(ContractVersion::DocumentId)
                    .to_owned(),
            )
            .await?;
        // SQLite cannot add a foreign key to an existing table: the service keeps it.
        manager
            .alter_table(
                Table::alter()
                    .table(PlannedService::Table)
                    .add_column(integer_null(PlannedService::ContractId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_planned_service_contract")
                    .table(PlannedService::Table)
                    .col(PlannedService::ContractId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_planned_service_contract")
                    .table(PlannedService::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(PlannedService::Table)
                    .drop_column(PlannedService::ContractId)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(ContractVersion::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(SupplierContract::Table).to_owned())
            .await
    }
}
