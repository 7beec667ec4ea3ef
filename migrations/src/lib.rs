//! The database schema of Nuvola, as append-only migrations that run unchanged on
//! SQLite and PostgreSQL. Never edit a migration that has been released: add one.

pub use sea_orm_migration::prelude::*;

mod indexes;

mod m20261123_000001_initial;
mod m20261123_000002_rate_limit;
mod m20261123_000003_catalogue;
mod m20261123_000004_deadlines;
mod m20261123_000005_documents;
mod m20261123_000006_event_notify;
mod m20261123_000007_state_reason;
mod m20261129_000001_import;
mod m20261129_000002_renunciation_request;
mod m20261130_000001_contract;
mod m20261130_000021_outbox;
mod m20261201_000101_membership;
mod m20261201_000201_worklist_indexes;
mod m20261201_000401_progress_reported;
mod m20261201_000402_notification_english;
mod m20261202_000101_oidc_login;
mod m20261202_000201_onboarding;
mod m20261203_000101_history_index;
mod m20261203_000102_application_place;
mod m20261203_000103_renunciation_index;
mod m20261204_000101_state_index;

/// The SQL that derives `application.progress_reported_at` from the audit log.
pub use m20261201_000401_progress_reported::BACKFILL as PROGRESS_REPORTED_BACKFILL;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_initial::Migration),
            Box::new(m20261123_000002_rate_limit::Migration),
            Box::new(m20261123_000003_catalogue::Migration),
            Box::new(m20261123_000004_deadlines::Migration),
            Box::new(m20261123_000005_documents::Migration),
            Box::new(m20261123_000006_event_notify::Migration),
            Box::new(m20261123_000007_state_reason::Migration),
            Box::new(m20261129_000001_import::Migration),
            Box::new(m20261129_000002_renunciation_request::Migration),
            Box::new(m20261130_000001_contract::Migration),
            Box::new(m20261130_000021_outbox::Migration),
            Box::new(m20261201_000101_membership::Migration),
            Box::new(m20261201_000201_worklist_indexes::Migration),
            Box::new(m20261201_000401_progress_reported::Migration),
            Box::new(m20261201_000402_notification_english::Migration),
            Box::new(m20261202_000101_oidc_login::Migration),
            Box::new(m20261202_000201_onboarding::Migration),
            Box::new(m20261203_000101_history_index::Migration),
            Box::new(m20261203_000102_application_place::Migration),
            Box::new(m20261203_000103_renunciation_index::Migration),
            Box::new(m20261204_000101_state_index::Migration),
        ]
    }
}
