//! PostgreSQL: every new audit event is announced on the channel `nuvola_events` (its id
//! as the payload), so that every replica's subscriptions hear of every committed change.
//! `pg_notify` is delivered at commit, never for a rolled-back change. A no-op on SQLite,
//! where one process polls the table instead.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE OR REPLACE FUNCTION nuvola_notify_event() RETURNS trigger AS $$
             BEGIN
                 PERFORM pg_notify('nuvola_events', NEW.id::text);
                 RETURN NULL;
             END;
             $$ LANGUAGE plpgsql",
        )
        .await?;
        db.execute_unprepared(
            "CREATE TRIGGER event_notify AFTER INSERT ON event
             FOR EACH ROW EXECUTE FUNCTION nuvola_notify_event()",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared("DROP TRIGGER IF EXISTS event_notify ON event")
            .await?;
        db.execute_unprepared("DROP FUNCTION IF EXISTS nuvola_notify_event()")
            .await?;
        Ok(())
    }
}
