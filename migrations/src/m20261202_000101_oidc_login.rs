//! Logins under way through an OpenID Connect provider (SPID, CIE, any OIDC).
//!
//! Between the redirect to the provider and its answer, the `state`, `nonce` and PKCE
//! verifier of a login wait here, not in the memory of the replica that sent the person
//! away: the answer may reach another replica. A row is used once (`used_at`) and is
//! refused after ten minutes.
//!
//! The relying party's RSA keys (PEM, about 1,700 characters) are kept in `app_secret`,
//! whose value was sized for 64-character secrets: on PostgreSQL it becomes `text`
//! (SQLite does not enforce the length).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OidcLogin {
    Table,
    State,
    Provider,
    Nonce,
    PkceVerifier,
    CreatedAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum AppSecret {
    Table,
    Value,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OidcLogin::Table)
                    .col(string_len(OidcLogin::State, 128).primary_key())
                    .col(string_len(OidcLogin::Provider, 64))
                    .col(string_len(OidcLogin::Nonce, 128))
                    .col(string_len(OidcLogin::PkceVerifier, 128))
                    .col(timestamp_with_time_zone(OidcLogin::CreatedAt))
                    .col(timestamp_with_time_zone_null(OidcLogin::UsedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_oidc_login_created_at")
                    .table(OidcLogin::Table)
                    .col(OidcLogin::CreatedAt)
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() == sea_orm_migration::sea_orm::DatabaseBackend::Postgres {
            manager
                .alter_table(
                    Table::alter()
                        .table(AppSecret::Table)
                        .modify_column(ColumnDef::new(AppSecret::Value).text().not_null())
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(OidcLogin::Table).to_owned())
            .await
    }
}
