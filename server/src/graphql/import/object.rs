use async_graphql::{Context, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use crate::entity::import_job;
use crate::graphql::error::{ApiError, ApiResult};
use crate::service::import::{ImportReport, QualityWarning};
use crate::service::import_job::{self as jobs, FileResult, JobStatus};

/// What an open-data file holds.
#[derive(async_graphql::Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ImportFileKind {
    /// Applications (*candidature*).
    Applications,
    /// Calls (*avvisi*).
    Calls,
}

/// An import of open-data files started by the department in the web application.
pub struct ImportJob(pub import_job::Model);

#[Object]
impl ImportJob {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Where the job is in its life.
    async fn status(&self) -> ApiResult<JobStatus> {
        JobStatus::parse(&self.0.status).ok_or_else(|| {
            ApiError::internal(anyhow::anyhow!("import job status {:?}", self.0.status))
        })
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn queued_at(&self) -> Option<DateTime<Utc>> {
        self.0.queued_at
    }

    async fn started_at(&self) -> Option<DateTime<Utc>> {
        self.0.started_at
    }

    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }

    /// Rows compared so far of the file being imported, while RUNNING.
    async fn progress_done(&self) -> i32 {
        self.0.progress_done
    }

    /// Rows of the file being imported, while RUNNING (0 until known).
    async fn progress_total(&self) -> i32 {
        self.0.progress_total
    }

    /// The file being imported, while RUNNING.
    async fn phase(&self) -> Option<&str> {
        self.0.phase.as_deref()
    }

    /// Why the job failed, or which files were refused.
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }

    /// Optimistic-locking version.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// The files, in the order they are imported.
    async fn files(&self, ctx: &Context<'_>) -> ApiResult<Vec<ImportFile>> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(jobs::files(db, self.0.id)
            .await?
            .into_iter()
            .map(|(name, size, sha256)| ImportFile { name, size, sha256 })
            .collect())
    }

    /// What the import would do, file by file (the dry run), once previewed.
    async fn preview(&self) -> ApiResult<Vec<ImportFileReport>> {
        reports(self.0.preview.as_deref())
    }

    /// What the import did, file by file, once DONE.
    async fn result(&self) -> ApiResult<Vec<ImportFileReport>> {
        reports(self.0.result.as_deref())
    }
}

fn reports(json: Option<&str>) -> ApiResult<Vec<ImportFileReport>> {
    let Some(json) = json else {
        return Ok(Vec::new());
    };
    let results: Vec<FileResult> = serde_json::from_str(json)
        .map_err(|e| ApiError::internal(anyhow::anyhow!("an import report: {e}")))?;
    Ok(results.into_iter().map(ImportFileReport).collect())
}

/// A file of an import job.
#[derive(SimpleObject)]
pub struct ImportFile {
    pub name: String,
    /// Bytes.
    pub size: i64,
    pub sha256: String,
}

/// What an import did (or would do) with one file.
pub struct ImportFileReport(FileResult);

impl ImportFileReport {
    fn report(&self) -> Option<&ImportReport> {
        self.0.report.as_ref()
    }

    fn count(&self, f: impl Fn(&ImportReport) -> usize) -> i32 {
        self.report()
            .map_or(0, |r| i32::try_from(f(r)).unwrap_or(i32::MAX))
    }
}

#[Object]
impl ImportFileReport {
    async fn file(&self) -> &str {
        &self.0.file
    }

    /// Why the file was refused whole (nothing of it imported), if it was.
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }

    /// What the file holds; null for a file with no rows or refused whole.
    async fn kind(&self) -> Option<ImportFileKind> {
        match self.report().map(|r| r.kind.as_str()) {
            Some("applications") => Some(ImportFileKind::Applications),
            Some("calls") => Some(ImportFileKind::Calls),
            _ => None,
        }
    }

    async fn new_rows(&self) -> i32 {
        self.count(|r| r.new)
    }

    async fn updated_rows(&self) -> i32 {
        self.count(|r| r.updated)
    }

    async fn unchanged_rows(&self) -> i32 {
        self.count(|r| r.unchanged)
    }

    async fn skipped_rows(&self) -> i32 {
        self.count(ImportReport::skipped)
    }

    /// The file had a header and no rows: nothing imported, nothing deleted.
    async fn no_rows(&self) -> bool {
        self.report().is_some_and(|r| r.no_rows)
    }

    /// Rows of other measures, by reason.
    async fn out_of_scope(&self) -> Vec<ReasonCount> {
        self.report()
            .map(|r| {
                r.out_of_scope
                    .iter()
                    .map(|(reason, rows)| ReasonCount {
                        reason: reason.clone(),
                        rows: i32::try_from(*rows).unwrap_or(i32::MAX),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Rows that could not be read or keyed (line and reason).
    async fn skipped(&self) -> Vec<SkippedRow> {
        self.report()
            .map(|r| {
                let mut rows: Vec<SkippedRow> = r
                    .malformed
                    .iter()
                    .map(|p| SkippedRow {
                        line: line(p.line),
                        reason: p.reason.clone(),
                    })
                    .collect();
                rows.extend(r.superseded.iter().map(|s| SkippedRow {
                    line: line(s.line),
                    reason: format!(
                        "replaced by line {} (same CUP {} and call: the later row wins)",
                        s.by_line, s.cup
                    ),
                }));
                rows.sort_by_key(|r| r.line);
                rows
            })
            .unwrap_or_default()
    }

    /// Data-quality warnings of the imported rows.
    async fn warnings(&self) -> Vec<DataQualityWarning> {
        self.report()
            .map(|r| r.warnings.iter().map(DataQualityWarning::from).collect())
            .unwrap_or_default()
    }

    /// The first updated applications, with what changes in each.
    async fn samples(&self) -> Vec<UpdateSample> {
        self.report()
            .map(|r| {
                r.samples
                    .iter()
                    .map(|s| UpdateSample {
                        cup: s.cup.clone(),
                        call_title: s.call.clone(),
                        changes: s
                            .changes
                            .iter()
                            .map(|c| FieldChange {
                                field: c.field.clone(),
                                before: c.before.to_string(),
                                after: c.after.to_string(),
                            })
                            .collect(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn line(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

#[derive(SimpleObject)]
pub struct ReasonCount {
    pub reason: String,
    pub rows: i32,
}

#[derive(SimpleObject)]
pub struct SkippedRow {
    /// The line of the file (CSV; the header is line 1) or the record number (JSON).
    pub line: i32,
    pub reason: String,
}

/// A value of a published row that breaks the official structure or could not be read:
/// the row was imported (as published, or with the value left empty) and flagged.
#[derive(SimpleObject)]
pub struct DataQualityWarning {
    /// The line of the file, in an import's report; null on a project.
    pub line: Option<i32>,
    pub cup: String,
    /// The column, as the open data names it (`codice_cup`).
    pub field: String,
    /// The value as published.
    pub value: String,
    pub reason: String,
}

impl From<&QualityWarning> for DataQualityWarning {
    fn from(w: &QualityWarning) -> Self {
        Self {
            line: Some(line(w.line)),
            cup: w.cup.clone(),
            field: w.field.clone(),
            value: w.value.clone(),
            reason: w.reason.clone(),
        }
    }
}

/// An application an import would update, with its changes.
#[derive(SimpleObject)]
pub struct UpdateSample {
    pub cup: String,
    pub call_title: String,
    pub changes: Vec<FieldChange>,
}

/// One changed value; `before` and `after` as JSON values.
#[derive(SimpleObject)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}
