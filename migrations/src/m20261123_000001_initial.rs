//! The whole model of DOMAIN.md: bodies, calls, applications/projects, the migration
//! plan, suppliers and their qualified offerings, assessment questionnaires,
//! verification requests, document metadata, accounts and tokens, notifications,
//! idempotency keys and the append-only audit log.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Administration {
    Table,
    Id,
    IpaCode,
    IpaKey,
    Name,
    TypeCode,
    TypeLabel,
    Comune,
    ComuneIstat,
    Provincia,
    ProvinciaIstat,
    Region,
    RegionIstat,
    Population,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Call {
    Table,
    Id,
    Title,
    Measure,
    TargetTypes,
    OpensOn,
    ClosesOn,
    Status,
    BudgetEur,
    MeasureBudgetEur,
    ContractTerm,
    CompletionTerm,
    CompletionFrom,
    HardCap,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Application {
    Table,
    Id,
    AdministrationId,
    CallId,
    Cup,
    AmountEur,
    State,
    SubmittedAt,
    FundedOn,
    DecreeRef,
    TimeWindow,
    ProtocolNumber,
    StateChangedOn,
    ContractOn,
    VerifierAccountId,
    VerificationOutcome,
    VerificationOutcomeAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CatalogueService {
    Table,
    Id,
    TargetType,
    Code,
    Name,
    Description,
}

#[derive(DeriveIden)]
enum Supplier {
    Table,
    Id,
    VatNumber,
    Name,
    IsPsn,
    QualifiedUntil,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CloudOffering {
    Table,
    Id,
    SupplierId,
    Code,
    Name,
    ServiceModel,
    DeploymentModel,
    MaxDataClass,
    QualificationLevel,
    QualifiedOn,
    QualifiedUntil,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PlannedService {
    Table,
    Id,
    ApplicationId,
    CatalogueServiceId,
    Name,
    DataClass,
    Modality,
    Origin,
    Destination,
    OfferingId,
    SupplierId,
    Status,
    ContractOn,
    CutoverStart,
    CutoverEnd,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Assessment {
    Table,
    Id,
    PlannedServiceId,
    Version,
    ApplicationName,
    CpuCores,
    MemoryGb,
    StorageGb,
    Users,
    Destination,
    ProviderActivatedOn,
    MigrationStartedOn,
    GoLiveOn,
    SubmittedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
    Username,
    PasswordHash,
    Role,
    AdministrationId,
    SupplierId,
    DisplayName,
    Disabled,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AuthToken {
    Table,
    Id,
    AccountId,
    TokenHash,
    Kind,
    Name,
    ExpiresAt,
    RevokedAt,
    LastUsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum VerificationRequest {
    Table,
    Id,
    ApplicationId,
    OpenedBy,
    Title,
    Body,
    DueOn,
    State,
    OpenedAt,
    AnsweredAt,
    ClosedAt,
    Version,
}

#[derive(DeriveIden)]
enum VerificationCheck {
    Table,
    Id,
    ApplicationId,
    PlannedServiceId,
    Item,
    Outcome,
    Notes,
    RecordedBy,
    RecordedAt,
}

#[derive(DeriveIden)]
enum Document {
    Table,
    Id,
    ApplicationId,
    RequestId,
    PlannedServiceId,
    Kind,
    FileName,
    ContentType,
    SizeBytes,
    Sha256,
    StorageKey,
    UploadedBy,
    UploadedAt,
}

#[derive(DeriveIden)]
enum Event {
    Table,
    Id,
    OccurredAt,
    ActorAccountId,
    ActorRole,
    ActorName,
    EntityType,
    EntityId,
    Action,
    ApplicationId,
    BeforeJson,
    AfterJson,
}

#[derive(DeriveIden)]
enum Notification {
    Table,
    Id,
    AccountId,
    RecipientRole,
    AdministrationId,
    ApplicationId,
    Kind,
    Message,
    CreatedAt,
    ReadAt,
    DeliveredAt,
}

#[derive(DeriveIden)]
enum IdempotencyKey {
    Table,
    Id,
    AccountId,
    Key,
    Operation,
    ResponseJson,
    CreatedAt,
}

fn fk(
    name: &str,
    from: (impl IntoIden + 'static, impl IntoIden + 'static),
    to: (impl IntoIden + 'static, impl IntoIden + 'static),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(on_delete)
        .to_owned()
}

fn index(
    name: &str,
    table: impl IntoIden + 'static,
    cols: &[&'static str],
    unique: bool,
) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(name).table(table);
    for col in cols {
        stmt.col(Alias::new(*col));
    }
    if unique {
        stmt.unique();
    }
    stmt.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, Restrict, SetNull};

        manager
            .create_table(
                Table::create()
                    .table(Administration::Table)
                    .col(pk_auto(Administration::Id))
                    .col(string_len(Administration::IpaCode, 40))
                    .col(string_len(Administration::IpaKey, 40))
                    .col(string_len(Administration::Name, 300))
                    .col(string_len(Administration::TypeCode, 32))
                    .col(string_len_null(Administration::TypeLabel, 64))
                    .col(string_len_null(Administration::Comune, 120))
                    .col(string_len_null(Administration::ComuneIstat, 6))
                    .col(string_len_null(Administration::Provincia, 8))
                    .col(string_len_null(Administration::ProvinciaIstat, 3))
                    .col(string_len(Administration::Region, 64))
                    .col(string_len_null(Administration::RegionIstat, 2))
                    .col(big_integer_null(Administration::Population))
                    .col(timestamp_with_time_zone(Administration::CreatedAt))
                    .col(timestamp_with_time_zone(Administration::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_administration_ipa_key",
                Administration::Table,
                &["ipa_key"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_administration_region",
                Administration::Table,
                &["region", "type_code"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_administration_type",
                Administration::Table,
                &["type_code"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Call::Table)
                    .col(pk_auto(Call::Id))
                    .col(string_len(Call::Title, 300))
                    .col(string_len_null(Call::Measure, 200))
                    .col(string_len_null(Call::TargetTypes, 200))
                    .col(date_null(Call::OpensOn))
                    .col(date_null(Call::ClosesOn))
                    .col(string_len_null(Call::Status, 40))
                    .col(big_integer_null(Call::BudgetEur))
                    .col(big_integer_null(Call::MeasureBudgetEur))
                    .col(string_len_null(Call::ContractTerm, 20))
                    .col(string_len_null(Call::CompletionTerm, 20))
                    .col(string_len(Call::CompletionFrom, 20).default("CONTRACT_DATE"))
                    .col(date_null(Call::HardCap))
                    .col(timestamp_with_time_zone(Call::CreatedAt))
                    .col(timestamp_with_time_zone(Call::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("ux_call_title", Call::Table, &["title"], true))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Supplier::Table)
                    .col(pk_auto(Supplier::Id))
                    .col(string_len(Supplier::VatNumber, 11))
                    .col(string_len(Supplier::Name, 200))
                    .col(boolean(Supplier::IsPsn).default(false))
                    .col(date_null(Supplier::QualifiedUntil))
                    .col(timestamp_with_time_zone(Supplier::CreatedAt))
                    .col(timestamp_with_time_zone(Supplier::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_supplier_vat",
                Supplier::Table,
                &["vat_number"],
                true,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Account::Table)
                    .col(pk_auto(Account::Id))
                    .col(string_len(Account::Username, 80))
                    .col(string_len(Account::PasswordHash, 200))
                    .col(string_len(Account::Role, 20))
                    .col(integer_null(Account::AdministrationId))
                    .col(integer_null(Account::SupplierId))
                    .col(string_len_null(Account::DisplayName, 200))
                    .col(boolean(Account::Disabled).default(false))
                    .col(timestamp_with_time_zone(Account::CreatedAt))
                    .col(timestamp_with_time_zone(Account::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_account_administration",
                        (Account::Table, Account::AdministrationId),
                        (Administration::Table, Administration::Id),
                        Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_account_supplier",
                        (Account::Table, Account::SupplierId),
                        (Supplier::Table, Supplier::Id),
                        Restrict,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(index(
                "ux_account_username",
                Account::Table,
                &["username"],
                true,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Application::Table)
                    .col(pk_auto(Application::Id))
                    .col(integer(Application::AdministrationId))
                    .col(integer(Application::CallId))
                    .col(string_len(Application::Cup, 15))
                    .col(big_integer(Application::AmountEur))
                    .col(string_len(Application::State, 24))
                    .col(timestamp_with_time_zone_null(Application::SubmittedAt))
                    .col(date_null(Application::FundedOn))
                    .col(string_len_null(Application::DecreeRef, 200))
                    .col(integer_null(Application::TimeWindow))
                    .col(integer_null(Application::ProtocolNumber))
                    .col(date_null(Application::StateChangedOn))
                    .col(date_null(Application::ContractOn))
                    .col(integer_null(Application::VerifierAccountId))
                    .col(string_len_null(Application::VerificationOutcome, 24))
                    .col(timestamp_with_time_zone_null(
                        Application::VerificationOutcomeAt,
                    ))
                    .col(integer(Application::Version).default(1))
                    .col(timestamp_with_time_zone(Application::CreatedAt))
                    .col(timestamp_with_time_zone(Application::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_application_administration",
                        (Application::Table, Application::AdministrationId),
                        (Administration::Table, Administration::Id),
                        Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_application_call",
                        (Application::Table, Application::CallId),
                        (Call::Table, Call::Id),
                        Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_application_verifier",
                        (Application::Table, Application::VerifierAccountId),
                        (Account::Table, Account::Id),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, cols, unique) in [
            ("ux_application_cup_call", &["cup", "call_id"][..], true),
            (
                "ix_application_administration",
                &["administration_id"][..],
                false,
            ),
            ("ix_application_call", &["call_id"][..], false),
            ("ix_application_state", &["state"][..], false),
            (
                "ix_application_verifier",
                &["verifier_account_id"][..],
                false,
            ),
        ] {
            manager
                .create_index(index(name, Application::Table, cols, unique))
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(CatalogueService::Table)
                    .col(pk_auto(CatalogueService::Id))
                    .col(string_len(CatalogueService::TargetType, 32))
                    .col(string_len(CatalogueService::Code, 64))
                    .col(string_len(CatalogueService::Name, 200))
                    .col(text_null(CatalogueService::Description))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_catalogue_service_code",
                CatalogueService::Table,
                &["target_type", "code"],
                true,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CloudOffering::Table)
                    .col(pk_auto(CloudOffering::Id))
                    .col(integer(CloudOffering::SupplierId))
                    .col(string_len(CloudOffering::Code, 64))
                    .col(string_len(CloudOffering::Name, 200))
                    .col(string_len(CloudOffering::ServiceModel, 8))
                    .col(string_len(CloudOffering::DeploymentModel, 16))
                    .col(string_len(CloudOffering::MaxDataClass, 16))
                    .col(string_len_null(CloudOffering::QualificationLevel, 16))
                    .col(date_null(CloudOffering::QualifiedOn))
                    .col(date_null(CloudOffering::QualifiedUntil))
                    .col(timestamp_with_time_zone(CloudOffering::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_offering_supplier",
                        (CloudOffering::Table, CloudOffering::SupplierId),
                        (Supplier::Table, Supplier::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_offering_code",
                CloudOffering::Table,
                &["supplier_id", "code"],
                true,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PlannedService::Table)
                    .col(pk_auto(PlannedService::Id))
                    .col(integer(PlannedService::ApplicationId))
                    .col(integer_null(PlannedService::CatalogueServiceId))
                    .col(string_len(PlannedService::Name, 200))
                    .col(string_len(PlannedService::DataClass, 16))
                    .col(string_len_null(PlannedService::Modality, 1))
                    .col(string_len_null(PlannedService::Origin, 24))
                    .col(string_len_null(PlannedService::Destination, 8))
                    .col(integer_null(PlannedService::OfferingId))
                    .col(integer_null(PlannedService::SupplierId))
                    .col(string_len(PlannedService::Status, 16))
                    .col(date_null(PlannedService::ContractOn))
                    .col(timestamp_with_time_zone_null(PlannedService::CutoverStart))
                    .col(timestamp_with_time_zone_null(PlannedService::CutoverEnd))
                    .col(integer(PlannedService::Version).default(1))
                    .col(timestamp_with_time_zone(PlannedService::CreatedAt))
                    .col(timestamp_with_time_zone(PlannedService::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_planned_service_application",
                        (PlannedService::Table, PlannedService::ApplicationId),
                        (Application::Table, Application::Id),
                        Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_planned_service_catalogue",
                        (PlannedService::Table, PlannedService::CatalogueServiceId),
                        (CatalogueService::Table, CatalogueService::Id),
                        SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "fk_planned_service_offering",
                        (PlannedService::Table, PlannedService::OfferingId),
                        (CloudOffering::Table, CloudOffering::Id),
                        SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "fk_planned_service_supplier",
                        (PlannedService::Table, PlannedService::SupplierId),
                        (Supplier::Table, Supplier::Id),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_planned_service_application",
                PlannedService::Table,
                &["application_id"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_planned_service_supplier",
                PlannedService::Table,
                &["supplier_id", "status"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Assessment::Table)
                    .col(pk_auto(Assessment::Id))
                    .col(integer(Assessment::PlannedServiceId))
                    .col(integer(Assessment::Version))
                    .col(string_len_null(Assessment::ApplicationName, 200))
                    .col(integer_null(Assessment::CpuCores))
                    .col(integer_null(Assessment::MemoryGb))
                    .col(integer_null(Assessment::StorageGb))
                    .col(integer_null(Assessment::Users))
                    .col(string_len_null(Assessment::Destination, 200))
                    .col(date_null(Assessment::ProviderActivatedOn))
                    .col(date_null(Assessment::MigrationStartedOn))
                    .col(date_null(Assessment::GoLiveOn))
                    .col(integer_null(Assessment::SubmittedBy))
                    .col(timestamp_with_time_zone(Assessment::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_assessment_service",
                        (Assessment::Table, Assessment::PlannedServiceId),
                        (PlannedService::Table, PlannedService::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_assessment_version",
                Assessment::Table,
                &["planned_service_id", "version"],
                true,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuthToken::Table)
                    .col(pk_auto(AuthToken::Id))
                    .col(integer(AuthToken::AccountId))
                    .col(string_len(AuthToken::TokenHash, 64))
                    .col(string_len(AuthToken::Kind, 16))
                    .col(string_len_null(AuthToken::Name, 120))
                    .col(timestamp_with_time_zone(AuthToken::ExpiresAt))
                    .col(timestamp_with_time_zone_null(AuthToken::RevokedAt))
                    .col(timestamp_with_time_zone_null(AuthToken::LastUsedAt))
                    .col(timestamp_with_time_zone(AuthToken::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_token_account",
                        (AuthToken::Table, AuthToken::AccountId),
                        (Account::Table, Account::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_token_hash",
                AuthToken::Table,
                &["token_hash"],
                true,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(VerificationRequest::Table)
                    .col(pk_auto(VerificationRequest::Id))
                    .col(integer(VerificationRequest::ApplicationId))
                    .col(integer_null(VerificationRequest::OpenedBy))
                    .col(string_len(VerificationRequest::Title, 200))
                    .col(text(VerificationRequest::Body))
                    .col(date(VerificationRequest::DueOn))
                    .col(string_len(VerificationRequest::State, 16))
                    .col(timestamp_with_time_zone(VerificationRequest::OpenedAt))
                    .col(timestamp_with_time_zone_null(
                        VerificationRequest::AnsweredAt,
                    ))
                    .col(timestamp_with_time_zone_null(VerificationRequest::ClosedAt))
                    .col(integer(VerificationRequest::Version).default(1))
                    .foreign_key(&mut fk(
                        "fk_request_application",
                        (
                            VerificationRequest::Table,
                            VerificationRequest::ApplicationId,
                        ),
                        (Application::Table, Application::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_request_application",
                VerificationRequest::Table,
                &["application_id", "state"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(VerificationCheck::Table)
                    .col(pk_auto(VerificationCheck::Id))
                    .col(integer(VerificationCheck::ApplicationId))
                    .col(integer_null(VerificationCheck::PlannedServiceId))
                    .col(string_len(VerificationCheck::Item, 200))
                    .col(string_len(VerificationCheck::Outcome, 24))
                    .col(text_null(VerificationCheck::Notes))
                    .col(integer_null(VerificationCheck::RecordedBy))
                    .col(timestamp_with_time_zone(VerificationCheck::RecordedAt))
                    .foreign_key(&mut fk(
                        "fk_check_application",
                        (VerificationCheck::Table, VerificationCheck::ApplicationId),
                        (Application::Table, Application::Id),
                        Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_check_application",
                VerificationCheck::Table,
                &["application_id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Document::Table)
                    .col(pk_auto(Document::Id))
                    .col(integer(Document::ApplicationId))
                    .col(integer_null(Document::RequestId))
                    .col(integer_null(Document::PlannedServiceId))
                    .col(string_len(Document::Kind, 32))
                    .col(string_len(Document::FileName, 255))
                    .col(string_len(Document::ContentType, 100))
                    .col(big_integer(Document::SizeBytes))
                    .col(string_len(Document::Sha256, 64))
                    .col(string_len(Document::StorageKey, 100))
                    .col(integer_null(Document::UploadedBy))
                    .col(timestamp_with_time_zone(Document::UploadedAt))
                    .foreign_key(&mut fk(
                        "fk_document_application",
                        (Document::Table, Document::ApplicationId),
                        (Application::Table, Application::Id),
                        Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_document_request",
                        (Document::Table, Document::RequestId),
                        (VerificationRequest::Table, VerificationRequest::Id),
                        SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_document_application",
                Document::Table,
                &["application_id"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ux_document_storage_key",
                Document::Table,
                &["storage_key"],
                true,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Event::Table)
                    .col(pk_auto(Event::Id))
                    .col(timestamp_with_time_zone(Event::OccurredAt))
                    .col(integer_null(Event::ActorAccountId))
                    .col(string_len(Event::ActorRole, 20))
                    .col(string_len_null(Event::ActorName, 120))
                    .col(string_len(Event::EntityType, 40))
                    .col(string_len(Event::EntityId, 80))
                    .col(string_len(Event::Action, 60))
                    .col(integer_null(Event::ApplicationId))
                    .col(text_null(Event::BeforeJson))
                    .col(text_null(Event::AfterJson))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_event_application",
                Event::Table,
                &["application_id", "occurred_at"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_event_entity",
                Event::Table,
                &["entity_type", "entity_id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Notification::Table)
                    .col(pk_auto(Notification::Id))
                    .col(integer_null(Notification::AccountId))
                    .col(string_len_null(Notification::RecipientRole, 20))
                    .col(integer_null(Notification::AdministrationId))
                    .col(integer_null(Notification::ApplicationId))
                    .col(string_len(Notification::Kind, 40))
                    .col(text(Notification::Message))
                    .col(timestamp_with_time_zone(Notification::CreatedAt))
                    .col(timestamp_with_time_zone_null(Notification::ReadAt))
                    .col(timestamp_with_time_zone_null(Notification::DeliveredAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_notification_account",
                Notification::Table,
                &["account_id", "read_at"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_notification_administration",
                Notification::Table,
                &["administration_id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKey::Table)
                    .col(pk_auto(IdempotencyKey::Id))
                    .col(integer(IdempotencyKey::AccountId))
                    .col(string_len(IdempotencyKey::Key, 100))
                    .col(string_len(IdempotencyKey::Operation, 60))
                    .col(text(IdempotencyKey::ResponseJson))
                    .col(timestamp_with_time_zone(IdempotencyKey::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "ux_idempotency_key",
                IdempotencyKey::Table,
                &["account_id", "key"],
                true,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            IdempotencyKey::Table.into_iden(),
            Notification::Table.into_iden(),
            Event::Table.into_iden(),
            Document::Table.into_iden(),
            VerificationCheck::Table.into_iden(),
            VerificationRequest::Table.into_iden(),
            AuthToken::Table.into_iden(),
            Assessment::Table.into_iden(),
            PlannedService::Table.into_iden(),
            CloudOffering::Table.into_iden(),
            CatalogueService::Table.into_iden(),
            Application::Table.into_iden(),
            Supplier::Table.into_iden(),
            Account::Table.into_iden(),
            Call::Table.into_iden(),
            Administration::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
