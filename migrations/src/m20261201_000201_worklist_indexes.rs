//! Indexes for the paged lists of one's own work (issue 14): a supplier's services a
//! page at a time in id order, with or without a status, and the projects where it
//! holds a service. Checked with EXPLAIN on PostgreSQL on `seed-national --scale 0.1`.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000201_worklist_indexes"
    }
}

/// (name, columns) on `planned_service`.
const INDEXES: [(&str, &[&str]); 3] = [
    // `WHERE supplier_id = ? AND id > ? ORDER BY id LIMIT n`: the page read in order,
    // not the supplier's every service sorted.
    ("ix_planned_service_supplier_id", &["supplier_id", "id"]),
    // The same with a status (the filter of a bulk move, the page's status filter).
    (
        "ix_planned_service_supplier_status_id",
        &["supplier_id", "status", "id"],
    ),
    // `application.id IN (SELECT application_id … WHERE supplier_id = ?)`: the
    // supplier's projects from the index alone.
    (
        "ix_planned_service_supplier_project",
        &["supplier_id", "application_id"],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, columns) in INDEXES {
            let mut index = Index::create();
            index.name(name).table(Alias::new("planned_service"));
            for c in columns {
                index.col(Alias::new(*c));
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in INDEXES {
            manager
                .drop_index(
                    Index::drop()
                        .name(name)
                        .table(Alias::new("planned_service"))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
