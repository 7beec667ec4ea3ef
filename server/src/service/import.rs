//! `nuvola import`: loading PA digitale 2026 open-data files.
//!
//! Every published row of measure 1.2 is kept: the measure comes from the call (the
//! calls files, `opendata::CallCatalogue`), identifiers that break the official structure
//! are imported as published with a data-quality warning, and only a row that cannot be
//! keyed at all (no CUP, no call) or whose amount or state cannot be read is skipped,
//! with its line and reason. An application is identified by (CUP, call), the CUP
//! compared ignoring case; a key repeated inside one file is taken from its last row.
//! Importing the same file twice changes nothing the second time; an import never
//! deletes.
//!
//! A batch of files runs in one transaction, each file in a savepoint of its own: a file
//! is imported whole or not at all, and an import killed halfway leaves nothing behind.
//! A dry run ([`Mode::DryRun`]) does exactly the same work and rolls it back, so its
//! report is what the real import would do.

use std::collections::{BTreeMap, HashMap};

use anyhow::Context;
use chrono::Utc;
use indicatif::ProgressBar;
use nuvola_shared::call::title_key;
use nuvola_shared::{
    AdministrationType, ApplicationState, DeadlineRule, ServiceState, SCHOOL_EUROS_PER_SERVICE,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QuerySelect, Statement, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::audit::{self, Actor, Change};
use crate::entity::{administration, application, call, published_call};
use crate::opendata::{
    self, ApplicationRecord, CallCatalogue, CallRecord, FieldWarning, OpenDataFile, Row, RowOutcome,
};

/// Rows per multi-row INSERT of entity `E`. SQLite: as many as its limit of 32,766 bound
/// parameters allows, counting every column of the table (a few statements carry a whole
/// file; the statement is prepared once and reused). PostgreSQL: 400, because bigger
/// statements were measured slower there, not faster (tens of thousands of parameters:
/// bodies 0.24 s → 0.8-1 s, applications 0.36 s → 0.6 s for the bundled data).
fn rows_per_insert<E: EntityTrait>(backend: DatabaseBackend) -> usize {
    match backend {
        DatabaseBackend::Postgres => 400,
        _ => 32_766 / <E::Column as sea_orm::Iterable>::iter().count().max(1),
    }
}

/// How long each step of an import took, logged at debug level
/// (`RUST_LOG=nuvola_server::service::import=debug`): where an import's time goes.
struct Phases {
    last: std::time::Instant,
}

impl Phases {
    fn start() -> Self {
        Self {
            last: std::time::Instant::now(),
        }
    }

    /// Ends the step `phase` (the time since the previous one).
    fn done(&mut self, phase: &'static str) {
        let now = std::time::Instant::now();
        tracing::debug!(
            phase,
            ms = (now - self.last).as_secs_f64() * 1000.0,
            "import step"
        );
        self.last = now;
    }
}

/// Whether an import writes, or only says what it would write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Write,
    /// Does all the work in a transaction and rolls it back: writes nothing.
    DryRun,
}

/// A row that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    pub line: usize,
    pub reason: String,
}

/// A value of an imported row that breaks the official structure or could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualityWarning {
    pub line: usize,
    pub cup: String,
    pub field: String,
    pub value: String,
    pub reason: String,
}

/// A row replaced by a later row of the same file with the same key (CUP and call).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Superseded {
    pub line: usize,
    pub by_line: usize,
    pub cup: String,
}

/// One changed value of an updated application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
}

/// An updated application and what changed in it (the reports keep a sample).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateSample {
    pub cup: String,
    pub call: String,
    pub changes: Vec<FieldChange>,
}

/// How many updated applications a report describes field by field.
pub const UPDATE_SAMPLES: usize = 20;

/// What an import did (or, in a dry run, would do) to one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// The file's name as given.
    pub file: String,
    /// `applications` or `calls`; empty for a file with no rows.
    pub kind: String,
    pub new: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Rows of other measures, by reason.
    pub out_of_scope: BTreeMap<String, usize>,
    /// Rows of measure 1.2 that could not be read or keyed.
    pub malformed: Vec<RowProblem>,
    /// Earlier rows of a key repeated in the file (the last row wins).
    pub superseded: Vec<Superseded>,
    /// Data-quality warnings of the imported rows.
    pub warnings: Vec<QualityWarning>,
    /// The first updated applications with their changed fields.
    pub samples: Vec<UpdateSample>,
    /// The file had a header and no rows: nothing was imported, nothing deleted.
    pub no_rows: bool,
}

impl ImportReport {
    pub fn skipped(&self) -> usize {
        self.out_of_scope.values().sum::<usize>() + self.malformed.len() + self.superseded.len()
    }

    pub fn add(&mut self, other: &ImportReport) {
        self.new += other.new;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        for (k, v) in &other.out_of_scope {
            *self.out_of_scope.entry(k.clone()).or_default() += v;
        }
        self.malformed.extend(other.malformed.iter().cloned());
        self.superseded.extend(other.superseded.iter().cloned());
        self.warnings.extend(other.warnings.iter().cloned());
        let room = UPDATE_SAMPLES.saturating_sub(self.samples.len());
        self.samples
            .extend(other.samples.iter().take(room).cloned());
    }

    /// The summary line of `nuvola import` (CONTRACT.md).
    pub fn summary(&self) -> String {
        format!(
            "imported: {} new, {} updated, {} unchanged, {} skipped",
            self.new,
            self.updated,
            self.unchanged,
            self.skipped()
        )
    }

    /// Every line of detail: skipped rows and why, data-quality warnings, superseded
    /// rows, a sample of the updates; for the command line's standard error and the
    /// logs. Each line starts with the file's name (and the row's line).
    pub fn details(&self) -> Vec<String> {
        let name = &self.file;
        let mut out = Vec::new();
        if self.no_rows {
            out.push(format!(
                "{name}: the file has no rows: nothing imported, nothing deleted"
            ));
        }
        for (reason, n) in &self.out_of_scope {
            out.push(format!("{name}: skipped {n} row(s): {reason}"));
        }
        for p in &self.malformed {
            out.push(format!("{name}:{}: skipped: {}", p.line, p.reason));
        }
        for s in &self.superseded {
            out.push(format!(
                "{name}:{}: replaced by line {} (same CUP {} and call; the later row wins)",
                s.line, s.by_line, s.cup
            ));
        }
        for w in &self.warnings {
            out.push(format!(
                "{name}:{}: data-quality warning: {} {:?} {}",
                w.line, w.field, w.value, w.reason
            ));
        }
        for u in &self.samples {
            let changes: Vec<String> = u
                .changes
                .iter()
                .map(|c| format!("{} {} -> {}", c.field, c.before, c.after))
                .collect();
            out.push(format!(
                "{name}: {} ({}) changes: {}",
                u.cup,
                u.call,
                changes.join(", ")
            ));
        }
        out
    }
}

/// One file of a batch: what was done with it, or why it was refused whole.
pub type FileOutcome = Result<ImportReport, String>;

/// Imports one open-data file (its bytes) in one transaction. An error means the file
/// was refused whole (or the database failed) and nothing of it was written.
pub async fn import_file(
    db: &DatabaseConnection,
    name: &str,
    bytes: &[u8],
    actor: &Actor,
    progress: &ProgressBar,
) -> anyhow::Result<ImportReport> {
    let mut outcomes = import_files(
        db,
        &[(name.to_owned(), bytes.to_vec())],
        actor,
        Mode::Write,
        progress,
    )
    .await?;
    match outcomes.pop() {
        Some(Ok(report)) => Ok(report),
        Some(Err(reason)) => Err(anyhow::anyhow!(reason)),
        None => Err(anyhow::anyhow!("no file was imported")),
    }
}

/// Imports several files in order (a calls file first, then applications, as the
/// publisher ships them: the later files see what the earlier ones imported) in one
/// transaction, each file in a savepoint: a file that is refused or fails leaves nothing
/// and the others go on. [`Mode::DryRun`] rolls everything back at the end. The outer
/// error is the database failing outside any one file.
#[tracing::instrument(skip_all, fields(files = files.len(), ?mode))]
pub async fn import_files(
    db: &DatabaseConnection,
    files: &[(String, Vec<u8>)],
    actor: &Actor,
    mode: Mode,
    progress: &ProgressBar,
) -> anyhow::Result<Vec<FileOutcome>> {
    let txn = crate::db::begin_write(db)
        .await
        .context("starting the import transaction")?;
    let mut outcomes = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let savepoint = txn.begin().await.context("starting a file's savepoint")?;
        match import_one(&savepoint, name, bytes, actor, progress).await {
            Ok(report) => {
                savepoint
                    .commit()
                    .await
                    .context("ending a file's savepoint")?;
                outcomes.push(Ok(report));
            }
            Err(e) => {
                savepoint
                    .rollback()
                    .await
                    .context("undoing a refused file")?;
                outcomes.push(Err(format!("{e:#}")));
            }
        }
    }
    match mode {
        Mode::Write => txn.commit().await.context("committing the import")?,
        Mode::DryRun => txn.rollback().await.context("rolling the dry run back")?,
    }
    progress.finish_and_clear();
    Ok(outcomes)
}

/// The calls catalogue as the database knows it now: the bundled calls file overlaid with
/// every calls file imported since.
pub async fn call_catalogue(db: &impl ConnectionTrait) -> anyhow::Result<CallCatalogue> {
    let mut catalogue = CallCatalogue::bundled();
    for (title, measure) in published_call::Entity::find()
        .select_only()
        .columns([
            published_call::Column::Title,
            published_call::Column::Measure,
        ])
        .into_tuple::<(String, Option<String>)>()
        .all(db)
        .await
        .context("reading the imported calls files")?
    {
        if let Some(measure) = measure {
            catalogue.insert(&title, &measure);
        }
    }
    Ok(catalogue)
}

async fn import_one(
    txn: &DatabaseTransaction,
    name: &str,
    bytes: &[u8],
    actor: &Actor,
    progress: &ProgressBar,
) -> anyhow::Result<ImportReport> {
    let mut phases = Phases::start();
    progress.set_message(name.to_owned());
    let catalogue = call_catalogue(txn).await?;
    let parsed = opendata::parse(bytes, &catalogue)?;
    let digest = hex::encode(Sha256::digest(bytes));
    phases.done("parse");
    let (kind, mut report) = match parsed {
        OpenDataFile::Applications(rows) => {
            progress.set_length(rows.len() as u64);
            progress.set_position(0);
            (
                "applications",
                import_applications(txn, rows, actor, progress, &mut phases).await?,
            )
        }
        OpenDataFile::Calls(rows) => {
            progress.set_length(rows.len() as u64);
            progress.set_position(0);
            ("calls", import_calls(txn, rows, actor, progress).await?)
        }
        OpenDataFile::NoRows => (
            "",
            ImportReport {
                no_rows: true,
                ..Default::default()
            },
        ),
    };
    report.file = name.to_owned();
    report.kind = kind.to_owned();
    audit::record(
        txn,
        actor,
        Change {
            entity_type: nuvola_shared::EntityType::Import,
            entity_id: digest.chars().take(16).collect(),
            action: "IMPORT_OPEN_DATA",
            application_id: None,
            before: None,
            after: Some(json!({
                "file": name,
                "sha256": digest,
                "kind": kind,
                "new": report.new,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "skipped": report.skipped(),
                "warnings": report.warnings.len(),
                "noRows": report.no_rows,
            })),
        },
    )
    .await
    .context("recording the import in the audit log")?;
    phases.done("audit");
    tracing::info!(
        file = name,
        kind,
        new = report.new,
        updated = report.updated,
        unchanged = report.unchanged,
        skipped = report.skipped(),
        warnings = report.warnings.len(),
        "file imported"
    );
    Ok(report)
}

/// Splits parsed rows into the good ones and the report of the others.
fn triage<T>(rows: Vec<Row<T>>, report: &mut ImportReport) -> Vec<(usize, T)> {
    let mut good = Vec::with_capacity(rows.len());
    for row in rows {
        match row.outcome {
            RowOutcome::Ok(r) => good.push((row.line, r)),
            RowOutcome::Skipped(reason) => *report.out_of_scope.entry(reason).or_default() += 1,
            RowOutcome::Malformed(reason) => report.malformed.push(RowProblem {
                line: row.line,
                reason,
            }),
        }
    }
    good
}

/// A key repeated inside one file: its last row is the newer state and wins; the
/// earlier rows are reported, naming both lines.
fn last_row_wins(
    records: Vec<(usize, ApplicationRecord)>,
    report: &mut ImportReport,
) -> Vec<(usize, ApplicationRecord)> {
    let mut last: HashMap<(String, String), usize> = HashMap::with_capacity(records.len());
    for (i, (_, r)) in records.iter().enumerate() {
        let key = (r.cup.as_str().to_owned(), title_key(r.call_title.as_str()));
        if let Some(earlier) = last.insert(key, i) {
            report.superseded.push(Superseded {
                line: records[earlier].0,
                by_line: records[i].0,
                cup: r.cup.as_str().to_owned(),
            });
        }
    }
    let keep: std::collections::HashSet<usize> = last.into_values().collect();
    records
        .into_iter()
        .enumerate()
        .filter(|(i, _)| keep.contains(i))
        .map(|(_, r)| r)
        .collect()
}

/// The warnings of a row as stored with its application (no file or line: the same
/// data imported again from another file is the same).
fn stored_quality(warnings: &[FieldWarning]) -> Option<String> {
    if warnings.is_empty() {
        return None;
    }
    let list: Vec<serde_json::Value> = warnings
        .iter()
        .map(|w| json!({ "field": w.field, "value": w.value, "reason": w.reason }))
        .collect();
    Some(serde_json::Value::Array(list).to_string())
}

async fn import_applications(
    txn: &DatabaseTransaction,
    rows: Vec<Row<ApplicationRecord>>,
    actor: &Actor,
    progress: &ProgressBar,
    phases: &mut Phases,
) -> anyhow::Result<ImportReport> {
    let mut report = ImportReport::default();
    let records = last_row_wins(triage(rows, &mut report), &mut report);
    for (line, r) in &records {
        report
            .warnings
            .extend(r.warnings.iter().map(|w| QualityWarning {
                line: *line,
                cup: r.cup.as_str().to_owned(),
                field: w.field.to_owned(),
                value: w.value.clone(),
                reason: w.reason.clone(),
            }));
    }

    let now = Utc::now();
    let call_ids = ensure_calls(txn, &records).await?;
    phases.done("calls");
    let admins = upsert_administrations(txn, &records).await?;
    phases.done("administrations");

    let existing: HashMap<(String, i32), application::Model> = application::Entity::find()
        .all(txn)
        .await
        .context("reading existing applications")?
        .into_iter()
        .map(|a| ((a.cup.to_uppercase(), a.call_id), a))
        .collect();
    phases.done("reading applications");

    let mut inserts = Vec::new();
    let mut changes = Vec::new();
    for (_, r) in &records {
        progress.inc(1);
        let call_id = call_ids[&title_key(r.call_title.as_str())];
        let admin_id = admins[&r.ipa_code.key()];
        let quality = stored_quality(&r.warnings);
        match existing.get(&(r.cup.as_str().to_owned(), call_id)) {
            None => inserts.push(application::ActiveModel {
                administration_id: Set(admin_id),
                call_id: Set(call_id),
                cup: Set(r.cup.as_str().to_owned()),
                amount_eur: Set(r.amount.value()),
                state: Set(r.state.initial_state().code().to_owned()),
                submitted_at: Set(r.submitted_at),
                funded_on: Set(r.funded_on),
                decree_ref: Set(r.decree_ref.clone()),
                time_window: Set(r.time_window),
                protocol_number: Set(r.protocol_number),
                state_changed_on: Set(r.state_changed_on),
                data_quality: Set(quality),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }),
            Some(current) => match updated_application(current, r, admin_id)? {
                None if current.data_quality == quality => report.unchanged += 1,
                None => {
                    // Only the warnings changed (e.g. a rule learnt since): not an update
                    // of the published data, so no new version.
                    let mut active: application::ActiveModel = current.clone().into();
                    active.data_quality = Set(quality);
                    active
                        .update(txn)
                        .await
                        .context("updating an application's data-quality warnings")?;
                    report.unchanged += 1;
                }
                Some(mut next) => {
                    next.data_quality = quality;
                    let (before, after, fields) = changed_fields(current, &next);
                    if report.samples.len() < UPDATE_SAMPLES {
                        report.samples.push(UpdateSample {
                            cup: current.cup.clone(),
                            call: r.call_title.as_str().to_owned(),
                            changes: fields,
                        });
                    }
                    let mut active: application::ActiveModel = next.into();
                    for col in [
                        application::Column::AdministrationId,
                        application::Column::AmountEur,
                        application::Column::State,
                        application::Column::SubmittedAt,
                        application::Column::FundedOn,
                        application::Column::DecreeRef,
                        application::Column::TimeWindow,
                        application::Column::ProtocolNumber,
                        application::Column::StateChangedOn,
                        application::Column::DataQuality,
                        application::Column::Version,
                        application::Column::UpdatedAt,
                    ] {
                        active.reset(col);
                    }
                    active
                        .update(txn)
                        .await
                        .context("updating an application")?;
                    changes.push(Change {
                        entity_type: nuvola_shared::EntityType::Application,
                        entity_id: current.id.to_string(),
                        action: "IMPORT_UPDATE",
                        application_id: Some(current.id),
                        before: Some(before),
                        after: Some(after),
                    });
                    report.updated += 1;
                }
            },
        }
    }
    phases.done("comparing and updating applications");
    report.new = inserts.len();
    for chunk in inserts.chunks(rows_per_insert::<application::Entity>(
        txn.get_database_backend(),
    )) {
        application::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await
            .context("inserting applications")?;
    }
    phases.done("inserting applications");
    if report.new > 0 {
        let newest_before = existing.values().map(|a| a.id).max().unwrap_or(0);
        create_school_plans(txn, newest_before).await?;
        phases.done("school plans");
    }
    audit::record_many(txn, actor, changes)
        .await
        .context("recording updates in the audit log")?;
    Ok(report)
}

/// The published values of an application that differ between `before` and `after`:
/// the audit event's before and after (only what changed) and the same as a list.
fn changed_fields(
    before: &application::Model,
    after: &application::Model,
) -> (serde_json::Value, serde_json::Value, Vec<FieldChange>) {
    let (b, a) = (application_json(before), application_json(after));
    let mut old = serde_json::Map::new();
    let mut new = serde_json::Map::new();
    let mut list = Vec::new();
    if let (serde_json::Value::Object(b), serde_json::Value::Object(a)) = (b, a) {
        for (field, value) in a {
            let previous = b.get(&field).cloned().unwrap_or(serde_json::Value::Null);
            if previous != value && field != "version" {
                list.push(FieldChange {
                    field: field.clone(),
                    before: previous.clone(),
                    after: value.clone(),
                });
                old.insert(field.clone(), previous);
                new.insert(field, value);
            }
        }
    }
    (
        serde_json::Value::Object(old),
        serde_json::Value::Object(new),
        list,
    )
}

/// The application as it should be after this record, or `None` when nothing changes.
fn updated_application(
    current: &application::Model,
    r: &ApplicationRecord,
    administration_id: i32,
) -> anyhow::Result<Option<application::Model>> {
    let state = ApplicationState::parse(&current.state).with_context(|| {
        format!(
            "application {} has an unknown state {:?}",
            current.id, current.state
        )
    })?;
    let mut next = current.clone();
    next.administration_id = administration_id;
    next.amount_eur = r.amount.value();
    if let Some(s) = r.state.reconcile(state) {
        next.state = s.code().to_owned();
    }
    // Optional columns only overwrite when the file has them: a file variant that
    // omits a column says nothing about it.
    next.submitted_at = r.submitted_at.or(current.submitted_at);
    next.funded_on = r.funded_on.or(current.funded_on);
    next.decree_ref = r.decree_ref.clone().or_else(|| current.decree_ref.clone());
    next.time_window = r.time_window.or(current.time_window);
    next.protocol_number = r.protocol_number.or(current.protocol_number);
    next.state_changed_on = r.state_changed_on.or(current.state_changed_on);
    if next == *current {
        return Ok(None);
    }
    next.version = current.version + 1;
    next.updated_at = Utc::now();
    Ok(Some(next))
}

fn application_json(a: &application::Model) -> serde_json::Value {
    json!({
        "administrationId": a.administration_id,
        "amountEur": a.amount_eur,
        "state": a.state,
        "submittedAt": a.submitted_at,
        "fundedOn": a.funded_on,
        "decreeRef": a.decree_ref,
        "timeWindow": a.time_window,
        "protocolNumber": a.protocol_number,
        "stateChangedOn": a.state_changed_on,
        "version": a.version,
    })
}

/// Creates the calls the records name that do not exist yet; returns title key → id
/// (a title written with other capitals or blanks by another snapshot is the same call).
async fn ensure_calls(
    txn: &DatabaseTransaction,
    records: &[(usize, ApplicationRecord)],
) -> anyhow::Result<HashMap<String, i32>> {
    let mut ids: HashMap<String, i32> = call::Entity::find()
        .select_only()
        .columns([call::Column::Title, call::Column::Id])
        .into_tuple::<(String, i32)>()
        .all(txn)
        .await
        .context("reading calls")?
        .into_iter()
        .map(|(title, id)| (title_key(&title), id))
        .collect();
    for (_, r) in records {
        let key = title_key(r.call_title.as_str());
        if ids.contains_key(&key) {
            continue;
        }
        let model = new_call(r.call_title.as_str(), r.measure.clone())
            .insert(txn)
            .await
            .context("creating a call")?;
        ids.insert(key, model.id);
    }
    Ok(ids)
}

/// A new call with the deadline rules DOMAIN.md gives for its kind.
fn new_call(title: &str, measure: Option<String>) -> call::ActiveModel {
    let rule = DeadlineRule::default_for_call(title);
    let now = Utc::now();
    call::ActiveModel {
        title: Set(title.to_owned()),
        measure: Set(measure),
        contract_term: Set(rule.contract_within.map(|t| t.to_string())),
        completion_term: Set(rule.completion_within.map(|t| t.to_string())),
        completion_from: Set("CONTRACT_DATE".to_owned()),
        hard_cap: Set(rule.hard_cap),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// Creates or refreshes the bodies the records name; returns IPA key → id.
async fn upsert_administrations(
    txn: &DatabaseTransaction,
    records: &[(usize, ApplicationRecord)],
) -> anyhow::Result<HashMap<String, i32>> {
    let existing: HashMap<String, administration::Model> = load_administrations(txn).await?;
    let now = Utc::now();
    // Last row wins for the attributes of a body that appears more than once.
    let mut wanted: HashMap<String, administration::Model> = HashMap::new();
    // New bodies are inserted in the order the file first names them: their ids follow
    // the file, as the applications' do, whatever the hash map's order.
    let mut order: Vec<String> = Vec::new();
    for (_, r) in records {
        let key = r.ipa_code.key();
        let base = wanted.get(&key).or_else(|| existing.get(&key)).cloned();
        let name = r
            .name
            .clone()
            .or_else(|| base.as_ref().map(|b| b.name.clone()))
            .unwrap_or_else(|| r.ipa_code.as_str().to_owned());
        let type_label = r
            .type_label
            .clone()
            .or_else(|| base.as_ref().and_then(|b| b.type_label.clone()));
        let type_code =
            AdministrationType::infer(type_label.as_deref(), r.call_title.as_str(), &name)
                .code()
                .to_owned();
        let keep = |new: Option<String>, old: Option<&Option<String>>| {
            new.or_else(|| old.cloned().flatten())
        };
        let model = administration::Model {
            id: base.as_ref().map_or(0, |b| b.id),
            ipa_code: base
                .as_ref()
                .map_or_else(|| r.ipa_code.as_str().to_owned(), |b| b.ipa_code.clone()),
            ipa_key: key.clone(),
            name,
            type_code,
            type_label,
            comune: keep(r.comune.clone(), base.as_ref().map(|b| &b.comune)),
            comune_istat: keep(
                r.comune_istat.as_ref().map(|c| c.as_str().to_owned()),
                base.as_ref().map(|b| &b.comune_istat),
            ),
            provincia: keep(r.provincia.clone(), base.as_ref().map(|b| &b.provincia)),
            provincia_istat: keep(
                r.provincia_istat.as_ref().map(|c| c.as_str().to_owned()),
                base.as_ref().map(|b| &b.provincia_istat),
            ),
            region: r.region.name().to_owned(),
            region_istat: Some(r.region.istat_code().to_owned()),
            population: base.as_ref().and_then(|b| b.population),
            created_at: base.as_ref().map_or(now, |b| b.created_at),
            updated_at: base.as_ref().map_or(now, |b| b.updated_at),
        };
        if wanted.insert(key.clone(), model).is_none() {
            order.push(key);
        }
    }

    let mut inserts = Vec::new();
    let mut updated_count = 0;
    for key in order {
        let Some(model) = wanted.remove(&key) else {
            continue;
        };
        match existing.get(&key) {
            None => {
                let mut active: administration::ActiveModel = model.into();
                active.id = sea_orm::ActiveValue::NotSet;
                inserts.push(active);
            }
            Some(old) if *old != model => {
                let mut updated = model;
                updated.updated_at = now;
                let mut active: administration::ActiveModel = updated.into();
                for col in [
                    administration::Column::Name,
                    administration::Column::TypeCode,
                    administration::Column::TypeLabel,
                    administration::Column::Comune,
                    administration::Column::ComuneIstat,
                    administration::Column::Provincia,
                    administration::Column::ProvinciaIstat,
                    administration::Column::Region,
                    administration::Column::RegionIstat,
                    administration::Column::UpdatedAt,
                ] {
                    active.reset(col);
                }
                active
                    .update(txn)
                    .await
                    .context("updating an administration")?;
                updated_count += 1;
            }
            Some(_) => {}
        }
    }
    tracing::debug!(
        new = inserts.len(),
        updated = updated_count,
        "administrations"
    );
    for chunk in inserts.chunks(rows_per_insert::<administration::Entity>(
        txn.get_database_backend(),
    )) {
        administration::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await
            .context("inserting administrations")?;
    }
    if !inserts.is_empty() {
        // Only the new bodies' ids are unknown; the keys and ids are all that is needed.
        return Ok(administration::Entity::find()
            .select_only()
            .columns([administration::Column::IpaKey, administration::Column::Id])
            .into_tuple::<(String, i32)>()
            .all(txn)
            .await
            .context("reading administration ids")?
            .into_iter()
            .collect());
    }
    Ok(existing.into_iter().map(|(k, a)| (k, a.id)).collect())
}

async fn load_administrations(
    txn: &DatabaseTransaction,
) -> anyhow::Result<HashMap<String, administration::Model>> {
    Ok(administration::Entity::find()
        .all(txn)
        .await
        .context("reading administrations")?
        .into_iter()
        .map(|a| (a.ipa_key.clone(), a))
        .collect())
}

/// A school's grant is EUR 553 per migrated service: each new school project (id above
/// `newest_before`) gets that many planned services, to be named from the catalogue by the
/// school in its plan. One statement, computed by the database: tens of thousands of
/// rows would otherwise cross the connection one by one.
///
/// `CROSS JOIN n` keeps the counter innermost: SQLite never reorders across a CROSS JOIN,
/// and without statistics (a fresh file is never analyzed) it put `n` outermost and
/// looked every school up 100 times (0.48 s instead of 0.2 s for the bundled data).
/// PostgreSQL treats CROSS JOIN as any inner join and plans it alike.
async fn create_school_plans(txn: &DatabaseTransaction, newest_before: i32) -> anyhow::Result<()> {
    let backend = txn.get_database_backend();
    if backend == DatabaseBackend::Postgres {
        // The rows are sorted (for their ids to follow the projects and the service
        // numbers): about 5 MB for the bundled data, which the default 4 MB of work_mem
        // would spill to disk. For this transaction only.
        txn.execute_unprepared("SET LOCAL work_mem = '64MB'")
            .await
            .context("raising work_mem for the import")?;
    }
    let (now, after) = match backend {
        DatabaseBackend::Postgres => ("$1", "$2"),
        _ => ("?1", "?2"),
    };
    let sql = format!(
        "WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < {max}) \
         INSERT INTO planned_service (application_id, name, data_class, status, version, created_at, updated_at) \
         SELECT a.id, '{prefix}' || n.k, '{class}', '{status}', 1, {now}, {now} \
         FROM application a \
         JOIN administration d ON d.id = a.administration_id \
         CROSS JOIN n \
         WHERE n.k <= a.amount_eur / {unit} \
         AND d.type_code = '{school}' AND a.amount_eur > 0 AND a.amount_eur % {unit} = 0 AND a.id > {after} \
         ORDER BY a.id, n.k",
        max = MAX_SCHOOL_SERVICES,
        prefix = SCHOOL_SERVICE_PREFIX,
        class = nuvola_shared::DataClass::Ordinario.code(),
        status = ServiceState::NotStarted.code(),
        unit = SCHOOL_EUROS_PER_SERVICE,
        school = AdministrationType::Scuola.code(),
    );
    txn.execute(Statement::from_sql_and_values(
        backend,
        sql,
        [Utc::now().into(), newest_before.into()],
    ))
    .await
    .context("creating the planned services of schools")?;
    Ok(())
}

/// The name of a school's planned service until the school chooses it: "... n. 3".
pub const SCHOOL_SERVICE_PREFIX: &str = "Servizio da definire n. ";
/// More services than any school grant pays for (23 at most in the open data).
const MAX_SCHOOL_SERVICES: i64 = 100;

async fn import_calls(
    txn: &DatabaseTransaction,
    rows: Vec<Row<CallRecord>>,
    actor: &Actor,
    progress: &ProgressBar,
) -> anyhow::Result<ImportReport> {
    let mut report = ImportReport::default();
    let records = triage(rows, &mut report);
    remember_published_calls(txn, &records).await?;
    let existing: HashMap<String, call::Model> = call::Entity::find()
        .all(txn)
        .await
        .context("reading calls")?
        .into_iter()
        .map(|c| (title_key(&c.title), c))
        .collect();
    let mut changes = Vec::new();
    for (_, r) in records {
        progress.inc(1);
        if !r.measure_1_2 {
            let verdict =
                nuvola_shared::call::decide_measure(r.title.as_str(), r.measure.as_deref(), None);
            *report
                .out_of_scope
                .entry(verdict.skip_reason())
                .or_default() += 1;
            continue;
        }
        let title = r.title.as_str();
        match existing.get(&title_key(title)) {
            None => {
                let mut active = new_call(title, r.measure.clone());
                active.opens_on = Set(r.opens_on);
                active.closes_on = Set(r.closes_on);
                active.status = Set(r.status.clone());
                active.budget_eur = Set(r.budget.map(|e| e.value()));
                active.measure_budget_eur = Set(r.measure_budget.map(|e| e.value()));
                active.target_types = Set(r.target_types.clone());
                let model = active.insert(txn).await.context("creating a call")?;
                changes.push(Change {
                    entity_type: nuvola_shared::EntityType::Call,
                    entity_id: model.id.to_string(),
                    action: "IMPORT_CREATE",
                    application_id: None,
                    before: None,
                    after: Some(json!({ "title": model.title })),
                });
                report.new += 1;
            }
            Some(current) => {
                let mut next = current.clone();
                next.measure = r.measure.clone().or_else(|| current.measure.clone());
                next.opens_on = r.opens_on.or(current.opens_on);
                next.closes_on = r.closes_on.or(current.closes_on);
                next.status = r.status.clone().or_else(|| current.status.clone());
                next.budget_eur = r.budget.map(|e| e.value()).or(current.budget_eur);
                next.measure_budget_eur = r
                    .measure_budget
                    .map(|e| e.value())
                    .or(current.measure_budget_eur);
                next.target_types = r
                    .target_types
                    .clone()
                    .or_else(|| current.target_types.clone());
                if next == *current {
                    report.unchanged += 1;
                    continue;
                }
                next.updated_at = Utc::now();
                let before = json!({ "opensOn": current.opens_on, "closesOn": current.closes_on, "status": current.status, "budgetEur": current.budget_eur });
                let after = json!({ "opensOn": next.opens_on, "closesOn": next.closes_on, "status": next.status, "budgetEur": next.budget_eur });
                let mut active: call::ActiveModel = next.into();
                for col in [
                    call::Column::Measure,
                    call::Column::OpensOn,
                    call::Column::ClosesOn,
                    call::Column::Status,
                    call::Column::BudgetEur,
                    call::Column::MeasureBudgetEur,
                    call::Column::TargetTypes,
                    call::Column::UpdatedAt,
                ] {
                    active.reset(col);
                }
                active.update(txn).await.context("updating a call")?;
                changes.push(Change {
                    entity_type: nuvola_shared::EntityType::Call,
                    entity_id: current.id.to_string(),
                    action: "IMPORT_UPDATE",
                    application_id: None,
                    before: Some(before),
                    after: Some(after),
                });
                report.updated += 1;
            }
        }
    }
    audit::record_many(txn, actor, changes)
        .await
        .context("recording call changes in the audit log")?;
    Ok(report)
}

/// Keeps what a calls file says of every call, whatever its measure: the catalogue that
/// decides the measure of later applications files (`call_catalogue`).
async fn remember_published_calls(
    txn: &DatabaseTransaction,
    records: &[(usize, CallRecord)],
) -> anyhow::Result<()> {
    let known: HashMap<String, published_call::Model> = published_call::Entity::find()
        .all(txn)
        .await
        .context("reading the published calls")?
        .into_iter()
        .map(|c| (c.title_key.clone(), c))
        .collect();
    let now = Utc::now();
    let mut written: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (_, r) in records.iter().rev() {
        let key = title_key(r.title.as_str());
        // A title listed twice: the last row is the newer.
        if !written.insert(key.clone()) {
            continue;
        }
        match known.get(&key) {
            Some(old) if old.measure == r.measure && old.title == r.title.as_str() => {}
            Some(old) => {
                let mut active: published_call::ActiveModel = old.clone().into();
                active.title = Set(r.title.as_str().to_owned());
                active.measure = Set(r.measure.clone());
                active.updated_at = Set(now);
                active
                    .update(txn)
                    .await
                    .context("updating a published call")?;
            }
            None => {
                published_call::ActiveModel {
                    title: Set(r.title.as_str().to_owned()),
                    title_key: Set(key),
                    measure: Set(r.measure.clone()),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(txn)
                .await
                .context("recording a published call")?;
            }
        }
    }
    Ok(())
}
