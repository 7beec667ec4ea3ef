//! How long the whole `nuvola import` command takes on the bundled open data, into a
//! fresh SQLite file and a fresh PostgreSQL database: the release binary run as a child
//! process, so start-up, migrations, parsing and the transaction are all counted.
//!
//! `cargo bench -p nuvola-server --bench import` (or `make bench`); cargo builds the
//! `nuvola` binary in the same profile first. Targets: candidature_12.csv into a fresh
//! database under 1 s on SQLite, under 2 s on PostgreSQL.
//!
//! `NUVOLA_BENCH_RUNS` (default 5): fresh databases per backend.
//! `NUVOLA_BENCH_POSTGRES` (default `postgres://postgres@127.0.0.1:5432/postgres`): a
//! server where the bench may create and drop databases; skipped when it does not answer.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};

/// The binary cargo built for this bench.
const NUVOLA: &str = env!("CARGO_BIN_EXE_nuvola");

const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn data_file(name: &str) -> Result<String> {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../data/padigitale2026")
        .join(name);
    let path = path
        .canonicalize()
        .with_context(|| format!("finding {}", path.display()))?;
    path.to_str()
        .map(str::to_owned)
        .with_context(|| format!("{} is not UTF-8", path.display()))
}

/// Runs `nuvola import FILE --database URL`; returns how long it took and its summary line.
fn import(file: &str, database: &str) -> Result<(Duration, String)> {
    let started = Instant::now();
    let out = Command::new(NUVOLA)
        .args(["import", file, "--database", database])
        .env("RUST_LOG", "warn")
        .output()
        .with_context(|| format!("running {NUVOLA}"))?;
    let elapsed = started.elapsed();
    if !out.status.success() {
        bail!(
            "nuvola import {file} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let summary = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    Ok((elapsed, summary))
}

/// The timings of one backend, one entry per fresh database.
#[derive(Default)]
struct Times {
    /// Migrations on an empty database plus avvisi.csv.
    calls: Vec<Duration>,
    /// candidature_12.csv into the database that has only the calls.
    applications: Vec<Duration>,
    /// candidature_12.csv again: nothing to write.
    again: Vec<Duration>,
    /// The summary lines of the first run, to show what was measured.
    summaries: Vec<String>,
}

impl Times {
    fn run(&mut self, database: &str) -> Result<()> {
        let (calls, applications) = (data_file("avvisi.csv")?, data_file("candidature_12.csv")?);
        let (t, calls_summary) = import(&calls, database)?;
        self.calls.push(t);
        let (t, fresh_summary) = import(&applications, database)?;
        self.applications.push(t);
        let (t, again_summary) = import(&applications, database)?;
        self.again.push(t);
        if !again_summary.contains(" 0 new, 0 updated") {
            bail!("the re-import was not idempotent: {again_summary}");
        }
        if self.summaries.is_empty() {
            self.summaries = vec![calls_summary, fresh_summary, again_summary];
        }
        Ok(())
    }

    fn report(&mut self, backend: &str, target: Duration) {
        println!("{backend} ({} fresh databases):", self.calls.len());
        let lines = [
            ("migrate + avvisi.csv", &mut self.calls),
            ("candidature_12.csv, fresh", &mut self.applications),
            ("candidature_12.csv again", &mut self.again),
        ];
        for (i, (name, samples)) in lines.into_iter().enumerate() {
            let (min, median, max) = spread(samples);
            let summary = self.summaries.get(i).map_or("", String::as_str);
            println!(
                "  {name:<27} min {:>6.0} ms  median {:>6.0} ms  max {:>6.0} ms   ({summary})",
                ms(min),
                ms(median),
                ms(max)
            );
        }
        let (_, median, max) = spread(&mut self.applications);
        println!(
            "  target: candidature_12.csv import command under {:.0} ms: {} (median {:.0} ms, max {:.0} ms)",
            ms(target),
            if max < target { "PASS" } else { "OVER" },
            ms(median),
            ms(max)
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// (min, median, max) of non-empty samples.
fn spread(samples: &mut [Duration]) -> (Duration, Duration, Duration) {
    samples.sort();
    let at = |i: usize| samples.get(i).copied().unwrap_or_default();
    (
        at(0),
        at(samples.len() / 2),
        at(samples.len().saturating_sub(1)),
    )
}

/// `admin` with its database name replaced by `name` (query parameters kept).
fn with_database(admin: &str, name: &str) -> String {
    let (base, query) = admin.split_once('?').map_or((admin, ""), |(b, q)| (b, q));
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    if query.is_empty() {
        format!("{server}/{name}")
    } else {
        format!("{server}/{name}?{query}")
    }
}

async fn connect_admin(url: &str) -> Result<DatabaseConnection, sea_orm::DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(1)
        .connect_timeout(Duration::from_secs(3))
        .sqlx_logging(false);
    Database::connect(options).await
}

async fn postgres(runs: usize) -> Result<()> {
    let admin_url =
        std::env::var("NUVOLA_BENCH_POSTGRES").unwrap_or_else(|_| DEFAULT_POSTGRES.to_owned());
    let admin = match connect_admin(&admin_url).await {
        Ok(db) => db,
        Err(e) => {
            println!(
                "PostgreSQL: skipped: {} does not answer ({e}); set NUVOLA_BENCH_POSTGRES",
                nuvola_server::db::redact(&admin_url)
            );
            return Ok(());
        }
    };
    let mut times = Times::default();
    for n in 0..runs {
        let name = format!("nuvola_bench_{}_{n}", std::process::id());
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .with_context(|| format!("creating the database {name}"))?;
        let result = times.run(&with_database(&admin_url, &name));
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .with_context(|| format!("dropping the database {name}"))?;
        result?;
    }
    times.report("PostgreSQL", Duration::from_secs(2));
    Ok(())
}

fn sqlite(runs: usize) -> Result<()> {
    let mut times = Times::default();
    for _ in 0..runs {
        let dir = tempfile::tempdir().context("creating a temporary folder")?;
        let file = dir.path().join("bench.db");
        times.run(&format!("sqlite://{}?mode=rwc", file.display()))?;
    }
    times.report("SQLite", Duration::from_secs(1));
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let runs = std::env::var("NUVOLA_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(5)
        .max(1);
    println!("`nuvola import`, the whole command ({NUVOLA}), {runs} fresh databases per backend");
    sqlite(runs)?;
    postgres(runs).await
}
