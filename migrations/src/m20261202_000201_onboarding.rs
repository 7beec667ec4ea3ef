//! Onboarding (issue 12): a person asks to act for an administration or registers a
//! supplier (`onboarding_request`), the department approves or rejects; the first
//! approved person of an organisation is its referent (`membership.is_referent`), who
//! invites colleagues by e-mail (`invitation`: a single-use link whose token is kept
//! only as its SHA-256, with an expiry). Waiting requests and invitations are reminded,
//! then expire, by the periodic job of the `onboarding` row of `scheduled_job`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Administration {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Supplier {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Membership {
    Table,
    /// The organisation's referent: may invite colleagues and remove members.
    IsReferent,
}

#[derive(DeriveIden)]
enum OnboardingRequest {
    Table,
    Id,
    /// The person asking.
    AccountId,
    /// ADMINISTRATION or SUPPLIER: what kind of organisation is asked for.
    Kind,
    /// The role the membership will have.
    Role,
    AdministrationId,
    /// The supplier, when it is already known.
    SupplierId,
    /// The supplier's VAT number (known or proposed).
    SupplierVat,
    /// The proposed supplier's name and address, for a new supplier.
    SupplierName,
    SupplierEmail,
    /// `ADMINISTRATION:<id>` or `SUPPLIER:<vat>`: one pending request per person and
    /// organisation (a partial unique index).
    OrganisationKey,
    Note,
    /// PENDING, APPROVED, REJECTED, EXPIRED or WITHDRAWN.
    State,
    /// The department's reason for a rejection.
    Reason,
    DecidedBy,
    DecidedAt,
    /// When the department was last reminded of it.
    RemindedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Invitation {
    Table,
    Id,
    /// SHA-256 of the link's token; the token itself is never stored.
    TokenHash,
    Email,
    Role,
    AdministrationId,
    SupplierId,
    BodyName,
    InvitedBy,
    /// `it` or `en`: the language of its e-mail.
    Language,
    /// PENDING, ACCEPTED, REVOKED or EXPIRED.
    State,
    CreatedAt,
    ExpiresAt,
    RemindedAt,
    AcceptedBy,
    DecidedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Membership::Table)
                    .add_column(boolean(Membership::IsReferent).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OnboardingRequest::Table)
                    .col(pk_auto(OnboardingRequest::Id))
                    .col(integer(OnboardingRequest::AccountId))
                    .col(string_len(OnboardingRequest::Kind, 20))
                    .col(string_len(OnboardingRequest::Role, 20))
                    .col(integer_null(OnboardingRequest::AdministrationId))
                    .col(integer_null(OnboardingRequest::SupplierId))
                    .col(string_len_null(OnboardingRequest::SupplierVat, 11))
                    .col(string_len_null(OnboardingRequest::SupplierName, 200))
                    .col(string_len_null(OnboardingRequest::SupplierEmail, 254))
                    .col(string_len(OnboardingRequest::OrganisationKey, 40))
                    .col(text_null(OnboardingRequest::Note))
                    .col(string_len(OnboardingRequest::State, 12))
                    .col(text_null(OnboardingRequest::Reason))
                    .col(integer_null(OnboardingRequest::DecidedBy))
                    .col(timestamp_with_time_zone_null(OnboardingRequest::DecidedAt))
                    .col(timestamp_with_time_zone_null(OnboardingRequest::RemindedAt))
                    .col(timestamp_with_time_zone(OnboardingRequest::CreatedAt))
                    .col(timestamp_with_time_zone(OnboardingRequest::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_onboarding_request_account")
                            .from(OnboardingRequest::Table, OnboardingRequest::AccountId)
                            .to(Account::Table, Account::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_onboarding_request_administration")
                            .from(
                                OnboardingRequest::Table,
                                OnboardingRequest::AdministrationId,
                            )
                            .to(Administration::Table, Administration::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_onboarding_request_supplier")
                            .from(OnboardingRequest::Table, OnboardingRequest::SupplierId)
                            .to(Supplier::Table, Supplier::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_onboarding_request_state")
                    .table(OnboardingRequest::Table)
                    .col(OnboardingRequest::State)
                    .col(OnboardingRequest::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_onboarding_request_account")
                    .table(OnboardingRequest::Table)
                    .col(OnboardingRequest::AccountId)
                    .to_owned(),
            )
            .await?;
        // One pending request per person and organisation, whatever races: the same
        // partial unique index on both databases.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_onboarding_request_pending \
                 ON onboarding_request (account_id, organisation_key) WHERE state = 'PENDING'",
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Invitation::Table)
                    .col(pk_auto(Invitation::Id))
                    .col(string_len(Invitation::TokenHash, 64))
                    .col(string_len(Invitation::Email, 254))
                    .col(string_len(Invitation::Role, 20))
                    .col(integer_null(Invitation::AdministrationId))
                    .col(integer_null(Invitation::SupplierId))
                    .col(string_len_null(Invitation::BodyName, 200))
                    .col(integer(Invitation::InvitedBy))
                    .col(string_len(Invitation::Language, 2).default("it"))
                    .col(string_len(Invitation::State, 12))
                    .col(timestamp_with_time_zone(Invitation::CreatedAt))
                    .col(timestamp_with_time_zone(Invitation::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Invitation::RemindedAt))
                    .col(integer_null(Invitation::AcceptedBy))
                    .col(timestamp_with_time_zone_null(Invitation::DecidedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_invitation_inviter")
                            .from(Invitation::Table, Invitation::InvitedBy)
                            .to(Account::Table, Account::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_invitation_administration")
                            .from(Invitation::Table, Invitation::AdministrationId)
                            .to(Administration::Table, Administration::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_invitation_supplier")
                            .from(Invitation::Table, Invitation::SupplierId)
                            .to(Supplier::Table, Supplier::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_invitation_token_hash")
                    .table(Invitation::Table)
                    .col(Invitation::TokenHash)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_invitation_state")
                    .table(Invitation::Table)
                    .col(Invitation::State)
                    .col(Invitation::ExpiresAt)
                    .to_owned(),
            )
            .await?;
        let mut insert = Query::insert();
        insert
            .into_table(Alias::new("scheduled_job"))
            .columns([Alias::new("name")])
            .values(["onboarding".into()])
            .map_err(|e| DbErr::Custom(e.to_string()))?;
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut delete = Query::delete();
        delete
            .from_table(Alias::new("scheduled_job"))
            .and_where(Expr::col(Alias::new("name")).eq("onboarding"));
        manager.exec_stmt(delete).await?;
        manager
            .drop_table(Table::drop().table(Invitation::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(OnboardingRequest::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Membership::Table)
                    .drop_column(Membership::IsReferent)
                    .to_owned(),
            )
            .await
    }
}
