//! The region and type of a project's body, kept on the project itself (issue 14), so that
//! a list filtered by region or type reads its page from one index in id order instead of
//! joining every body of the region to every one of their projects and sorting them all.
//!
//! Measured on the national data set (SQLite, 25,006 projects, 16,546 bodies): the ids of
//! the first page of Lombardia's 3,949 projects took 0.9 ms through the join (1,500 index
//! seeks on `ix_application_administration` and a sort), the largest cost of the public
//! list's request.
//!
//! The copies are kept by the database, whatever writes: triggers copy the body's region
//! and type when a project is inserted or moves to another body, and pass a body's new
//! region or type on to its projects. Nothing in the application writes these columns,
//! and the sea-orm entity does not carry them (a stale model can never write one back).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000102_application_place"
    }
}

const SQLITE_TRIGGERS: [&str; 3] = [
    "CREATE TRIGGER application_place_insert AFTER INSERT ON application
     BEGIN
         UPDATE application SET
             administration_region = (SELECT region FROM administration WHERE id = NEW.administration_id),
             administration_type = (SELECT type_code FROM administration WHERE id = NEW.administration_id)
         WHERE id = NEW.id;
     END",
    "CREATE TRIGGER application_place_body AFTER UPDATE OF administration_id ON application
     BEGIN
         UPDATE application SET
             administration_region = (SELECT region FROM administration WHERE id = NEW.administration_id),
             administration_type = (SELECT type_code FROM administration WHERE id = NEW.administration_id)
         WHERE id = NEW.id;
     END",
    "CREATE TRIGGER administration_place AFTER UPDATE OF region, type_code ON administration
     BEGIN
         UPDATE application SET administration_region = NEW.region, administration_type = NEW.type_code
         WHERE administration_id = NEW.id;
     END",
];

const POSTGRES_TRIGGERS: [&str; 4] = [
    "CREATE OR REPLACE FUNCTION nuvola_application_place() RETURNS trigger AS $$
     BEGIN
         SELECT region, type_code INTO NEW.administration_region, NEW.administration_type
         FROM administration WHERE id = NEW.administration_id;
         RETURN NEW;
     END;
     $$ LANGUAGE plpgsql",
    "CREATE TRIGGER application_place BEFORE INSERT OR UPDATE OF administration_id ON application
     FOR EACH ROW EXECUTE FUNCTION nuvola_application_place()",
    "CREATE OR REPLACE FUNCTION nuvola_administration_place() RETURNS trigger AS $$
     BEGIN
         UPDATE application SET administration_region = NEW.region, administration_type = NEW.type_code
         WHERE administration_id = NEW.id;
         RETURN NULL;
     END;
     $$ LANGUAGE plpgsql",
    "CREATE TRIGGER administration_place AFTER UPDATE OF region, type_code ON administration
     FOR EACH ROW WHEN (OLD.region IS DISTINCT FROM NEW.region OR OLD.type_code IS DISTINCT FROM NEW.type_code)
     EXECUTE FUNCTION nuvola_administration_place()",
];

/// On `application`.
const INDEXES: &[crate::indexes::Named] = &[
    ("ix_application_region_id", &["administration_region", "id"]),
    ("ix_application_type_id", &["administration_type", "id"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["administration_region", "administration_type"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("application"))
                        .add_column(ColumnDef::new(Alias::new(column)).string_len(64).null())
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE application SET
                 administration_region = (SELECT region FROM administration WHERE administration.id = application.administration_id),
                 administration_type = (SELECT type_code FROM administration WHERE administration.id = application.administration_id)",
        )
        .await?;
        let triggers: &[&str] = if manager.get_database_backend() == DatabaseBackend::Postgres {
            &POSTGRES_TRIGGERS
        } else {
            &SQLITE_TRIGGERS
        };
        for sql in triggers {
            db.execute_unprepared(sql).await?;
        }
        crate::indexes::create(manager, "application", INDEXES).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        crate::indexes::drop(manager, "application", INDEXES).await?;
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            db.execute_unprepared("DROP TRIGGER IF EXISTS application_place ON application")
                .await?;
            db.execute_unprepared("DROP TRIGGER IF EXISTS administration_place ON administration")
                .await?;
            db.execute_unprepared("DROP FUNCTION IF EXISTS nuvola_application_place()")
                .await?;
            db.execute_unprepared("DROP FUNCTION IF EXISTS nuvola_administration_place()")
                .await?;
        } else {
            for name in [
                "application_place_insert",
                "application_place_body",
                "administration_place",
            ] {
                db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {name}"))
                    .await?;
            }
        }
        for column in ["administration_region", "administration_type"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("application"))
                        .drop_column(Alias::new(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
