//! A page of projects in one state (`applications(filter: {state: FUNDED})`, the public
//! list's most common filter) is `WHERE state = $1 ORDER BY id LIMIT n`. On PostgreSQL the
//! index on `state` alone keeps each state's entries in the order of the table's pages,
//! not of `id`: the page walked the primary key and fetched every project to test its
//! state (hundreds of rows for 51). `(state, id)` reads the 51 entries in order.
//! SQLite's index on `state` already ended with the rowid; the new one is the same there.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000101_state_index"
    }
}

const OLD: &[crate::indexes::Named] = &[("ix_application_state", &["state"])];
const NEW: &[crate::indexes::Named] = &[("ix_application_state_id", &["state", "id"])];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::indexes::create(manager, "application", NEW).await?;
        crate::indexes::drop(manager, "application", OLD).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::indexes::create(manager, "application", OLD).await?;
        crate::indexes::drop(manager, "application", NEW).await
    }
}
