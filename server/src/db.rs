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

/// How long a request waits for a connection of the pool (or for a new connection to the
/// database) before it gives up and answers `UNAVAILABLE`. A request must fail within 2 s
/// when the database is down (sqlx retries a refused connection until this deadline), and
/// a healthy pool under load hands out connections in milliseconds: waiting longer only
/// piles requests up behind an outage.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_millis(1500);

/// Opens a connection pool. SQLite gets WAL, foreign keys and a busy timeout so that
/// readers never block the writer.
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    let mut opts = ConnectOptions::new(url.to_owned());
    let is_sqlite = url.starts_with("sqlite:");
    // sea-orm hands both to sqlx's `acquire_timeout`, which bounds the whole wait:
    // an idle connection's liveness check, or opening a new one (retried while refused).
    opts.sqlx_logging(false)
        .connect_timeout(ACQUIRE_TIMEOUT)
        .acquire_timeout(ACQUIRE_TIMEOUT);
    if is_sqlite {
        // One writer at a time is SQLite's rule; a handful of readers is plenty. WAL and
        // synchronous=NORMAL on every connection of the pool, not only the first. A
        // connection to a file, on its own thread, does not die while idle: it is not
        // checked when handed out. PostgreSQL's are (a restart, a failover, or a tokio
        // runtime that shut down leaves a dead one in the pool).
        opts.max_connections(8)
            .min_connections(1)
            .test_before_acquire(false)
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

/// Whether a database error means that the database cannot be reached now (down,
/// unreachable, refusing connections, restarting, the pool exhausted past
/// [`ACQUIRE_TIMEOUT`]) rather than that the request or the code is wrong: the request
/// may be retried. The API answers these with `UNAVAILABLE` (HTTP 503), not `INTERNAL`.
pub fn is_unavailable(err: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    match err {
        DbErr::ConnectionAcquire(_) => true,
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => sqlx_unavailable(e),
        // A connection that could not be opened, whatever sqlx said.
        DbErr::Conn(RuntimeErr::Internal(_)) => true,
        _ => false,
    }
}

fn sqlx_unavailable(e: &sea_orm::sqlx::Error) -> bool {
    use sea_orm::sqlx::Error;
    match e {
        Error::Io(_)
        | Error::Tls(_)
        | Error::PoolTimedOut
        | Error::PoolClosed
        | Error::WorkerCrashed => true,
        Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            match db.try_downcast_ref::<sea_orm::sqlx::postgres::PgDatabaseError>() {
                // Class 08: connection exception; 57P01-57P03: the server is shutting
                // down or starting; 53300: too many connections.
                Some(_) => code.starts_with("08") || code.starts_with("57P0") || code == "53300",
                // SQLite: the file cannot be opened or read (CANTOPEN 14, IOERR 10 and
                // their extended codes), or stays locked past the busy timeout (BUSY 5).
                None => code
                    .parse::<i64>()
                    .is_ok_and(|c| matches!(c & 0xff, 5 | 10 | 14)),
            }
        }
        _ => false,
    }
}

/// Whether any cause in an error chain is a [`DbErr`] for which [`is_unavailable`] holds.
pub fn chain_is_unavailable(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause.downcast_ref::<DbErr>().is_some_and(is_unavailable)
            || cause
                .downcast_ref::<std::sync::Arc<DbErr>>()
                .is_some_and(|e| is_unavailable(e))
    })
}

/// The migrations this build knows that the database has not applied yet (empty when
/// the schema is current). Migrations applied by a newer build are ignored: they are
/// additive, and an older replica keeps serving during a rolling upgrade.
pub async fn pending_migrations(db: &DatabaseConnection) -> Result<Vec<String>, DbErr> {
    let backend = db.get_database_backend();
    let rows = db
        .query_all(sea_orm::Statement::from_string(
            backend,
            "SELECT version FROM seaql_migrations",
        ))
        .await?;
    let applied: std::collections::HashSet<String> = rows
        .iter()
        .filter_map(|r| r.try_get::<String>("", "version").ok())
        .collect();
    Ok(Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .filter(|name| !applied.contains(name))
        .collect())
}

/// Applies pending migrations.
/// Applies pending migrations. On PostgreSQL, replicas that start together take turns:
/// the migrations run in one transaction holding an advisory lock, so the second replica
/// waits for the first and then finds nothing left to do.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return Migrator::up(db, None)
            .await
            .context("applying database migrations");
    }
    let txn = db.begin().await.context("applying database migrations")?;
    txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
        .await
        .context("waiting for another replica's migrations")?;
    Migrator::up(&txn, None)
        .await
        .context("applying database migrations")?;
    txn.commit().await.context("applying database migrations")
}

/// The PostgreSQL advisory lock held while migrations run (any number unique to Nuvola).
const MIGRATION_LOCK: i64 = 0x4e75_766f_6c61; // "Nuvola"

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
