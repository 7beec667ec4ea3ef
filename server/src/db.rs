//! Connecting to the database. SQLite (a file) by default, PostgreSQL by URL; the same
//! migrations run on both.

use std::time::Duration;

use anyhow::Context;
use nuvola_migrations::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection,
    DatabaseTransaction, DbErr, TransactionTrait,
};

/// Opens a pool on `url` and applies pending migrations.
#[tracing::instrument(skip_all, fields(backend))]
pub async fn connect_and_migrate(url: &str) -> anyhow::Result<DatabaseConnection> {
    let db = connect(url).await?;
    tracing::Span::current().record("backend", tracing::field::debug(db.get_database_backend()));
    migrate(&db).await?;
    Ok(db)
}

/// Opens a connection pool. SQLite gets WAL, foreign keys and a busy timeout so that
/// readers never block the writer.
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    let mut opts = ConnectOptions::new(url.to_owned());
    let is_sqlite = url.starts_with("sqlite:");
    opts.sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10));
    if is_sqlite {
        // One writer at a time is SQLite's rule; a handful of readers is plenty. WAL and
        // synchronous=NORMAL on every connection of the pool, not only the first.
        opts.max_connections(8)
            .min_connections(1)
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
            });
    } else {
        opts.max_connections(20).min_connections(2);
    }
    let mut db = Database::connect(opts)
        .await
        .with_context(|| format!("connecting to the database {}", redact(url)))?;
    db.set_metric_callback(|info| {
        crate::metrics::db_query(info.elapsed.as_secs_f64(), info.failed)
    });
    Ok(db)
}

/// Begins a transaction that will write. On SQLite it takes the write lock at once, as
/// `BEGIN IMMEDIATE` would: a transaction that reads first and writes later could find,
/// when it tries to write, that another writer committed since its snapshot, and SQLite
/// would refuse it outright ("database is locked") instead of waiting its busy timeout.
/// Taking the lock first makes concurrent writers queue, so a stale write is caught by
/// the version checks (CONFLICT) like on PostgreSQL.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let txn = db.begin().await?;
    if db.get_database_backend() == DatabaseBackend::Sqlite {
        // Any write statement takes the lock, even one that changes no row.
        txn.execute_unprepared("UPDATE seaql_migrations SET version = version WHERE 0")
            .await?;
    }
    Ok(txn)
}

/// How many migrations the database still lacks.
pub async fn pending_migrations(db: &DatabaseConnection) -> anyhow::Result<usize> {
    Ok(Migrator::get_pending_migrations(db)
        .await
        .context("reading the applied migrations")?
        .len())
}

/// Applies pending migrations.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None)
        .await
        .context("applying database migrations")
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact("postgres://nuvola:secret@db:5432/nuvola"),
            "postgres://nuvola:***@db:5432/nuvola"
        );
        assert_eq!(
            redact("sqlite://nuvola.db?mode=rwc"),
            "sqlite://nuvola.db?mode=rwc"
        );
    }
}
