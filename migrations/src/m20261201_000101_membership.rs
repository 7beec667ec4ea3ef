//! Persons and memberships (issue 12). A person is the `account` row (audit events,
//! tokens, preferences and read state already point to it); it gains the fiscal code an
//! identity provider asserts. What a person may do comes from a membership: an
//! organisation (an administration, a supplier, the department, a verifier body) and a
//! role in it. A session records the membership it acts for.
//!
//! Every existing account becomes a person with one membership (its role and body), and
//! its open sessions act for that membership, so nobody is logged out by the upgrade.
//! The account's own `role`, `administration_id` and `supplier_id` stay as written at
//! creation; permissions no longer read them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
    /// The fiscal code (codice fiscale) the identity provider asserts, upper case,
    /// without the `TINIT-` prefix; null for local accounts that only use a password.
    FiscalCode,
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
    Id,
    /// The person (account) that holds it.
    AccountId,
    /// ADMINISTRATION, SUPPLIER, PSN, DEPARTMENT or VERIFIER.
    Role,
    AdministrationId,
    SupplierId,
    /// The name of a verifier body or of the department's office, when there is one.
    BodyName,
    CreatedAt,
    /// Set when the membership is removed; its sessions end at the same moment.
    RemovedAt,
}

#[derive(DeriveIden)]
enum AuthToken {
    Table,
    /// The membership a session acts for; null until the person picks one.
    MembershipId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Account::Table)
                    .add_column(string_len_null(Account::FiscalCode, 16))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_account_fiscal_code")
                    .table(Account::Table)
                    .col(Account::FiscalCode)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Membership::Table)
                    .col(pk_auto(Membership::Id))
                    .col(integer(Membership::AccountId))
                    .col(string_len(Membership::Role, 20))
                    .col(integer_null(Membership::AdministrationId))
                    .col(integer_null(Membership::SupplierId))
                    .col(string_len_null(Membership::BodyName, 200))
                    .col(timestamp_with_time_zone(Membership::CreatedAt))
                    .col(timestamp_with_time_zone_null(Membership::RemovedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_membership_account")
                            .from(Membership::Table, Membership::AccountId)
                            .to(Account::Table, Account::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_membership_administration")
                            .from(Membership::Table, Membership::AdministrationId)
                            .to(Administration::Table, Administration::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_membership_supplier")
                            .from(Membership::Table, Membership::SupplierId)
                            .to(Supplier::Table, Supplier::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("ix_membership_account", &["account_id", "removed_at"][..]),
            ("ix_membership_administration", &["administration_id"][..]),
            ("ix_membership_supplier", &["supplier_id"][..]),
        ] {
            let mut index = Index::create();
            index.name(name).table(Membership::Table);
            for col in cols {
                index.col(Alias::new(*col));
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(AuthToken::Table)
                    .add_column(integer_null(AuthToken::MembershipId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_auth_token_membership")
                    .table(AuthToken::Table)
                    .col(AuthToken::MembershipId)
                    .to_owned(),
            )
            .await?;
        // Each account becomes a person with one membership; its sessions act for it.
        let db = manager.get_connection();
        db.execute_unprepared(
            "INSERT INTO membership (account_id, role, administration_id, supplier_id, created_at) \
             SELECT id, role, administration_id, supplier_id, created_at FROM account",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE auth_token SET membership_id = \
             (SELECT m.id FROM membership m WHERE m.account_id = auth_token.account_id)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_auth_token_membership")
                    .table(AuthToken::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AuthToken::Table)
                    .drop_column(AuthToken::MembershipId)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(Membership::Table).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ux_account_fiscal_code")
                    .table(Account::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Account::Table)
                    .drop_column(Account::FiscalCode)
                    .to_owned(),
            )
            .await
    }
}
