//! Deadlines as rules of each call, and the deadline checker.
//!
//! The terms live on the call (`call.contract_term`, `completion_term`, `completion_from`,
//! `hard_cap`); the department records them ([`set_call_terms`]) since the comuni calls
//! publish none in machine-readable form. [`check`] compares every project with the rules
//! of its call on a given day: it marks the projects that missed a deadline
//! (`application.overdue_kind`, `overdue_since`), clears the marks whose obligation was
//! met or whose project reached a final state, flags OPEN verification requests past
//! their due date, and raises notifications to the administration that owns the project
//! and to the department.
//!
//! Replicas may run the checker at the same moment. Each transaction first updates the
//! job's row in `scheduled_job`: the row lock makes concurrent runs take turns (on
//! PostgreSQL and on SQLite alike), and each run re-reads the projects after taking it,
//! so a mark or a notification is written once. Notifications also carry a unique
//! `dedupe_key` and are inserted with `ON CONFLICT DO NOTHING`, as a second guard.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use nuvola_shared::deadline::{check_hard_cap, projects_changing_deadline, TermsSubject};
use nuvola_shared::notify::ReminderSchedule;
use nuvola_shared::{
    ApplicationState, DeadlineKind, DeadlineRule, Overdue, ParseError, RequestState, Role, Term,
    TermStart,
};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;

use crate::audit::{self, Actor, Change};
use crate::entity::verification_request;
use crate::entity::{administration, application, call, notification, scheduled_job};
use crate::service::auth::Principal;

/// The audit actor of the checker.
pub const CHECKER: &str = "deadline-checker";
/// The checker's row in `scheduled_job`.
pub const JOB: &str = "deadlines";
/// Projects changed per transaction: short transactions keep SQLite's single writer
/// available to requests while a run marks thousands of projects.
const CHUNK: usize = 200;
/// Above this many projects newly overdue in one run, the department gets one digest
/// per deadline kind instead of one notification per project (the list is in
/// `overdueProjects`); the administrations still get one each for their own project.
pub const DEPARTMENT_DIGEST_ABOVE: usize = 20;

/// Notification kinds the checker raises.
pub const CONTRACT_DEADLINE_MISSED: &str = "CONTRACT_DEADLINE_MISSED";
pub const COMPLETION_DEADLINE_MISSED: &str = "COMPLETION_DEADLINE_MISSED";
pub const VERIFICATION_REQUEST_OVERDUE: &str = "VERIFICATION_REQUEST_OVERDUE";
/// Reminder kinds: before a deadline, at the days of the call's schedule (30, 7, 1).
pub const CONTRACT_DEADLINE_REMINDER: &str = "CONTRACT_DEADLINE_REMINDER";
pub const COMPLETION_DEADLINE_REMINDER: &str = "COMPLETION_DEADLINE_REMINDER";
pub const VERIFICATION_REQUEST_REMINDER: &str = "VERIFICATION_REQUEST_REMINDER";
/// Above this many reminders for one administration in one run, its accounts get one
/// e-mail summing them up instead of one each (the reminders stay in the web
/// application), as the department gets a digest of many missed deadlines.
pub const REMINDER_DIGEST_ABOVE: usize = DEPARTMENT_DIGEST_ABOVE;
/// The kind of that summary: it sums up reminders of any of the three kinds, so it
/// follows the preferences of the kinds it sums up
/// (`preferences::email_reminder_summary`), not one of them.
pub const DEADLINE_REMINDERS_SUMMARY: &str = "DEADLINE_REMINDERS_SUMMARY";

/// The deadline rule a call carries: its terms as recorded, or the programme's hard cap.
pub fn call_rule(call: &call::Model) -> DeadlineRule {
    DeadlineRule::from_stored(
        call.contract_term.as_deref(),
        call.completion_term.as_deref(),
        &call.completion_from,
        call.hard_cap,
    )
}

/// The mark the checker stored on a project, if any.
pub fn stored_mark(project: &application::Model) -> Option<Overdue> {
    let kind = DeadlineKind::parse(project.overdue_kind.as_deref()?).ok()?;
    Some(Overdue {
        kind,
        since: project.overdue_since?,
    })
}

/// The stored mark, if its obligation is still owed in the project's current state: a
/// project that records its contract stops being overdue for it at once, before the
/// checker's next run clears the mark.
pub fn standing_mark(project: &application::Model) -> Option<Overdue> {
    let mark = stored_mark(project)?;
    let state = ApplicationState::parse(&project.state).ok()?;
    mark.stands_in(state).then_some(mark)
}

/// The states in which a project may owe a deadline.
fn owing_states() -> Vec<&'static str> {
    ApplicationState::ALL
        .into_iter()
        .filter(|s| DeadlineKind::owed_in(*s).is_some())
        .map(ApplicationState::code)
        .collect()
}

/// The SQL condition of [`standing_mark`]: marked, and the obligation still owed.
pub fn standing_mark_condition() -> Condition {
    let mut any = Condition::any();
    for kind in [DeadlineKind::Contract, DeadlineKind::Completion] {
        let states: Vec<&str> = ApplicationState::ALL
            .into_iter()
            .filter(|s| kind.pending_in(*s))
            .map(ApplicationState::code)
            .collect();
        any = any.add(
            Condition::all()
                .add(application::Column::OverdueKind.eq(kind.code()))
                .add(application::Column::State.is_in(states)),
        );
    }
    Condition::all()
        .add(application::Column::OverdueSince.is_not_null())
        .add(any)
}

/// What one run of the checker did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub today: NaiveDate,
    /// Projects that owe a deadline or carried a mark.
    pub projects_checked: usize,
    /// Projects marked overdue by this run (a new mark, or a new missed deadline).
    pub newly_overdue: usize,
    /// Marks removed: the obligation was met, the terms changed, or the project ended.
    pub cleared: usize,
    /// OPEN verification requests found past their due date for the first time.
    pub requests_overdue: usize,
    /// Notifications inserted by this run.
    pub notifications: usize,
}

impl Report {
    fn new(today: NaiveDate) -> Self {
        Self {
            today,
            projects_checked: 0,
            newly_overdue: 0,
            cleared: 0,
            requests_overdue: 0,
            notifications: 0,
        }
    }

    /// The line `nuvola deadlines` prints.
    pub fn summary(&self) -> String {
        format!(
            "deadlines on {}: {} projects checked, {} newly overdue, {} no longer overdue, {} verification requests overdue, {} notifications raised",
            self.today,
            self.projects_checked,
            self.newly_overdue,
            self.cleared,
            self.requests_overdue,
            self.notifications
        )
    }
}

/// Checks every project's deadlines as of `today`. Safe to run twice, or in two
/// replicas at once: nothing is marked or notified twice.
#[tracing::instrument(skip(db))]
pub async fn check(db: &DatabaseConnection, today: NaiveDate) -> Result<Report, DbErr> {
    let mut report = Report::new(today);
    let rules = rules(db).await?;
    // A first pass without locks finds the projects whose mark must change; each chunk
    // is then re-read and re-decided under the job's lock.
    let candidates = application::Entity::find()
        .filter(
            Condition::any()
                .add(application::Column::State.is_in(owing_states()))
                .add(application::Column::OverdueKind.is_not_null()),
        )
        .order_by_asc(application::Column::Id)
        .all(db)
        .await?;
    report.projects_checked = candidates.len();
    let mut changed = Vec::new();
    let mut newly = BTreeMap::<DeadlineKind, Vec<i32>>::new();
    for project in &candidates {
        let mark = decide(project, &rules, today);
        if mark != stored_mark(project) {
            changed.push(project.id);
            if let Some(mark) = mark {
                newly.entry(mark.kind).or_default().push(project.id);
            }
        }
    }
    let digest = newly.values().map(Vec::len).sum::<usize>() > DEPARTMENT_DIGEST_ABOVE;
    for (i, ids) in changed.chunks(CHUNK).enumerate() {
        let txn = crate::db::begin_write(db).await?;
        lock(&txn, today).await?;
        let mut outcome = apply(&txn, ids, today, !digest).await?;
        if digest && i == 0 {
            // In the first chunk's transaction, so the digest exists once the marks do.
            let notes = newly
                .iter()
                .map(|(kind, ids)| department_digest(*kind, ids, today))
                .collect();
            outcome.notifications += insert_notifications(&txn, notes).await?;
        }
        txn.commit().await?;
        report.newly_overdue += outcome.newly_overdue;
        report.cleared += outcome.cleared;
        report.notifications += outcome.notifications;
    }

    let txn = crate::db::begin_write(db).await?;
    lock(&txn, today).await?;
    let (requests, notifications) = flag_requests(&txn, today).await?;
    txn.commit().await?;
    report.requests_overdue = requests;
    report.notifications += notifications;
    tracing::info!(summary = %report.summary(), "deadline check");
    Ok(report)
}

/// Runs [`check`] every `period` until the process ends, first one period after start
/// (`nuvola deadlines` runs it at once), and forgets idempotency keys older than
/// `idempotency::KEEP`. Errors are logged and the next run tries again.
pub fn spawn_periodic(db: DatabaseConnection, period: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if let Err(e) = remind(&db, Utc::now().date_naive()).await {
                tracing::error!(error = %e, "the deadline reminders failed; they run again at the next interval");
            }
            if let Err(e) = check(&db, Utc::now().date_naive()).await {
                tracing::error!(error = %e, "the deadline check failed; it runs again at the next interval");
            }
            // Onboarding: waiting requests and invitations reminded, then expired.
            if let Err(e) = crate::service::onboarding::sweep(&db, Utc::now()).await {
                tracing::error!(error = %e, "the onboarding reminders failed; they run again at the next interval");
            }
            // The daily digests: once a day across replicas (`scheduled_job`).
            match crate::service::preferences::run_digests(&db, Utc::now().date_naive()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(digests = n, "daily digests written to the outbox"),
                Err(e) => tracing::error!(error = %e, "writing the daily digests failed"),
            }
            // The same task forgets old idempotency keys (housekeeping of one table).
            match crate::service::idempotency::purge(
                &db,
                Utc::now() - crate::service::idempotency::KEEP,
            )
            .await
            {
                Ok(0) => {}
                Ok(n) => tracing::info!(keys = n, "old idempotency keys forgotten"),
                Err(e) => tracing::error!(error = %e, "forgetting old idempotency keys failed"),
            }
        }
    })
}

async fn rules(db: &impl ConnectionTrait) -> Result<HashMap<i32, DeadlineRule>, DbErr> {
    Ok(call::Entity::find()
        .all(db)
        .await?
        .iter()
        .map(|c| (c.id, call_rule(c)))
        .collect())
}

/// The mark a project should carry on `today`.
fn decide(
    project: &application::Model,
    rules: &HashMap<i32, DeadlineRule>,
    today: NaiveDate,
) -> Option<Overdue> {
    let state = ApplicationState::parse(&project.state).ok()?;
    let rule = rules.get(&project.call_id)?;
    rule.overdue(state, project.funded_on, project.contract_on, today)
}

/// Takes the job's row lock for the rest of the transaction (and records the run).
async fn lock(txn: &DatabaseTransaction, today: NaiveDate) -> Result<(), DbErr> {
    let touch = || {
        scheduled_job::Entity::update_many()
            .col_expr(scheduled_job::Column::LastRunOn, Expr::value(today))
            .col_expr(scheduled_job::Column::LastRunAt, Expr::value(Utc::now()))
            .filter(scheduled_job::Column::Name.eq(JOB))
    };
    if touch().exec(txn).await?.rows_affected == 0 {
        // The row the migration created is gone: create it again, then lock it.
        scheduled_job::Entity::insert(scheduled_job::ActiveModel {
            name: Set(JOB.to_owned()),
            last_run_on: Set(None),
            last_run_at: Set(None),
        })
        .on_conflict_do_nothing()
        .exec_without_returning(txn)
        .await?;
        touch().exec(txn).await?;
    }
    Ok(())
}

#[derive(Default)]
struct Outcome {
    newly_overdue: usize,
    cleared: usize,
    notifications: usize,
}

/// Re-reads the projects `ids` under the lock and brings their marks up to date, with
/// audit events and notifications (the department's too when `notify_department`), in
/// the caller's transaction.
async fn apply(
    txn: &DatabaseTransaction,
    ids: &[i32],
    today: NaiveDate,
    notify_department: bool,
) -> Result<Outcome, DbErr> {
    let projects = application::Entity::find()
        .filter(application::Column::Id.is_in(ids.to_vec()))
        .order_by_asc(application::Column::Id)
        .all(txn)
        .await?;
    // The terms as they are now, under the lock: the department may have changed them.
    let rules = rules(txn).await?;
    let body_ids: HashSet<i32> = projects.iter().map(|p| p.administration_id).collect();
    let bodies: HashMap<i32, administration::Model> = administration::Entity::find()
        .filter(administration::Column::Id.is_in(body_ids))
        .all(txn)
        .await?
        .into_iter()
        .map(|b| (b.id, b))
        .collect();

    let mut outcome = Outcome::default();
    let mut changes = Vec::new();
    let mut notes = Vec::new();
    // Projects decreed together miss their deadlines together: one UPDATE per mark.
    let mut marks: BTreeMap<Option<(&str, NaiveDate)>, Vec<i32>> = BTreeMap::new();
    let now = Utc::now();
    for project in &projects {
        let before = stored_mark(project);
        let after = decide(project, &rules, today);
        if before == after {
            continue;
        }
        marks
            .entry(after.map(|m| (m.kind.code(), m.since)))
            .or_default()
            .push(project.id);
        let mark_json = |m: Option<Overdue>| {
            m.map(|m| json!({ "overdueKind": m.kind.code(), "overdueSince": m.since, "dueOn": m.due_on() }))
        };
        match after {
            Some(mark) => {
                outcome.newly_overdue += 1;
                changes.push(Change {
                    entity_type: nuvola_shared::EntityType::Application,
                    entity_id: project.id.to_string(),
                    action: "DEADLINE_MISSED",
                    application_id: Some(project.id),
                    before: mark_json(before),
                    after: mark_json(after),
                });
                let body = bodies.get(&project.administration_id);
                notes.extend(deadline_notifications(
                    project,
                    body,
                    mark,
                    now,
                    notify_department,
                ));
            }
            None => {
                outcome.cleared += 1;
                changes.push(Change {
                    entity_type: nuvola_shared::EntityType::Application,
                    entity_id: project.id.to_string(),
                    action: "OVERDUE_CLEARED",
                    application_id: Some(project.id),
                    before: mark_json(before),
                    after: Some(json!({ "state": project.state })),
                });
            }
        }
    }
    for (mark, ids) in marks {
        // Not the projects' `version`: the mark is the checker's, and bumping the
        // version would turn an administration's concurrent edit into a CONFLICT.
        application::Entity::update_many()
            .col_expr(
                application::Column::OverdueKind,
                Expr::value(mark.map(|(kind, _)| kind)),
            )
            .col_expr(
                application::Column::OverdueSince,
                Expr::value(mark.map(|(_, since)| since)),
            )
            .filter(application::Column::Id.is_in(ids))
            .exec(txn)
            .await?;
    }
    outcome.notifications = insert_notifications(txn, notes).await?;
    audit::record_many(txn, &Actor::system(CHECKER), changes).await?;
    Ok(outcome)
}

/// The department's one notification for the projects (`ids`, ascending) that one run
/// found newly overdue for a deadline of `kind`. Its key names the run's first project,
/// so two replicas running the same check raise it once.
fn department_digest(
    kind: DeadlineKind,
    ids: &[i32],
    today: NaiveDate,
) -> notification::ActiveModel {
    let (code, what, what_en) = deadline_words(kind);
    let day = today.format("%d/%m/%Y");
    let message = format!(
        "Il controllo delle scadenze del {day} ha trovato {} progetti oltre il termine per {what}. \
         L'elenco è nel cruscotto nazionale, in «Progetti in ritardo».",
        ids.len()
    );
    let message_en = format!(
        "The deadline check of {day} found {} projects past the deadline for {what_en}. \
         The list is in the national dashboard, under «Overdue projects».",
        ids.len()
    );
    notification::ActiveModel {
        account_id: Set(None),
        recipient_role: Set(Some(Role::Department.code().to_owned())),
        administration_id: Set(None),
        application_id: Set(None),
        kind: Set(code.to_owned()),
        message: Set(message),
        message_en: Set(Some(message_en)),
        created_at: Set(Utc::now()),
        read_at: Set(None),
        delivered_at: Set(None),
        dedupe_key: Set(Some(format!(
            "{code}:DIGEST:{today}:{}:DEPARTMENT",
            ids.first().copied().unwrap_or_default()
        ))),
        ..Default::default()
    }
}

/// A deadline kind's notification kind, and what it asks for, in Italian and English.
fn deadline_words(kind: DeadlineKind) -> (&'static str, &'static str, &'static str) {
    match kind {
        DeadlineKind::Contract => (
            CONTRACT_DEADLINE_MISSED,
            "la stipula del contratto con il fornitore",
            "signing the contract with the supplier",
        ),
        DeadlineKind::Completion => (
            COMPLETION_DEADLINE_MISSED,
            "il completamento della migrazione",
            "completing the migration",
        ),
    }
}

/// One notification per recipient group: the administration's accounts and, unless the
/// run sends the department a digest, the department's.
fn deadline_notifications(
    project: &application::Model,
    body: Option<&administration::Model>,
    mark: Overdue,
    now: chrono::DateTime<Utc>,
    notify_department: bool,
) -> Vec<notification::ActiveModel> {
    let (kind, what, what_en) = deadline_words(mark.kind);
    let due = mark.due_on().format("%d/%m/%Y");
    let body_name = body.map_or("", |b| b.name.as_str());
    let cup = &project.cup;
    // A project that never reported progress in Nuvola may have met the deadline without
    // saying so: it is asked to report, not told it is late.
    let (for_body, for_department) = if project.progress_reported_at.is_none() {
        (
            (
                format!("Il termine del {due} per {what} del progetto CUP {cup} è passato e Nuvola non ne ha notizia: comunicare l'avanzamento in Nuvola (il contratto, il piano dei servizi). Senza notizie il finanziamento è a rischio di revoca."),
                format!("The deadline of {due} for {what_en} of project CUP {cup} has passed and Nuvola has no news of it: report the progress in Nuvola (the contract, the plan of services). Without news the funding is at risk of revocation."),
            ),
            (
                format!("Il progetto CUP {cup} ({body_name}) non ha comunicato l'avanzamento e il termine del {due} per {what} è passato (avanzamento non comunicato)."),
                format!("Project CUP {cup} ({body_name}) has not reported its progress and the deadline of {due} for {what_en} has passed (progress not reported)."),
            ),
        )
    } else {
        (
            (
                format!("Il progetto CUP {cup} ha superato il termine del {due} per {what}. Il finanziamento è a rischio di revoca."),
                format!("Project CUP {cup} passed the deadline of {due} for {what_en}. The funding is at risk of revocation."),
            ),
            (
                format!("Il progetto CUP {cup} ({body_name}) ha superato il termine del {due} per {what}."),
                format!("Project CUP {cup} ({body_name}) passed the deadline of {due} for {what_en}."),
            ),
        )
    };
    let key = |recipient: &str| format!("{kind}:{}:{}:{recipient}", project.id, mark.due_on());
    let mut notes = vec![group_notification(
        Recipient::Administration(project.administration_id),
        project.id,
        kind,
        for_body,
        key(&format!("ADMINISTRATION:{}", project.administration_id)),
        now,
        Some(mark.due_on()),
    )];
    if notify_department {
        notes.push(group_notification(
            Recipient::Department,
            project.id,
            kind,
            for_department,
            key("DEPARTMENT"),
            now,
            Some(mark.due_on()),
        ));
    }
    notes
}

enum Recipient {
    Administration(i32),
    Department,
}

fn group_notification(
    to: Recipient,
    application_id: i32,
    kind: &str,
    (message, message_en): (String, String),
    dedupe_key: String,
    now: chrono::DateTime<Utc>,
    due_on: Option<NaiveDate>,
) -> notification::ActiveModel {
    let (role, administration_id) = match to {
        Recipient::Administration(id) => (Role::Administration, Some(id)),
        Recipient::Department => (Role::Department, None),
    };
    notification::ActiveModel {
        account_id: Set(None),
        recipient_role: Set(Some(role.code().to_owned())),
        administration_id: Set(administration_id),
        application_id: Set(Some(application_id)),
        kind: Set(kind.to_owned()),
        message: Set(message),
        message_en: Set(Some(message_en)),
        created_at: Set(now),
        read_at: Set(None),
        delivered_at: Set(None),
        dedupe_key: Set(Some(dedupe_key)),
        due_on: Set(due_on),
        ..Default::default()
    }
}

/// Inserts the notifications whose key is new, with the e-mails they cause (the
/// outbox, `service::preferences`); returns how many were inserted.
async fn insert_notifications(
    txn: &DatabaseTransaction,
    notes: Vec<notification::ActiveModel>,
) -> Result<usize, DbErr> {
    let mut inserted = 0;
    for chunk in notes.chunks(200) {
        let keys: Vec<String> = chunk
            .iter()
            .filter_map(|n| match &n.dedupe_key {
                Set(Some(k)) => Some(k.clone()),
                _ => None,
            })
            .collect();
        let known: HashSet<String> = notification::Entity::find()
            .filter(notification::Column::DedupeKey.is_in(keys.clone()))
            .all(txn)
            .await?
            .into_iter()
            .filter_map(|n| n.dedupe_key)
            .collect();
        let result = notification::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::column(notification::Column::DedupeKey)
                    .do_nothing()
                    .to_owned(),
            )
            .do_nothing()
            .exec_without_returning(txn)
            .await?;
        if let sea_orm::TryInsertResult::Inserted(n) = result {
            inserted += usize::try_from(n).unwrap_or(usize::MAX);
        }
        let fresh: Vec<String> = keys.into_iter().filter(|k| !known.contains(k)).collect();
        if !fresh.is_empty() {
            let new = notification::Entity::find()
                .filter(notification::Column::DedupeKey.is_in(fresh))
                .all(txn)
                .await?;
            crate::service::preferences::email_new_notifications(txn, &new).await?;
        }
    }
    Ok(inserted)
}

/// Raises notifications for OPEN verification requests past their due date (the due
/// date is the last day to answer); returns (requests newly flagged, notifications).
async fn flag_requests(
    txn: &DatabaseTransaction,
    today: NaiveDate,
) -> Result<(usize, usize), DbErr> {
    let late = verification_request::Entity::find()
        .filter(verification_request::Column::State.eq(RequestState::Open.code()))
        .filter(verification_request::Column::DueOn.lt(today))
        .order_by_asc(verification_request::Column::Id)
        .all(txn)
        .await?;
    if late.is_empty() {
        return Ok((0, 0));
    }
    let project_ids: HashSet<i32> = late.iter().map(|r| r.application_id).collect();
    let projects: HashMap<i32, application::Model> = application::Entity::find()
        .filter(application::Column::Id.is_in(project_ids))
        .all(txn)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let key = |r: &verification_request::Model, recipient: &str| {
        format!(
            "{VERIFICATION_REQUEST_OVERDUE}:{}:{}:{recipient}",
            r.id, r.due_on
        )
    };
    let department_keys: Vec<String> = late.iter().map(|r| key(r, "DEPARTMENT")).collect();
    let known: HashSet<String> = notification::Entity::find()
        .filter(notification::Column::DedupeKey.is_in(department_keys))
        .all(txn)
        .await?
        .into_iter()
        .filter_map(|n| n.dedupe_key)
        .collect();

    let now = Utc::now();
    let mut notes = Vec::new();
    let mut changes = Vec::new();
    for request in &late {
        if known.contains(&key(request, "DEPARTMENT")) {
            continue;
        }
        let Some(project) = projects.get(&request.application_id) else {
            continue;
        };
        let due = request.due_on.format("%d/%m/%Y");
        notes.push(group_notification(
            Recipient::Administration(project.administration_id),
            project.id,
            VERIFICATION_REQUEST_OVERDUE,
            (
                format!(
                    "La richiesta «{}» sul progetto CUP {} attendeva risposta entro il {due}. Senza risposta il finanziamento è a rischio.",
                    request.title, project.cup
                ),
                format!(
                    "The request «{}» on project CUP {} was due for an answer by {due}. Without an answer the funding is at risk.",
                    request.title, project.cup
                ),
            ),
            key(request, &format!("ADMINISTRATION:{}", project.administration_id)),
            now,
            Some(request.due_on),
        ));
        notes.push(group_notification(
            Recipient::Department,
            project.id,
            VERIFICATION_REQUEST_OVERDUE,
            (
                format!(
                    "La richiesta «{}» sul progetto CUP {} è senza risposta dal {due}.",
                    request.title, project.cup
                ),
                format!(
                    "The request «{}» on project CUP {} has been unanswered since {due}.",
                    request.title, project.cup
                ),
            ),
            key(request, "DEPARTMENT"),
            now,
            Some(request.due_on),
        ));
        changes.push(Change {
            entity_type: nuvola_shared::EntityType::VerificationRequest,
            entity_id: request.id.to_string(),
            action: "REQUEST_OVERDUE",
            application_id: Some(project.id),
            before: None,
            after: Some(json!({ "dueOn": request.due_on, "state": request.state })),
        });
    }
    let flagged = changes.len();
    let inserted = insert_notifications(txn, notes).await?;
    audit::record_many(txn, &Actor::system(CHECKER), changes).await?;
    Ok((flagged, inserted))
}

/// Raises the reminders due on `today`: for every project that owes a deadline (the
/// supplier contract or the completion) and every OPEN verification request, the
/// reminder of its call's schedule (`ReminderSchedule::due`) to the administration's
/// accounts, once per deadline and day of the schedule (a unique key), and each once per
/// person by e-mail (the outbox's unique key). Returns the reminders inserted.
///
/// Safe on several replicas at once: the run holds the checker's row lock.
#[tracing::instrument(skip(db))]
pub async fn remind(db: &DatabaseConnection, today: NaiveDate) -> Result<usize, DbErr> {
    let txn = crate::db::begin_write(db).await?;
    lock(&txn, today).await?;
    let inserted = remind_in(&txn, today).await?;
    txn.commit().await?;
    tracing::info!(reminders = inserted, "deadline reminders");
    Ok(inserted)
}

async fn remind_in(txn: &DatabaseTransaction, today: NaiveDate) -> Result<usize, DbErr> {
    let calls: HashMap<i32, call::Model> = call::Entity::find()
        .all(txn)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let projects = application::Entity::find()
        .filter(application::Column::State.is_in(owing_states()))
        .order_by_asc(application::Column::Id)
        .all(txn)
        .await?;
    let now = Utc::now();
    // Per administration, so that one with many projects is not flooded.
    let mut per_body: BTreeMap<i32, Vec<notification::ActiveModel>> = BTreeMap::new();
    for project in &projects {
        let (Some(call), Ok(state)) = (
            calls.get(&project.call_id),
            ApplicationState::parse(&project.state),
        ) else {
            continue;
        };
        let schedule = ReminderSchedule::from_stored(call.reminder_days.as_deref());
        let Some(due) = call_rule(call).next_due(state, project.funded_on, project.contract_on)
        else {
            continue;
        };
        let days_left = due.days_left(today);
        let Some(day) = schedule.due(days_left) else {
            continue;
        };
        let (kind, what, what_en) = match due.kind {
            DeadlineKind::Contract => (
                CONTRACT_DEADLINE_REMINDER,
                "stipulare il contratto con il fornitore",
                "sign the contract with the supplier",
            ),
            DeadlineKind::Completion => (
                COMPLETION_DEADLINE_REMINDER,
                "completare la migrazione e dichiararne il completamento",
                "complete the migration and declare it complete",
            ),
        };
        let date = due.due_on.format("%d/%m/%Y");
        let recipient = format!("ADMINISTRATION:{}", project.administration_id);
        per_body
            .entry(project.administration_id)
            .or_default()
            .push(group_notification(
                Recipient::Administration(project.administration_id),
                project.id,
                kind,
                (
                    format!(
                        "Promemoria: il progetto CUP {} deve {what} entro il {date} ({}).",
                        project.cup,
                        days_left_it(days_left)
                    ),
                    format!(
                        "Reminder: project CUP {} must {what_en} by {date} ({}).",
                        project.cup,
                        days_left_en(days_left)
                    ),
                ),
                format!("{kind}:{}:{}:{day}:{recipient}", project.id, due.due_on),
                now,
                Some(due.due_on),
            ));
    }
    let requests = verification_request::Entity::find()
        .filter(verification_request::Column::State.eq(RequestState::Open.code()))
        .filter(verification_request::Column::DueOn.gte(today))
        .order_by_asc(verification_request::Column::Id)
        .all(txn)
        .await?;
    if !requests.is_empty() {
        let ids: HashSet<i32> = requests.iter().map(|r| r.application_id).collect();
        let owners: HashMap<i32, application::Model> = application::Entity::find()
            .filter(application::Column::Id.is_in(ids))
            .all(txn)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        for request in &requests {
            let Some(project) = owners.get(&request.application_id) else {
                continue;
            };
            let schedule = ReminderSchedule::from_stored(
                calls
                    .get(&project.call_id)
                    .and_then(|c| c.reminder_days.as_deref()),
            );
            let days_left = (request.due_on - today).num_days();
            let Some(day) = schedule.due(days_left) else {
                continue;
            };
            let recipient = format!("ADMINISTRATION:{}", project.administration_id);
            per_body
                .entry(project.administration_id)
                .or_default()
                .push(group_notification(
                    Recipient::Administration(project.administration_id),
                    project.id,
                    VERIFICATION_REQUEST_REMINDER,
                    (
                        format!(
                            "Promemoria: la richiesta «{}» sul progetto CUP {} attende risposta entro il {} ({}), pena la decadenza del finanziamento.",
                            request.title,
                            project.cup,
                            request.due_on.format("%d/%m/%Y"),
                            days_left_it(days_left)
                        ),
                        format!(
                            "Reminder: the request «{}» on project CUP {} awaits an answer by {} ({}), or the funding lapses.",
                            request.title,
                            project.cup,
                            request.due_on.format("%d/%m/%Y"),
                            days_left_en(days_left)
                        ),
                    ),
                    format!(
                        "{VERIFICATION_REQUEST_REMINDER}:{}:{}:{day}:{recipient}",
                        request.id, request.due_on
                    ),
                    now,
                    Some(request.due_on),
                ));
        }
    }
    let mut inserted = 0;
    for (body, notes) in per_body {
        if notes.len() > REMINDER_DIGEST_ABOVE {
            // Many at once: kept in the web application, one e-mail sums them up.
            let fresh = fresh_notes(txn, notes).await?;
            let mut kinds: Vec<String> = fresh.iter().filter_map(|n| set_value(&n.kind)).collect();
            kinds.sort();
            kinds.dedup();
            let first_due = fresh
                .iter()
                .filter_map(|n| set_value(&n.due_on).flatten())
                .min();
            let count = insert_notifications_quietly(txn, fresh).await?;
            if count > 0 {
                let (first, first_en) = first_due.map_or_else(Default::default, |d| {
                    (
                        format!(" La prima è il {}.", d.format("%d/%m/%Y")),
                        format!(" The first is on {}.", d.format("%-d %B %Y")),
                    )
                });
                let key = format!("REMINDER_DIGEST:{today}:ADMINISTRATION:{body}");
                let summary = notification::ActiveModel {
                    account_id: Set(None),
                    recipient_role: Set(Some(Role::Administration.code().to_owned())),
                    administration_id: Set(Some(body)),
                    application_id: Set(None),
                    kind: Set(DEADLINE_REMINDERS_SUMMARY.to_owned()),
                    message: Set(format!(
                        "Promemoria: {count} scadenze dei vostri progetti si avvicinano.{first} L'elenco è nella pagina Notifiche di Nuvola."
                    )),
                    message_en: Set(Some(format!(
                        "Reminder: {count} deadlines of your projects are near.{first_en} The list is on Nuvola's Notifications page."
                    ))),
                    created_at: Set(now),
                    read_at: Set(None),
                    delivered_at: Set(None),
                    dedupe_key: Set(Some(key.clone())),
                    due_on: Set(first_due),
                    ..Default::default()
                };
                if insert_notifications_quietly(txn, vec![summary]).await? > 0 {
                    if let Some(stored) = notification::Entity::find()
                        .filter(notification::Column::DedupeKey.eq(key))
                        .one(txn)
                        .await?
                    {
                        crate::service::preferences::email_reminder_summary(txn, &stored, &kinds)
                            .await?;
                    }
                }
            }
            inserted += count;
        } else {
            inserted += insert_notifications(txn, notes).await?;
        }
    }
    Ok(inserted)
}

/// "manca 1 giorno" / "mancano N giorni".
fn days_left_it(days: i64) -> String {
    if days == 1 {
        "manca 1 giorno".to_owned()
    } else {
        format!("mancano {days} giorni")
    }
}

/// "1 day left" / "N days left".
fn days_left_en(days: i64) -> String {
    if days == 1 {
        "1 day left".to_owned()
    } else {
        format!("{days} days left")
    }
}

/// The value an active model's field was set to, if any.
fn set_value<T: Clone + Into<sea_orm::Value>>(v: &sea_orm::ActiveValue<T>) -> Option<T> {
    match v {
        Set(v) => Some(v.clone()),
        _ => None,
    }
}

/// The notes whose dedupe key is not stored yet (the reminders this run adds).
async fn fresh_notes(
    txn: &DatabaseTransaction,
    notes: Vec<notification::ActiveModel>,
) -> Result<Vec<notification::ActiveModel>, DbErr> {
    let keys: Vec<String> = notes
        .iter()
        .filter_map(|n| set_value(&n.dedupe_key).flatten())
        .collect();
    let mut known = HashSet::new();
    for chunk in keys.chunks(200) {
        known.extend(
            notification::Entity::find()
                .filter(notification::Column::DedupeKey.is_in(chunk.to_vec()))
                .all(txn)
                .await?
                .into_iter()
                .filter_map(|n| n.dedupe_key),
        );
    }
    Ok(notes
        .into_iter()
        .filter(|n| {
            set_value(&n.dedupe_key)
                .flatten()
                .is_some_and(|k| !known.contains(&k))
        })
        .collect())
}

/// Inserts notifications whose key is new without e-mailing anyone (a summary does).
async fn insert_notifications_quietly(
    txn: &DatabaseTransaction,
    notes: Vec<notification::ActiveModel>,
) -> Result<usize, DbErr> {
    let mut inserted = 0;
    for chunk in notes.chunks(200) {
        let result = notification::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::column(notification::Column::DedupeKey)
                    .do_nothing()
                    .to_owned(),
            )
            .do_nothing()
            .exec_without_returning(txn)
            .await?;
        if let sea_orm::TryInsertResult::Inserted(n) = result {
            inserted += usize::try_from(n).unwrap_or(usize::MAX);
        }
    }
    Ok(inserted)
}

/// Records a call's reminder schedule (days before each deadline). DEPARTMENT only; one
/// transaction with its audit event. An empty list turns reminders off for the call.
#[tracing::instrument(skip(db, principal), fields(user = %principal.username))]
pub async fn set_call_reminders(
    db: &DatabaseConnection,
    principal: &Principal,
    title: &str,
    days: &[i64],
) -> Result<call::Model, TermsError> {
    let schedule = ReminderSchedule::new(days).map_err(|error| TermsError::Invalid {
        field: "days",
        error,
    })?;
    if principal.role != Role::Department || principal.read_only {
        return Err(TermsError::Forbidden(
            "only the department sets the reminders of a call".to_owned(),
        ));
    }
    let txn = crate::db::begin_write(db).await?;
    let current = call::Entity::find()
        .filter(call::Column::Title.eq(title.trim()))
        .one(&txn)
        .await?
        .ok_or_else(|| TermsError::NotFound(format!("no call has the title {title:?}")))?;
    call::Entity::update_many()
        .col_expr(call::Column::ReminderDays, Expr::value(schedule.stored()))
        .col_expr(call::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(call::Column::Id.eq(current.id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        &principal.actor(),
        Change {
            entity_type: nuvola_shared::EntityType::Call,
            entity_id: current.id.to_string(),
            action: "CALL_REMINDERS_CHANGED",
            application_id: None,
            before: Some(json!({ "reminderDays": current.reminder_days })),
            after: Some(json!({ "reminderDays": schedule.stored() })),
        },
    )
    .await?;
    let updated = call::Entity::find_by_id(current.id)
        .one(&txn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the updated call".into()))?;
    txn.commit().await?;
    Ok(updated)
}

/// The terms of a call as the department sends them; the strings are parsed with
/// [`Term::parse`] ("9 months", "120 giorni").
#[derive(Debug, Clone)]
pub struct CallTerms {
    pub title: String,
    /// The version of the call the department read.
    pub expected_version: i32,
    pub contract_term: Option<String>,
    pub completion_term: Option<String>,
    pub completion_from: TermStart,
    /// The call's own hard cap; none means the programme's (31 March 2026).
    pub hard_cap: Option<NaiveDate>,
}

#[derive(Debug, thiserror::Error)]
pub enum TermsError {
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{field}: {error}")]
    Invalid {
        field: &'static str,
        error: ParseError,
    },
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// What a change of a call's terms would do, before it is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermsImpact {
    /// The call's projects that owe a deadline now (FUNDED, CONTRACTED, MIGRATING).
    pub projects: usize,
    /// Those whose next deadline (kind or date) the new terms change.
    pub changing: usize,
}

/// The terms as sent, checked against the call as stored on `today`: both terms read
/// as days or months, and a hard cap not set in the past
/// (`shared::deadline::check_hard_cap`).
fn checked_terms(
    terms: &CallTerms,
    current: &call::Model,
    today: NaiveDate,
) -> Result<(Option<Term>, Option<Term>), TermsError> {
    let parse = |field: &'static str, t: &Option<String>| {
        t.as_deref()
            .filter(|t| !t.trim().is_empty())
            .map(Term::parse)
            .transpose()
            .map_err(|error| TermsError::Invalid { field, error })
    };
    let contract = parse("contractTerm", &terms.contract_term)?;
    let completion = parse("completionTerm", &terms.completion_term)?;
    check_hard_cap(terms.hard_cap, current.hard_cap, today).map_err(|error| {
        TermsError::Invalid {
            field: "hardCap",
            error,
        }
    })?;
    Ok((contract, completion))
}

/// The call `terms` names, and the caller checked: DEPARTMENT, writing.
async fn call_for_terms(
    db: &impl ConnectionTrait,
    principal: &Principal,
    terms: &CallTerms,
) -> Result<call::Model, TermsError> {
    if principal.role != Role::Department || principal.read_only {
        return Err(TermsError::Forbidden(
            "only the department records the terms of a call".to_owned(),
        ));
    }
    call::Entity::find()
        .filter(call::Column::Title.eq(terms.title.trim()))
        .one(db)
        .await?
        .ok_or_else(|| TermsError::NotFound(format!("no call has the title {:?}", terms.title)))
}

/// How many projects of `call_id` owe a deadline, and how many of them change their
/// next deadline when the rule goes from `before` to `after`
/// (`shared::deadline::projects_changing_deadline`). The preview and the change both
/// count with this function.
async fn impact(
    db: &impl ConnectionTrait,
    call_id: i32,
    before: &DeadlineRule,
    after: &DeadlineRule,
) -> Result<TermsImpact, DbErr> {
    let rows: Vec<(String, Option<NaiveDate>, Option<NaiveDate>)> = application::Entity::find()
        .select_only()
        .column(application::Column::State)
        .column(application::Column::FundedOn)
        .column(application::Column::ContractOn)
        .filter(application::Column::CallId.eq(call_id))
        .filter(application::Column::State.is_in(owing_states()))
        .into_tuple()
        .all(db)
        .await?;
    let subjects: Vec<TermsSubject> = rows
        .into_iter()
        .filter_map(|(state, funded_on, contract_on)| {
            Some(TermsSubject {
                state: ApplicationState::parse(&state).ok()?,
                funded_on,
                contract_on,
            })
        })
        .collect();
    Ok(TermsImpact {
        projects: subjects.len(),
        changing: projects_changing_deadline(before, after, subjects),
    })
}

/// The rule a call would carry with `terms` (as [`set_call_terms`] stores them).
fn rule_with(contract: Option<Term>, completion: Option<Term>, terms: &CallTerms) -> DeadlineRule {
    DeadlineRule::from_stored(
        contract.map(|t| t.to_string()).as_deref(),
        completion.map(|t| t.to_string()).as_deref(),
        terms.completion_from.code(),
        terms.hard_cap,
    )
}

/// What [`set_call_terms`] would change, without changing anything: the same checks
/// (a stale version gets CONFLICT here too) and the same count of projects whose next
/// deadline moves. DEPARTMENT only.
#[tracing::instrument(skip(db, principal), fields(user = %principal.username))]
pub async fn preview_call_terms(
    db: &DatabaseConnection,
    principal: &Principal,
    terms: CallTerms,
) -> Result<TermsImpact, TermsError> {
    let current = call_for_terms(db, principal, &terms).await?;
    let (contract, completion) = checked_terms(&terms, &current, Utc::now().date_naive())?;
    if current.version != terms.expected_version {
        return Err(TermsError::Conflict(format!(
            "the call changed since you read it (version {} now, you sent {}): reload and try again",
            current.version, terms.expected_version
        )));
    }
    let after = rule_with(contract, completion, &terms);
    Ok(impact(db, current.id, &call_rule(&current), &after).await?)
}

/// Records the deadline terms of a call. DEPARTMENT only; one transaction with its
/// audit event, which records how many projects changed their next deadline. The
/// checker applies them at its next run.
#[tracing::instrument(skip(db, principal), fields(user = %principal.username))]
pub async fn set_call_terms(
    db: &DatabaseConnection,
    principal: &Principal,
    terms: CallTerms,
) -> Result<(call::Model, TermsImpact), TermsError> {
    let txn = crate::db::begin_write(db).await?;
    let current = call_for_terms(&txn, principal, &terms).await?;
    let (contract, completion) = checked_terms(&terms, &current, Utc::now().date_naive())?;
    let snapshot = |c: &call::Model| {
        json!({
            "contractTerm": c.contract_term,
            "completionTerm": c.completion_term,
            "completionFrom": c.completion_from,
            "hardCap": c.hard_cap,
            "version": c.version,
        })
    };
    let result = call::Entity::update_many()
        .col_expr(
            call::Column::ContractTerm,
            Expr::value(contract.map(|t| t.to_string())),
        )
        .col_expr(
            call::Column::CompletionTerm,
            Expr::value(completion.map(|t| t.to_string())),
        )
        .col_expr(
            call::Column::CompletionFrom,
            Expr::value(terms.completion_from.code()),
        )
        .col_expr(call::Column::HardCap, Expr::value(terms.hard_cap))
        .col_expr(call::Column::Version, Expr::value(current.version + 1))
        .col_expr(call::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(call::Column::Id.eq(current.id))
        .filter(call::Column::Version.eq(terms.expected_version))
        .exec(&txn)
        .await?;
    if result.rows_affected != 1 {
        return Err(TermsError::Conflict(format!(
            "the call changed since you read it (version {} now, you sent {}): reload and try again",
            current.version, terms.expected_version
        )));
    }
    let updated = call::Entity::find_by_id(current.id)
        .one(&txn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the updated call".into()))?;
    // The rule as stored now, against the rule before: the preview's count.
    debug_assert_eq!(call_rule(&updated), rule_with(contract, completion, &terms));
    let moved = impact(&txn, current.id, &call_rule(&current), &call_rule(&updated)).await?;
    let mut after = snapshot(&updated);
    after["projectsChangingDeadline"] = json!(moved.changing);
    audit::record(
        &txn,
        &principal.actor(),
        Change {
            entity_type: nuvola_shared::EntityType::Call,
            entity_id: current.id.to_string(),
            action: "CALL_TERMS_CHANGED",
            application_id: None,
            before: Some(snapshot(&current)),
            after: Some(after),
        },
    )
    .await?;
    txn.commit().await?;
    Ok((updated, moved))
}
