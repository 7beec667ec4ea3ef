//! Indexes for the paged lists of one's own work (issue 14): a supplier's services a
//! page at a time in id order, with or without a status, and the projects where it
//! holds a service.
//!
//! Checked with EXPLAIN ANALYZE on PostgreSQL 15, on the open data (12,934 projects,
//! 71,345 planned services) with `nuvola seed-supplier --projects 5000` (38,004 services
//! of one supplier) and a small supplier of 667 services. For the small one, without →
//! with these indexes: first page 0.83 → 0.12 ms, a deep page 0.83 → 0.10 ms, a page of
//! one status 0.94 → 0.11 ms, the total 1.02 → 0.09 ms, its projects' page 2.15 → 0.77
//! ms (each read from the index in order instead of the primary key scanned and filtered).
//! For the big one (half of every service) the planner rightly scans either way: pages
//! 0.05-0.1 ms, the total 11 ms. A text search (`LIKE '%…%'` on three tables) scans the
//! supplier's rows whatever the index: 5-10 ms for the small supplier, 125-150 ms for
//! the big one (a trigram index is the next step if that matters).

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
