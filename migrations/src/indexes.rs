//! Plain indexes created and dropped by name, for the migrations that add indexes only.

use sea_orm_migration::prelude::*;

/// An index's name and its columns, in order.
pub(crate) type Named<'a> = (&'a str, &'a [&'a str]);

/// Creates each index on `table`.
pub(crate) async fn create(
    manager: &SchemaManager<'_>,
    table: &str,
    indexes: &[Named<'_>],
) -> Result<(), DbErr> {
    for (name, columns) in indexes {
        let mut index = Index::create();
        index.name(*name).table(Alias::new(table));
        for c in *columns {
            index.col(Alias::new(*c));
        }
        manager.create_index(index.to_owned()).await?;
    }
    Ok(())
}

/// Drops each index of `table`.
pub(crate) async fn drop(
    manager: &SchemaManager<'_>,
    table: &str,
    indexes: &[Named<'_>],
) -> Result<(), DbErr> {
    for (name, _) in indexes {
        manager
            .drop_index(
                Index::drop()
                    .name(*name)
                    .table(Alias::new(table))
                    .to_owned(),
            )
            .await?;
    }
    Ok(())
}
