//! Bulk writing for the national data set: rows are buffered per table and written in
//! large batches, `COPY … FROM STDIN` on PostgreSQL (through the sqlx pool sea-orm
//! exposes, in one transaction) and multi-row `INSERT`s on SQLite (committed every few
//! hundred thousand rows, so the WAL file stays small).

use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use indicatif::ProgressBar;
use sea_orm::sqlx::{self, pool::PoolConnection, Postgres};
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, TransactionTrait,
};

/// One value of a row.
#[derive(Debug, Clone)]
pub enum V<'a> {
    Null,
    Int(i64),
    Str(&'a str),
    Bool(bool),
    /// A timestamp, in seconds since the epoch (UTC).
    Ts(i64),
    Date(NaiveDate),
}

impl<'a> From<&'a str> for V<'a> {
    fn from(s: &'a str) -> Self {
        V::Str(s)
    }
}

impl<'a> From<&'a String> for V<'a> {
    fn from(s: &'a String) -> Self {
        V::Str(s)
    }
}

impl From<i64> for V<'_> {
    fn from(n: i64) -> Self {
        V::Int(n)
    }
}

impl From<i32> for V<'_> {
    fn from(n: i32) -> Self {
        V::Int(i64::from(n))
    }
}

impl<'a, T: Into<V<'a>>> From<Option<T>> for V<'a> {
    fn from(v: Option<T>) -> Self {
        v.map_or(V::Null, Into::into)
    }
}

fn timestamp(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// Rows per multi-row INSERT on SQLite.
const SQLITE_ROWS_PER_STATEMENT: usize = 500;
/// Rows after which SQLite commits and begins again.
const SQLITE_ROWS_PER_TRANSACTION: usize = 250_000;
/// Bytes buffered per table before a COPY on PostgreSQL.
const PG_BUFFER_BYTES: usize = 8 << 20;

/// A table being filled: its buffered rows in the backend's own text form.
pub struct Table {
    name: &'static str,
    columns: &'static [&'static str],
    buffer: String,
    rows: usize,
}

impl Table {
    pub fn new(name: &'static str, columns: &'static [&'static str]) -> Self {
        Self {
            name,
            columns,
            buffer: String::new(),
            rows: 0,
        }
    }
}

enum Target {
    Sqlite(Option<DatabaseTransaction>),
    Postgres(PoolConnection<Postgres>),
}

/// Where rows go: one transaction on PostgreSQL, batches of transactions on SQLite.
pub struct Sink<'a> {
    db: &'a DatabaseConnection,
    target: Target,
    since_commit: usize,
    pub written: u64,
    progress: &'a ProgressBar,
}

impl<'a> Sink<'a> {
    /// Begins writing. On PostgreSQL the audit log's NOTIFY trigger is switched off for
    /// the transaction (millions of historical events are not news for any listener)
    /// and back on before it commits.
    pub async fn open(db: &'a DatabaseConnection, progress: &'a ProgressBar) -> Result<Self> {
        let target = match db.get_database_backend() {
            DatabaseBackend::Postgres => {
                let mut conn = db
                    .get_postgres_connection_pool()
                    .acquire()
                    .await
                    .context("taking a PostgreSQL connection for the bulk load")?;
                for sql in ["BEGIN", "ALTER TABLE event DISABLE TRIGGER event_notify"] {
                    sqlx::query(sql)
                        .execute(&mut *conn)
                        .await
                        .with_context(|| format!("running {sql}"))?;
                }
                Target::Postgres(conn)
            }
            _ => Target::Sqlite(Some(db.begin().await.context("beginning a transaction")?)),
        };
        Ok(Self {
            db,
            target,
            since_commit: 0,
            written: 0,
            progress,
        })
    }

    fn is_pg(&self) -> bool {
        matches!(self.target, Target::Postgres(_))
    }

    /// Adds one row to `table`, writing the table's buffer when it is full. For a table
    /// that other buffered tables refer to, use [`Sink::push`] and [`Sink::flush_group`].
    pub async fn row(&mut self, table: &mut Table, values: &[V<'_>]) -> Result<()> {
        self.push(table, values);
        if self.is_full(table) {
            self.flush(table).await?;
        }
        Ok(())
    }

    fn is_full(&self, table: &Table) -> bool {
        if self.is_pg() {
            table.buffer.len() >= PG_BUFFER_BYTES
        } else {
            table.rows >= SQLITE_ROWS_PER_STATEMENT
        }
    }

    /// Writes every table of `group`, in order (parents first), when one of them is full:
    /// a row is never written before the row it refers to.
    pub async fn flush_group(&mut self, group: &mut [&mut Table]) -> Result<()> {
        if group.iter().any(|t| self.is_full(t)) {
            for t in group.iter_mut() {
                self.flush(t).await?;
            }
        }
        Ok(())
    }

    /// Adds one row to `table` without writing anything.
    pub fn push(&mut self, table: &mut Table, values: &[V<'_>]) {
        if self.is_pg() {
            push_copy_row(&mut table.buffer, values);
        } else {
            if table.rows == 0 {
                table.buffer.push_str("INSERT INTO ");
                table.buffer.push_str(table.name);
                table.buffer.push_str(" (");
                table.buffer.push_str(&table.columns.join(", "));
                table.buffer.push_str(") VALUES ");
            } else {
                table.buffer.push(',');
            }
            push_sql_row(&mut table.buffer, values);
        }
        table.rows += 1;
    }

    /// Writes what `table` has buffered.
    pub async fn flush(&mut self, table: &mut Table) -> Result<()> {
        if table.rows == 0 {
            return Ok(());
        }
        let rows = table.rows;
        let data = std::mem::take(&mut table.buffer);
        table.rows = 0;
        match &mut self.target {
            Target::Postgres(conn) => {
                let statement = format!(
                    "COPY {} ({}) FROM STDIN",
                    table.name,
                    table.columns.join(", ")
                );
                let mut copy = conn
                    .copy_in_raw(&statement)
                    .await
                    .with_context(|| format!("starting {statement}"))?;
                copy.send(data.into_bytes())
                    .await
                    .with_context(|| format!("sending rows of {}", table.name))?;
                copy.finish()
                    .await
                    .with_context(|| format!("writing rows of {}", table.name))?;
            }
            Target::Sqlite(txn) => {
                let Some(t) = txn.as_ref() else {
                    anyhow::bail!("the bulk load's transaction is closed");
                };
                t.execute_unprepared(&data)
                    .await
                    .with_context(|| format!("inserting rows into {}", table.name))?;
            }
        }
        self.written += rows as u64;
        self.progress.inc(rows as u64);
        self.since_commit += rows;
        if self.since_commit >= SQLITE_ROWS_PER_TRANSACTION {
            if let Target::Sqlite(txn) = &mut self.target {
                if let Some(t) = txn.take() {
                    t.commit().await.context("committing a batch")?;
                }
                *txn = Some(self.db.begin().await.context("beginning a transaction")?);
                self.since_commit = 0;
            }
        }
        Ok(())
    }

    /// Runs one statement in the load's transaction.
    pub async fn execute(&mut self, sql: &str) -> Result<()> {
        match &mut self.target {
            Target::Postgres(conn) => {
                sqlx::query(sql)
                    .execute(&mut **conn)
                    .await
                    .with_context(|| format!("running {sql}"))?;
            }
            Target::Sqlite(txn) => {
                let Some(t) = txn.as_ref() else {
                    anyhow::bail!("the bulk load's transaction is closed");
                };
                t.execute_unprepared(sql)
                    .await
                    .with_context(|| format!("running {sql}"))?;
            }
        }
        Ok(())
    }

    /// Commits. On PostgreSQL the serial sequences of `tables` (filled with explicit ids)
    /// are moved past the largest id first, and the NOTIFY trigger is switched back on.
    pub async fn finish(mut self, tables: &[&str]) -> Result<()> {
        if self.is_pg() {
            for t in tables {
                self.execute(&format!(
                    "SELECT setval(pg_get_serial_sequence('{t}', 'id'), COALESCE((SELECT MAX(id) FROM {t}), 0) + 1, false)"
                ))
                .await?;
            }
            self.execute("ALTER TABLE event ENABLE TRIGGER event_notify")
                .await?;
            self.execute("COMMIT").await?;
        } else if let Target::Sqlite(txn) = &mut self.target {
            if let Some(t) = txn.take() {
                t.commit().await.context("committing the last batch")?;
            }
        }
        Ok(())
    }
}

fn push_sql_row(out: &mut String, values: &[V<'_>]) {
    out.push('(');
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match v {
            V::Null => out.push_str("NULL"),
            V::Int(n) => out.push_str(&n.to_string()),
            V::Bool(b) => out.push(if *b { '1' } else { '0' }),
            V::Str(s) => {
                out.push('\'');
                for c in s.chars() {
                    if c == '\'' {
                        out.push('\'');
                    }
                    out.push(c);
                }
                out.push('\'');
            }
            // As sqlx writes them on SQLite, so that text comparisons order them.
            V::Ts(secs) => {
                out.push('\'');
                out.push_str(&timestamp(*secs).to_rfc3339_opts(SecondsFormat::AutoSi, false));
                out.push('\'');
            }
            V::Date(d) => {
                out.push('\'');
                out.push_str(&d.format("%F").to_string());
                out.push('\'');
            }
        }
    }
    out.push(')');
}

fn push_copy_row(out: &mut String, values: &[V<'_>]) {
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        match v {
            V::Null => out.push_str("\\N"),
            V::Int(n) => out.push_str(&n.to_string()),
            V::Bool(b) => out.push(if *b { 't' } else { 'f' }),
            V::Str(s) => {
                for c in s.chars() {
                    match c {
                        '\\' => out.push_str("\\\\"),
                        '\t' => out.push_str("\\t"),
                        '\n' => out.push_str("\\n"),
                        '\r' => out.push_str("\\r"),
                        c => out.push(c),
                    }
                }
            }
            V::Ts(secs) => {
                out.push_str(&timestamp(*secs).to_rfc3339_opts(SecondsFormat::AutoSi, false))
            }
            V::Date(d) => out.push_str(&d.format("%F").to_string()),
        }
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_quoted_for_sql_and_escaped_for_copy() {
        let row = [
            V::Str("l'Aquila\tx"),
            V::Null,
            V::Int(-3),
            V::Bool(true),
            V::Ts(0),
        ];
        let mut sql = String::new();
        push_sql_row(&mut sql, &row);
        assert_eq!(
            sql,
            "('l''Aquila\tx',NULL,-3,1,'1970-01-01T00:00:00+00:00')"
        );
        let mut copy = String::new();
        push_copy_row(&mut copy, &row);
        assert_eq!(
            copy,
            "l'Aquila\\tx\t\\N\t-3\tt\t1970-01-01T00:00:00+00:00\n"
        );
    }
}
