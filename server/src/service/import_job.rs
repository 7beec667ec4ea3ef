//! The department's imports from the web application: upload the publisher's newest
//! files, see what they would change (a dry run), confirm, and follow the run.
//!
//! A job's files are kept in the database (`import_job_file`), so any replica can preview
//! or run it. Confirmed jobs are QUEUED; every replica's worker ([`spawn_worker`]) looks
//! for one about once a second and claims it under the `imports` row of
//! `scheduled_job`, which serialises the claim across replicas: one job RUNNING at a time,
//! everywhere. The run is `service::import::import_files` (one transaction), so a job
//! whose replica dies leaves nothing written; its heartbeat stops, and the next claim
//! marks it FAILED after [`STALE_AFTER`]. Progress (rows compared of the current file)
//! is written with the heartbeat from a second connection. On SQLite the import's
//! transaction holds the only write lock, so the heartbeat waits for it and the page
//! shows the run as "writing" until it ends.

use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use indicatif::ProgressBar;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::audit::{self, Actor, Change};
use crate::entity::{import_job, import_job_file};
use crate::service::auth::Principal;
use crate::service::import::{self, FileOutcome, ImportReport, Mode};

/// Files per job: the calls file and a few applications files.
pub const MAX_FILES: usize = 5;
/// The largest file a job takes (the national file is a few megabytes).
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;
/// A RUNNING job whose heartbeat is older than this died with its replica.
pub const STALE_AFTER: chrono::Duration = chrono::Duration::seconds(120);

/// The life of an import job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
#[graphql(name = "ImportJobStatus")]
pub enum JobStatus {
    /// Files are being added.
    Uploaded,
    /// The dry run's report is ready for the department to read.
    Previewed,
    /// Confirmed, waiting for the worker.
    Queued,
    /// Being imported, by one replica.
    Running,
    /// Imported.
    Done,
    /// Failed or interrupted; nothing of it was imported (see `error`).
    Failed,
    /// Abandoned before it ran.
    Discarded,
}

impl JobStatus {
    pub const ALL: [JobStatus; 7] = [
        Self::Uploaded,
        Self::Previewed,
        Self::Queued,
        Self::Running,
        Self::Done,
        Self::Failed,
        Self::Discarded,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Uploaded => "UPLOADED",
            Self::Previewed => "PREVIEWED",
            Self::Queued => "QUEUED",
            Self::Running => "RUNNING",
            Self::Done => "DONE",
            Self::Failed => "FAILED",
            Self::Discarded => "DISCARDED",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// One file's report as a job keeps it: the report, or why the file was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileResult {
    pub file: String,
    pub report: Option<ImportReport>,
    pub error: Option<String>,
}

fn results(files: &[import_job_file::Model], outcomes: Vec<FileOutcome>) -> Vec<FileResult> {
    files
        .iter()
        .zip(outcomes)
        .map(|(f, outcome)| match outcome {
            Ok(mut report) => {
                report.file = f.name.clone();
                FileResult {
                    file: f.name.clone(),
                    report: Some(report),
                    error: None,
                }
            }
            Err(e) => FileResult {
                file: f.name.clone(),
                report: None,
                error: Some(e),
            },
        })
        .collect()
}

/// Why a job operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("only the department imports open data")]
    Forbidden,
    #[error("no import job has this id")]
    NotFound,
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Transition(String),
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

fn department_only(principal: &Principal) -> Result<(), JobError> {
    if principal.role == nuvola_shared::Role::Department && !principal.read_only {
        Ok(())
    } else {
        Err(JobError::Forbidden)
    }
}

async fn find(db: &DatabaseConnection, id: i32) -> Result<import_job::Model, JobError> {
    import_job::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(JobError::NotFound)
}

/// The newest jobs first (the caller checks that the department asks).
pub async fn list_any(
    db: &DatabaseConnection,
    first: u64,
) -> Result<Vec<import_job::Model>, JobError> {
    Ok(import_job::Entity::find()
        .order_by_desc(import_job::Column::Id)
        .limit(first.clamp(1, 50))
        .all(db)
        .await?)
}

/// A job's files, in order, without their content.
pub async fn files(
    db: &DatabaseConnection,
    job_id: i32,
) -> Result<Vec<(String, i64, String)>, DbErr> {
    import_job_file::Entity::find()
        .select_only()
        .columns([
            import_job_file::Column::Name,
            import_job_file::Column::Size,
            import_job_file::Column::Sha256,
        ])
        .filter(import_job_file::Column::JobId.eq(job_id))
        .order_by_asc(import_job_file::Column::Position)
        .into_tuple()
        .all(db)
        .await
}

/// Adds a file to the job `job` (still UPLOADED), or to a new job; returns the job.
pub async fn add_file(
    db: &DatabaseConnection,
    principal: &Principal,
    job: Option<i32>,
    name: &str,
    bytes: Vec<u8>,
) -> Result<import_job::Model, JobError> {
    department_only(principal)?;
    let name = name.trim();
    let name: String = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(name)
        .chars()
        .take(200)
        .collect();
    if name.is_empty() {
        return Err(JobError::Invalid("give the file's name".to_owned()));
    }
    if bytes.is_empty() {
        return Err(JobError::Invalid(format!("the file {name} is empty")));
    }
    let txn = crate::db::begin_write(db).await?;
    let now = Utc::now();
    let job = match job {
        Some(id) => {
            let job = import_job::Entity::find_by_id(id)
                .one(&txn)
                .await?
                .ok_or(JobError::NotFound)?;
            if JobStatus::parse(&job.status) != Some(JobStatus::Uploaded) {
                return Err(JobError::Transition(
                    "files can be added only before the preview: start a new import".to_owned(),
                ));
            }
            job
        }
        None => {
            import_job::ActiveModel {
                status: Set(JobStatus::Uploaded.code().to_owned()),
                created_by: Set(Some(principal.account_id)),
                created_at: Set(now),
                progress_done: Set(0),
                progress_total: Set(0),
                version: Set(1),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
    };
    let count = import_job_file::Entity::find()
        .filter(import_job_file::Column::JobId.eq(job.id))
        .count(&txn)
        .await?;
    let count = usize::try_from(count).unwrap_or(usize::MAX);
    if count >= MAX_FILES {
        return Err(JobError::Invalid(format!(
            "an import takes at most {MAX_FILES} files"
        )));
    }
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    import_job_file::ActiveModel {
        job_id: Set(job.id),
        position: Set(i32::try_from(count).unwrap_or(i32::MAX)),
        name: Set(name.clone()),
        sha256: Set(sha256.clone()),
        size: Set(size),
        content: Set(bytes),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        &principal.actor(),
        Change {
            entity_type: nuvola_shared::EntityType::ImportJob,
            entity_id: job.id.to_string(),
            action: "IMPORT_FILE_UPLOADED",
            application_id: None,
            before: None,
            after: Some(json!({ "file": name, "sha256": sha256, "size": size })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(job)
}

async fn load_files(
    db: &DatabaseConnection,
    job_id: i32,
) -> Result<Vec<import_job_file::Model>, DbErr> {
    import_job_file::Entity::find()
        .filter(import_job_file::Column::JobId.eq(job_id))
        .order_by_asc(import_job_file::Column::Position)
        .all(db)
        .await
}

/// Runs the job's files as a dry run and keeps the report: what the import would do.
/// A job already previewed is previewed again (the data may have changed since).
pub async fn preview(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i32,
) -> Result<import_job::Model, JobError> {
    department_only(principal)?;
    let job = find(db, id).await?;
    match JobStatus::parse(&job.status) {
        Some(JobStatus::Uploaded | JobStatus::Previewed) => {}
        _ => {
            return Err(JobError::Transition(
                "this import has been confirmed or abandoned: it cannot be previewed again"
                    .to_owned(),
            ))
        }
    }
    let files = load_files(db, id).await?;
    if files.is_empty() {
        return Err(JobError::Invalid("add at least one file".to_owned()));
    }
    let batch: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|f| (f.name.clone(), f.content.clone()))
        .collect();
    let outcomes = import::import_files(
        db,
        &batch,
        &principal.actor(),
        Mode::DryRun,
        &ProgressBar::hidden(),
    )
    .await?;
    let preview =
        serde_json::to_string(&results(&files, outcomes)).context("writing the preview")?;
    let updated = import_job::Entity::update_many()
        .col_expr(
            import_job::Column::Status,
            Expr::value(JobStatus::Previewed.code()),
        )
        .col_expr(import_job::Column::Preview, Expr::value(preview))
        .col_expr(
            import_job::Column::Version,
            Expr::col(import_job::Column::Version).add(1),
        )
        .filter(import_job::Column::Id.eq(id))
        .filter(import_job::Column::Version.eq(job.version))
        .exec(db)
        .await?;
    if updated.rows_affected == 0 {
        return Err(JobError::Transition(
            "the import changed meanwhile: reload it".to_owned(),
        ));
    }
    find(db, id).await
}

/// Moves a job from one of `from` to `to` (read in the write transaction), with an
/// audit event.
async fn transition(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i32,
    from: &[JobStatus],
    to: JobStatus,
    action: &'static str,
    refusal: &str,
) -> Result<import_job::Model, JobError> {
    department_only(principal)?;
    let txn = crate::db::begin_write(db).await?;
    let job = import_job::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(JobError::NotFound)?;
    let Some(current) = JobStatus::parse(&job.status).filter(|s| from.contains(s)) else {
        return Err(JobError::Transition(refusal.to_owned()));
    };
    let mut active: import_job::ActiveModel = job.clone().into();
    active.status = Set(to.code().to_owned());
    active.version = Set(job.version + 1);
    if to == JobStatus::Queued {
        active.queued_at = Set(Some(Utc::now()));
        active.phase = Set(Some("queued".to_owned()));
    }
    let job = active.update(&txn).await?;
    audit::record(
        &txn,
        &principal.actor(),
        Change {
            entity_type: nuvola_shared::EntityType::ImportJob,
            entity_id: id.to_string(),
            action,
            application_id: None,
            before: Some(json!({ "status": current.code() })),
            after: Some(json!({ "status": to.code() })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(job)
}

/// Confirms a previewed job: it is queued and a worker runs it.
pub async fn confirm(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i32,
) -> Result<import_job::Model, JobError> {
    transition(
        db,
        principal,
        id,
        &[JobStatus::Previewed],
        JobStatus::Queued,
        "IMPORT_CONFIRMED",
        "only a previewed import can be confirmed: look at its preview first",
    )
    .await
}

/// Abandons a job that has not been confirmed.
pub async fn discard(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i32,
) -> Result<import_job::Model, JobError> {
    transition(
        db,
        principal,
        id,
        &[JobStatus::Uploaded, JobStatus::Previewed],
        JobStatus::Discarded,
        "IMPORT_DISCARDED",
        "only an import not yet confirmed can be abandoned",
    )
    .await
}

/// Claims the oldest queued job, unless one is running (on any replica). A running job
/// whose heartbeat is older than [`STALE_AFTER`] is marked FAILED first: its replica died
/// and its transaction was rolled back.
async fn claim(db: &DatabaseConnection, now: DateTime<Utc>) -> anyhow::Result<Option<i32>> {
    // A cheap read first: most polls find nothing and take no lock.
    let waiting = import_job::Entity::find()
        .select_only()
        .column(import_job::Column::Id)
        .filter(
            import_job::Column::Status.is_in([JobStatus::Queued.code(), JobStatus::Running.code()]),
        )
        .into_tuple::<i32>()
        .one(db)
        .await?;
    if waiting.is_none() {
        return Ok(None);
    }
    let txn = crate::db::begin_write(db).await?;
    // The row lock of the `imports` job: replicas claim one at a time.
    crate::entity::scheduled_job::Entity::update_many()
        .col_expr(
            crate::entity::scheduled_job::Column::LastRunAt,
            Expr::value(now),
        )
        .filter(crate::entity::scheduled_job::Column::Name.eq("imports"))
        .exec(&txn)
        .await?;
    let running = import_job::Entity::find()
        .filter(import_job::Column::Status.eq(JobStatus::Running.code()))
        .all(&txn)
        .await?;
    for job in running {
        let alive = job
            .heartbeat_at
            .is_some_and(|beat| now - beat < STALE_AFTER);
        if alive {
            return Ok(None);
        }
        import_job::ActiveModel {
            id: Set(job.id),
            status: Set(JobStatus::Failed.code().to_owned()),
            finished_at: Set(Some(now)),
            error: Set(Some(
                "interrupted: the server running it stopped; nothing of it was written".to_owned(),
            )),
            version: Set(job.version + 1),
            ..Default::default()
        }
        .update(&txn)
        .await?;
    }
    let Some(next) = import_job::Entity::find()
        .filter(import_job::Column::Status.eq(JobStatus::Queued.code()))
        .order_by_asc(import_job::Column::Id)
        .one(&txn)
        .await?
    else {
        txn.commit().await?;
        return Ok(None);
    };
    import_job::ActiveModel {
        id: Set(next.id),
        status: Set(JobStatus::Running.code().to_owned()),
        started_at: Set(Some(now)),
        heartbeat_at: Set(Some(now)),
        phase: Set(Some("reading".to_owned())),
        version: Set(next.version + 1),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    txn.commit().await?;
    Ok(Some(next.id))
}

/// Runs the next queued job, if any and if none is running; returns the job run.
pub async fn run_next(db: &DatabaseConnection) -> anyhow::Result<Option<i32>> {
    let Some(id) = claim(db, Utc::now()).await? else {
        return Ok(None);
    };
    let job = import_job::Entity::find_by_id(id)
        .one(db)
        .await?
        .context("the claimed job vanished")?;
    let files = load_files(db, id).await?;
    let actor = match job.created_by {
        Some(account) => crate::entity::account::Entity::find_by_id(account)
            .one(db)
            .await?
            .map(|a| Actor {
                account_id: Some(a.id),
                role: a.role,
                name: a.username,
            }),
        None => None,
    }
    .unwrap_or_else(|| Actor::system("import job"));
    let progress = ProgressBar::hidden();
    let beat = heartbeat(db.clone(), id, progress.clone());
    let batch: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|f| (f.name.clone(), f.content.clone()))
        .collect();
    let outcome = import::import_files(db, &batch, &actor, Mode::Write, &progress).await;
    beat.abort();
    let now = Utc::now();
    let mut done = import_job::ActiveModel {
        id: Set(id),
        finished_at: Set(Some(now)),
        heartbeat_at: Set(Some(now)),
        phase: Set(None),
        version: Set(job.version + 2),
        ..Default::default()
    };
    match outcome {
        Ok(outcomes) => {
            let results = results(&files, outcomes);
            let failed = results.iter().filter(|r| r.error.is_some()).count();
            done.status = Set(JobStatus::Done.code().to_owned());
            done.result = Set(Some(serde_json::to_string(&results)?));
            if failed > 0 {
                done.error = Set(Some(format!(
                    "{failed} file(s) refused; the others were imported"
                )));
            }
            let rows: usize = results
                .iter()
                .filter_map(|r| r.report.as_ref())
                .map(|r| r.new + r.updated + r.unchanged + r.skipped())
                .sum();
            let rows = i32::try_from(rows).unwrap_or(i32::MAX);
            done.progress_done = Set(rows);
            done.progress_total = Set(rows);
        }
        Err(e) => {
            tracing::error!(job = id, error = %format!("{e:#}"), "an import job failed");
            done.status = Set(JobStatus::Failed.code().to_owned());
            done.error = Set(Some(
                "the import failed and nothing of it was written; try again, or ask the \
                 operators to read the server's log"
                    .to_owned(),
            ));
        }
    }
    done.update(db).await.context("recording the job's end")?;
    Ok(Some(id))
}

/// Writes the running job's heartbeat and progress every second, from its own
/// connection, until aborted. On SQLite each write waits for the import's lock.
fn heartbeat(
    db: DatabaseConnection,
    id: i32,
    progress: ProgressBar,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(Duration::from_secs(1));
        loop {
            ticks.tick().await;
            let phase = progress.message();
            let result = import_job::Entity::update_many()
                .col_expr(import_job::Column::HeartbeatAt, Expr::value(Utc::now()))
                .col_expr(
                    import_job::Column::ProgressDone,
                    Expr::value(i32::try_from(progress.position()).unwrap_or(i32::MAX)),
                )
                .col_expr(
                    import_job::Column::ProgressTotal,
                    Expr::value(i32::try_from(progress.length().unwrap_or(0)).unwrap_or(i32::MAX)),
                )
                .col_expr(
                    import_job::Column::Phase,
                    Expr::value(if phase.is_empty() {
                        "reading".to_owned()
                    } else {
                        phase
                    }),
                )
                .filter(import_job::Column::Id.eq(id))
                .filter(import_job::Column::Status.eq(JobStatus::Running.code()))
                .exec(&db)
                .await;
            if let Err(e) = result {
                tracing::debug!(job = id, error = %e, "import heartbeat not written");
            }
        }
    })
}

/// Looks for a queued import every `period` and runs it (see the module's notes).
pub fn spawn_worker(db: DatabaseConnection, period: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match run_next(&db).await {
                Ok(Some(id)) => tracing::info!(job = id, "import job finished"),
                Ok(None) => {}
                Err(e) => {
                    tracing::error!(error = %format!("{e:#}"), "the import worker failed; it tries again")
                }
            }
        }
    })
}
